// The legacy Reporter protocol (apple-apis.md §9): POST /reportservice/{sales,finance}/v1 with a
// form field `jsonRequest`; access tokens managed with an Apple ID and its app-specific password
// (two-step Sales.generateToken, viewToken, deleteToken), valid 180 days; reports as gzip with
// `filename` and `downloadmsg` headers; errors as text ("Normal") or XML ("Robot.XML").
#include <algorithm>
#include <sstream>

#include "sandbox/generator_internal.h"
#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

constexpr int kTokenDays = 180;

// "[p=Reporter.properties, Sales.getReport, 85442109,Sales,Summary,Daily,20230718]" → the
// command and its arguments, trimmed.
std::optional<std::pair<std::string, std::vector<std::string>>> ParseQueryInput(std::string q) {
  auto trim = [](std::string s) {
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos) return std::string();
    return s.substr(a, s.find_last_not_of(" \t") - a + 1);
  };
  q = trim(q);
  if (q.size() < 2 || q.front() != '[' || q.back() != ']') return std::nullopt;
  std::vector<std::string> parts;
  std::stringstream in(q.substr(1, q.size() - 2));
  for (std::string part; std::getline(in, part, ',');) parts.push_back(trim(part));
  if (parts.size() < 2 || parts[0].rfind("p=", 0) != 0) return std::nullopt;
  return std::make_pair(parts[1], std::vector<std::string>(parts.begin() + 2, parts.end()));
}

std::string Digits(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), ::isdigit) ? std::string(s) : "";
}

}  // namespace

