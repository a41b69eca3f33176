// Conformance suite for the storage interfaces. Every backend must pass it; today the
// parameter list holds SQLite only (PostgreSQL/ClickHouse join when they land).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/clock.h"
#include "store/testing/test_database.h"
#include "store/access_store.h"
#include "store/fact_store.h"
#include "store/meta_store.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::store {
namespace {

struct Backend {
  std::unique_ptr<MetaStore> meta;
  std::unique_ptr<FactStore> facts;
  std::unique_ptr<AccessStore> access;
};

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = testing::OpenTestDatabase("orchard-store", &dir_);
    ASSERT_NE(db_, nullptr);
    b_.meta = std::make_unique<sqlite::SqliteMetaStore>(db_, &clock_);
    b_.facts = std::make_unique<sqlite::SqliteFactStore>(db_, &clock_);
    b_.access = std::make_unique<sqlite::SqliteAccessStore>(db_, &clock_);
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
                   const std::vector<SalesFact>& facts, const char* frequency = "DAILY") {
    auto w = b_.facts->BeginSalesReport({team, account, frequency, *Date::ParseIso(day)});
    ASSERT_TRUE(w.has_value()) << w.error().ToString();
    for (const auto& f : facts) ASSERT_TRUE((*w)->Add(f).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }

  // Σ units per product over a scan.
  std::map<std::string, int64_t> UnitsByProduct(SalesScan scan) {
    std::map<std::string, int64_t> out;
    Status st = b_.facts->ScanSales(scan, [&](const SalesRecord& r) {
      out[std::string(r.apple_id)] += r.weight * r.units;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  // A stand-in for a SHA-256 digest: 32 raw bytes, with a NUL inside so that a store that
  // treated hashes as C strings would mix them up.
  static std::string Hash(char c) { return std::string(16, c) + '\0' + std::string(15, c); }

  Team NewTeam(const std::string& name) {
    auto team = b_.access->CreateTeam(name);
    EXPECT_TRUE(team.has_value()) << team.error().ToString();
    return team.value_or(Team{});
  }
  User NewUser(const std::string& email) {
    auto user = b_.access->CreateUser(email, "$argon2id$v=19$m=65536,t=2,p=1$salt$hash");
    EXPECT_TRUE(user.has_value()) << user.error().ToString();
    return user.value_or(User{});
  }
  void Join(const Team& team, const User& user, Role role) {
    Status st = b_.access->PutMembership(team.id, user.id, role);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void NewSession(const std::string& id_hash, const User& user, const Team& team) {
    Session s;
    s.id_hash = id_hash;
    s.csrf_hash = Hash('c');
    s.user_id = user.id;
    s.team_id = team.id;
    s.created_at = clock_.NowSeconds();
    s.last_seen_at = clock_.NowSeconds();
    s.expires_at = clock_.NowSeconds() + 3600;
    Status st = b_.access->CreateSession(s);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ApiToken NewToken(const std::string& token_hash, const User& user, const Team& team) {
    ApiToken t;
    t.token_hash = token_hash;
    t.prefix = "orc_Ab";
    t.user_id = user.id;
    t.team_id = team.id;
    t.name = "ci";
    auto created = b_.access->CreateToken(t);
    EXPECT_TRUE(created.has_value()) << created.error().ToString();
    return created.value_or(ApiToken{});
  }
  Result<LinkedAccount> Link(LinkedAccount a, const std::string& blob = "sealed", uint32_t version = 1) {
    return b_.meta->CreateAccount(a, [&](int64_t) -> Result<SealedSecret> {
      return SealedSecret{blob, version};
    });
  }
  static LinkedAccount AppleIdAccount(int64_t team_id, const std::string& apple_id) {
    LinkedAccount a;
    a.team_id = team_id;
    a.method = "apple-id";
    a.name = "Sub-account " + apple_id;
    a.apple_id = apple_id;
    return a;
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
  a.method = "asc-key";
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

TEST_P(StoreConformanceTest, AProductFilterFindsEveryRowOfEveryProductAskedFor) {
  std::vector<SalesFact> facts;
  const int n = 30'000;  // each product over more than one chunk, interleaved in the report
  for (int i = 0; i < n; ++i) facts.push_back(Fact("2026-02-01", i % 3 == 0 ? "A" : i % 3 == 1 ? "B" : "C", "US", 100));
  WriteReport(1, 1, "2026-02-01", facts);
  SalesScan scan;
  scan.team_id = 1;
  scan.products = {"C", "A"};
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"A", 100 * n / 3}, {"C", 100 * n / 3}}));
  scan.products = {"B"};
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"B", 100 * n / 3}}));
}

TEST_P(StoreConformanceTest, EveryDeliveryOfAReportGetsANewStamp) {
  WriteReport(1, 1, "2026-01-05", {Fact("2026-01-05", "111", "US", 100)});
  WriteReport(1, 1, "2026-01-06", {Fact("2026-01-06", "111", "US", 100)});
  auto before = b_.facts->ListSalesReports(1);
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(before->size(), 2u);
  WriteReport(1, 1, "2026-01-06", {Fact("2026-01-06", "111", "US", 300)});  // revised
  auto after = b_.facts->ListSalesReports(1);
  ASSERT_EQ(after->size(), 2u);
  std::map<std::string, int64_t> stamp_before, stamp_after;
  for (const auto& r : *before) stamp_before[r.report_date.Iso()] = r.stamp;
  for (const auto& r : *after) stamp_after[r.report_date.Iso()] = r.stamp;
  EXPECT_EQ(stamp_after["2026-01-05"], stamp_before["2026-01-05"]);
  EXPECT_GT(stamp_after["2026-01-06"], std::max(stamp_before["2026-01-05"], stamp_before["2026-01-06"]));
  EXPECT_TRUE(b_.facts->ListSalesReports(2)->empty());  // another team's reports are not listed
}

