// The combined view of an account's Sales reports: every day is answered by exactly one report
// frequency, and nothing Apple reported is lost or counted twice.
//
// Apple keeps daily reports for 365 days, monthly ones for the months of that year, yearly ones
// for ever, so a backfill of several years stores yearly reports for the old part, monthly and
// daily reports for the last year, and all three overlap. A day is "covered" by the finest
// frequency that has it: its daily report; else the monthly report of its month; else the yearly
// report of its year. Weekly reports are kept but never answer a day (the daily ones of their
// week always exist when they do).
//
// A coarser report whose period is partly covered by finer ones contributes the *residual*: its
// rows with weight +1 and the finer reports of its period with weight −1, all dated on the first
// day of the period that no finer report covers. So a year's total is always the yearly report's
// total, the covered days keep their detail, and the rest of the year shows on one day that no
// other report answers. A coarse report whose every day is covered by finer ones is not read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"

namespace orchard::store {

struct StoredSalesReport {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string frequency;  // DAILY | WEEKLY | MONTHLY | YEARLY
  Date report_date;       // first day of its period
  int64_t stamp = 0;      // new for every delivery of the report
};

// One report as the view reads it: its rows with `weight`, dated on their own day (a daily
// report) or all on `day` (a residual).
struct ReportRole {
  int64_t report_id = 0;
  int weight = 1;
  std::optional<Date> day;  // set: every row of the report counts on this day
  Date first, last;         // the days its rows count on
  int64_t stamp = 0;
};

// Roles ordered by the day they count on, then report. Pure: the same reports give the same plan.
std::vector<ReportRole> PlanCombinedView(const std::vector<StoredSalesReport>& reports);

}  // namespace orchard::store