std::string Sandbox::Impl::NewUuid() {
  const uint64_t a = internal::Key({options.seed, 90, ++uuid_counter});
  const uint64_t b = internal::Key({options.seed, 91, uuid_counter});
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(b >> 52), static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

void Sandbox::Impl::Reporter(const httplib::Request& req, httplib::Response& res, bool finance) {
  if (latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));
  if (InjectedFailure(res)) return;
  const Json request = Json::parse(req.get_param_value("jsonRequest"), nullptr, false);
  const bool xml = request.is_object() && request.value("mode", "") == "Robot.XML";
  auto fail = [&](int status, int code, const std::string& message) {
    res.status = status;
    if (xml) {
      res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Error>\n"
                      "    <Code>" + std::to_string(code) + "</Code>\n    <Message>" + message +
                          "</Message>\n</Error>\n",
                      "text/xml");
    } else {
      res.set_content(message + "\n", "text/plain");
    }
  };
  auto ok_text = [&](const std::string& text, const std::string& xml_text) {
    res.status = 200;
    if (xml) {
      res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + xml_text + "\n",
                      "text/xml");
    } else {
      res.set_content(text + "\n", "text/plain");
    }
  };
  if (!request.is_object() || !request.contains("userid") || !request.contains("queryInput") ||
      !request["userid"].is_string() || !request["queryInput"].is_string()) {
    return fail(400, 100, "Invalid request. Send a form field jsonRequest holding userid, version, "
                          "mode and queryInput.");
  }
  const auto query = ParseQueryInput(request["queryInput"].get<std::string>());
  if (!query) return fail(400, 101, "The command syntax is invalid.");
  const auto& [command, args] = *query;
  const std::string userid = request["userid"].get<std::string>();
  const std::string prefix = finance ? "Finance." : "Sales.";
  if (command.rfind(prefix, 0) != 0) {
    return fail(400, 102, "The command " + command + " is not valid for this service.");
  }
  const std::string verb = command.substr(prefix.size());

  // Token management: the Apple ID and its app-specific password.
  if (verb == "generateToken" || verb == "viewToken" || verb == "deleteToken") {
    if (finance) return fail(400, 102, "The command " + command + " is not valid for this service.");
    const std::string password = request.value("password", "");
    std::lock_guard lock(mu);
    if (userid != reporter_apple_id || password != reporter_password) {
      return fail(401, 103, "The Apple ID or password you entered is incorrect.");
    }
    if (verb == "viewToken") {
      if (reporter_token.empty()) {
        return ok_text("You currently do not have an access token.", "<ViewToken/>");
      }
      return ok_text("AccessToken:" + reporter_token + "\nExpiration Date:" + reporter_token_expiry.Iso(),
                     "<ViewToken>\n    <AccessToken>" + reporter_token +
                         "</AccessToken>\n    <ExpirationDate>" + reporter_token_expiry.Iso() +
                         "</ExpirationDate>\n</ViewToken>");
    }
    if (verb == "deleteToken") {
      reporter_token.clear();
      return ok_text("Your access token has been deleted.", "<DeleteToken>Your access token has been deleted.</DeleteToken>");
    }
    // generateToken: the first call opens a service request; the second confirms it.
    const std::string request_id = req.get_param_value("requestId");
    if (request_id.empty()) {
      reporter_request_id = NewUuid();
      res.set_header("service_request_id", reporter_request_id);
      return ok_text("If you generate a new access token, your existing token will be deleted. "
                     "You will need to update your existing token for all scripts using it. "
                     "Repeat this request with isExistingToken=Y and the requestId to continue.",
                     "<GenerateToken>Confirm with isExistingToken=Y and the requestId.</GenerateToken>");
    }
    if (request_id != reporter_request_id || req.get_param_value("isExistingToken") != "Y") {
      return fail(400, 104, "The service request is unknown or has expired.");
    }
    reporter_request_id.clear();
    reporter_token = NewUuid();
    reporter_token_expiry = P()->today().AddDays(kTokenDays);
    return ok_text("AccessToken:" + reporter_token + "\nExpiration Date:" + reporter_token_expiry.Iso(),
                   "<AccessToken>" + reporter_token + "</AccessToken>\n<ExpirationDate>" +
                       reporter_token_expiry.Iso() + "</ExpirationDate>");
  }

  // Everything else needs a valid access token of this Apple ID.
  {
    std::lock_guard lock(mu);
    const std::string token = request.value("accesstoken", "");
    if (userid != reporter_apple_id || token.empty() || token != reporter_token) {
      return fail(401, 105, "The access token is missing or not valid for this Apple ID. "
                            "Generate a new access token.");
    }
    if (reporter_token_expiry <= P()->today()) {
      return fail(401, 106, "Your access token has expired. Generate a new access token.");
    }
  }
  const std::string vendor = P()->vendor_number();
  if (verb == "getStatus") {
    return ok_text(std::string(finance ? "Finance" : "Sales and Trends") + " is available.",
                   "<Status>available</Status>");
  }
  if (verb == "getAccounts") {
    return ok_text("Orchard Demo Apps Inc., " + reporter_account,
                   "<Accounts>\n    <Account>\n        <Name>Orchard Demo Apps Inc.</Name>\n"
                   "        <Number>" + reporter_account + "</Number>\n    </Account>\n</Accounts>");
  }
  if (!finance && verb == "getVendors") {
    return ok_text(vendor, "<Vendors>\n    <Vendor>" + vendor + "</Vendor>\n</Vendors>");
  }
  if (finance && verb == "getVendorsAndRegions") {
    std::string regions, xml_regions;
    for (const auto& r : FinanceRegions()) {
      regions += (regions.empty() ? "" : ", ") + r;
      xml_regions += "        <Region><Code>" + r + "</Code></Region>\n";
    }
    return ok_text(vendor + ":\n Financial: " + regions,
                   "<VendorsAndRegions>\n    <Vendor>\n        <Number>" + vendor +
                       "</Number>\n" + xml_regions + "    </Vendor>\n</VendorsAndRegions>");
  }
  if (!finance && verb == "getReportVersion") {
    if (args.size() != 2) return fail(400, 101, "The command syntax is invalid.");
    const std::string version = args[0] == "Sales" || args[0] == "Pre-Order" ? "1_0" : "1_3";
    return ok_text(version, "<Version>" + version + "</Version>");
  }
  if (verb != "getReport") return fail(400, 102, "The command " + command + " is not valid.");
  if (args.empty() || args[0] != vendor) {
    return fail(400, 107, "Invalid vendor number specified.");
  }

  std::string gz, filename;
  if (finance) {
    // <vendor>,<region>,Financial,<fiscal year>,<fiscal period>
    if (args.size() != 5 || args[2] != "Financial" || Digits(args[3], 4).empty() ||
        args[4].empty() || args[4].size() > 2 || !std::all_of(args[4].begin(), args[4].end(), ::isdigit)) {
      return fail(400, 101, "The command syntax is invalid.");
    }
    const int year = std::stoi(args[3]), period = std::stoi(args[4]);
    const auto range = FiscalPeriod(year, period);
    if (!range) return fail(400, 108, "The fiscal period is not valid.");
    const auto regions = FinanceRegions();
    if (args[1] != "ZZ" && std::find(regions.begin(), regions.end(), args[1]) == regions.end()) {
      return fail(400, 109, "The region code is not valid.");
    }
    if (range->second.AddDays(7) <= P()->today()) {
      const std::string tsv = P()->FinancialTsv(args[1], year, period);
      if (!tsv.empty()) gz = GzipBytes(tsv);
    }
    char name[64];
    std::snprintf(name, sizeof name, "%s_%02d%02d_%s.txt.gz", vendor.c_str(), period, year % 100,
                  args[1].c_str());
    filename = name;
  } else {
    // <vendor>,<type>,<subtype>,<frequency>,<date>[,<version>]
    if (args.size() < 5 || args.size() > 6) return fail(400, 101, "The command syntax is invalid.");
    const std::string& type = args[1];
    const std::string& subtype = args[2];
    const std::string& frequency = args[3];
    const std::string& date = args[4];
    struct Kind {
      const char* reporter;
      const char* subtype;
      const char* api;
      const char* file_prefix;
      bool daily_only;
      const char* version;
    };
    static const Kind kKinds[] = {
        {"Sales", "Summary", "SALES", "S", false, "1_0"},
        {"Pre-Order", "Summary", "PRE_ORDER", "PO", false, "1_0"},
        {"Subscription", "Summary", "SUBSCRIPTION", "Subscription", true, "1_3"},
        {"SubscriptionEvent", "Summary", "SUBSCRIPTION_EVENT", "Subscription_Event", true, "1_3"},
        {"Subscriber", "Detailed", "SUBSCRIBER", "Subscriber", true, "1_3"},
        {"Newsstand", "Detailed", "NEWSSTAND", "N", false, "1_0"},
    };
    const Kind* kind = nullptr;
    for (const Kind& k : kKinds) {
      if (type == k.reporter && subtype == k.subtype) kind = &k;
    }
    if (kind == nullptr) return fail(400, 110, "The report type or sub-type is not valid.");
    if (args.size() == 6 && args[5] != kind->version) {
      return fail(400, 111, std::string("The version is not valid. The latest version for this "
                                        "report is ") + kind->version + ".");
    }
    std::optional<Date> start;
    Frequency freq = Frequency::kDaily;
    if (frequency == "Daily" || frequency == "Weekly") {
      freq = frequency == "Daily" ? Frequency::kDaily : Frequency::kWeekly;
      if (!Digits(date, 8).empty()) {
        if (auto d = Date::ParseIso(date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6))) start = *d;
      }
      if (start && freq == Frequency::kWeekly) {
        if (start->iso_weekday() != 7) return fail(400, 112, "For weekly reports, use the date of the Sunday that ends the week.");
        start = start->StartOfWeek();
      }
    } else if (frequency == "Monthly" && !kind->daily_only) {
      freq = Frequency::kMonthly;
      if (!Digits(date, 6).empty()) {
        if (auto d = Date::ParseIso(date.substr(0, 4) + "-" + date.substr(4) + "-01")) start = *d;
      }
    } else if (frequency == "Yearly" && !kind->daily_only) {
      freq = Frequency::kYearly;
      if (!Digits(date, 4).empty()) start = Date::FromYmd(std::stoi(date), 1, 1);
    } else {
      return fail(400, 113, "The frequency is not valid for this report.");
    }
    if (kind->daily_only && freq != Frequency::kDaily) {
      return fail(400, 113, "The frequency is not valid for this report.");
    }
    if (!start) return fail(400, 114, "The date is not valid for this frequency.");
    bool held_back = false;
    {
      std::lock_guard lock(mu);
      held_back = freq == Frequency::kDaily && not_yet_days.contains(start->days());
    }
    if (!Published(freq, *start) || held_back) return fail(404, 115, kNotYet);
    if (!Retained(freq, *start)) return fail(404, 116, kNoSales);
    gz = GzipReport(kind->api, freq, *start);
    const char letter = "DWMY"[static_cast<int>(freq)];
    filename = std::string(kind->file_prefix) + (kind->daily_only ? "" : std::string("_") + letter) +
               "_" + vendor + "_" + date + ".txt.gz";
  }
  if (gz.empty()) return fail(404, 116, kNoSales);
  res.status = 200;
  res.set_header("filename", filename);
  res.set_header("downloadmsg", "Your report " + filename + " has been downloaded successfully.");
  res.set_content(gz, "application/a-gzip");
}

}  // namespace orchard::sandbox
