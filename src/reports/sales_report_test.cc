// Expected figures are worked out by hand from the fixture below (see the comments); none come
// from running the code under test.
#include "reports/sales_report.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/clock.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::reports {
namespace {

struct Row {
  const char* day;
  const char* product;
  const char* pti;
  const char* country;
  const char* device;
  const char* currency;  // customer and proceeds currency
  int64_t units;         // whole units
  const char* proceeds;  // per unit
  const char* price;     // per unit
};

// Fixture (2026-01-05 is a Monday, 2026-01-10 the Saturday of the same week):
const Row kRows[] = {
    {"2026-01-05", "100", "1", "US", "iPhone", "USD", 10, "0.70", "0.99"},     // rev 7.00, gross 9.90
    {"2026-01-05", "100", "1", "US", "iPhone", "USD", -2, "0.70", "-0.99"},    // refund: rev -1.40, gross -1.98
    {"2026-01-05", "100", "7", "GB", "iPad", "GBP", 5, "0", "0"},              // updates 5
    {"2026-01-06", "200", "IAY", "JP", "iPhone", "JPY", 3, "105", "150"},      // rev 315 JPY, gross 450 JPY
    {"2026-01-06", "100", "ZZ9", "DE", "iPhone", "EUR", 4, "1.00", "1.29"},    // unknown type: rev 4.00 EUR, gross 5.16 EUR
    {"2026-01-10", "100", "3", "US", "iPhone", "USD", 6, "0", "0"},            // redownloads 6
};

class SalesReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("orchard-report-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = *store::sqlite::Database::Open(dir_ / "o.db");
    facts_ = std::make_unique<store::sqlite::SqliteFactStore>(db_, &clock_);
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, &clock_);
    for (const char* day : {"2026-01-05", "2026-01-06", "2026-01-10"}) {
      auto w = facts_->BeginSalesReport({1, 1, "DAILY", *Date::ParseIso(day)});
      ASSERT_TRUE(w.has_value());
      for (const Row& r : kRows) {
        if (std::string(r.day) != day) continue;
        store::SalesFact f;
        f.day = *Date::ParseIso(r.day);
        f.apple_id = r.product;
        f.title = std::string(r.product) == "100" ? "Photo App" : "Pro Subscription";
        f.product_type = r.pti;
        f.country = r.country;
        f.device = r.device;
        f.customer_currency = r.currency;
        f.proceeds_currency = r.currency;
        f.units = r.units * kUnitScale;
        f.developer_proceeds = *ParseFixed(r.proceeds, kMoneyDecimals);
        f.customer_price = *ParseFixed(r.price, kMoneyDecimals);
        ASSERT_TRUE((*w)->Add(f).ok());
      }
      ASSERT_TRUE((*w)->Commit().ok());
    }
    // Rates per EUR, scaled by 1e8.
    const Date d5 = *Date::ParseIso("2026-01-05");
    ASSERT_TRUE(meta_->PutFxRates({{d5, "USD", 110000000}, {d5, "JPY", 16000000000}, {d5, "GBP", 85000000},
                                   {d5.AddDays(1), "USD", 120000000}, {d5.AddDays(1), "JPY", 15000000000},
                                   {d5.AddDays(4), "USD", 125000000}}).ok());
  }
  void TearDown() override {
    facts_.reset();
    meta_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Table Run(SalesQuery q) {
    q.team_id = 1;
    auto t = RunSalesReport(*facts_, *meta_, q);
    EXPECT_TRUE(t.has_value()) << t.error().ToString();
    return t.has_value() ? *t : Table{};
  }
  static std::string Cell(const Table& t, size_t row, const std::string& column) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i] == column) return CellText(t.rows.at(row).at(i));
    }
    return "<no column " + column + ">";
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::filesystem::path dir_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteFactStore> facts_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
};

TEST_F(SalesReportTest, AllTimeTotalsBucketUnitsAndConvertEachDayAtItsRate) {
  SalesQuery q;
  q.currency = "USD";
  Table t = Run(q);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(Cell(t, 0, "downloads"), "10");
  EXPECT_EQ(Cell(t, 0, "redownloads"), "6");
  EXPECT_EQ(Cell(t, 0, "updates"), "5");
  EXPECT_EQ(Cell(t, 0, "returns"), "2");
  EXPECT_EQ(Cell(t, 0, "iap"), "3");
  EXPECT_EQ(Cell(t, 0, "other_units"), "4");
  // USD 7.00 − 1.40 = 5.60; JPY 315 × 1.20/150 = 2.52; EUR 4.00 × 1.20 = 4.80 → 12.92
  EXPECT_EQ(Cell(t, 0, "revenue"), "12.92");
  // USD 9.90 − 1.98 = 7.92; JPY 450 × 1.20/150 = 3.60; EUR 5.16 × 1.20 = 6.192 → 17.712
  EXPECT_EQ(Cell(t, 0, "gross_revenue"), "17.71");
  EXPECT_EQ(Cell(t, 0, "returns_amount"), "1.40");
}

