// The Analytics Reports API (apple-apis.md §6.1): report requests (ONGOING, ONE_TIME_SNAPSHOT),
// their reports, instances by granularity and processing date, and segments whose pre-signed URLs
// are fetched without authorization. A daily instance holds a preliminary figure for the day
// before its processing date and the final figure for three days before, so a client must let a
// newer instance replace an older one for the same Date rather than add them up.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>

#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

constexpr double kPreliminary = 0.92;
constexpr size_t kRowsPerSegment = 400;
constexpr int kUrlSeconds = 300;
constexpr int kSnapshotDays = 365;

std::string HexOf(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}
std::string Md5Hex(const std::string& data) {
  unsigned char md[16];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return HexOf(md, len);
}
std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

}  // namespace

std::string Sandbox::Impl::SegmentSignature(const std::string& segment, int64_t date) {
  const std::string message = segment + "\n" + std::to_string(date);
  unsigned char md[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), analytics_secret.data(), static_cast<int>(analytics_secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len);
  return HexOf(md, len);
}

// The instances of a report of a request: (granularity, processing date), oldest first.
std::vector<std::pair<std::string, Date>> Sandbox::Impl::AnalyticsInstances(const AnalyticsRequest& r) {
  std::vector<std::pair<std::string, Date>> out;
  Date launch = P()->today();
  for (const auto& app : P()->Apps()) {
    if (app.id == r.app_id) launch = app.launch;
  }
  const Date today = P()->today();
  // A snapshot holds the history up to its creation; an ongoing request adds an instance a day
  // from the day after its creation.
  Date first = r.access_type == "ONE_TIME_SNAPSHOT" ? std::max(launch.AddDays(1), r.created.AddDays(-kSnapshotDays))
                                                    : r.created.AddDays(1);
  Date last = r.access_type == "ONE_TIME_SNAPSHOT" ? std::min(r.created, today) : today;
  if (r.stopped) last = std::min(last, r.stopped_on);
  for (Date p = first; p <= last; p = p.AddDays(1)) {
    out.emplace_back("DAILY", p);
    if (p.iso_weekday() == 5 && p.AddDays(-5) >= launch) out.emplace_back("WEEKLY", p);
    if (p.day() == 5 && p.AddDays(-5) >= launch) out.emplace_back("MONTHLY", p);
  }
  return out;
}

// The TSV segments of an instance (each with its header line).
std::vector<std::string> Sandbox::Impl::AnalyticsSegments(const AnalyticsRequest& r, size_t report,
                                                         const std::string& granularity, Date p) {
  const AnalyticsReportInfo& info = AnalyticsReports()[report];
  std::string rows;
  if (granularity == "DAILY") {
    rows = P()->AnalyticsRows(info.name, r.app_id, p.AddDays(-3), p.AddDays(-3), p.AddDays(-3), 1.0) +
           P()->AnalyticsRows(info.name, r.app_id, p.AddDays(-1), p.AddDays(-1), p.AddDays(-1), kPreliminary);
  } else if (granularity == "WEEKLY") {
    const Date monday = p.AddDays(-11);
    rows = P()->AnalyticsRows(info.name, r.app_id, monday, monday.AddDays(6), monday, 1.0);
  } else {
    const Date first = p.AddDays(-5).StartOfMonth();
    rows = P()->AnalyticsRows(info.name, r.app_id, first, p.AddDays(-5), first, 1.0);
  }
  std::vector<std::string> segments;
  size_t count = 0;
  std::string current;
  size_t start = 0;
  while (start < rows.size()) {
    const size_t end = rows.find('\n', start);
    if (count == 0) current = std::string(info.header) + "\n";
    current += rows.substr(start, end - start + 1);
    start = end + 1;
    if (++count == kRowsPerSegment) {
      segments.push_back(current);
      count = 0;
    }
  }
  if (count > 0 || segments.empty()) {
    if (count == 0) current = std::string(info.header) + "\n";
    segments.push_back(current);
  }
  return segments;
}

