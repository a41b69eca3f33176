#include "sandbox/generator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

namespace orchard::sandbox {
namespace {

std::vector<std::vector<std::string>> Rows(const std::string& tsv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(tsv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fs(line);
    std::string x;
    while (std::getline(fs, x, '\t')) f.push_back(x);
    if (!line.empty() && line.back() == '\t') f.push_back("");
    rows.push_back(f);
  }
  return rows;
}

const Date kToday = *Date::ParseIso("2026-03-10");

TEST(GeneratorTest, SameSeedSameBytesAndOtherSeedsDiffer) {
  const Date day = *Date::ParseIso("2026-02-14");
  EXPECT_EQ(Portfolio(5, kToday).SalesSummaryDailyTsv(day), Portfolio(5, kToday).SalesSummaryDailyTsv(day));
  EXPECT_NE(Portfolio(5, kToday).SalesSummaryDailyTsv(day), Portfolio(6, kToday).SalesSummaryDailyTsv(day));
  // A past day does not change when "today" moves on.
  EXPECT_EQ(Portfolio(5, kToday).SalesSummaryDailyTsv(day),
            Portfolio(5, kToday.AddDays(30)).SalesSummaryDailyTsv(day));
}

TEST(GeneratorTest, ReportsUseApplesLayoutAndLookReal) {
  const auto rows = Rows(Portfolio(5, kToday).SalesSummaryDailyTsv(*Date::ParseIso("2026-02-14")));
  ASSERT_GT(rows.size(), 500u);
  ASSERT_EQ(rows[0].size(), 28u);
  EXPECT_EQ(rows[0][0], "Provider");
  EXPECT_EQ(rows[0][27], "Order Type");
  std::set<std::string> countries, currencies, types;
  int refunds = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 28u) << i;
    EXPECT_EQ(rows[i][9], "02/14/2026");
    countries.insert(rows[i][12]);
    currencies.insert(rows[i][11]);
    types.insert(rows[i][6]);
    if (rows[i][7][0] == '-') {
      ++refunds;
      EXPECT_EQ(rows[i][15][0], '-') << "refund price is negative";
      EXPECT_NE(rows[i][8][0], '-') << "refund proceeds stay positive";
    }
    if (rows[i][6].rfind("IA", 0) == 0) {
      EXPECT_EQ(rows[i][5], " ") << "IAPs have a blank version";
    }
  }
  EXPECT_GT(countries.size(), 40u);
  EXPECT_GT(currencies.size(), 20u);
  EXPECT_TRUE(types.contains("IAY"));
  EXPECT_TRUE(types.contains("F1"));
  EXPECT_TRUE(types.contains("7F"));
  EXPECT_GT(refunds, 0);
}

TEST(GeneratorTest, NoSalesBeforeTheFirstLaunchOrFromTodayOn) {
  Portfolio p(5, kToday);
  EXPECT_EQ(p.SalesSummaryDailyTsv(p.first_sales_day().AddDays(-1)), "");
  EXPECT_NE(p.SalesSummaryDailyTsv(p.first_sales_day()), "");
  EXPECT_EQ(p.SalesSummaryDailyTsv(kToday), "");
}

TEST(GeneratorTest, FxFeedHasTheEcbLayout) {
  Portfolio p(5, kToday);
  const std::string csv = p.EcbFxCsv(*Date::ParseIso("2026-03-02"), *Date::ParseIso("2026-03-10"));
  std::istringstream in(csv);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("Date,USD,GBP,", 0), 0u);
  EXPECT_EQ(header.back(), ',');
  std::vector<std::string> days;
  while (std::getline(in, line)) days.push_back(line.substr(0, 10));
  // 2026-03-02 (Mon) … 2026-03-10 (Tue), newest first, without the weekend of 7–8 March.
  EXPECT_EQ(days, (std::vector<std::string>{"2026-03-10", "2026-03-09", "2026-03-06", "2026-03-05",
                                            "2026-03-04", "2026-03-03", "2026-03-02"}));
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

// Σ units per (apple id, country, device, product type, price) — computed here from the rows.
std::map<std::string, long> UnitsByKey(const std::string& tsv) {
  std::map<std::string, long> out;
  auto rows = Rows(tsv);
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string price = r[15][0] == '-' ? r[15].substr(1) : r[15];
    out[r[14] + "|" + r[12] + "|" + r[22] + "|" + r[6] + "|" + price + "|" + r[16] + "|" + r[18]] += std::stol(r[7]);
  }
  return out;
}

TEST(GeneratorTest, AWeeklyReportIsTheSumOfItsDays) {
  Portfolio p(5, kToday);
  const Date monday = *Date::ParseIso("2026-02-09");
  std::map<std::string, long> days;
  for (int i = 0; i < 7; ++i) {
    for (const auto& [k, v] : UnitsByKey(p.SalesSummaryDailyTsv(monday.AddDays(i)))) days[k] += v;
  }
  const std::string weekly = p.SalesSummaryTsv(Frequency::kWeekly, monday);
  auto week = UnitsByKey(weekly);
  // A sale and its refund net to zero the same way in both.
  std::erase_if(days, [](const auto& kv) { return kv.second == 0; });
  std::erase_if(week, [](const auto& kv) { return kv.second == 0; });
  EXPECT_EQ(week, days);
  auto rows = Rows(weekly);
  EXPECT_EQ(rows[1][9], "02/09/2026");
  EXPECT_EQ(rows[1][10], "02/15/2026");
}

