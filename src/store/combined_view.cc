#include "store/combined_view.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace orchard::store {
namespace {

Date NextMonth(Date first) {
  return first.month() == 12 ? Date::FromYmd(first.year() + 1, 1, 1)
                             : Date::FromYmd(first.year(), first.month() + 1, 1);
}

struct Account {
  std::map<int32_t, const StoredSalesReport*> daily;    // by day
  std::map<int32_t, const StoredSalesReport*> monthly;  // by first day of the month
  std::map<int, const StoredSalesReport*> yearly;       // by year
};

void AddRole(std::vector<ReportRole>* out, const StoredSalesReport& r, int weight, Date day) {
  out->push_back({r.id, weight, day, day, day, r.stamp});
}

void PlanAccount(const Account& a, std::vector<ReportRole>* out) {
  auto has_daily = [&](Date d) { return a.daily.contains(d.days()); };
  for (const auto& [day, r] : a.daily) {
    out->push_back({r->id, 1, std::nullopt, r->report_date, r->report_date, r->stamp});
  }
  // Months: a monthly report answers the days of its month that have no daily report.
  std::set<int32_t> residual_months;  // months whose monthly report is read
  for (const auto& [start, r] : a.monthly) {
    const Date first = Date::FromDays(start);
    const Date end = NextMonth(first);
    std::optional<Date> uncovered;
    for (Date d = first; d < end; d = d.AddDays(1)) {
      if (!has_daily(d)) {
        uncovered = d;
        break;
      }
    }
    if (!uncovered) continue;  // every day has its daily report
    residual_months.insert(start);
    AddRole(out, *r, 1, *uncovered);
    for (auto it = a.daily.lower_bound(first.days()); it != a.daily.end() && it->first < end.days(); ++it) {
      AddRole(out, *it->second, -1, *uncovered);
    }
  }
  // Years: a yearly report answers the days of its year that neither a daily report nor a
  // monthly one answers.
  for (const auto& [year, r] : a.yearly) {
    const Date first = Date::FromYmd(year, 1, 1);
    const Date end = Date::FromYmd(year + 1, 1, 1);
    std::optional<Date> uncovered;
    for (Date d = first; d < end; d = d.AddDays(1)) {
      if (!has_daily(d) && !a.monthly.contains(d.StartOfMonth().days())) {
        uncovered = d;
        break;
      }
    }
    if (!uncovered) continue;
    AddRole(out, *r, 1, *uncovered);
    for (auto it = a.monthly.lower_bound(first.days()); it != a.monthly.end() && it->first < end.days(); ++it) {
      if (residual_months.contains(it->first)) AddRole(out, *it->second, -1, *uncovered);
    }
    for (auto it = a.daily.lower_bound(first.days()); it != a.daily.end() && it->first < end.days(); ++it) {
      if (!residual_months.contains(Date::FromDays(it->first).StartOfMonth().days())) {
        AddRole(out, *it->second, -1, *uncovered);
      }
    }
  }
}

}  // namespace

std::vector<ReportRole> PlanCombinedView(const std::vector<StoredSalesReport>& reports) {
  std::map<int64_t, Account> accounts;
  for (const auto& r : reports) {
    Account& a = accounts[r.account_id];
    if (r.frequency == "DAILY") a.daily[r.report_date.days()] = &r;
    else if (r.frequency == "MONTHLY") a.monthly[r.report_date.StartOfMonth().days()] = &r;
    else if (r.frequency == "YEARLY") a.yearly[r.report_date.year()] = &r;
  }
  std::vector<ReportRole> out;
  for (const auto& [id, a] : accounts) PlanAccount(a, &out);
  std::sort(out.begin(), out.end(), [](const ReportRole& x, const ReportRole& y) {
    return std::tuple(x.first.days(), x.report_id, x.weight) < std::tuple(y.first.days(), y.report_id, y.weight);
  });
  return out;
}

}  // namespace orchard::store