TEST_P(StoreConformanceTest, TheCombinedScanWeighsEachReportAsPlanned) {
  // A monthly report of January (500 units of 111, dated 1 January) and a daily report of
  // 5 January (100 units): the month's rest (400) counts on 1 January, the day on 5 January.
  WriteReport(1, 1, "2026-01-01", {Fact("2026-01-01", "111", "US", 500)}, "MONTHLY");
  WriteReport(1, 1, "2026-01-05", {Fact("2026-01-05", "111", "US", 100)});
  SalesScan scan;
  scan.team_id = 1;
  std::map<std::string, int64_t> by_day;
  ASSERT_TRUE(b_.facts->ScanSales(scan, [&](const SalesRecord& r) {
    by_day[r.day.Iso()] += r.weight * r.units;
  }).ok());
  EXPECT_EQ(by_day, (std::map<std::string, int64_t>{{"2026-01-01", 400}, {"2026-01-05", 100}}));
  scan.frequency = "MONTHLY";  // one frequency: its reports as stored
  by_day.clear();
  ASSERT_TRUE(b_.facts->ScanSales(scan, [&](const SalesRecord& r) {
    by_day[r.day.Iso()] += r.weight * r.units;
  }).ok());
  EXPECT_EQ(by_day, (std::map<std::string, int64_t>{{"2026-01-01", 500}}));
}

TEST_P(StoreConformanceTest, TheFxVersionMovesOnlyWithRatesUpToItsDay) {
  const Date d = *Date::ParseIso("2026-01-05");
  auto v0 = b_.meta->FxVersion(d);
  ASSERT_TRUE(v0.has_value());
  ASSERT_TRUE(b_.meta->PutFxRates({{d, "USD", 108560000}}).ok());
  const int64_t v1 = *b_.meta->FxVersion(d);
  EXPECT_NE(v1, *v0);
  EXPECT_EQ(*b_.meta->FxVersion(d.AddDays(-1)), *v0);  // nothing changed before 5 January
  ASSERT_TRUE(b_.meta->PutFxRates({{d.AddDays(3), "USD", 108000000}}).ok());
  EXPECT_EQ(*b_.meta->FxVersion(d), v1);  // a later day's rate cannot change 5 January's
  ASSERT_TRUE(b_.meta->PutFxRates({{d, "USD", 108560000}}).ok());
  EXPECT_EQ(*b_.meta->FxVersion(d), v1);  // the same rate again changes nothing
  ASSERT_TRUE(b_.meta->PutFxRates({{d, "USD", 109000000}}).ok());
  EXPECT_NE(*b_.meta->FxVersion(d), v1);  // a corrected rate does
}

