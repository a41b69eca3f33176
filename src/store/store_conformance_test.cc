// Conformance suite for the storage interfaces. Every backend must pass it; today the
// parameter list holds SQLite only (PostgreSQL/ClickHouse join when they land).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/clock.h"
#include "store/fact_store.h"
#include "store/meta_store.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::store {
namespace {

struct Backend {
  std::unique_ptr<MetaStore> meta;
  std::unique_ptr<FactStore> facts;
};

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("orchard-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = sqlite::Database::Open(dir_ / "orchard.db");
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    b_.meta = std::make_unique<sqlite::SqliteMetaStore>(db_, &clock_);
    b_.facts = std::make_unique<sqlite::SqliteFactStore>(db_, &clock_);
  }
  void TearDown() override {
    b_ = {};
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static SalesFact Fact(const char* day, const char* product, const char* country, int64_t units,
                        int64_t proceeds = 700000, int64_t price = 990000) {
    SalesFact f;
    f.day = *Date::ParseIso(day);
    f.apple_id = product;
    f.sku = "sku";
    f.title = "Title";
    f.product_type = "1";
    f.country = country;
    f.device = "iPhone";
    f.customer_currency = "USD";
    f.proceeds_currency = "USD";
    f.units = units;
    f.developer_proceeds = proceeds;
    f.customer_price = price;
    return f;
  }

  void WriteReport(int64_t team, int64_t account, const char* day,
                   const std::vector<SalesFact>& facts) {
    auto w = b_.facts->BeginSalesReport({team, account, "DAILY", *Date::ParseIso(day)});
    ASSERT_TRUE(w.has_value()) << w.error().ToString();
    for (const auto& f : facts) ASSERT_TRUE((*w)->Add(f).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }

  // Σ units per product over a scan.
  std::map<std::string, int64_t> UnitsByProduct(SalesScan scan) {
    std::map<std::string, int64_t> out;
    Status st = b_.facts->ScanSales(scan, [&](const SalesRecord& r) {
      out[std::string(r.apple_id)] += r.units;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::filesystem::path dir_;
  std::shared_ptr<sqlite::Database> db_;
  Backend b_;
};

TEST_P(StoreConformanceTest, ResyncingAReportReplacesItInsteadOfAdding) {
  WriteReport(1, 1, "2026-01-05", {Fact("2026-01-05", "111", "US", 500), Fact("2026-01-05", "222", "GB", 300)});
  WriteReport(1, 1, "2026-01-05", {Fact("2026-01-05", "111", "US", 700)});
  SalesScan scan;
  scan.team_id = 1;
  auto units = UnitsByProduct(scan);
  EXPECT_EQ(units.size(), 1u);
  EXPECT_EQ(units["111"], 700);
}

TEST_P(StoreConformanceTest, AnUncommittedWriterLeavesThePreviousVersionIntact) {
  WriteReport(1, 1, "2026-01-05", {Fact("2026-01-05", "111", "US", 500)});
  {
    auto w = b_.facts->BeginSalesReport({1, 1, "DAILY", *Date::ParseIso("2026-01-05")});
    ASSERT_TRUE(w.has_value());
    ASSERT_TRUE((*w)->Add(Fact("2026-01-05", "999", "FR", 100)).ok());
    // destroyed without Commit()
  }
  SalesScan scan;
  scan.team_id = 1;
  auto units = UnitsByProduct(scan);
  EXPECT_EQ(units.size(), 1u);
  EXPECT_EQ(units["111"], 500);
  // The store still accepts writes afterwards, and the rolled-back string can be interned again.
  WriteReport(1, 1, "2026-01-06", {Fact("2026-01-06", "999", "FR", 100)});
  EXPECT_EQ(UnitsByProduct(scan)["999"], 100);
}

TEST_P(StoreConformanceTest, ScansFilterByDateCountryProductAndTeam) {
  WriteReport(1, 1, "2026-01-05", {Fact("2026-01-05", "111", "US", 100), Fact("2026-01-05", "222", "GB", 200)});
  WriteReport(1, 1, "2026-01-06", {Fact("2026-01-06", "111", "GB", 400)});
  WriteReport(2, 7, "2026-01-06", {Fact("2026-01-06", "111", "GB", 800)});
  SalesScan scan;
  scan.team_id = 1;
  scan.start = *Date::ParseIso("2026-01-06");
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"111", 400}}));
  scan.start.reset();
  scan.end = *Date::ParseIso("2026-01-05");
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"111", 100}, {"222", 200}}));
  scan.end.reset();
  scan.countries = {"GB"};
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"111", 400}, {"222", 200}}));
  scan.products = {"222"};
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"222", 200}}));
  scan.countries = {"ZZ"};
  EXPECT_TRUE(UnitsByProduct(scan).empty());
  SalesScan other;
  other.team_id = 2;
  EXPECT_EQ(UnitsByProduct(other), (std::map<std::string, int64_t>{{"111", 800}}));
}

