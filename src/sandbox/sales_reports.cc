// GET /v1/salesReports (apple-apis.md §2): validation of the §2.2 combinations and §2.3 date
// forms, publication schedule, and the generated reports.
#include <algorithm>

#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

// §2.2 allowed combinations: type → (subtype, frequencies, versions).
struct Combo {
  const char* type;
  const char* subtype;
  std::set<std::string> frequencies;
  std::vector<std::string> versions;  // the last one is the latest
};
const std::vector<Combo>& Combos() {
  static const std::vector<Combo> c = {
      {"FIRST_ANNUAL", "DETAILED", {"DAILY"}, {"1_0"}},
      {"FIRST_ANNUAL", "SUMMARY", {"YEARLY"}, {"1_0"}},
      {"INSTALLS", "SUMMARY_CHANNEL", {"YEARLY"}, {"1_0", "1_1"}},
      {"INSTALLS", "SUMMARY_INSTALL_TYPE", {"YEARLY"}, {"1_0", "1_1"}},
      {"INSTALLS", "SUMMARY", {"MONTHLY"}, {"1_2"}},
      {"INSTALLS", "SUMMARY_TERRITORY", {"YEARLY"}, {"1_0", "1_1"}},
      {"INSTALLS", "DETAILED", {"MONTHLY"}, {"1_2"}},
      {"INSTALLS", "DETAILED", {"YEARLY"}, {"1_0", "1_1"}},
      {"NEWSSTAND", "DETAILED", {"DAILY", "WEEKLY"}, {"1_0"}},
      {"PRE_ORDER", "SUMMARY", {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}, {"1_0"}},
      {"SALES", "SUMMARY", {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}, {"1_0"}},
      {"SUBSCRIBER", "DETAILED", {"DAILY"}, {"1_3"}},
      {"SUBSCRIPTION", "SUMMARY", {"DAILY"}, {"1_3"}},
      {"SUBSCRIPTION_EVENT", "SUMMARY", {"DAILY"}, {"1_3"}},
      {"SUBSCRIPTION_OFFER_CODE_REDEMPTION", "SUMMARY", {"DAILY"}, {"1_0"}},
      {"WIN_BACK_ELIGIBILITY", "SUMMARY", {"DAILY"}, {"1_0"}},
  };
  return c;
}
const std::set<std::string> kReportTypes = {"SALES",
                                            "PRE_ORDER",
                                            "NEWSSTAND",
                                            "SUBSCRIPTION",
                                            "SUBSCRIPTION_EVENT",
                                            "SUBSCRIBER",
                                            "SUBSCRIPTION_OFFER_CODE_REDEMPTION",
                                            "INSTALLS",
                                            "FIRST_ANNUAL",
                                            "WIN_BACK_ELIGIBILITY"};
const std::set<std::string> kSubTypes = {"SUMMARY", "DETAILED", "SUMMARY_INSTALL_TYPE",
                                         "SUMMARY_TERRITORY", "SUMMARY_CHANNEL"};
const std::set<std::string> kFrequencies = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
const std::set<std::string> kSalesParams = {"filter[vendorNumber]",  "filter[reportType]",
                                            "filter[reportSubType]", "filter[frequency]",
                                            "filter[reportDate]",    "filter[version]"};

}  // namespace

// The gzip bytes of a report, or "" when the period has no sales.
std::string Sandbox::Impl::GzipReport(const std::string& type, Frequency frequency, Date start) {
  const std::tuple<std::string, int, int32_t> key{type, static_cast<int>(frequency), start.days()};
  {
    std::lock_guard lock(mu);
    if (auto it = gzip_cache.find(key); it != gzip_cache.end()) return it->second;
  }
  Portfolio::Revisions revised;
  {
    std::lock_guard lock(mu);
    revised = revisions;
  }
  const std::string tsv = type == "SALES"                ? P()->SalesSummaryTsv(frequency, start, revised)
                          : type == "PRE_ORDER"          ? P()->PreOrderTsv(frequency, start)
                          : type == "SUBSCRIPTION"       ? P()->SubscriptionTsv(start)
                          : type == "SUBSCRIPTION_EVENT" ? P()->SubscriptionEventTsv(start)
                          : type == "SUBSCRIBER"         ? P()->SubscriberTsv(start)
                                                         : std::string();
  std::string gz = tsv.empty() ? std::string() : GzipBytes(tsv);
  std::lock_guard lock(mu);
  gzip_cache.emplace(key, gz);
  return gz;
}