TEST_P(StoreConformanceTest, CheckpointsAndFxRatesAreUpserted) {
  auto team = b_.meta->EnsureDefaultTeam();
  LinkedAccount a;
  a.team_id = team->id;
  a.method = "asc-key";
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

// ---------------------------------------------------------------- linked accounts (issue 4)

TEST_P(StoreConformanceTest, CreateAccountStoresEveryFieldAndUpdateAccountChangesTheMutableOnes) {
  const Team team = NewTeam("Acme");
  LinkedAccount a;
  a.team_id = team.id;
  a.method = "app-password";
  a.name = "Reporter";
  a.apple_id = "dev@example.com";
  a.vendor_number = "85442109";
  a.client_id = "SEARCHADS.client";
  a.ads_team_id = "SEARCHADS.team";
  a.secret_hint = "wxyz";
  a.status = "pending";
  a.last_error = "two-factor code needed";
  a.capabilities = R"({"sales":true})";
  a.capabilities_at = 1'700'000'000;
  a.expires_at = 1'900'000'000;
  auto created = Link(a);
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  auto got = b_.meta->GetAccount(team.id, created->id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->method, "app-password");
  EXPECT_EQ(got->name, "Reporter");
  EXPECT_EQ(got->apple_id, "dev@example.com");
  EXPECT_EQ(got->vendor_number, "85442109");
  EXPECT_EQ(got->client_id, "SEARCHADS.client");
  EXPECT_EQ(got->ads_team_id, "SEARCHADS.team");
  EXPECT_EQ(got->secret_hint, "wxyz");
  EXPECT_EQ(got->status, "pending");
  EXPECT_EQ(got->last_error, "two-factor code needed");
  EXPECT_EQ(got->capabilities, R"({"sales":true})");
  EXPECT_EQ(got->capabilities_at, 1'700'000'000);
  EXPECT_EQ(got->expires_at, 1'900'000'000);
  EXPECT_EQ(got->created_at, clock_.NowSeconds());

  LinkedAccount change = *got;
  change.status = "active";
  change.last_error = "";
  change.capabilities = R"({"sales":true,"finance":false})";
  change.capabilities_at = 1'800'000'100;
  change.expires_at = 1'950'000'000;
  change.issuer_id = "provider-public-id";
  change.vendor_number = "85442110";
  change.name = "Renamed";
  ASSERT_TRUE(b_.meta->UpdateAccount(change).ok());
  got = b_.meta->GetAccount(team.id, created->id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, "active");
  EXPECT_EQ(got->last_error, "");
  EXPECT_EQ(got->capabilities, R"({"sales":true,"finance":false})");
  EXPECT_EQ(got->capabilities_at, 1'800'000'100);
  EXPECT_EQ(got->expires_at, 1'950'000'000);
  EXPECT_EQ(got->issuer_id, "provider-public-id");
  EXPECT_EQ(got->vendor_number, "85442110");
  EXPECT_EQ(got->name, "Renamed");
  EXPECT_EQ(got->apple_id, "dev@example.com");  // identity is not an updatable field

  // Another team's id: refused, and the account is unchanged.
  change.team_id = team.id + 1;
  change.name = "Hijacked";
  EXPECT_EQ(b_.meta->UpdateAccount(change).code(), Code::kNotFound);
  EXPECT_EQ(b_.meta->GetAccount(team.id, created->id)->name, "Renamed");
}

TEST_P(StoreConformanceTest, AnAccountsIdentityIsPerMethodAndPerTeam) {
  const Team team = NewTeam("Acme");
  const Team other = NewTeam("Other");
  // Two Apple IDs: key_id and vendor_number are both empty, which must not collide.
  ASSERT_TRUE(Link(AppleIdAccount(team.id, "ana@example.com")).has_value());
  ASSERT_TRUE(Link(AppleIdAccount(team.id, "bo@example.com")).has_value());
  // The same Apple ID again (Apple IDs are e-mail addresses: case does not matter).
  auto dup = Link(AppleIdAccount(team.id, "Ana@Example.com"));
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);
  // The same Apple ID with another method, or in another team, is another account.
  LinkedAccount reporter = AppleIdAccount(team.id, "ana@example.com");
  reporter.method = "app-password";
  EXPECT_TRUE(Link(reporter).has_value());
  EXPECT_TRUE(Link(AppleIdAccount(other.id, "ana@example.com")).has_value());

  // asc-key: the key id alone is the identity.
  LinkedAccount key;
  key.team_id = team.id;
  key.method = "asc-key";
  key.key_id = "ABCDEFGHIJ";
  key.vendor_number = "85442109";
  ASSERT_TRUE(Link(key).has_value());
  key.vendor_number = "85442110";
  auto dup_key = Link(key);
  ASSERT_FALSE(dup_key.has_value());
  EXPECT_EQ(dup_key.error().code(), Code::kAlreadyExists);

  // search-ads: the client id.
  LinkedAccount ads;
  ads.team_id = team.id;
  ads.method = "search-ads";
  ads.client_id = "SEARCHADS.1";
  ads.ads_team_id = "SEARCHADS.t1";
  ads.key_id = "k1";
  ASSERT_TRUE(Link(ads).has_value());
  ads.ads_team_id = "SEARCHADS.t2";
  ads.key_id = "k2";
  auto dup_ads = Link(ads);
  ASSERT_FALSE(dup_ads.has_value());
  EXPECT_EQ(dup_ads.error().code(), Code::kAlreadyExists);

  EXPECT_EQ(b_.meta->ListAccounts(team.id)->size(), 5u);
  EXPECT_EQ(b_.meta->ListAccounts(other.id)->size(), 1u);
}

TEST_P(StoreConformanceTest, SecretAndStateAreSealedSeparatelyAndBothCount) {
  const Team team = NewTeam("Acme");
  auto acct = Link(AppleIdAccount(team.id, "ana@example.com"), "password-blob", 1);
  ASSERT_TRUE(acct.has_value());
  EXPECT_EQ(*b_.meta->CountSealedSecrets(), 1);
  // No state yet.
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, acct->id, "state").error().code(), Code::kNotFound);

  int64_t sealed_for = 0;
  Status put = b_.meta->PutAccountSealed(team.id, acct->id, "state",
                                         [&](int64_t row) -> Result<SealedSecret> {
                                           sealed_for = row;
                                           return SealedSecret{"cookie-jar-blob", 2};
                                         });
  ASSERT_TRUE(put.ok()) << put.ToString();
  EXPECT_EQ(sealed_for, acct->id);
  auto state = b_.meta->GetAccountSealed(team.id, acct->id, "state");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->blob, "cookie-jar-blob");
  EXPECT_EQ(state->key_version, 2u);
  auto secret = b_.meta->GetAccountSealed(team.id, acct->id, "secret");
  ASSERT_TRUE(secret.has_value());
  EXPECT_EQ(secret->blob, "password-blob");
  EXPECT_EQ(secret->key_version, 1u);
  EXPECT_EQ(b_.meta->GetAccountSecret(team.id, acct->id)->blob, "password-blob");
  EXPECT_EQ(*b_.meta->CountSealedSecrets(), 2);

  // Replacing the secret leaves the state alone.
  ASSERT_TRUE(b_.meta
                  ->PutAccountSealed(team.id, acct->id, "secret",
                                     [](int64_t) -> Result<SealedSecret> {
                                       return SealedSecret{"new-password-blob", 3};
                                     })
                  .ok());
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, acct->id, "secret")->blob, "new-password-blob");
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, acct->id, "state")->blob, "cookie-jar-blob");

  // A failing seal changes nothing.
  EXPECT_FALSE(b_.meta
                   ->PutAccountSealed(team.id, acct->id, "state",
                                      [](int64_t) -> Result<SealedSecret> {
                                        return Error(Code::kInternal, "seal failed");
                                      })
                   .ok());
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, acct->id, "state")->blob, "cookie-jar-blob");

  // An empty blob clears the state.
  ASSERT_TRUE(b_.meta
                  ->PutAccountSealed(team.id, acct->id, "state",
                                     [](int64_t) -> Result<SealedSecret> { return SealedSecret{}; })
                  .ok());
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, acct->id, "state").error().code(), Code::kNotFound);
  EXPECT_EQ(*b_.meta->CountSealedSecrets(), 1);

  // Another team: kNotFound, and its seal is never asked for. Unknown column: refused.
  bool called = false;
  EXPECT_EQ(b_.meta
                ->PutAccountSealed(team.id + 1, acct->id, "state",
                                   [&](int64_t) -> Result<SealedSecret> {
                                     called = true;
                                     return SealedSecret{"x", 1};
                                   })
                .code(),
            Code::kNotFound);
  EXPECT_FALSE(called);
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id + 1, acct->id, "secret").error().code(),
            Code::kNotFound);
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, acct->id, "name").error().code(),
            Code::kInvalidArgument);
}

