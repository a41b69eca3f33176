// Date: a calendar day as Apple reports it.
//
// Sales and Trends days are midnight-to-midnight in the agreement's time zone; analytics days are
// UTC. Orchard stores the day Apple names and never shifts it by a time-zone conversion, so a Date
// carries no zone: it is a proleptic-Gregorian day number (days since 1970-01-01).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orchard {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(int32_t days) { return Date(days); }
  static Date FromYmd(int year, unsigned month, unsigned day);  // caller guarantees validity

  // "YYYY-MM-DD" (ISO 8601 calendar date). Rejects impossible days such as 2025-02-30.
  static Result<Date> ParseIso(std::string_view text);
  // "MM/DD/YYYY" as in the Sales Summary report's Begin/End Date columns.
  static Result<Date> ParseUs(std::string_view text);
  // The current day in the given IANA zone (e.g. "America/Los_Angeles"); falls back to UTC
  // when the zone is unknown to the system's tz database.
  static Date Today(std::string_view tz = "UTC");
  // The day in `tz` at the instant `at` (same fallback); `minute_of_day`, when given, receives
  // the local time of day in minutes (0–1439).
  static Date At(std::chrono::system_clock::time_point at, std::string_view tz = "UTC",
                 int* minute_of_day = nullptr);

  int32_t days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  // ISO weekday: Monday = 1 … Sunday = 7.
  unsigned iso_weekday() const;

  std::string Iso() const;  // "YYYY-MM-DD"

  Date AddDays(int32_t n) const { return Date(days_ + n); }
  Date StartOfWeek() const;   // the Monday of this day's week (Apple weeks run Monday–Sunday)
  Date StartOfMonth() const;
  Date StartOfYear() const;

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  constexpr explicit Date(int32_t days) : days_(days) {}
  std::chrono::year_month_day ymd() const;
  int32_t days_ = 0;
};

// An ISO-8601 date-time with an offset ("2024-01-10T08:00:00-07:00", "…Z", "…+0530", "…+05",
// an optional fraction of a second, 'T', 't' or a space between date and time) → Unix seconds
// (UTC; the fraction is dropped, a leap second counts as :59). kInvalidArgument names the flaw.
Result<int64_t> ParseIsoDateTime(std::string_view text);

}  // namespace orchard