TEST(GeneratorTest, ARevisionAddsToEverySaleOfItsDayAndFlowsIntoTheWeek) {
  Portfolio p(5, kToday);
  const Date day = *Date::ParseIso("2026-02-10");
  const auto before = Rows(p.SalesSummaryDailyTsv(day));
  const auto after = Rows(p.SalesSummaryDailyTsv(day, {{day.days(), 2}}));
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 1; i < before.size(); ++i) {
    const long u = std::stol(before[i][7]);
    EXPECT_EQ(std::stol(after[i][7]), u > 0 ? u + 2 : u) << i;
  }
  const Date monday = day.StartOfWeek();
  long week_before = 0, week_after = 0;
  for (const auto& [k, v] : UnitsByKey(p.SalesSummaryTsv(Frequency::kWeekly, monday))) week_before += v;
  for (const auto& [k, v] : UnitsByKey(p.SalesSummaryTsv(Frequency::kWeekly, monday, {{day.days(), 2}}))) week_after += v;
  long sales_rows = 0;
  for (size_t i = 1; i < before.size(); ++i) sales_rows += std::stol(before[i][7]) > 0 ? 1 : 0;
  EXPECT_EQ(week_after - week_before, 2 * sales_rows);
}

TEST(GeneratorTest, ScaleAddsCopiesWithTheirOwnIdsAndKeepsCopyZero) {
  const Date day = *Date::ParseIso("2026-02-14");
  Portfolio one(5, kToday), three(5, kToday, 3);
  EXPECT_EQ(three.Apps().size(), 3 * one.Apps().size());
  std::set<std::string> ids;
  for (const auto& a : three.Apps()) ids.insert(a.id);
  EXPECT_EQ(ids.size(), three.Apps().size());
  const std::string base = one.SalesSummaryDailyTsv(day);
  const std::string scaled = three.SalesSummaryDailyTsv(day);
  EXPECT_EQ(scaled.substr(0, base.size()), base);  // copy 0 comes first, unchanged
  EXPECT_GT(Rows(scaled).size(), 2 * Rows(base).size());
}

TEST(GeneratorTest, PeriodsEndWhereAppleEndsThem) {
  EXPECT_EQ(PeriodEnd(Frequency::kWeekly, *Date::ParseIso("2026-02-09")).Iso(), "2026-02-15");
  EXPECT_EQ(PeriodEnd(Frequency::kMonthly, *Date::ParseIso("2024-02-01")).Iso(), "2024-02-29");
  EXPECT_EQ(PeriodEnd(Frequency::kMonthly, *Date::ParseIso("2025-12-01")).Iso(), "2025-12-31");
  EXPECT_EQ(PeriodEnd(Frequency::kYearly, *Date::ParseIso("2025-01-01")).Iso(), "2025-12-31");
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

TEST(GeneratorTest, GiftsPromoCodesWatchesAndUpdatesThatFollowReleases) {
  Portfolio p(5, kToday);
  std::map<std::string, long> promo_units;
  std::set<std::string> devices;
  std::map<int, long> fitpulse_updates;  // day offset → units
  for (int back = 1; back <= 45; ++back) {
    const Date day = kToday.AddDays(-back);
    const auto rows = Rows(p.SalesSummaryDailyTsv(day));
    for (size_t i = 1; i < rows.size(); ++i) {
      const auto& r = rows[i];
      devices.insert(r[22]);
      if (r[16] != " ") {
        promo_units[r[16]] += std::stol(r[7]);
        if (r[16] == "GR" || r[16] == "CR-RW") {
          EXPECT_EQ(r[15], "0") << "redemptions are free";
        }
        if (r[16] == "GP") {
          EXPECT_NE(r[15], "0") << "gifts are bought at full price";
        }
      }
      if (r[14] == "1523344771" && r[6] == "7F") fitpulse_updates[back] += std::stol(r[7]);
    }
  }
  for (const char* code : {"GP", "GR", "CR-RW", "EDU"}) EXPECT_GT(promo_units[code], 0) << code;
  EXPECT_TRUE(devices.contains("Apple Watch"));
  EXPECT_TRUE(devices.contains("Apple TV"));
  // The busiest update day is at least twice the quietest: releases drive updates.
  long most = 0, least = 1L << 40;
  for (const auto& [day, units] : fitpulse_updates) {
    most = std::max(most, units);
    least = std::min(least, units);
  }
  EXPECT_GT(most, 2 * least);
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

TEST(GeneratorTest, ScaleKnobsForStorefrontsAndHistory) {
  // By default the history reaches two years back from the tests' today and from the real one.
  EXPECT_LE(Portfolio(5, kToday).first_sales_day(), kToday.AddDays(-730));
  EXPECT_LE(Portfolio(5, *Date::ParseIso("2026-11-29")).first_sales_day(), Date::ParseIso("2026-11-29")->AddDays(-730));
  // Ten storefronts: only they sell.
  Portfolio few(5, kToday, 1, 10);
  std::set<std::string> countries;
  const auto rows = Rows(few.SalesSummaryDailyTsv(kToday.AddDays(-2)));
  for (size_t i = 1; i < rows.size(); ++i) countries.insert(rows[i][12]);
  EXPECT_EQ(countries.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_TRUE(countries.contains(Storefronts()[i].country));
  // A thousand days of history.
  Portfolio long_history(5, kToday, 1, 0, 1000);
  EXPECT_TRUE(long_history.HasSales(kToday.AddDays(-1000)));
  EXPECT_FALSE(long_history.HasSales(kToday.AddDays(-1001)));
  EXPECT_FALSE(long_history.SalesSummaryDailyTsv(kToday.AddDays(-999)).empty());
}

}  // namespace
}  // namespace orchard::sandbox