// An unlinked account's id is never handed out again: its kept facts, or an old sealed blob
// bound to its row, must never meet a new account (of this team or another).
TEST_P(StoreConformanceTest, AnUnlinkedAccountsIdIsNeverReused) {
  const Team team = NewTeam("Acme");
  const Team other = NewTeam("Beta");
  auto first = Link(AppleIdAccount(team.id, "ana@example.com"));
  ASSERT_TRUE(first.has_value());
  WriteReport(team.id, first->id, "2026-01-05", {Fact("2026-01-05", "111", "US", 500)});
  ASSERT_TRUE(b_.meta->DeleteAccount(team.id, first->id, /*purge_data=*/false).ok());
  auto next = Link(AppleIdAccount(other.id, "bo@example.com"));
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(next->id, first->id);
  // The other team's report of the same day leaves the first team's kept facts alone.
  WriteReport(other.id, next->id, "2026-01-05", {Fact("2026-01-05", "222", "US", 300)});
  SalesScan scan;
  scan.team_id = team.id;
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"111", 500}}));
}

TEST_P(StoreConformanceTest, DeletingAnAccountRemovesItsSealedValuesAndCheckpointsButKeepsFacts) {
  const Team team = NewTeam("Acme");
  auto acct = Link(AppleIdAccount(team.id, "ana@example.com"));
  auto other = Link(AppleIdAccount(team.id, "bo@example.com"));
  ASSERT_TRUE(acct.has_value() && other.has_value());
  ASSERT_TRUE(b_.meta
                  ->PutAccountSealed(team.id, acct->id, "state",
                                     [](int64_t) -> Result<SealedSecret> {
                                       return SealedSecret{"jar", 1};
                                     })
                  .ok());
  EXPECT_EQ(*b_.meta->CountSealedSecrets(), 3);
  const Date day = *Date::ParseIso("2026-01-05");
  ASSERT_TRUE(b_.meta->PutCheckpoint({acct->id, "SALES/SUMMARY/DAILY", day, "loaded", 1, 1, 10, ""}).ok());
  WriteReport(team.id, acct->id, "2026-01-05", {Fact("2026-01-05", "111", "US", 500)});
  WriteReport(team.id, other->id, "2026-01-05", {Fact("2026-01-05", "222", "US", 300)});

  // Another team cannot delete it.
  EXPECT_EQ(b_.meta->DeleteAccount(team.id + 1, acct->id, true).code(), Code::kNotFound);
  ASSERT_TRUE(b_.meta->GetAccount(team.id, acct->id).has_value());

  ASSERT_TRUE(b_.meta->DeleteAccount(team.id, acct->id, false).ok());
  EXPECT_EQ(b_.meta->GetAccount(team.id, acct->id).error().code(), Code::kNotFound);
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, acct->id, "secret").error().code(), Code::kNotFound);
  EXPECT_EQ(*b_.meta->CountSealedSecrets(), 1);  // only the other account's secret
  EXPECT_TRUE(b_.meta->ListCheckpoints(acct->id, "SALES/SUMMARY/DAILY", day, day)->empty());
  SalesScan scan;
  scan.team_id = team.id;
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"111", 500}, {"222", 300}}));
  EXPECT_EQ(b_.meta->DeleteAccount(team.id, acct->id, false).code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, DeletingAnAccountWithPurgeRemovesOnlyItsFacts) {
  const Team team = NewTeam("Acme");
  auto acct = Link(AppleIdAccount(team.id, "ana@example.com"));
  auto other = Link(AppleIdAccount(team.id, "bo@example.com"));
  ASSERT_TRUE(acct.has_value() && other.has_value());
  WriteReport(team.id, acct->id, "2026-01-05", {Fact("2026-01-05", "111", "US", 500)});
  WriteReport(team.id, acct->id, "2026-01-06", {Fact("2026-01-06", "111", "US", 200)});
  WriteReport(team.id, other->id, "2026-01-05", {Fact("2026-01-05", "222", "US", 300)});

  ASSERT_TRUE(b_.meta->DeleteAccount(team.id, acct->id, true).ok());
  SalesScan scan;
  scan.team_id = team.id;
  EXPECT_EQ(UnitsByProduct(scan), (std::map<std::string, int64_t>{{"222", 300}}));
  EXPECT_EQ(b_.meta->GetAccount(team.id, acct->id).error().code(), Code::kNotFound);
  EXPECT_TRUE(b_.meta->GetAccount(team.id, other->id).has_value());
}

