// The web session's report sources (apple-apis.md Part II §A.12.2–A.12.4), strict where the
// sheet is unconfirmed: Sales & Trends time series behind its CSRF guard, App Analytics time
// series, and the legacy payments vendor list. Each answers with the sub-account's roles
// (§5's table): 403 for a role that cannot see the data, so a capability probe tells them apart.
#include <algorithm>
#include <sstream>

#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

// First-time downloads: what the web calls "units" (Sales & Trends) / "units" (Analytics).
bool IsDownloadType(const std::string& pti) {
  static const std::set<std::string> kDownloads = {"1", "1F", "1T", "F1", "1E", "1EP", "1EU", "1-B", "F1-B"};
  return kDownloads.contains(pti);
}

// Units of first-time downloads of a day by Apple Identifier, read from the day's report.
std::map<std::string, int64_t> DownloadsByApp(const std::string& tsv) {
  std::map<std::string, int64_t> out;
  std::istringstream in(tsv);
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    size_t start = 0;
    for (;;) {
      size_t tab = l.find('\t', start);
      cells.push_back(l.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    return cells;
  };
  if (!std::getline(in, line)) return out;
  header = split(line);
  auto col = [&](const char* name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const size_t units = col("Units"), pti = col("Product Type Identifier"), app = col("Apple Identifier");
  while (std::getline(in, line)) {
    const auto cells = split(line);
    if (cells.size() <= std::max({units, pti, app})) continue;
    if (IsDownloadType(cells[pti])) out[cells[app]] += std::stoll(cells[units]);
  }
  return out;
}

// "2026-03-01T00:00:00.000Z" or "2026-03-01T00:00:00Z" → the day.
std::optional<Date> DayOf(const Json& v) {
  if (!v.is_string() || v.get<std::string>().size() < 10) return std::nullopt;
  auto d = Date::ParseIso(v.get<std::string>().substr(0, 10));
  if (!d.has_value()) return std::nullopt;
  return *d;
}

}  // namespace

void Sandbox::Impl::WebReportRoutes() {
  auto logged = [this](auto handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      handler(req, res);
      Log(req, res);
    };
  };
  // The session's roles decide, like a key's would.
  auto roles_allow = [this](const std::string& kid, std::initializer_list<const char*> allowed) {
    return KeyHasRole(kid, allowed);
  };
  auto downloads = [this](Date from, Date to, const std::string& app) {
    std::vector<std::pair<Date, int64_t>> series;
    for (Date d = from; d <= to; d = d.AddDays(1)) {
      int64_t n = 0;
      if (P()->HasSales(d)) {
        for (const auto& [id, units] : DownloadsByApp(P()->SalesSummaryDailyTsv(d))) {
          if (app.empty() || id == app) n += units;
        }
      }
      series.emplace_back(d, n);
    }
    return series;
  };

  // §A.12.4 CSRF guard: POST with `fetch-csrf-token: 1` hands out the token the time-series
  // calls must echo in their `csrf` header.
  server.Post("/trends/gsf/owasp/csrf-guard.js", logged([this](const httplib::Request& req, httplib::Response& res) {
    if (!AuthenticateWeb(req, res, nullptr, nullptr)) return;
    if (req.get_header_value("fetch-csrf-token") != "1") {
      res.status = 400;
      res.set_content("fetch-csrf-token: 1 is required\n", "text/plain");
      return;
    }
    const std::string token = NewUuid();
    {
      std::lock_guard lock(mu);
      web_csrf_guard.insert(token);
    }
    res.status = 200;
    res.set_header("csrf", token);
    res.set_content("OWASP_CSRFTOKEN:" + token + "\n", "text/plain");
  }));

  server.Post(R"(/trends/gsf/salesTrendsApp/businessareas/InternetServices/subjectareas/iTunes/vcubes/([0-9]+)/timeseries)",
              logged([this, roles_allow, downloads](const httplib::Request& req, httplib::Response& res) {
    auto kid = AuthenticateWeb(req, res, "x-requested-with", "OWASP CSRFGuard Project");
    if (!kid) return;
    {
      std::lock_guard lock(mu);
      if (!web_csrf_guard.contains(req.get_header_value("csrf"))) {
        JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, "The csrf header is missing or stale.");
        return;
      }
    }
    if (!roles_allow(*kid, {"ADMIN", "ACCOUNT_HOLDER", "FINANCE", "SALES"})) {
      JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, "The user's roles do not include Sales and Trends.");
      return;
    }
    // Sent as text/plain JSON, as the web page does.
    const Json body = Json::parse(req.body, nullptr, false);
    const Json* interval = body.is_object() && body.contains("interval") ? &body["interval"] : nullptr;
    const auto from = interval ? DayOf(interval->value("startDate", Json())) : std::nullopt;
    const auto to = interval ? DayOf(interval->value("endDate", Json())) : std::nullopt;
    if (!from || !to || *to < *from || to->days() - from->days() > 92 || interval->value("key", "") != "day") {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "interval needs key \"day\" and startDate/endDate at most 93 days apart");
      return;
    }
    std::string app;
    if (body.contains("filters") && body["filters"].is_array()) {
      for (const auto& f : body["filters"]) {
        if (f.is_object() && f.value("dimensionKey", "") == "gross_adam_id_piano" && f.contains("optionKeys") &&
            f["optionKeys"].is_array() && !f["optionKeys"].empty() && f["optionKeys"][0].is_string()) {
          app = f["optionKeys"][0].get<std::string>();
        }
      }
    }
    Json data = Json::array();
    for (const auto& [day, units] : downloads(*from, *to, app)) {
      data.push_back({{"day", day.Iso() + "T00:00:00.000Z"}, {"units_utc", units}});
    }
    res.status = 200;
    res.set_content(Json{{"result", Json::array({{{"metadata", Json::array({{{"title", app.empty() ? "All" : app}}})},
                                                  {"data", data}}})},
                         {"version", 1}}
                        .dump(),
                    "application/json");
  }));

  // §A.12.3 App Analytics time series.
  server.Post("/analytics/api/v1/data/time-series", logged([this, roles_allow, downloads](const httplib::Request& req,
                                                                                          httplib::Response& res) {
    auto kid = AuthenticateWeb(req, res, nullptr, nullptr);
    if (!kid) return;
    if (req.get_header_value("X-Requested-By").empty()) {
      JsonError(res, 400, "PARAMETER_ERROR", "A parameter is missing", "X-Requested-By is required");
      return;
    }
    if (!roles_allow(*kid, {"ADMIN", "ACCOUNT_HOLDER", "FINANCE", "SALES"})) {
      JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, "The user's roles do not include App Analytics.");
      return;
    }
    const Json body = Json::parse(req.body, nullptr, false);
    const bool shaped = body.is_object() && body.contains("adamId") && body["adamId"].is_array() &&
                        !body["adamId"].empty() && body["adamId"][0].is_string() && body.contains("measures") &&
                        body["measures"].is_array();
    const auto from = shaped ? DayOf(body.value("startTime", Json())) : std::nullopt;
    const auto to = shaped ? DayOf(body.value("endTime", Json())) : std::nullopt;
    std::string frequency = shaped ? body.value("frequency", "") : "";
    std::transform(frequency.begin(), frequency.end(), frequency.begin(), ::tolower);
    if (!from || !to || *to < *from || to->days() - from->days() > 92 || frequency != "day" ||
        body["measures"] != Json::array({"units"})) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "adamId, measures [\"units\"], frequency day and startTime/endTime at most 93 days apart");
      return;
    }
    const std::string app = body["adamId"][0];
    Json data = Json::array();
    int64_t total = 0;
    for (const auto& [day, units] : downloads(*from, *to, app)) {
      data.push_back({{"date", day.Iso() + "T00:00:00Z"}, {"units", static_cast<double>(units)}});
      total += units;
    }
    res.status = 200;
    res.set_content(Json{{"size", 1},
                         {"results", Json::array({{{"adamId", app},
                                                   {"meetsThreshold", true},
                                                   {"group", nullptr},
                                                   {"data", data},
                                                   {"totals", {{"value", static_cast<double>(total)},
                                                               {"type", "COUNT"},
                                                               {"key", "units"}}}}})}}
                        .dump(),
                    "application/json");
  }));

  // §A.12.2 legacy WebObjects: the payments vendor list (Finance role).
  server.Get(R"(/WebObjects/iTunesConnect\.woa/ra/paymentConsolidation/providers/([0-9]+)/sapVendorNumbers)",
             logged([this, roles_allow](const httplib::Request& req, httplib::Response& res) {
    auto kid = AuthenticateWeb(req, res, "x-csrf-itc", "itc");
    if (!kid) return;
    const auto envelope = [](const Json& data, const Json& errors, const char* status) {
      return Json{{"data", data},
                  {"messages", {{"warn", nullptr}, {"info", nullptr}, {"error", errors}}},
                  {"statusCode", status}}
          .dump();
    };
    if (std::to_string(web.provider_id) != std::string(req.matches[1])) {
      res.status = 404;
      res.set_content(envelope(nullptr, Json::array({"No such provider."}), "ERROR"), "application/json");
      return;
    }
    if (!roles_allow(*kid, {"ADMIN", "ACCOUNT_HOLDER", "FINANCE"})) {
      res.status = 403;
      res.set_content(envelope(nullptr, Json::array({"You do not have access to Payments and Financial Reports."}),
                               "ERROR"),
                      "application/json");
      return;
    }
    res.status = 200;
    res.set_content(envelope(Json::array({{{"sapVendorNumber", P()->vendor_number()},
                                           {"vendorName", "Orchard Demo Apps Inc."}}}),
                             nullptr, "SUCCESS"),
                    "application/json");
  }));
}

}  // namespace orchard::sandbox