// Apple publishes daily reports the next day, weekly ones on the Monday after the week,
// monthly ones about five days after the month and yearly ones about six days after the year.
bool Sandbox::Impl::Published(Frequency frequency, Date start) const {
  const Date end = PeriodEnd(frequency, start);
  const int lag = frequency == Frequency::kMonthly ? 5 : frequency == Frequency::kYearly ? 6 : 1;
  const Date first_day = end.AddDays(lag), today = P()->today();
  if (first_day < today) return true;
  if (first_day > today) return false;
  // On the machine's clock, a report appears at 5 am Pacific on its first day (§2.4); with a
  // pinned --today the sandbox stands after that hour, so tests do not depend on the clock.
  return options.today.has_value() || PacificHourNow() >= 5;
}

int Sandbox::Impl::PacificHourNow() {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  // Pacific time: -7 h from the second Sunday of March to the first Sunday of November.
  const Date day = Date::FromDays(static_cast<int32_t>(now / 86400));
  const Date march = Date::FromYmd(day.year(), 3, 1), november = Date::FromYmd(day.year(), 11, 1);
  const Date dst_start = march.AddDays((7 - static_cast<int32_t>(march.iso_weekday())) % 7 + 7);
  const Date dst_end = november.AddDays((7 - static_cast<int32_t>(november.iso_weekday())) % 7);
  const int offset = (day >= dst_start && day < dst_end) ? -7 : -8;
  return static_cast<int>(((now / 3600 + offset) % 24 + 24) % 24);
}

// Apple keeps daily, weekly and monthly reports for 365 days, yearly ones indefinitely (§2.4).
bool Sandbox::Impl::Retained(Frequency frequency, Date start) const {
  return frequency == Frequency::kYearly || PeriodEnd(frequency, start) >= P()->today().AddDays(-365);
}

// The latest published period of a frequency (what Apple serves when the date is omitted).
Date Sandbox::Impl::LatestPeriod(Frequency frequency) const {
  Date day = P()->today().AddDays(-1);
  for (int i = 0; i < 800; ++i, day = day.AddDays(-1)) {
    const Date start = frequency == Frequency::kWeekly    ? day.StartOfWeek()
                       : frequency == Frequency::kMonthly ? day.StartOfMonth()
                       : frequency == Frequency::kYearly  ? day.StartOfYear()
                                                          : day;
    if (Published(frequency, start)) return start;
  }
  return day;
}