TEST_P(StoreConformanceTest, KeyRotationListsOldBlobsAndSwapsOnlyUnchangedOnes) {
  const Team team = NewTeam("Acme");
  auto a = Link(AppleIdAccount(team.id, "ana@example.com"), "a-secret-v1", 1);
  auto b = Link(AppleIdAccount(team.id, "bo@example.com"), "b-secret-v2", 2);
  ASSERT_TRUE(a.has_value() && b.has_value());
  ASSERT_TRUE(b_.meta
                  ->PutAccountSealed(team.id, b->id, "state",
                                     [](int64_t) -> Result<SealedSecret> {
                                       return SealedSecret{"b-state-v1", 1};
                                     })
                  .ok());

  auto below = b_.meta->ListSealedBelow(2, 10);
  ASSERT_TRUE(below.has_value()) << below.error().ToString();
  ASSERT_EQ(below->size(), 2u);
  std::map<std::string, SealedRef> by_blob;
  for (const auto& ref : *below) by_blob[ref.sealed.blob] = ref;
  ASSERT_EQ(by_blob.count("a-secret-v1"), 1u);
  ASSERT_EQ(by_blob.count("b-state-v1"), 1u);
  const SealedRef a_secret = by_blob["a-secret-v1"];
  EXPECT_EQ(a_secret.team_id, team.id);
  EXPECT_EQ(a_secret.table, "linked_accounts");
  EXPECT_EQ(a_secret.column, "secret");
  EXPECT_EQ(a_secret.row_id, a->id);
  EXPECT_EQ(a_secret.sealed.key_version, 1u);
  const SealedRef b_state = by_blob["b-state-v1"];
  EXPECT_EQ(b_state.column, "state");
  EXPECT_EQ(b_state.row_id, b->id);
  EXPECT_EQ(b_.meta->ListSealedBelow(2, 1)->size(), 1u);
  EXPECT_EQ(b_.meta->ListSealedBelow(3, 10)->size(), 3u);
  EXPECT_TRUE(b_.meta->ListSealedBelow(1, 10)->empty());

  ASSERT_TRUE(b_.meta->SwapSealed(a_secret, {"a-secret-v2", 2}).ok());
  auto swapped = b_.meta->GetAccountSealed(team.id, a->id, "secret");
  EXPECT_EQ(swapped->blob, "a-secret-v2");
  EXPECT_EQ(swapped->key_version, 2u);
  // Swapping again from the old blob: it is no longer there.
  EXPECT_EQ(b_.meta->SwapSealed(a_secret, {"a-secret-v2-again", 2}).code(), Code::kAborted);
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, a->id, "secret")->blob, "a-secret-v2");

  // A writer replaces the state between the listing and the swap: the swap must not undo it.
  ASSERT_TRUE(b_.meta
                  ->PutAccountSealed(team.id, b->id, "state",
                                     [](int64_t) -> Result<SealedSecret> {
                                       return SealedSecret{"b-state-fresh", 2};
                                     })
                  .ok());
  EXPECT_EQ(b_.meta->SwapSealed(b_state, {"b-state-rotated", 2}).code(), Code::kAborted);
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, b->id, "state")->blob, "b-state-fresh");
  EXPECT_TRUE(b_.meta->ListSealedBelow(2, 10)->empty());

  // The reference's team is part of the match.
  SealedRef wrong_team = a_secret;
  wrong_team.team_id = team.id + 1;
  wrong_team.sealed.blob = "a-secret-v2";
  EXPECT_EQ(b_.meta->SwapSealed(wrong_team, {"x", 3}).code(), Code::kNotFound);
  EXPECT_EQ(b_.meta->GetAccountSealed(team.id, a->id, "secret")->blob, "a-secret-v2");
}

// ---------------------------------------------------------------- access store

