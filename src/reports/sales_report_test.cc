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
