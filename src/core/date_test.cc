#include "core/date.h"

#include <gtest/gtest.h>

namespace orchard {
namespace {

TEST(DateTest, ParsesIsoAndUsFormsOfTheSameDay) {
  auto iso = Date::ParseIso("2024-02-29");
  auto us = Date::ParseUs("02/29/2024");
  ASSERT_TRUE(iso.has_value());
  ASSERT_TRUE(us.has_value());
  EXPECT_EQ(*iso, *us);
  EXPECT_EQ(iso->Iso(), "2024-02-29");
  // 2024-02-29 is 19782 days after 1970-01-01 (54 years incl. 13 leap days up to 2024: 54*365+13 = 19723, + 59).
  EXPECT_EQ(iso->days(), 19782);
}

TEST(DateTest, RejectsImpossibleAndMalformedDays) {
  EXPECT_FALSE(Date::ParseIso("2023-02-29").has_value());
  EXPECT_FALSE(Date::ParseIso("2023-13-01").has_value());
  EXPECT_FALSE(Date::ParseIso("2023-1-01").has_value());
  EXPECT_FALSE(Date::ParseIso("20230101").has_value());
  EXPECT_FALSE(Date::ParseUs("2023-01-01").has_value());
  EXPECT_FALSE(Date::ParseUs("1/02/2023").has_value());
  EXPECT_EQ(Date::ParseIso("x").error().code(), Code::kInvalidArgument);
}

TEST(DateTest, PeriodStartsFollowAppleWeeksMondayToSunday) {
  const Date sunday = *Date::ParseIso("2026-11-29");  // a Sunday
  EXPECT_EQ(sunday.iso_weekday(), 7u);
  EXPECT_EQ(sunday.StartOfWeek().Iso(), "2026-11-23");
  EXPECT_EQ(sunday.StartOfMonth().Iso(), "2026-11-01");
  EXPECT_EQ(sunday.StartOfYear().Iso(), "2026-01-01");
  EXPECT_EQ(sunday.AddDays(1).Iso(), "2026-11-30");
  EXPECT_EQ(sunday.AddDays(1).StartOfWeek().Iso(), "2026-11-30");
}

// Apple's report day is Pacific: 06:30 UTC is still the previous day in Los Angeles (PDT, -7h),
// and 07:30 UTC is the same day, while UTC has moved on already at midnight.
TEST(DateTest, AtTellsTheDayOfAnInstantInAZone) {
  using namespace std::chrono;
  const sys_days day = sys_days(year(2026) / June / 15);
  EXPECT_EQ(Date::At(day + hours(6) + minutes(30), "America/Los_Angeles").Iso(), "2026-06-14");
  EXPECT_EQ(Date::At(day + hours(7) + minutes(30), "America/Los_Angeles").Iso(), "2026-06-15");
  EXPECT_EQ(Date::At(day + hours(7) + minutes(30)).Iso(), "2026-06-15");
  // Winter: PST is -8h.
  const sys_days winter = sys_days(year(2026) / January / 10);
  EXPECT_EQ(Date::At(winter + hours(7) + minutes(59), "America/Los_Angeles").Iso(), "2026-01-09");
  EXPECT_EQ(Date::At(winter + hours(8), "America/Los_Angeles").Iso(), "2026-01-10");
  // An unknown zone falls back to UTC.
  EXPECT_EQ(Date::At(day + hours(1), "Nowhere/Atlantis").Iso(), "2026-06-15");
}

}  // namespace
}  // namespace orchard