TEST_P(StoreConformanceTest, RoleNamesRoundTripAndParseWithoutCase) {
  for (Role role : {Role::kViewer, Role::kAdmin, Role::kOwner}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(RoleName(Role::kOwner), "owner");
  EXPECT_EQ(ParseRole("Admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("VIEWER"), Role::kViewer);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST_P(StoreConformanceTest, TeamNamesAreUniqueRegardlessOfCase) {
  const Team acme = NewTeam("Acme Apps");
  auto dup = b_.access->CreateTeam("ACME apps");
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);
  auto found = b_.access->FindTeamByName("acme APPS");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, acme.id);
  EXPECT_EQ(found->name, "Acme Apps");
  EXPECT_EQ(b_.access->GetTeam(acme.id)->name, "Acme Apps");
  EXPECT_EQ(b_.access->FindTeamByName("Acme").error().code(), Code::kNotFound);
  EXPECT_EQ(b_.access->GetTeam(acme.id + 100).error().code(), Code::kNotFound);
  EXPECT_EQ(b_.access->ListTeams()->size(), 1u);
}

TEST_P(StoreConformanceTest, EmailsAreStoredLowerCasedAndUniqueRegardlessOfCase) {
  auto user = b_.access->CreateUser("Ana.Silva@Example.COM", "phc-1");
  ASSERT_TRUE(user.has_value()) << user.error().ToString();
  EXPECT_EQ(user->email, "ana.silva@example.com");
  EXPECT_EQ(user->password_hash, "phc-1");
  EXPECT_EQ(user->created_at, clock_.NowSeconds());
  auto dup = b_.access->CreateUser("ana.silva@example.com", "phc-2");
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);
  auto found = b_.access->FindUserByEmail("ANA.SILVA@example.com");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, user->id);
  EXPECT_EQ(b_.access->FindUserByEmail("bo@example.com").error().code(), Code::kNotFound);

  clock_.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(b_.access->SetPasswordHash(user->id, "phc-3").ok());
  Preferences prefs;
  prefs.currency = "EUR";
  prefs.time_zone = "Europe/Lisbon";
  prefs.date_format = "DD/MM/YYYY";
  ASSERT_TRUE(b_.access->SetPreferences(user->id, prefs).ok());
  auto got = b_.access->GetUser(user->id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->password_hash, "phc-3");
  EXPECT_EQ(got->password_changed_at, clock_.NowSeconds());
  EXPECT_EQ(got->created_at, clock_.NowSeconds() - 60);
  EXPECT_EQ(got->preferences.currency, "EUR");
  EXPECT_EQ(got->preferences.time_zone, "Europe/Lisbon");
  EXPECT_EQ(got->preferences.date_format, "DD/MM/YYYY");
  EXPECT_EQ(b_.access->SetPasswordHash(user->id + 100, "x").code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, MembershipListsCarryTeamNamesAndEmails) {
  const Team zeta = NewTeam("zeta");
  const Team alpha = NewTeam("Alpha");
  const User bo = NewUser("bo@example.com");
  const User ana = NewUser("ana@example.com");
  Join(zeta, bo, Role::kOwner);
  Join(zeta, ana, Role::kViewer);
  Join(alpha, ana, Role::kAdmin);

  auto members = b_.access->ListMembers(zeta.id);
  ASSERT_TRUE(members.has_value());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].email, "ana@example.com");
  EXPECT_EQ((*members)[0].role, Role::kViewer);
  EXPECT_EQ((*members)[0].team_name, "zeta");
  EXPECT_EQ((*members)[1].email, "bo@example.com");
  EXPECT_EQ((*members)[1].role, Role::kOwner);

  auto teams = b_.access->ListTeamsOfUser(ana.id);
  ASSERT_TRUE(teams.has_value());
  ASSERT_EQ(teams->size(), 2u);
  EXPECT_EQ((*teams)[0].team_name, "Alpha");
  EXPECT_EQ((*teams)[0].role, Role::kAdmin);
  EXPECT_EQ((*teams)[0].email, "ana@example.com");
  EXPECT_EQ((*teams)[1].team_name, "zeta");

  auto m = b_.access->GetMembership(alpha.id, ana.id);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->role, Role::kAdmin);
  EXPECT_EQ(m->team_name, "Alpha");
  EXPECT_EQ(m->email, "ana@example.com");
  EXPECT_EQ(b_.access->GetMembership(alpha.id, bo.id).error().code(), Code::kNotFound);
  // A membership of a user or team that does not exist is refused as not found.
  EXPECT_EQ(b_.access->PutMembership(alpha.id, bo.id + 100, Role::kViewer).code(), Code::kNotFound);
  EXPECT_EQ(b_.access->PutMembership(alpha.id + 100, bo.id, Role::kViewer).code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, TheLastOwnerCanBeNeitherRemovedNorDemoted) {
  const Team team = NewTeam("Acme");
  const User owner = NewUser("owner@example.com");
  const User admin = NewUser("admin@example.com");
  Join(team, owner, Role::kOwner);
  Join(team, admin, Role::kAdmin);
  NewSession(Hash('o'), owner, team);
  NewToken(Hash('t'), owner, team);

  Status removed = b_.access->RemoveMembership(team.id, owner.id);
  EXPECT_EQ(removed.code(), Code::kFailedPrecondition);
  EXPECT_NE(removed.message().find("last Owner"), std::string::npos) << removed.message();
  Status demoted = b_.access->PutMembership(team.id, owner.id, Role::kAdmin);
  EXPECT_EQ(demoted.code(), Code::kFailedPrecondition);
  EXPECT_NE(demoted.message().find("last Owner"), std::string::npos) << demoted.message();
  // Nothing of the refused removal happened.
  EXPECT_EQ(b_.access->GetMembership(team.id, owner.id)->role, Role::kOwner);
  EXPECT_TRUE(b_.access->FindSession(Hash('o')).has_value());
  EXPECT_EQ(b_.access->FindToken(Hash('t'))->revoked_at, 0);
  // Re-affirming the Owner is not a demotion.
  EXPECT_TRUE(b_.access->PutMembership(team.id, owner.id, Role::kOwner).ok());

  // With a second Owner, the first may step down, and then the second is the last.
  Join(team, admin, Role::kOwner);
  ASSERT_TRUE(b_.access->PutMembership(team.id, owner.id, Role::kViewer).ok());
  EXPECT_EQ(b_.access->RemoveMembership(team.id, admin.id).code(), Code::kFailedPrecondition);
  EXPECT_EQ(b_.access->PutMembership(team.id, admin.id, Role::kViewer).code(),
            Code::kFailedPrecondition);
  ASSERT_TRUE(b_.access->RemoveMembership(team.id, owner.id).ok());
  EXPECT_EQ(b_.access->GetMembership(team.id, owner.id).error().code(), Code::kNotFound);
  EXPECT_EQ(b_.access->RemoveMembership(team.id, owner.id).code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, RemovingAMemberEndsTheirSessionsAndTokensInThatTeamOnly) {
  const Team team = NewTeam("Acme");
  const Team elsewhere = NewTeam("Elsewhere");
  const User owner = NewUser("owner@example.com");
  const User member = NewUser("member@example.com");
  Join(team, owner, Role::kOwner);
  Join(elsewhere, owner, Role::kOwner);
  Join(team, member, Role::kAdmin);
  Join(elsewhere, member, Role::kViewer);
  NewSession(Hash('1'), member, team);
  NewSession(Hash('2'), member, elsewhere);
  NewSession(Hash('3'), owner, team);
  const ApiToken in_team = NewToken(Hash('a'), member, team);
  NewToken(Hash('b'), member, elsewhere);
  const ApiToken owners = NewToken(Hash('c'), owner, team);

  clock_.Advance(std::chrono::seconds(90));
  ASSERT_TRUE(b_.access->RemoveMembership(team.id, member.id).ok());

  EXPECT_EQ(b_.access->FindSession(Hash('1')).error().code(), Code::kNotFound);
  EXPECT_TRUE(b_.access->FindSession(Hash('2')).has_value());
  EXPECT_TRUE(b_.access->FindSession(Hash('3')).has_value());
  EXPECT_EQ(b_.access->FindToken(Hash('a'))->revoked_at, clock_.NowSeconds());
  EXPECT_EQ(b_.access->FindToken(Hash('b'))->revoked_at, 0);
  EXPECT_EQ(b_.access->FindToken(Hash('c'))->revoked_at, 0);
  EXPECT_TRUE(b_.access->GetMembership(elsewhere.id, member.id).has_value());
  // The revoked token stays listed.
  auto tokens = b_.access->ListTokens(team.id);
  ASSERT_TRUE(tokens.has_value());
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].id, in_team.id);
  EXPECT_NE((*tokens)[0].revoked_at, 0);
  EXPECT_EQ((*tokens)[1].id, owners.id);
}

