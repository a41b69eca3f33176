// Which Sales reports to fetch, and when (apple-apis.md §2.3–2.4).
//
// Apple keeps daily, weekly and monthly reports for 365 days and yearly reports indefinitely,
// and publishes each period some time after it ends (daily: the next morning, Pacific; monthly:
// ~5 days after the month; yearly: ~6 days after the year). A backfill therefore asks for the
// daily reports of the last 365 days, the monthly reports of the months wholly inside that
// window, and the yearly reports of every earlier year since the App Store opened. The fact
// store answers each day from exactly one of them (the finer one where both exist, the coarse
// report minus the finer ones for the rest of its period), so the overlap never double-counts.
#pragma once

#include <string>
#include <vector>

#include "core/date.h"

namespace orchard::sync {

struct PlannedReport {
  std::string frequency;  // DAILY | MONTHLY | YEARLY
  Date report_date;       // the first day of the period
  friend bool operator==(const PlannedReport&, const PlannedReport&) = default;
};

// The App Store opened in July 2008: no Sales report is older.
inline constexpr int kFirstSalesYear = 2008;
// Apple keeps daily, weekly and monthly reports this many days.
inline constexpr int kRetentionDays = 365;
// The routine sync re-fetches this many recent days every day: Apple revises and withdraws.
inline constexpr int kRefetchDays = 32;

// Everything Apple still has on `today` (Apple's day, Pacific), newest first.
std::vector<PlannedReport> PlanBackfill(Date today);
// The daily reports of [from, to], newest first.
std::vector<PlannedReport> PlanDays(Date from, Date to);
// The routine of one day: the last kRefetchDays daily reports, last month's monthly report and
// last year's yearly report (the last two are fetched once; later runs find them done).
std::vector<PlannedReport> PlanRoutine(Date today);

// The Reporter/API date text of a period: YYYY-MM-DD (daily, weekly: the Sunday that ends the
// week), YYYY-MM (monthly), YYYY (yearly).
std::string ReportDateText(const std::string& frequency, Date period_start);

}  // namespace orchard::sync
