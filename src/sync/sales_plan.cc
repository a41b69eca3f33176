#include "sync/sales_plan.h"

#include <cstdio>

namespace orchard::sync {
namespace {

Date NextMonth(Date first) {
  return first.month() == 12 ? Date::FromYmd(first.year() + 1, 1, 1)
                             : Date::FromYmd(first.year(), first.month() + 1, 1);
}

}  // namespace

std::vector<PlannedReport> PlanDays(Date from, Date to) {
  std::vector<PlannedReport> out;
  for (Date d = to; d >= from; d = d.AddDays(-1)) out.push_back({"DAILY", d});
  return out;
}

std::vector<PlannedReport> PlanBackfill(Date today) {
  const Date yesterday = today.AddDays(-1);
  const Date oldest_kept = today.AddDays(-kRetentionDays);
  std::vector<PlannedReport> out = PlanDays(oldest_kept, yesterday);
  // Months that start inside the retention window and have ended (the current month has no
  // report yet; a month that started before the window may already be gone, and Apple's "no
  // sales" answer for it would be indistinguishable from a month without sales).
  std::vector<PlannedReport> months;
  for (Date m = oldest_kept.StartOfMonth(); m < today.StartOfMonth(); m = NextMonth(m)) {
    if (m >= oldest_kept) months.push_back({"MONTHLY", m});
  }
  out.insert(out.end(), months.rbegin(), months.rend());
  for (int y = today.year() - 1; y >= kFirstSalesYear; --y) {
    out.push_back({"YEARLY", Date::FromYmd(y, 1, 1)});
  }
  return out;
}

std::vector<PlannedReport> PlanRoutine(Date today) {
  std::vector<PlannedReport> out = PlanDays(today.AddDays(-kRefetchDays), today.AddDays(-1));
  const Date this_month = today.StartOfMonth();
  const Date last_month = this_month.AddDays(-1).StartOfMonth();
  out.push_back({"MONTHLY", last_month});
  out.push_back({"YEARLY", Date::FromYmd(today.year() - 1, 1, 1)});
  return out;
}

std::string ReportDateText(const std::string& frequency, Date start) {
  char buf[16];
  if (frequency == "MONTHLY") {
    std::snprintf(buf, sizeof buf, "%04d-%02u", start.year(), start.month());
    return buf;
  }
  if (frequency == "YEARLY") {
    std::snprintf(buf, sizeof buf, "%04d", start.year());
    return buf;
  }
  if (frequency == "WEEKLY") return start.StartOfWeek().AddDays(6).Iso();
  return start.Iso();
}

}  // namespace orchard::sync
