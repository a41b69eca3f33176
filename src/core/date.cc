#include "core/date.h"

#include <date/tz.h>

#include <algorithm>
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

Date Date::At(std::chrono::system_clock::time_point at, std::string_view tz, int* minute_of_day) {
  auto split = [&](auto local) {
    const auto day = std::chrono::floor<std::chrono::days>(local);
    if (minute_of_day != nullptr) {
      *minute_of_day = static_cast<int>(
          std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
    }
    return Date(static_cast<int32_t>(day.time_since_epoch().count()));
  };
  try {
    // GCC 12's <chrono> has no time-zone database yet; Howard Hinnant's date library (the
    // reference implementation of C++20 time zones) reads the system's tzdata instead.
    const auto* zone = date::locate_zone(std::string(tz));
    return split(zone->to_local(at));
  } catch (const std::exception&) {
    return split(at);
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

Result<int64_t> ParseIsoDateTime(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return Error(Code::kInvalidArgument, "'" + std::string(s.substr(0, 64)) +
                                             "' is not an ISO-8601 date-time with an offset (" +
                                             std::string(why) + ")");
  };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto two = [&](size_t at) -> int {
    if (at + 2 > s.size() || !digit(s[at]) || !digit(s[at + 1])) return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  if (s.size() < 20) return bad("too short");
  auto day = Date::ParseIso(s.substr(0, 10));
  if (!day) return bad("bad date");
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return bad("no 'T' after the date");
  const int hour = two(11), minute = two(14), second = two(17);
  if (s[13] != ':' || s[16] != ':' || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return bad("bad time of day");
  }
  size_t at = 19;
  if (s[at] == '.' || s[at] == ',') {  // a fraction of a second, dropped
    const size_t digits = ++at;
    while (at < s.size() && digit(s[at])) ++at;
    if (at == digits) return bad("empty fraction");
  }
  const std::string_view zone = s.substr(at);
  int offset_minutes = 0;
  if (zone == "Z" || zone == "z") {
    offset_minutes = 0;
  } else if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
    const int oh = two(at + 1);  // ±HH:MM, ±HHMM or ±HH
    int om = 0;
    if (zone.size() == 6 && zone[3] == ':') om = two(at + 4);
    else if (zone.size() == 5) om = two(at + 3);
    else if (zone.size() != 3) return bad("bad offset");
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return bad("bad offset");
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return bad("no offset");
  }
  return static_cast<int64_t>(day->days()) * 86400 + hour * 3600 + minute * 60 +
         std::min(second, 59) - static_cast<int64_t>(offset_minutes) * 60;
}

}  // namespace orchard