void Sandbox::Impl::AnalyticsRoutes() {
  auto logged = [this](auto handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      handler(req, res);
      Log(req, res);
    };
  };
  auto can_read = [this](const std::string& kid) {
    return KeyHasRole(kid, {"ADMIN", "ACCOUNT_HOLDER", "SALES", "FINANCE"});
  };
  auto forbidden = [](httplib::Response& res) {
    JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
  };
  auto not_found = [](httplib::Response& res, const std::string& type, const std::string& id) {
    JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
              "There is no resource of type '" + type + "' with id '" + id + "'");
  };
  auto request_json = [](const AnalyticsRequest& r, const std::string& base) {
    return Json{{"type", "analyticsReportRequests"},
                {"id", r.id},
                {"attributes", {{"accessType", r.access_type}, {"stoppedDueToInactivity", r.stopped}}},
                {"relationships",
                 {{"reports",
                   {{"links",
                     {{"self", base + "/v1/analyticsReportRequests/" + r.id + "/relationships/reports"},
                      {"related", base + "/v1/analyticsReportRequests/" + r.id + "/reports"}}}}}}},
                {"links", {{"self", base + "/v1/analyticsReportRequests/" + r.id}}}};
  };
  auto report_json = [](const std::string& request_id, size_t index, const std::string& base) {
    const std::string id = "r" + std::to_string(index + 1) + "-" + request_id;
    return Json{{"type", "analyticsReports"},
                {"id", id},
                {"attributes", {{"name", AnalyticsReports()[index].name},
                                {"category", AnalyticsReports()[index].category}}},
                {"relationships",
                 {{"instances", {{"links", {{"related", base + "/v1/analyticsReports/" + id + "/instances"}}}}}}},
                {"links", {{"self", base + "/v1/analyticsReports/" + id}}}};
  };
  auto instance_id = [](const std::string& request_id, size_t report, const std::string& granularity, Date p) {
    return B64UrlEncode(request_id + "|" + std::to_string(report) + "|" + granularity + "|" + p.Iso());
  };
  auto instance_json = [instance_id](const std::string& request_id, size_t report, const std::string& granularity,
                                     Date p, const std::string& base) {
    const std::string id = instance_id(request_id, report, granularity, p);
    return Json{{"type", "analyticsReportInstances"},
                {"id", id},
                {"attributes", {{"granularity", granularity}, {"processingDate", p.Iso()}}},
                {"relationships",
                 {{"segments", {{"links", {{"related", base + "/v1/analyticsReportInstances/" + id + "/segments"}}}}}}},
                {"links", {{"self", base + "/v1/analyticsReportInstances/" + id}}}};
  };
  // request id, report index, granularity, processing date of an instance id.
  struct InstanceKey {
    std::string request;
    size_t report = 0;
    std::string granularity;
    Date processing;
  };
  auto parse_instance = [](const std::string& id) -> std::optional<InstanceKey> {
    const auto raw = B64UrlDecode(id);
    if (!raw) return std::nullopt;
    const auto parts = SplitOn(*raw, '|');
    if (parts.size() != 4 || parts[1].empty() || parts[1].size() > 2 ||
        !std::all_of(parts[1].begin(), parts[1].end(), ::isdigit)) {
      return std::nullopt;
    }
    auto p = Date::ParseIso(parts[3]);
    const size_t report = std::stoul(parts[1]);
    if (!p || report >= AnalyticsReports().size()) return std::nullopt;
    return InstanceKey{parts[0], report, parts[2], *p};
  };
  // The instance exists: its request is alive and lists it.
  auto find_instance = [this, parse_instance](const std::string& id) -> std::optional<std::pair<InstanceKey, AnalyticsRequest>> {
    auto key = parse_instance(id);
    if (!key) return std::nullopt;
    AnalyticsRequest r;
    {
      std::lock_guard lock(mu);
      auto it = analytics_requests.find(key->request);
      if (it == analytics_requests.end()) return std::nullopt;
      r = it->second;
    }
    for (const auto& [g, p] : AnalyticsInstances(r)) {
      if (g == key->granularity && p == key->processing) return std::make_pair(*key, r);
    }
    return std::nullopt;
  };
  auto segment_json = [this](const std::string& instance, size_t k, const std::string& tsv_gz, const std::string& base) {
    const std::string id = instance + "." + std::to_string(k);
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    return Json{{"type", "analyticsReportSegments"},
                {"id", id},
                {"attributes",
                 {{"checksum", Md5Hex(tsv_gz)},
                  {"sizeInBytes", tsv_gz.size()},
                  {"url", base + "/_analytics-data/" + id + "?X-Amz-Date=" + std::to_string(now) +
                              "&X-Amz-Expires=" + std::to_string(kUrlSeconds) +
                              "&X-Amz-Signature=" + SegmentSignature(id, now)}}},
                {"links", {{"self", base + "/v1/analyticsReportSegments/" + id}}}};
  };

  server.Post("/v1/analyticsReportRequests", logged([this, request_json, forbidden](const httplib::Request& req,
                                                                                    httplib::Response& res) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    if (!KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER"})) return forbidden(res);
    const Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "The request entity is not valid JSON", "Send a JSON:API document.");
      return;
    }
    const Json data = body.value("data", Json::object());
    const std::string type = data.value("type", "");
    const std::string access = data.value("attributes", Json::object()).value("accessType", "");
    const Json app = data.value("relationships", Json::object()).value("app", Json::object()).value("data", Json::object());
    if (type != "analyticsReportRequests") {
      JsonError(res, 409, "ENTITY_ERROR.TYPE.INVALID", "The provided entity type is invalid",
                "The type must be 'analyticsReportRequests'");
      return;
    }
    if (access != "ONGOING" && access != "ONE_TIME_SNAPSHOT") {
      JsonError(res, 422, "ENTITY_ERROR.ATTRIBUTE.INVALID", "An attribute value is invalid",
                "accessType must be ONGOING or ONE_TIME_SNAPSHOT");
      return;
    }
    const std::string app_id = app.value("id", "");
    const auto apps = P()->Apps();
    if (app.value("type", "") != "apps" ||
        std::none_of(apps.begin(), apps.end(), [&](const AppInfo& a) { return a.id == app_id; })) {
      JsonError(res, 422, "ENTITY_ERROR.RELATIONSHIP.INVALID", "A relationship value is invalid",
                "The app '" + app_id + "' does not exist");
      return;
    }
    const std::string base = "http://" + req.get_header_value("Host");
    std::lock_guard lock(mu);
    for (const auto& [id, r] : analytics_requests) {
      if (r.app_id == app_id && r.access_type == access && !r.stopped) {
        JsonError(res, 409, "STATE_ERROR", "The request cannot be fulfilled in the current state",
                  "You already have such an entity. Its id is '" + id + "'");
        return;
      }
    }
    AnalyticsRequest r{NewUuid(), app_id, access, P()->today(), false, Date()};
    analytics_requests[r.id] = r;
    res.status = 201;
    const Json doc = request_json(r, base);
    res.set_content(Json{{"data", doc}, {"links", {{"self", doc["links"]["self"]}}}}.dump(), "application/json");
  }));
  server.Get(R"(/v1/apps/([0-9]+)/analyticsReportRequests)",
             logged([this, request_json, can_read, forbidden](const httplib::Request& req, httplib::Response& res) {
               auto kid = Admitted(req, res);
               if (!kid) return;
               if (!can_read(*kid)) return forbidden(res);
               if (!OnlyParams(req, res, {"filter[accessType]", "limit", "cursor", "fields[analyticsReportRequests]"})) return;
               std::vector<AnalyticsRequest> list;
               {
                 std::lock_guard lock(mu);
                 for (const auto& [id, r] : analytics_requests) {
                   if (r.app_id != req.matches[1]) continue;
                   if (req.has_param("filter[accessType]") && r.access_type != req.get_param_value("filter[accessType]")) continue;
                   list.push_back(r);
                 }
               }
               Paged(req, res, list.size(),
                     [&](size_t i, const std::string& base) { return request_json(list[i], base); },
                     [](size_t, size_t, const std::string&) { return Json::array(); });
             }));
  auto request_by_id = logged([this, request_json, can_read, forbidden, not_found](const httplib::Request& req,
                                                                                   httplib::Response& res) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    const bool remove = req.method == "DELETE";
    if (remove ? !KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER"}) : !can_read(*kid)) return forbidden(res);
    const std::string id = req.matches[1];
    const std::string base = "http://" + req.get_header_value("Host");
    std::lock_guard lock(mu);
    auto it = analytics_requests.find(id);
    if (it == analytics_requests.end()) return not_found(res, "analyticsReportRequests", id);
    if (remove) {
      analytics_requests.erase(it);
      res.status = 204;
      return;
    }
    res.set_content(Json{{"data", request_json(it->second, base)}, {"links", {{"self", base + req.path}}}}.dump(),
                    "application/json");
  });
  server.Get(R"(/v1/analyticsReportRequests/([0-9a-f-]+))", request_by_id);
  server.Delete(R"(/v1/analyticsReportRequests/([0-9a-f-]+))", request_by_id);
  server.Get(R"(/v1/analyticsReportRequests/([0-9a-f-]+)/reports)",
             logged([this, report_json, can_read, forbidden, not_found](const httplib::Request& req, httplib::Response& res) {
               auto kid = Admitted(req, res);
               if (!kid) return;
               if (!can_read(*kid)) return forbidden(res);
               if (!OnlyParams(req, res, {"filter[name]", "filter[category]", "limit", "cursor", "fields[analyticsReports]"})) return;
               const std::string id = req.matches[1];
               {
                 std::lock_guard lock(mu);
                 if (!analytics_requests.contains(id)) return not_found(res, "analyticsReportRequests", id);
               }
               std::vector<size_t> list;
               for (size_t i = 0; i < AnalyticsReports().size(); ++i) {
                 if (req.has_param("filter[name]") && req.get_param_value("filter[name]") != AnalyticsReports()[i].name) continue;
                 if (req.has_param("filter[category]") && req.get_param_value("filter[category]") != AnalyticsReports()[i].category) continue;
                 list.push_back(i);
               }
               Paged(req, res, list.size(),
                     [&](size_t i, const std::string& base) { return report_json(id, list[i], base); },
                     [](size_t, size_t, const std::string&) { return Json::array(); });
             }));
  // r<N>-<request id>
  auto parse_report = [](const std::string& id) -> std::optional<std::pair<size_t, std::string>> {
    const size_t dash = id.find('-');
    if (id.size() < 3 || id[0] != 'r' || dash == std::string::npos || dash < 2 || dash > 3) return std::nullopt;
    const std::string n = id.substr(1, dash - 1);
    if (!std::all_of(n.begin(), n.end(), ::isdigit)) return std::nullopt;
    const size_t index = std::stoul(n);
    if (index < 1 || index > AnalyticsReports().size()) return std::nullopt;
    return std::make_pair(index - 1, id.substr(dash + 1));
  };
  server.Get(R"(/v1/analyticsReports/([^/]+))", logged([this, report_json, parse_report, can_read, forbidden, not_found](
                                                           const httplib::Request& req, httplib::Response& res) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    if (!can_read(*kid)) return forbidden(res);
    const auto report = parse_report(req.matches[1]);
    std::lock_guard lock(mu);
    if (!report || !analytics_requests.contains(report->second)) return not_found(res, "analyticsReports", req.matches[1]);
    const std::string base = "http://" + req.get_header_value("Host");
    res.set_content(Json{{"data", report_json(report->second, report->first, base)}, {"links", {{"self", base + req.path}}}}.dump(),
                    "application/json");
  }));
  server.Get(R"(/v1/analyticsReports/([^/]+)/instances)",
             logged([this, instance_json, parse_report, can_read, forbidden, not_found](const httplib::Request& req,
                                                                                        httplib::Response& res) {
               auto kid = Admitted(req, res);
               if (!kid) return;
               if (!can_read(*kid)) return forbidden(res);
               if (!OnlyParams(req, res, {"filter[granularity]", "filter[processingDate]", "limit", "cursor",
                                          "fields[analyticsReportInstances]"})) return;
               const auto report = parse_report(req.matches[1]);
               AnalyticsRequest r;
               {
                 std::lock_guard lock(mu);
                 if (!report || !analytics_requests.contains(report->second)) {
                   return not_found(res, "analyticsReports", req.matches[1]);
                 }
                 r = analytics_requests[report->second];
               }
               const std::string granularity = req.get_param_value("filter[granularity]");
               if (!granularity.empty() && granularity != "DAILY" && granularity != "WEEKLY" && granularity != "MONTHLY") {
                 JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                           "'" + granularity + "' is not a valid value for the parameter", "filter[granularity]");
                 return;
               }
               std::optional<Date> processing;
               if (req.has_param("filter[processingDate]")) {
                 auto d = Date::ParseIso(req.get_param_value("filter[processingDate]"));
                 if (!d) {
                   JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                             "The processing date must be YYYY-MM-DD", "filter[processingDate]");
                   return;
                 }
                 processing = *d;
               }
               std::vector<std::pair<std::string, Date>> list;
               for (const auto& [g, p] : AnalyticsInstances(r)) {
                 if ((granularity.empty() || g == granularity) && (!processing || p == *processing)) list.emplace_back(g, p);
               }
               std::reverse(list.begin(), list.end());  // newest first
               Paged(req, res, list.size(),
                     [&](size_t i, const std::string& base) {
                       return instance_json(r.id, report->first, list[i].first, list[i].second, base);
                     },
                     [](size_t, size_t, const std::string&) { return Json::array(); });
             }));
  server.Get(R"(/v1/analyticsReportInstances/([^/]+))", logged([this, instance_json, find_instance, can_read, forbidden, not_found](
                                                                  const httplib::Request& req, httplib::Response& res) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    if (!can_read(*kid)) return forbidden(res);
    const auto found = find_instance(req.matches[1]);
    if (!found) return not_found(res, "analyticsReportInstances", req.matches[1]);
    const std::string base = "http://" + req.get_header_value("Host");
    const auto& [key, r] = *found;
    res.set_content(Json{{"data", instance_json(r.id, key.report, key.granularity, key.processing, base)},
                         {"links", {{"self", base + req.path}}}}.dump(),
                    "application/json");
  }));
  server.Get(R"(/v1/analyticsReportInstances/([^/]+)/segments)",
             logged([this, find_instance, segment_json, can_read, forbidden, not_found](const httplib::Request& req,
                                                                                       httplib::Response& res) {
               auto kid = Admitted(req, res);
               if (!kid) return;
               if (!can_read(*kid)) return forbidden(res);
               if (!OnlyParams(req, res, {"limit", "cursor", "fields[analyticsReportSegments]"})) return;
               const std::string instance = req.matches[1];
               const auto found = find_instance(instance);
               if (!found) return not_found(res, "analyticsReportInstances", instance);
               const auto& [key, r] = *found;
               std::vector<std::string> gz;
               for (const auto& tsv : AnalyticsSegments(r, key.report, key.granularity, key.processing)) {
                 gz.push_back(GzipBytes(tsv));
               }
               Paged(req, res, gz.size(),
                     [&](size_t i, const std::string& base) { return segment_json(instance, i, gz[i], base); },
                     [](size_t, size_t, const std::string&) { return Json::array(); });
             }));
  server.Get(R"(/v1/analyticsReportSegments/([^/]+)\.([0-9]+))",
             logged([this, find_instance, segment_json, can_read, forbidden, not_found](const httplib::Request& req,
                                                                                       httplib::Response& res) {
               auto kid = Admitted(req, res);
               if (!kid) return;
               if (!can_read(*kid)) return forbidden(res);
               const std::string instance = req.matches[1];
               const size_t k = std::stoul(req.matches[2].str().substr(0, 4));
               const auto found = find_instance(instance);
               if (!found) return not_found(res, "analyticsReportSegments", instance);
               const auto& [key, r] = *found;
               const auto segments = AnalyticsSegments(r, key.report, key.granularity, key.processing);
               if (k >= segments.size()) return not_found(res, "analyticsReportSegments", instance + "." + std::to_string(k));
               const std::string base = "http://" + req.get_header_value("Host");
               res.set_content(Json{{"data", segment_json(instance, k, GzipBytes(segments[k]), base)},
                                    {"links", {{"self", base + req.path}}}}.dump(),
                               "application/json");
             }));
  // The pre-signed storage URL: no Authorization header, an unexpired signature.
  server.Get(R"(/_analytics-data/([^/]+)\.([0-9]+))", [this, find_instance](const httplib::Request& req,
                                                                            httplib::Response& res) {
    auto xml_error = [&](int status, const char* code, const char* message) {
      res.status = status;
      res.set_content(std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>") + code +
                          "</Code><Message>" + message + "</Message></Error>",
                      "application/xml");
    };
    if (req.has_header("Authorization")) {
      return xml_error(400, "InvalidArgument",
                       "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                       "Signature query string parameter or the Authorization header should be specified");
    }
    const std::string id = std::string(req.matches[1]) + "." + std::string(req.matches[2]);
    const std::string date = req.get_param_value("X-Amz-Date");
    if (date.empty() || date.size() > 12 || !std::all_of(date.begin(), date.end(), ::isdigit) ||
        req.get_param_value("X-Amz-Signature") != SegmentSignature(id, std::stoll(date))) {
      return xml_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    bool expired = false;
    {
      std::lock_guard lock(mu);
      expired = std::stoll(date) + kUrlSeconds < now || analytics_urls_expired;
    }
    if (expired) return xml_error(403, "AccessDenied", "Request has expired");
    const auto found = find_instance(req.matches[1]);
    const size_t k = std::stoul(req.matches[2].str().substr(0, 4));
    if (!found) return xml_error(404, "NoSuchKey", "The specified key does not exist.");
    const auto& [key, r] = *found;
    const auto segments = AnalyticsSegments(r, key.report, key.granularity, key.processing);
    if (k >= segments.size()) return xml_error(404, "NoSuchKey", "The specified key does not exist.");
    res.set_content(GzipBytes(segments[k]), "application/octet-stream");
  });
}

}  // namespace orchard::sandbox