TEST_F(SalesReportTest, ConvertsToEuroThroughTheSameRates) {
  SalesQuery q;
  q.currency = "EUR";
  // USD 5.60 / 1.10 = 5.0909…; JPY 315 / 150 = 2.10; EUR 4.00 → 11.1909… → 11.19
  EXPECT_EQ(Cell(Run(q), 0, "revenue"), "11.19");
}

TEST_F(SalesReportTest, WeekendDaysUseTheLatestEarlierRate) {
  SalesQuery q;
  q.currency = "EUR";
  q.start = *Date::ParseIso("2026-01-10");
  // Only the Saturday redownloads (amount 0) — the Friday 01-09 USD rate serves the Saturday.
  Table t = Run(q);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(Cell(t, 0, "redownloads"), "6");
  EXPECT_EQ(Cell(t, 0, "revenue"), "0.00");
}

TEST_F(SalesReportTest, GroupsByPeriodStartForCoarserGranularities) {
  SalesQuery q;
  q.group_by = {GroupKey::kDate};
  Table daily = Run(q);
  ASSERT_EQ(daily.rows.size(), 3u);
  EXPECT_EQ(Cell(daily, 0, "date"), "2026-01-05");
  EXPECT_EQ(Cell(daily, 0, "revenue"), "5.60");
  EXPECT_EQ(Cell(daily, 1, "revenue"), "7.32");  // 2.52 + 4.80
  q.granularity = Granularity::kWeekly;
  Table weekly = Run(q);
  ASSERT_EQ(weekly.rows.size(), 1u);
  EXPECT_EQ(Cell(weekly, 0, "date"), "2026-01-05");
  q.granularity = Granularity::kMonthly;
  EXPECT_EQ(Cell(Run(q), 0, "date"), "2026-01-01");
}

TEST_F(SalesReportTest, GroupsByCountryAndProductWithNames) {
  SalesQuery q;
  q.group_by = {GroupKey::kProduct, GroupKey::kCountry};
  Table t = Run(q);
  ASSERT_EQ(t.columns[0], "product");
  ASSERT_EQ(t.columns[1], "product_name");
  ASSERT_EQ(t.columns[2], "country");
  ASSERT_EQ(t.rows.size(), 4u);  // 100/DE, 100/GB, 100/US, 200/JP
  EXPECT_EQ(Cell(t, 0, "country"), "DE");
  EXPECT_EQ(Cell(t, 0, "product_name"), "Photo App");
  EXPECT_EQ(Cell(t, 2, "country"), "US");
  EXPECT_EQ(Cell(t, 2, "downloads"), "10");
  EXPECT_EQ(Cell(t, 2, "revenue"), "5.60");
  EXPECT_EQ(Cell(t, 3, "product"), "200");
  EXPECT_EQ(Cell(t, 3, "revenue"), "2.52");
}

TEST_F(SalesReportTest, FiltersByCountryAndProduct) {
  SalesQuery q;
  q.countries = {"US", "GB"};
  Table t = Run(q);
  EXPECT_EQ(Cell(t, 0, "downloads"), "10");
  EXPECT_EQ(Cell(t, 0, "updates"), "5");
  EXPECT_EQ(Cell(t, 0, "iap"), "0");
  q.countries.clear();
  q.products = {"200"};
  EXPECT_EQ(Cell(Run(q), 0, "iap"), "3");
}

TEST_F(SalesReportTest, AMissingRateIsAClearErrorNamingTheCurrency) {
  SalesQuery q;
  q.team_id = 1;
  q.currency = "KRW";
  auto t = RunSalesReport(*facts_, *meta_, q);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(t.error().message().find("KRW"), std::string::npos);
  EXPECT_NE(t.error().message().find("orchard fx import"), std::string::npos);
}