void Sandbox::Impl::SalesReports(const httplib::Request& req, httplib::Response& res) {
  auto kid = Admitted(req, res);
  if (!kid) return;
  if (!TeamKey(*kid, res)) return;
  {
    std::lock_guard lock(mu);
    const auto& roles = keys[*kid].roles;
    const bool allowed = std::any_of(roles.begin(), roles.end(), [](const std::string& r) {
      return r == "ADMIN" || r == "FINANCE" || r == "SALES" || r == "ACCOUNT_HOLDER";
    });
    if (!allowed) {
      JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
      return;
    }
  }
  for (const auto& [name, value] : req.params) {
    if (!kSalesParams.contains(name)) {
      JsonError(res, 400, "PARAMETER_ERROR.ILLEGAL", "A parameter isn't allowed for this request",
                "'" + name + "' is not a valid filter type", name);
      return;
    }
  }
  if (!RequiredParams(req, res, {"filter[vendorNumber]", "filter[reportType]",
                                "filter[reportSubType]", "filter[frequency]"})) {
    return;
  }
  const std::string type = req.get_param_value("filter[reportType]");
  const std::string subtype = req.get_param_value("filter[reportSubType]");
  const std::string frequency = req.get_param_value("filter[frequency]");
  const std::string vendor = req.get_param_value("filter[vendorNumber]");
  const std::string date = req.get_param_value("filter[reportDate]");
  auto invalid = [&](const std::string& parameter, const std::string& value) {
    InvalidParam(res, parameter, value);
  };
  if (!kReportTypes.contains(type)) return invalid("filter[reportType]", type);
  if (!kSubTypes.contains(subtype)) return invalid("filter[reportSubType]", subtype);
  if (!kFrequencies.contains(frequency)) return invalid("filter[frequency]", frequency);
  const Combo* combo = nullptr;
  for (const auto& c : Combos()) {
    if (c.type == type && c.subtype == subtype && c.frequencies.contains(frequency)) combo = &c;
  }
  if (combo == nullptr) {
    JsonError(res, 400, "PARAMETER_ERROR.INVALID.INVALID_COMBINATION", kComboTitle, kComboDetail);
    return;
  }
  const std::string version = req.has_param("filter[version]")
                                  ? req.get_param_value("filter[version]")
                                  : combo->versions.back();
  if (std::find(combo->versions.begin(), combo->versions.end(), version) == combo->versions.end()) {
    JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
              "The version parameter you have specified is invalid. The latest version for "
              "this report is " +
                  combo->versions.back() + ".",
              "filter[version]");
    return;
  }
  // Date format by frequency (§2.3); `start` becomes the first day of the period.
  const Frequency freq = frequency == "DAILY"     ? Frequency::kDaily
                         : frequency == "WEEKLY"  ? Frequency::kWeekly
                         : frequency == "MONTHLY" ? Frequency::kMonthly
                                                  : Frequency::kYearly;
  std::optional<Date> start;
  if (!date.empty()) {
    if (freq == Frequency::kDaily || freq == Frequency::kWeekly) {
      if (auto d = Date::ParseIso(date)) start = freq == Frequency::kDaily ? *d : d->StartOfWeek();
    } else if (freq == Frequency::kMonthly) {
      if (date.size() == 7 && date[4] == '-') {
        if (auto d = Date::ParseIso(date + "-01")) start = *d;
      }
    } else if (date.size() == 4 && std::all_of(date.begin(), date.end(), ::isdigit)) {
      start = Date::FromYmd(std::stoi(date), 1, 1);
    }
    if (!start) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID.INVALID_COMBINATION", kComboTitle, kComboDetail);
      return;
    }
    // Strict where apple-apis.md is unsure: a weekly report is named by its Sunday.
    if (freq == Frequency::kWeekly && Date::ParseIso(date)->iso_weekday() != 7) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "For weekly reports, use the date of the Sunday that ends the week.",
                "filter[reportDate]");
      return;
    }
  }
  if (vendor != P()->vendor_number()) {
    JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
              "Invalid vendor number specified", "filter[vendorNumber]");
    return;
  }
  // The subscription family has no "latest report": without a date there is nothing to find.
  if (!start && (type == "SUBSCRIPTION" || type == "SUBSCRIPTION_EVENT" || type == "SUBSCRIBER")) {
    JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNoSales);
    return;
  }
  const Date period = start.value_or(LatestPeriod(freq));
  bool held_back = false;
  {
    std::lock_guard lock(mu);
    held_back = freq == Frequency::kDaily && not_yet_days.contains(period.days());
  }
  if (!Published(freq, period) || held_back) {
    JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNotYet);
    return;
  }
  if (!Retained(freq, period)) {
    JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNoSales);
    return;
  }
  // The portfolio has no newsstand, EU-distribution, offer-code or win-back data: those valid
  // reports are empty periods.
  std::string gz = GzipReport(type, freq, period);
  if (gz.empty()) {
    JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNoSales);
    return;
  }
  bool truncate = false, drop = false;
  {
    std::lock_guard lock(mu);
    if (truncate_next > 0) {
      --truncate_next;
      truncate = true;
    } else if (drop_next > 0) {
      --drop_next;
      drop = true;
    }
  }
  res.status = 200;
  if (truncate) gz.resize(gz.size() / 2);
  if (drop) {
    // Announce the full length, send half, then hang up.
    auto body = std::make_shared<std::string>(std::move(gz));
    res.set_content_provider(body->size(), "application/a-gzip",
                             [body](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset >= body->size() / 2)
                                 return false;  // closes the connection
                               sink.write(body->data() + offset, body->size() / 2 - offset);
                               return true;
                             });
    return;
  }
  res.set_content(gz, "application/a-gzip");
}

}  // namespace orchard::sandbox