TEST_P(StoreConformanceTest, LargeReportsSpanChunksWithoutLosingRows) {
  std::vector<SalesFact> facts;
  const int n = 20'000;  // more than two chunks
  for (int i = 0; i < n; ++i) facts.push_back(Fact("2026-02-01", i % 2 ? "A" : "B", "US", 100));
  WriteReport(1, 1, "2026-02-01", facts);
  SalesScan scan;
  scan.team_id = 1;
  auto units = UnitsByProduct(scan);
  EXPECT_EQ(units["A"], 100 * n / 2);
  EXPECT_EQ(units["B"], 100 * n / 2);
}

TEST_P(StoreConformanceTest, ProductsKeepTheNewestName) {
  auto w = b_.facts->BeginSalesReport({1, 1, "DAILY", *Date::ParseIso("2026-01-06")});
  ASSERT_TRUE(w.has_value());
  SalesFact f = Fact("2026-01-06", "111", "US", 1);
  f.title = "New Name";
  ASSERT_TRUE((*w)->Add(f).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  auto w2 = b_.facts->BeginSalesReport({1, 1, "DAILY", *Date::ParseIso("2026-01-01")});
  ASSERT_TRUE(w2.has_value());
  f = Fact("2026-01-01", "111", "US", 1);
  f.title = "Old Name";
  ASSERT_TRUE((*w2)->Add(f).ok());
  ASSERT_TRUE((*w2)->Commit().ok());
  auto products = b_.facts->ListProducts(1);
  ASSERT_TRUE(products.has_value());
  ASSERT_EQ(products->size(), 1u);
  EXPECT_EQ((*products)[0].title, "New Name");
}

TEST_P(StoreConformanceTest, AccountsAreCreatedWithTheirSealedSecretAtomically) {
  auto team = b_.meta->EnsureDefaultTeam();
  ASSERT_TRUE(team.has_value());
  LinkedAccount a;
  a.team_id = team->id;
  a.method = "asc_key";
  a.name = "Main";
  a.key_id = "ABCDEFGHIJ";
  a.vendor_number = "85442109";
  int64_t sealed_for = 0;
  auto created = b_.meta->CreateAccount(a, [&](int64_t row) -> Result<SealedSecret> {
    sealed_for = row;
    return SealedSecret{"blob-for-" + std::to_string(row), 1};
  });
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_EQ(sealed_for, created->id);
  auto secret = b_.meta->GetAccountSecret(team->id, created->id);
  ASSERT_TRUE(secret.has_value());
  EXPECT_EQ(secret->blob, "blob-for-" + std::to_string(created->id));

  // Same key and vendor again: refused, nothing added.
  auto dup = b_.meta->CreateAccount(a, [](int64_t) -> Result<SealedSecret> { return SealedSecret{"x", 1}; });
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);
  // A failing seal leaves no half-created account behind.
  a.key_id = "OTHERKEY12";
  auto failed = b_.meta->CreateAccount(a, [](int64_t) -> Result<SealedSecret> {
    return Error(Code::kInternal, "seal failed");
  });
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(b_.meta->ListAccounts(team->id)->size(), 1u);
  EXPECT_EQ(*b_.meta->CountSealedSecrets(), 1);
  // Another team sees nothing.
  EXPECT_EQ(b_.meta->GetAccount(team->id + 1, created->id).error().code(), Code::kNotFound);
  EXPECT_EQ(b_.meta->GetAccountSecret(team->id + 1, created->id).error().code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, CheckpointsAndFxRatesAreUpserted) {
  auto team = b_.meta->EnsureDefaultTeam();
  LinkedAccount a;
  a.team_id = team->id;
  a.method = "asc_key";
  auto acct = b_.meta->CreateAccount(a, [](int64_t) -> Result<SealedSecret> { return SealedSecret{"b", 1}; });
  ASSERT_TRUE(acct.has_value());
  ReportCheckpoint c{acct->id, "SALES/SUMMARY/DAILY", *Date::ParseIso("2026-01-05"), "pending", 0, 1, 10, "not yet"};
  ASSERT_TRUE(b_.meta->PutCheckpoint(c).ok());
  c.state = "loaded";
  c.rows = 42;
  ASSERT_TRUE(b_.meta->PutCheckpoint(c).ok());
  auto list = b_.meta->ListCheckpoints(acct->id, "SALES/SUMMARY/DAILY", c.report_date, c.report_date);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, "loaded");
  EXPECT_EQ((*list)[0].rows, 42);

  const Date d = *Date::ParseIso("2026-01-05");
  ASSERT_TRUE(b_.meta->PutFxRates({{d, "USD", 108560000}, {d.AddDays(1), "USD", 108000000}}).ok());
  ASSERT_TRUE(b_.meta->PutFxRates({{d, "USD", 109000000}}).ok());
  auto rates = b_.meta->GetFxRates({"USD", "JPY"}, d);
  ASSERT_TRUE(rates.has_value());
  ASSERT_EQ(rates->size(), 1u);
  EXPECT_EQ((*rates)[0].per_eur, 109000000);
  EXPECT_FALSE(b_.meta->PutFxRates({{d, "USD", 0}}).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace orchard::store