// The combined view (store/combined_view.h): a monthly report of January that has everything
// the daily reports have plus 7 downloads in the US no daily report holds (its other days), and
// a yearly report of 2025.
class CombinedSalesReportTest : public SalesReportTest {
 protected:
  void SetUp() override {
    SalesReportTest::SetUp();
    Write("MONTHLY", "2026-01-01", 7);
    WriteOne("YEARLY", "2025-01-01", UsDownloads("2025-01-01", 40, 500'000));  // at 0.50
  }
  // `units` US iPhone downloads of product 100 on `day`, at `proceeds` millionths each.
  static store::SalesFact UsDownloads(const char* day, int64_t units, int64_t proceeds = 0) {
    store::SalesFact f;
    f.day = *Date::ParseIso(day);
    f.apple_id = "100";
    f.product_type = "1";
    f.country = "US";
    f.device = "iPhone";
    f.customer_currency = f.proceeds_currency = "USD";
    f.units = units * kUnitScale;
    f.developer_proceeds = proceeds;
    f.customer_price = proceeds == 0 ? 0 : 990'000;
    return f;
  }
  void WriteOne(const char* frequency, const char* day, const store::SalesFact& f) {
    auto w = facts_->BeginSalesReport({1, 1, frequency, *Date::ParseIso(day)});
    ASSERT_TRUE(w.has_value());
    ASSERT_TRUE((*w)->Add(f).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  // Every fixture row dated `day` in one report, plus `extra` US downloads at 0.70.
  void Write(const char* frequency, const char* day, int64_t extra) {
    auto w = facts_->BeginSalesReport({1, 1, frequency, *Date::ParseIso(day)});
    ASSERT_TRUE(w.has_value());
    std::vector<Row> rows(std::begin(kRows), std::end(kRows));
    rows.push_back({day, "100", "1", "US", "iPhone", "USD", extra, "0.70", "0.99"});
    for (const Row& r : rows) {
      store::SalesFact f;
      f.day = *Date::ParseIso(day);
      f.apple_id = r.product;
      f.product_type = r.pti;
      f.country = r.country;
      f.device = r.device;
      f.customer_currency = f.proceeds_currency = r.currency;
      f.units = r.units * kUnitScale;
      f.developer_proceeds = *ParseFixed(r.proceeds, kMoneyDecimals);
      f.customer_price = *ParseFixed(r.price, kMoneyDecimals);
      ASSERT_TRUE((*w)->Add(f).ok());
    }
    ASSERT_TRUE((*w)->Commit().ok());
  }
};

TEST_F(CombinedSalesReportTest, EachDayIsAnsweredByOneFrequencyAndNothingIsCountedTwice) {
  SalesQuery q;
  q.currency = "USD";
  q.group_by = {GroupKey::kDate};
  Table t = Run(q);
  // 2025-01-01: the yearly report (40 downloads, 40 × 0.50 = 20.00). 2026-01-01, the first day
  // of January without a daily report: the monthly report minus the three daily reports = the
  // 7 extra downloads (7 × 0.70 = 4.90). Then the daily reports as before.
  ASSERT_EQ(t.rows.size(), 5u);
  EXPECT_EQ(Cell(t, 0, "date"), "2025-01-01");
  EXPECT_EQ(Cell(t, 0, "downloads"), "40");
  EXPECT_EQ(Cell(t, 0, "revenue"), "20.00");
  EXPECT_EQ(Cell(t, 1, "date"), "2026-01-01");
  EXPECT_EQ(Cell(t, 1, "downloads"), "7");
  EXPECT_EQ(Cell(t, 1, "updates"), "0");  // in the monthly report and in a daily one: cancels
  EXPECT_EQ(Cell(t, 1, "revenue"), "4.90");
  EXPECT_EQ(Cell(t, 2, "date"), "2026-01-05");
  EXPECT_EQ(Cell(t, 2, "downloads"), "10");
  EXPECT_EQ(Cell(t, 2, "revenue"), "5.60");
  // All time: 40 + 17 downloads, the monthly report's total for January.
  q.group_by.clear();
  Table all = Run(q);
  EXPECT_EQ(Cell(all, 0, "downloads"), "57");
  EXPECT_EQ(Cell(all, 0, "returns"), "2");
  EXPECT_EQ(Cell(all, 0, "updates"), "5");
  // 20.00 + 4.90 + 12.92 (the daily reports, as in the first test)
  EXPECT_EQ(Cell(all, 0, "revenue"), "37.82");
  // A range that holds only daily days is answered by the daily reports alone.
  q.start = *Date::ParseIso("2026-01-02");
  EXPECT_EQ(Cell(Run(q), 0, "downloads"), "10");
}

TEST_F(CombinedSalesReportTest, AMonthWhoseEveryDayHasADailyReportIsReadFromThem) {
  // February: daily reports for all 28 days (one US download each) and a monthly report that
  // disagrees (99 downloads); the daily reports answer every day, so the monthly is not read.
  for (int d = 1; d <= 28; ++d) {
    char day[32];
    std::snprintf(day, sizeof day, "2026-02-%02d", d);
    WriteOne("DAILY", day, UsDownloads(day, 1));
  }
  Write("MONTHLY", "2026-02-01", 99);
  SalesQuery q;
  q.start = *Date::ParseIso("2026-02-01");
  q.end = *Date::ParseIso("2026-02-28");
  EXPECT_EQ(Cell(Run(q), 0, "downloads"), "28");
}

TEST_F(CombinedSalesReportTest, TheMonthCacheGivesTheSameAnswersAndFollowsEveryChange) {
  SalesCache cache;
  std::vector<SalesQuery> queries;
  for (auto g : {Granularity::kDaily, Granularity::kWeekly, Granularity::kMonthly, Granularity::kYearly}) {
    for (const auto& keys : std::vector<std::vector<GroupKey>>{
             {}, {GroupKey::kDate}, {GroupKey::kProduct, GroupKey::kDate}, {GroupKey::kCountry, GroupKey::kDevice}}) {
      SalesQuery q;
      q.team_id = 1;
      q.granularity = g;
      q.group_by = keys;
      queries.push_back(q);
      q.start = *Date::ParseIso("2026-01-03");
      q.end = *Date::ParseIso("2026-01-06");
      queries.push_back(q);
    }
  }
  auto run = [&](const SalesQuery& q, SalesCache* c) {
    auto t = RunSalesReport(*facts_, *meta_, q, c);
    EXPECT_TRUE(t.has_value()) << t.error().ToString();
    return t.has_value() ? Render(*t, Format::kCsv) : std::string();
  };
  auto check_all = [&] {
    for (const auto& q : queries) {
      const std::string plain = run(q, nullptr);
      EXPECT_EQ(run(q, &cache), plain);
      EXPECT_EQ(run(q, &cache), plain);  // the second time from the cache
    }
  };
  check_all();
  const auto first = cache.stats();
  EXPECT_GT(first.hits, 0u);
  // A revised daily report (4 more US downloads on 5 January): every answer follows.
  SalesQuery all;
  all.team_id = 1;
  EXPECT_EQ(Cell(*RunSalesReport(*facts_, *meta_, all, &cache), 0, "downloads"), "57");
  WriteOne("DAILY", "2026-01-05", UsDownloads("2026-01-05", 14));
  // 5 January now holds 14 downloads (not 10); the monthly report still says 17 for January,
  // so the residual on 1 January becomes 17 − 14 = 3 and the total stays 40 + 17.
  EXPECT_EQ(Cell(*RunSalesReport(*facts_, *meta_, all, &cache), 0, "downloads"), "57");
  all.group_by = {GroupKey::kDate};
  Table by_day = *RunSalesReport(*facts_, *meta_, all, &cache);
  EXPECT_EQ(Cell(by_day, 1, "downloads"), "3");
  EXPECT_EQ(Cell(by_day, 2, "downloads"), "14");
  check_all();
  // New rates for 6 January: the JPY and EUR revenue of that day converts differently.
  all.group_by.clear();
  all.currency = "USD";
  const std::string before = Cell(*RunSalesReport(*facts_, *meta_, all, &cache), 0, "revenue");
  ASSERT_TRUE(meta_->PutFxRates({{*Date::ParseIso("2026-01-06"), "USD", 150000000}}).ok());
  const std::string after = Cell(*RunSalesReport(*facts_, *meta_, all, &cache), 0, "revenue");
  EXPECT_NE(before, after);
  EXPECT_EQ(after, Cell(*RunSalesReport(*facts_, *meta_, all, nullptr), 0, "revenue"));
  check_all();
}

TEST_F(CombinedSalesReportTest, TheMonthCacheKeepsToItsMemoryBound) {
  SalesCache tiny(1000, 1);  // one byte: nothing fits, every piece is evicted at once
  SalesQuery q;
  q.team_id = 1;
  q.group_by = {GroupKey::kDate};
  const std::string plain = Render(*RunSalesReport(*facts_, *meta_, q, nullptr), Format::kCsv);
  EXPECT_EQ(Render(*RunSalesReport(*facts_, *meta_, q, &tiny), Format::kCsv), plain);
  EXPECT_EQ(Render(*RunSalesReport(*facts_, *meta_, q, &tiny), Format::kCsv), plain);
  EXPECT_EQ(tiny.stats().hits, 0u);
  SalesCache roomy;
  (void)RunSalesReport(*facts_, *meta_, q, &roomy);
  (void)RunSalesReport(*facts_, *meta_, q, &roomy);
  EXPECT_EQ(roomy.stats().hits, 2u);  // January 2025 and January 2026, the months with data
}

TEST_F(SalesReportTest, ParsesTheReportGrammar) {
  EXPECT_EQ(ParseGroupBy("date, product,country")->size(), 3u);
  EXPECT_FALSE(ParseGroupBy("date,product,country,device").has_value());
  EXPECT_FALSE(ParseGroupBy("date,date").has_value());
  EXPECT_FALSE(ParseGroupBy("store").has_value());
  EXPECT_EQ(*ParseGranularity("yearly"), Granularity::kYearly);
  EXPECT_FALSE(ParseGranularity("hourly").has_value());
}

}  // namespace
}  // namespace orchard::reports