TEST_P(StoreConformanceTest, SessionsAreFoundByHashMovedBetweenTeamsAndExpired) {
  const Team team = NewTeam("Acme");
  const Team other = NewTeam("Other");
  const User ana = NewUser("ana@example.com");
  Session s;
  s.id_hash = Hash('s');
  s.csrf_hash = Hash('x');
  s.user_id = ana.id;
  s.team_id = 0;  // not in any team yet
  s.created_at = 1000;
  s.last_seen_at = 1000;
  s.expires_at = 5000;
  s.address = "192.0.2.1";
  s.user_agent = "curl/8";
  ASSERT_TRUE(b_.access->CreateSession(s).ok());
  auto found = b_.access->FindSession(Hash('s'));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id_hash, Hash('s'));
  EXPECT_EQ(found->csrf_hash, Hash('x'));
  EXPECT_EQ(found->user_id, ana.id);
  EXPECT_EQ(found->team_id, 0);
  EXPECT_EQ(found->expires_at, 5000);
  EXPECT_EQ(found->address, "192.0.2.1");
  EXPECT_EQ(found->user_agent, "curl/8");
  // A hash that differs only after the NUL byte is another session.
  std::string near = Hash('s');
  near.back() = 'z';
  EXPECT_EQ(b_.access->FindSession(near).error().code(), Code::kNotFound);
  EXPECT_EQ(b_.access->FindSession(Hash('?')).error().code(), Code::kNotFound);
  EXPECT_EQ(b_.access->TouchSession(Hash('?'), 1).code(), Code::kNotFound);

  ASSERT_TRUE(b_.access->SetSessionTeam(Hash('s'), team.id).ok());
  EXPECT_EQ(b_.access->FindSession(Hash('s'))->team_id, team.id);
  ASSERT_TRUE(b_.access->SetSessionTeam(Hash('s'), other.id).ok());
  EXPECT_EQ(b_.access->FindSession(Hash('s'))->team_id, other.id);
  ASSERT_TRUE(b_.access->TouchSession(Hash('s'), 2000).ok());
  EXPECT_EQ(b_.access->FindSession(Hash('s'))->last_seen_at, 2000);

  // Idle: last seen 2000 + 1000 s idle allowance ends at 3000. Absolute: 5000.
  s.id_hash = Hash('t');
  s.last_seen_at = 2900;
  s.expires_at = 3100;
  ASSERT_TRUE(b_.access->CreateSession(s).ok());
  ASSERT_TRUE(b_.access->DeleteExpiredSessions(2999, 1000).ok());
  EXPECT_TRUE(b_.access->FindSession(Hash('s')).has_value());
  ASSERT_TRUE(b_.access->DeleteExpiredSessions(3000, 1000).ok());
  EXPECT_EQ(b_.access->FindSession(Hash('s')).error().code(), Code::kNotFound);  // idle
  EXPECT_TRUE(b_.access->FindSession(Hash('t')).has_value());
  ASSERT_TRUE(b_.access->DeleteExpiredSessions(3100, 100000).ok());
  EXPECT_EQ(b_.access->FindSession(Hash('t')).error().code(), Code::kNotFound);  // absolute

  s.id_hash = Hash('u');
  s.expires_at = 9000;
  ASSERT_TRUE(b_.access->CreateSession(s).ok());
  s.id_hash = Hash('v');
  ASSERT_TRUE(b_.access->CreateSession(s).ok());
  ASSERT_TRUE(b_.access->DeleteSession(Hash('u')).ok());
  EXPECT_EQ(b_.access->FindSession(Hash('u')).error().code(), Code::kNotFound);
  EXPECT_TRUE(b_.access->FindSession(Hash('v')).has_value());
  ASSERT_TRUE(b_.access->DeleteSessionsOfUser(ana.id).ok());
  EXPECT_EQ(b_.access->FindSession(Hash('v')).error().code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, TokensAreFoundByHashAndRevokedOnlyByTheirTeam) {
  const Team team = NewTeam("Acme");
  const Team other = NewTeam("Other");
  const User ana = NewUser("Ana@Example.com");
  Join(team, ana, Role::kOwner);
  ApiToken t;
  t.token_hash = Hash('k');
  t.prefix = "orc_AbCd";
  t.user_id = ana.id;
  t.team_id = team.id;
  t.name = "ci";
  t.expires_at = 1'900'000'000;
  auto created = b_.access->CreateToken(t);
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_NE(created->id, 0);
  EXPECT_EQ(created->email, "ana@example.com");
  EXPECT_EQ(created->created_at, clock_.NowSeconds());
  auto dup = b_.access->CreateToken(t);
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);

  auto found = b_.access->FindToken(Hash('k'));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, created->id);
  EXPECT_EQ(found->token_hash, Hash('k'));
  EXPECT_EQ(found->prefix, "orc_AbCd");
  EXPECT_EQ(found->team_id, team.id);
  EXPECT_EQ(found->name, "ci");
  EXPECT_EQ(found->email, "ana@example.com");
  EXPECT_EQ(found->expires_at, 1'900'000'000);
  EXPECT_EQ(b_.access->FindToken(Hash('?')).error().code(), Code::kNotFound);

  ASSERT_TRUE(b_.access->TouchToken(created->id, 1'800'000'500).ok());
  EXPECT_EQ(b_.access->FindToken(Hash('k'))->last_used_at, 1'800'000'500);
  EXPECT_EQ(b_.access->TouchToken(created->id + 100, 1).code(), Code::kNotFound);

  // Another team cannot revoke it (nor learn that it exists).
  EXPECT_EQ(b_.access->RevokeToken(other.id, created->id, 1'800'000'600).code(), Code::kNotFound);
  EXPECT_EQ(b_.access->FindToken(Hash('k'))->revoked_at, 0);
  EXPECT_TRUE(b_.access->ListTokens(other.id)->empty());
  ASSERT_TRUE(b_.access->RevokeToken(team.id, created->id, 1'800'000'600).ok());
  ASSERT_TRUE(b_.access->RevokeToken(team.id, created->id, 1'800'000'700).ok());
  EXPECT_EQ(b_.access->FindToken(Hash('k'))->revoked_at, 1'800'000'600);
  ASSERT_EQ(b_.access->ListTokens(team.id)->size(), 1u);
  EXPECT_EQ(b_.access->ListTokens(team.id)->front().email, "ana@example.com");
}

TEST_P(StoreConformanceTest, TheAuditLogIsPerTeamAndNewestFirst) {
  const Team team = NewTeam("Acme");
  const Team other = NewTeam("Other");
  for (int i = 1; i <= 3; ++i) {
    AuditEvent e;
    e.team_id = team.id;
    e.actor = "ana@example.com";
    e.action = "account.link";
    e.target = "account:" + std::to_string(i);
    e.address = "192.0.2.1";
    e.detail = "linked";
    e.at = 1000 + i;
    ASSERT_TRUE(b_.access->AppendAudit(e).ok());
  }
  AuditEvent foreign;
  foreign.team_id = other.id;
  foreign.action = "member.role";
  ASSERT_TRUE(b_.access->AppendAudit(foreign).ok());
  AuditEvent no_team;
  no_team.actor = "system";
  no_team.action = "session.login_failed";
  ASSERT_TRUE(b_.access->AppendAudit(no_team).ok());

  auto events = b_.access->ListAudit(team.id, 10);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].target, "account:3");
  EXPECT_EQ((*events)[0].at, 1003);
  EXPECT_EQ((*events)[0].actor, "ana@example.com");
  EXPECT_EQ((*events)[0].address, "192.0.2.1");
  EXPECT_EQ((*events)[0].detail, "linked");
  EXPECT_EQ((*events)[2].target, "account:1");
  EXPECT_EQ(b_.access->ListAudit(team.id, 2)->size(), 2u);
  ASSERT_EQ(b_.access->ListAudit(other.id, 10)->size(), 1u);
  EXPECT_EQ(b_.access->ListAudit(other.id, 10)->front().at, clock_.NowSeconds());
  ASSERT_EQ(b_.access->ListAudit(0, 10)->size(), 1u);
  EXPECT_EQ(b_.access->ListAudit(0, 10)->front().action, "session.login_failed");
}

TEST_P(StoreConformanceTest, NotificationsArePerMemberNewestFirstAndMarkedReadOnlyByThem) {
  const Team team = NewTeam("Acme");
  const Team other = NewTeam("Other");
  const User ana = NewUser("ana@example.com");
  const User bo = NewUser("bo@example.com");
  Notification from_bo;
  from_bo.team_id = team.id;
  from_bo.user_id = ana.id;
  from_bo.from_user_id = bo.id;
  from_bo.kind = "link_request";
  from_bo.message = "please link the Search Ads account";
  auto first = b_.access->AddNotification(from_bo);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->from_email, "bo@example.com");
  EXPECT_EQ(first->created_at, clock_.NowSeconds());
  Notification system;
  system.team_id = team.id;
  system.user_id = ana.id;
  system.kind = "account_needs_refresh";
  system.message = "the Apple ID session ends in 3 days";
  auto second = b_.access->AddNotification(system);
  ASSERT_TRUE(second.has_value());
  Notification for_bo = system;
  for_bo.user_id = bo.id;
  ASSERT_TRUE(b_.access->AddNotification(for_bo).has_value());

  auto list = b_.access->ListNotifications(team.id, ana.id);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, second->id);
  EXPECT_EQ((*list)[0].from_user_id, 0);
  EXPECT_EQ((*list)[0].from_email, "");
  EXPECT_EQ((*list)[0].kind, "account_needs_refresh");
  EXPECT_EQ((*list)[1].id, first->id);
  EXPECT_EQ((*list)[1].from_email, "bo@example.com");
  EXPECT_EQ((*list)[1].message, "please link the Search Ads account");
  EXPECT_TRUE(b_.access->ListNotifications(other.id, ana.id)->empty());

  // Another team, or another member, cannot mark it read.
  EXPECT_EQ(b_.access->MarkNotificationRead(other.id, ana.id, first->id, 5000).code(),
            Code::kNotFound);
  EXPECT_EQ(b_.access->MarkNotificationRead(team.id, bo.id, first->id, 5000).code(),
            Code::kNotFound);
  EXPECT_EQ(b_.access->ListNotifications(team.id, ana.id)->back().read_at, 0);
  ASSERT_TRUE(b_.access->MarkNotificationRead(team.id, ana.id, first->id, 5000).ok());
  ASSERT_TRUE(b_.access->MarkNotificationRead(team.id, ana.id, first->id, 6000).ok());
  EXPECT_EQ(b_.access->ListNotifications(team.id, ana.id)->back().read_at, 5000);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace orchard::store
