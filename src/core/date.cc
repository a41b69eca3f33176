#include "core/date.h"

#include <date/tz.h>

#include <charconv>
#include <cstdio>

namespace orchard {
namespace {

bool ParseDigits(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

Result<Date> Make(int y, int m, int d, std::string_view original) {
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (m < 1 || m > 12 || d < 1 || !ymd.ok()) {
    return Error(Code::kInvalidArgument, "not a calendar date: '" + std::string(original) + "'");
  }
  return Date::FromDays(static_cast<int32_t>(std::chrono::sys_days(ymd).time_since_epoch().count()));
}

}  // namespace

Date Date::FromYmd(int year, unsigned month, unsigned day) {
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  return Date(static_cast<int32_t>(std::chrono::sys_days(ymd).time_since_epoch().count()));
}

Result<Date> Date::ParseIso(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseDigits(text.substr(0, 4), &y) ||
      !ParseDigits(text.substr(5, 2), &m) || !ParseDigits(text.substr(8, 2), &d)) {
    return Error(Code::kInvalidArgument,
                 "expected a date as YYYY-MM-DD, got '" + std::string(text) + "'");
  }
  return Make(y, m, d, text);
}

Result<Date> Date::ParseUs(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[2] != '/' || text[5] != '/' || !ParseDigits(text.substr(0, 2), &m) ||
      !ParseDigits(text.substr(3, 2), &d) || !ParseDigits(text.substr(6, 4), &y)) {
    return Error(Code::kInvalidArgument,
                 "expected a date as MM/DD/YYYY, got '" + std::string(text) + "'");
  }
  return Make(y, m, d, text);
}

Date Date::Today(std::string_view tz) { return At(std::chrono::system_clock::now(), tz); }

Date Date::At(std::chrono::system_clock::time_point now, std::string_view tz) {
  try {
    // GCC 12's <chrono> has no time-zone database yet; Howard Hinnant's date library (the
    // reference implementation of C++20 time zones) reads the system's tzdata instead.
    const auto* zone = date::locate_zone(std::string(tz));
    const auto local = zone->to_local(now);
    return Date(static_cast<int32_t>(
        std::chrono::floor<std::chrono::days>(local).time_since_epoch().count()));
  } catch (const std::exception&) {
    return Date(static_cast<int32_t>(
        std::chrono::floor<std::chrono::days>(now).time_since_epoch().count()));
  }
}

std::chrono::year_month_day Date::ymd() const {
  return std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(days_)));
}

int Date::year() const { return static_cast<int>(ymd().year()); }
unsigned Date::month() const { return static_cast<unsigned>(ymd().month()); }
unsigned Date::day() const { return static_cast<unsigned>(ymd().day()); }

unsigned Date::iso_weekday() const {
  return std::chrono::weekday(std::chrono::sys_days(std::chrono::days(days_))).iso_encoding();
}

std::string Date::Iso() const {
  char buf[16];
  const auto v = ymd();
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(v.year()),
                static_cast<unsigned>(v.month()), static_cast<unsigned>(v.day()));
  return buf;
}

Date Date::StartOfWeek() const { return AddDays(1 - static_cast<int32_t>(iso_weekday())); }
Date Date::StartOfMonth() const { return FromYmd(year(), month(), 1); }
Date Date::StartOfYear() const { return FromYmd(year(), 1, 1); }

}  // namespace orchard
