#include "core/decimal.h"

#include <gtest/gtest.h>

namespace orchard {
namespace {

TEST(DecimalTest, ParsesApplesNumberShapesExactly) {
  EXPECT_EQ(*ParseFixed("12", 2), 1200);
  EXPECT_EQ(*ParseFixed("-50", 2), -5000);
  EXPECT_EQ(*ParseFixed(".7", 6), 700000);
  EXPECT_EQ(*ParseFixed("-0.99", 6), -990000);
  EXPECT_EQ(*ParseFixed("209.30", 6), 209300000);
  EXPECT_EQ(*ParseFixed(" 3.5 ", 2), 350);
  EXPECT_EQ(*ParseFixed("1.2300", 2), 123);  // trailing zeros beyond the scale are exact
}

TEST(DecimalTest, RefusesWhatItCannotRepresentExactly) {
  EXPECT_FALSE(ParseFixed("1.234", 2).has_value());
  EXPECT_FALSE(ParseFixed("", 2).has_value());
  EXPECT_FALSE(ParseFixed(" ", 2).has_value());
  EXPECT_FALSE(ParseFixed("1,5", 2).has_value());
  EXPECT_FALSE(ParseFixed("1.2.3", 2).has_value());
  EXPECT_FALSE(ParseFixed("-", 2).has_value());
  EXPECT_FALSE(ParseFixed("99999999999999999999", 2).has_value());
}

TEST(DecimalTest, FormatsWithHalfAwayFromZeroRounding) {
  EXPECT_EQ(FormatFixed(123456, 4, 2), "12.35");
  EXPECT_EQ(FormatFixed(-123450, 4, 2), "-12.35");
  EXPECT_EQ(FormatFixed(5, 2, 2), "0.05");
  EXPECT_EQ(FormatFixed(0, 8, 2), "0.00");
  EXPECT_EQ(FormatFixed(7, 0, 0), "7");
  EXPECT_EQ(FormatFixed(-4, 0, 2), "-4.00");
}

TEST(DecimalTest, MulDivRoundsHalfAwayFromZero) {
  EXPECT_EQ(MulDivRound(10, 1, 4), 3);   // 2.5 → 3
  EXPECT_EQ(MulDivRound(-10, 1, 4), -3);
  EXPECT_EQ(MulDivRound(9, 1, 4), 2);    // 2.25 → 2
}

}  // namespace
}  // namespace orchard
