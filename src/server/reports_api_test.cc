// The report endpoints, health, metrics and the OpenAPI document, through real HTTP on loopback
// with a temporary SQLite data dir and a fake clock.
//
// Every expected figure is worked out by hand from the fixture below (see the comments next to
// it); none comes from running the code under test.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/clock.h"
#include "core/decimal.h"
#include "core/metrics.h"
#include "server/api_server.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::server {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

struct FactRow {
  const char* day;
  const char* product;
  const char* title;
  const char* parent;  // Parent Identifier ("" for apps)
  const char* pti;
  const char* country;
  const char* device;
  const char* currency;  // customer and proceeds currency
  int64_t units;
  const char* proceeds;  // per unit
  const char* price;     // per unit
};

// Team alpha (2026-05-04 is a Monday). Rates per EUR from 2026-05-01: USD 1.10, GBP 0.85.
//   05-04 US  10 downloads × 0.70 USD          revenue  7.00 USD   gross  9.90
//   05-04 GB   4 downloads × 0.60 GBP          revenue  2.40 GBP = 2.40 × 1.10 / 0.85 USD
//                                              = 3.105882… USD;     gross 3.56 GBP = 4.607058… USD
//   05-05 US   3 in-app purchases × 1.40 USD   revenue  4.20 USD   gross  5.97
//   05-11 US  20 updates (free)
//   05-11 US   1 refund × 0.70 USD             revenue −0.70 USD   gross −0.99, returns_amount 0.70
// By country in USD: GB downloads 4, revenue 3.11, gross 4.61;
//                    US downloads 10, updates 20, returns 1, iap 3, revenue 10.50, gross 14.88.
// Totals: downloads 14, revenue 13.605882… → 13.61, gross 19.487058… → 19.49.
const FactRow kAlpha[] = {
    {"2026-05-04", "100", "Alpha Photo", "", "1", "US", "iPhone", "USD", 10, "0.70", "0.99"},
    {"2026-05-04", "100", "Alpha Photo", "", "1", "GB", "iPad", "GBP", 4, "0.60", "0.89"},
    {"2026-05-05", "101", "Alpha Coins", "ALPHA.PHOTO", "IA1", "US", "iPhone", "USD", 3, "1.40",
     "1.99"},
    {"2026-05-11", "100", "Alpha Photo", "", "7", "US", "iPhone", "USD", 20, "0", "0"},
    {"2026-05-11", "100", "Alpha Photo", "", "1", "US", "iPhone", "USD", -1, "0.70", "-0.99"},
};
// Team bravo: never visible to alpha.
const FactRow kBravo[] = {
    {"2026-05-04", "999", "Bravo Secret App", "", "1", "BR", "iPhone", "USD", 1000, "5.00", "7.99"},
};

constexpr int64_t kAlphaAccount = 101;
constexpr int64_t kBravoAccount = 202;

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  Json Parsed() const { return Json::parse(body, nullptr, false); }
};

class ReportsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("orchard-reports-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_path_ = dir_ / "orchard.db";
    auto db = store::sqlite::Database::Open(db_path_);
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, &clock_);
    access_ = std::make_unique<store::sqlite::SqliteAccessStore>(db_, &clock_);
    facts_ = std::make_unique<store::sqlite::SqliteFactStore>(db_, &clock_);
    alpha_ = access_->CreateTeam("alpha team")->id;
    bravo_ = access_->CreateTeam("bravo team")->id;
    alpha_viewer_ = Member(alpha_, "viewer@alpha.example", store::Role::kViewer);
    alpha_owner_ = Member(alpha_, "owner@alpha.example", store::Role::kOwner);
    bravo_viewer_ = Member(bravo_, "viewer@bravo.example", store::Role::kViewer);
    WriteFacts(*facts_, alpha_, kAlphaAccount, kAlpha);
    WriteFacts(*facts_, bravo_, kBravoAccount, kBravo);
    const Date may1 = *Date::ParseIso("2026-05-01");
    ASSERT_TRUE(meta_->PutFxRates({{may1, "USD", 110'000'000}, {may1, "GBP", 85'000'000}}).ok());
    StartServer("USD");
  }

  void TearDown() override {
    server_.reset();
    facts_.reset();
    access_.reset();
    meta_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  void StartServer(const std::string& default_currency, ServerOptions options = {}) {
    server_.reset();
    options.host = "127.0.0.1";
    options.port = 0;
    ServerDeps deps{meta_.get(), access_.get(), nullptr, &clock_, false};
    deps.facts = facts_.get();
    deps.default_currency = default_currency;
    server_ = std::make_unique<ApiServer>(deps, options);
    ASSERT_TRUE(server_->Start().ok());
  }

  // A member with an API token; returns the raw token.
  std::string Member(int64_t team, const std::string& email, store::Role role) {
    auto user = access_->CreateUser(email, "$argon2id$unused");
    EXPECT_TRUE(user.has_value()) << user.error().ToString();
    EXPECT_TRUE(access_->PutMembership(team, user->id, role).ok());
    users_[email] = user->id;
    const std::string raw = NewOpaqueToken("orc_");
    store::ApiToken t;
    t.token_hash = TokenHash(raw);
    t.prefix = raw.substr(0, 8);
    t.user_id = user->id;
    t.team_id = team;
    t.name = email;
    t.created_at = clock_.NowSeconds();
    EXPECT_TRUE(access_->CreateToken(t).has_value());
    return raw;
  }

  template <size_t N>
  static void WriteFacts(store::FactStore& facts, int64_t team, int64_t account,
                         const FactRow (&rows)[N]) {
    std::set<std::string> days;
    for (const FactRow& r : rows) days.insert(r.day);
    for (const std::string& day : days) {
      auto w = facts.BeginSalesReport({team, account, "DAILY", *Date::ParseIso(day)});
      ASSERT_TRUE(w.has_value()) << w.error().ToString();
      for (const FactRow& r : rows) {
        if (r.day != day) continue;
        const std::string sku =
            std::string(r.product) == "101" ? "ALPHA.COINS" : "SKU" + std::string(r.product);
        store::SalesFact f;  // views, read during Add()
        f.day = *Date::ParseIso(r.day);
        f.apple_id = r.product;
        f.sku = sku;
        f.title = r.title;
        f.parent_id = r.parent;
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
  }

  Reply Get(const std::string& path, const std::string& token, const httplib::Headers& extra = {}) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(60, 0);
    httplib::Headers h = extra;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    auto res = client.Get(path, h);
    Reply r;
    if (!res) {
      ADD_FAILURE() << "GET " << path << ": no answer";
      return r;
    }
    r.status = res->status;
    r.body = res->body;
    r.headers = res->headers;
    return r;
  }

  static double Queries() {
    return metrics::Registry::Global().Value("orchard_report_queries_total", {{"report", "sales"}});
  }

  // Rows of a JSON answer by their first cell.
  static std::map<std::string, Json> RowsByKey(const Json& doc) {
    std::map<std::string, Json> out;
    for (const auto& row : doc["rows"]) out[row[0].get<std::string>()] = row;
    return out;
  }

  // A cell of a row by column name. (Parsed numbers lose trailing zeros: the exact decimal
  // text is checked on the raw bodies.)
  static Json Cell(const Json& doc, const Json& row, const std::string& column) {
    const auto& cols = doc["columns"];
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i] == column) return row[i];
    }
    ADD_FAILURE() << "no column " << column;
    return nullptr;
  }

  fs::path dir_;
  fs::path db_path_;
  // 2026-06-15 12:00 UTC = 05:00 in Los Angeles, still 15 June there.
  FakeClock clock_{std::chrono::sys_days(std::chrono::year(2026) / 6 / 15) +
                   std::chrono::hours(12)};
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteAccessStore> access_;
  std::unique_ptr<store::sqlite::SqliteFactStore> facts_;
  std::unique_ptr<ApiServer> server_;
  int64_t alpha_ = 0, bravo_ = 0;
  std::string alpha_viewer_, alpha_owner_, bravo_viewer_;
  std::map<std::string, int64_t> users_;
};

constexpr const char* kMay = "/api/v1/reports/sales?start_date=2026-05-01&end_date=2026-05-31";

TEST_F(ReportsApiTest, AViewerReadsTheTeamsSalesByCountryAsJson) {
  const Reply r = Get(std::string(kMay) + "&group_by=country", alpha_viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  const Json doc = r.Parsed();
  ASSERT_TRUE(doc.is_object()) << r.body;
  EXPECT_EQ(doc["query"],
            Json::parse(R"({"report":"sales","start_date":"2026-05-01","end_date":"2026-05-31",)"
                        R"("granularity":"daily","group_by":["country"],"products":[],)"
                        R"("countries":[],"currency":"USD","format":"json"})"));
  EXPECT_EQ(doc["columns"],
            Json::parse(R"(["country","downloads","redownloads","updates","returns","iap",)"
                        R"("revenue","gross_revenue","other_units","returns_amount"])"));
  // Exact decimal text, as worked out at the top of this file.
  EXPECT_NE(r.body.find(R"(["GB",4,0,0,0,0,3.11,4.61,0,0.00])"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"(["US",10,0,20,1,3,10.50,14.88,0,0.70])"), std::string::npos) << r.body;
  EXPECT_EQ(doc["rows"].size(), 2u);
  EXPECT_NE(r.body.find(R"("totals":{"downloads":14,"redownloads":0,"updates":20,"returns":1,)"
                        R"("iap":3,"revenue":13.61,"gross_revenue":19.49,"other_units":0,)"
                        R"("returns_amount":0.70})"),
            std::string::npos)
      << r.body;
}

// Converted per day at the rate on or before it: in EUR, US revenue is
// 7.00/1.1 + 4.20/1.1 − 0.70/1.1 = 9.5454… → 9.55; GB's 2.40 GBP / 0.85 = 2.8235… → 2.82.
TEST_F(ReportsApiTest, AmountsAreConvertedToTheRequestedCurrency) {
  const Reply r = Get(std::string(kMay) + "&group_by=country&currency=eur", alpha_viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = r.Parsed();
  EXPECT_EQ(doc["query"]["currency"], "EUR");
  auto rows = RowsByKey(doc);
  EXPECT_EQ(Cell(doc, rows["US"], "revenue"), Json::parse("9.55"));
  EXPECT_EQ(Cell(doc, rows["GB"], "revenue"), Json::parse("2.82"));
}

// Weekly periods start on Monday: 05-04 and 05-05 fall in the week of 05-04, 05-11 in its own.
// Week of 05-04 revenue: 7.00 + 3.105882… + 4.20 = 14.305882… → 14.31.
TEST_F(ReportsApiTest, WeeklyDatesAreTheMondayOfEachWeek) {
  const Reply r = Get(std::string(kMay) + "&group_by=date&granularity=weekly", alpha_viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = r.Parsed();
  auto rows = RowsByKey(doc);
  ASSERT_EQ(rows.size(), 2u) << r.body;
  EXPECT_EQ(Cell(doc, rows["2026-05-04"], "downloads"), Json::parse("14"));
  EXPECT_EQ(Cell(doc, rows["2026-05-04"], "iap"), Json::parse("3"));
  EXPECT_EQ(Cell(doc, rows["2026-05-04"], "revenue"), Json::parse("14.31"));
  EXPECT_EQ(Cell(doc, rows["2026-05-11"], "updates"), Json::parse("20"));
  EXPECT_EQ(Cell(doc, rows["2026-05-11"], "returns"), Json::parse("1"));
  EXPECT_EQ(Cell(doc, rows["2026-05-11"], "revenue"), Json::parse("-0.70"));
  EXPECT_NE(r.body.find(R"(["2026-05-11",0,0,20,1,0,-0.70,-0.99,0,0.70])"), std::string::npos)
      << r.body;
}

TEST_F(ReportsApiTest, CsvHasAHeaderRowAndIsAnAttachment) {
  const Reply r = Get(std::string(kMay) + "&group_by=country,device&format=csv", alpha_owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.Header("Content-Disposition"),
            "attachment; filename=\"sales-2026-05-01-to-2026-05-31.csv\"");
  EXPECT_EQ(r.body,
            "country,device,downloads,redownloads,updates,returns,iap,revenue,gross_revenue,"
            "other_units,returns_amount\n"
            "GB,iPad,4,0,0,0,0,3.11,4.61,0,0.00\n"
            "US,iPhone,10,0,20,1,3,10.50,14.88,0,0.70\n");
}

TEST_F(ReportsApiTest, WithoutCredentialsItIs401) {
  for (const char* path : {"/api/v1/reports/sales", "/api/v1/products"}) {
    const Reply anonymous = Get(path, "");
    EXPECT_EQ(anonymous.status, 401) << path << " " << anonymous.body;
    EXPECT_EQ(anonymous.body.find("Alpha"), std::string::npos);
    EXPECT_EQ(Get(path, "orc_not-a-real-token").status, 401) << path;
  }
}

// Same query, two teams: each sees only its own data, also from the cache.
TEST_F(ReportsApiTest, AnotherTeamsDataIsNeverVisible) {
  const std::string all_time = "/api/v1/reports/sales?group_by=product,country";
  for (int round = 0; round < 2; ++round) {  // the second round is answered from the cache
    const Reply alpha = Get(all_time, alpha_viewer_);
    const Reply bravo = Get(all_time, bravo_viewer_);
    ASSERT_EQ(alpha.status, 200);
    ASSERT_EQ(bravo.status, 200);
    for (const char* theirs : {"999", "Bravo", "BR", "1000"}) {
      EXPECT_EQ(alpha.body.find(theirs), std::string::npos) << theirs << " in " << alpha.body;
    }
    for (const char* theirs : {"Alpha", "\"100\"", "\"GB\"", "\"US\""}) {
      EXPECT_EQ(bravo.body.find(theirs), std::string::npos) << theirs << " in " << bravo.body;
    }
    EXPECT_NE(bravo.body.find(R"("revenue":5000.00,)"), std::string::npos) << bravo.body;
    EXPECT_NE(alpha.body.find(R"("revenue":13.61,)"), std::string::npos) << alpha.body;
  }
  // Filtering on the other team's product or storefront finds nothing.
  const Reply probe = Get("/api/v1/reports/sales?products=999&countries=BR", alpha_viewer_);
  ASSERT_EQ(probe.status, 200);
  EXPECT_EQ(probe.Parsed()["rows"], Json::array()) << probe.body;
  EXPECT_EQ(probe.Parsed()["totals"]["downloads"], 0);
  // A team id in the query is not a parameter: refused, not obeyed.
  const Reply forged =
      Get("/api/v1/reports/sales?team_id=" + std::to_string(bravo_), alpha_viewer_);
  EXPECT_EQ(forged.status, 400) << forged.body;
  // Products, likewise.
  const Reply products = Get("/api/v1/products", alpha_viewer_);
  ASSERT_EQ(products.status, 200);
  EXPECT_EQ(products.body.find("999"), std::string::npos) << products.body;
  EXPECT_EQ(products.body.find("Bravo"), std::string::npos) << products.body;
}

TEST_F(ReportsApiTest, ProductsAreTheTeamsAppsAndInAppPurchases) {
  const Reply r = Get("/api/v1/products", alpha_viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = r.Parsed();
  std::map<std::string, Json> by_id;
  for (const auto& p : doc["products"]) by_id[p["apple_id"].get<std::string>()] = p;
  ASSERT_EQ(by_id.size(), 2u) << r.body;
  EXPECT_EQ(by_id["100"]["title"], "Alpha Photo");
  EXPECT_EQ(by_id["100"]["sku"], "SKU100");
  EXPECT_EQ(by_id["100"]["parent_id"], "");
  EXPECT_EQ(by_id["100"]["kind"], "app");
  EXPECT_EQ(by_id["101"]["title"], "Alpha Coins");
  EXPECT_EQ(by_id["101"]["parent_id"], "ALPHA.PHOTO");
  EXPECT_EQ(by_id["101"]["product_type"], "IA1");
  EXPECT_EQ(by_id["101"]["kind"], "in_app");
}

TEST_F(ReportsApiTest, ProductsCarryTheCatalogFormerNamesAndParentApps) {
  // /v1/apps knows app 100 under a new name, with its bundle id and platforms, and an app 102
  // that has not sold yet; app 100 was called "Alpha Photo" in the reports before.
  store::CatalogApp renamed{"100", "Alpha Camera", "com.alpha.photo", "ALPHA.PHOTO", "IOS,MAC_OS", "en-US", 0, 0};
  store::CatalogApp unsold{"102", "Alpha Notes", "com.alpha.notes", "ALPHA.NOTES", "IOS", "en-US", 0, 0};
  ASSERT_TRUE(meta_->NoteProductNames(alpha_, {{"100", "Alpha Photo", 1, 1}}).ok());
  ASSERT_TRUE(meta_->PutCatalogApps(alpha_, {renamed, unsold}, 2).ok());
  const Reply r = Get("/api/v1/products", alpha_viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = r.Parsed();
  std::map<std::string, Json> by_id;
  for (const auto& p : doc["products"]) by_id[p["apple_id"].get<std::string>()] = p;
  ASSERT_EQ(by_id.size(), 3u) << r.body;
  EXPECT_EQ(by_id["100"]["title"], "Alpha Camera");
  EXPECT_EQ(by_id["100"]["former_names"], Json::array({"Alpha Photo"}));
  EXPECT_EQ(by_id["100"]["bundle_id"], "com.alpha.photo");
  EXPECT_EQ(by_id["100"]["platforms"], Json::array({"IOS", "MAC_OS"}));
  // The in-app purchase's Parent Identifier is its app's SKU: resolved to the app's Apple ID.
  EXPECT_EQ(by_id["101"]["parent_apple_id"], "100");
  EXPECT_EQ(by_id["102"]["kind"], "app");
  EXPECT_EQ(by_id["102"]["former_names"], Json::array());
  // Another team sees none of it.
  const Reply bravo = Get("/api/v1/products", bravo_viewer_);
  EXPECT_EQ(bravo.body.find("Alpha"), std::string::npos) << bravo.body;
}

TEST_F(ReportsApiTest, BadParametersAre400NamingTheParameter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"?granularity=hourly", "granularity"},
      {"?group_by=date,platform", "group_by"},
      {"?group_by=date,country,device,product", "at most three"},
      {"?start_date=2026-02-30", "start_date"},
      {"?end_date=soon", "end_date"},
      {"?currency=EURO", "currency"},
      {"?countries=USA", "countries"},
      {"?products=com.example", "products"},
      {"?format=xml", "format"},
      {"?format=table", "format"},
      {"?colour=red", "unknown parameter 'colour'"},
      {"?countries=US&countries=GB", "countries is given more than once"},
      {"?start_date=2026-05-31&end_date=2026-05-01", "after the end date"},
  };
  for (const auto& [query, words] : cases) {
    const Reply r = Get("/api/v1/reports/sales" + query, alpha_viewer_);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    const Json j = r.Parsed();
    ASSERT_TRUE(j.contains("error")) << query << ": " << r.body;
    EXPECT_EQ(j["error"]["code"], "invalid_argument") << query;
    EXPECT_NE(j["error"]["message"].get<std::string>().find(words), std::string::npos)
        << query << ": " << r.body;
  }
}

TEST_F(ReportsApiTest, AMissingExchangeRateIs422NamingCurrencyAndDay) {
  const Reply r = Get(std::string(kMay) + "&currency=CHF", alpha_viewer_);
  EXPECT_EQ(r.status, 422) << r.body;
  const std::string message = r.Parsed()["error"]["message"];
  EXPECT_NE(message.find("CHF"), std::string::npos) << message;
  EXPECT_NE(message.find("2026-05-0"), std::string::npos) << message;
}

TEST_F(ReportsApiTest, TheCurrencyIsTheUsersPreferenceElseTheServersDefault) {
  const int64_t viewer = users_["viewer@alpha.example"];
  store::Preferences prefs;
  prefs.currency = "GBP";
  ASSERT_TRUE(access_->SetPreferences(viewer, prefs).ok());
  const Reply gbp = Get(std::string(kMay), alpha_viewer_);
  ASSERT_EQ(gbp.status, 200) << gbp.body;
  EXPECT_EQ(gbp.Parsed()["query"]["currency"], "GBP");
  // Total revenue in GBP: 2.40 + 10.50 × 0.85 / 1.10 = 2.40 + 8.113636… = 10.513636… → 10.51.
  EXPECT_NE(gbp.body.find(R"("revenue":10.51,)"), std::string::npos) << gbp.body;
  // An explicit currency= wins over the preference.
  EXPECT_EQ(Get(std::string(kMay) + "&currency=USD", alpha_viewer_).Parsed()["query"]["currency"],
            "USD");
  // No preference: the server's [report] default_currency.
  prefs.currency = "";
  ASSERT_TRUE(access_->SetPreferences(viewer, prefs).ok());
  StartServer("EUR");
  EXPECT_EQ(Get(std::string(kMay), alpha_viewer_).Parsed()["query"]["currency"], "EUR");
}

// Relative dates count from the clock's day in Los Angeles (15 June 2026 here).
TEST_F(ReportsApiTest, RelativeDatesResolveOnTheServersClock) {
  const Reply r = Get("/api/v1/reports/sales?start_date=-1m&end_date=yesterday", alpha_viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Parsed()["query"]["start_date"], "2026-05-15");
  EXPECT_EQ(r.Parsed()["query"]["end_date"], "2026-06-14");
  // 05-15 … 06-14 holds none of the fixture's days.
  EXPECT_EQ(r.Parsed()["rows"], Json::array());
  // Twenty hours later (08:00 UTC on 16 June) it is 16 June in Los Angeles too.
  clock_.Advance(std::chrono::hours(20));
  EXPECT_EQ(
      Get("/api/v1/reports/sales?end_date=today", alpha_viewer_).Parsed()["query"]["end_date"],
      "2026-06-16");
}

TEST_F(ReportsApiTest, ARepeatedQueryIsAnsweredFromMemoryUntilTheDataChanges) {
  const std::string path = std::string(kMay) + "&group_by=country";
  const double before = Queries();
  const Reply first = Get(path, alpha_viewer_);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("X-Orchard-Cache"), "miss");
  EXPECT_EQ(Queries(), before + 1);
  for (int i = 0; i < 5; ++i) {
    const Reply again = Get(path, alpha_viewer_);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.Header("X-Orchard-Cache"), "hit");
  }
  EXPECT_EQ(Queries(), before + 1) << "an identical query must not scan the store again";
  // Another format, currency or caller's team is another entry.
  EXPECT_EQ(Get(path + "&format=csv", alpha_viewer_).Header("X-Orchard-Cache"), "miss");
  EXPECT_EQ(Get(path + "&currency=EUR", alpha_viewer_).Header("X-Orchard-Cache"), "miss");
  EXPECT_EQ(Get(path, bravo_viewer_).Header("X-Orchard-Cache"), "miss");
  EXPECT_EQ(Queries(), before + 4);
  // Asking for a fresh answer scans, whatever is cached.
  const Reply fresh = Get(path, alpha_viewer_, {{"Cache-Control", "no-cache"}});
  EXPECT_EQ(fresh.Header("X-Orchard-Cache"), "bypass");
  EXPECT_EQ(fresh.body, first.body);
  EXPECT_EQ(Queries(), before + 5);

  // New data through this process's store: 5 more US downloads on 05-12.
  const FactRow more[] = {
      {"2026-05-12", "100", "Alpha Photo", "", "1", "US", "iPhone", "USD", 5, "0.70", "0.99"}};
  WriteFacts(*facts_, alpha_, kAlphaAccount, more);
  const Reply changed = Get(path, alpha_viewer_);
  EXPECT_EQ(changed.Header("X-Orchard-Cache"), "miss");
  EXPECT_EQ(Cell(changed.Parsed(), RowsByKey(changed.Parsed())["US"], "downloads"),
            Json::parse("15"));
  EXPECT_EQ(Get(path, alpha_viewer_).Header("X-Orchard-Cache"), "hit");

  // New data from another process (`orchard sync` beside the server): its own connection.
  {
    auto other = store::sqlite::Database::Open(db_path_);
    ASSERT_TRUE(other.has_value()) << other.error().ToString();
    store::sqlite::SqliteFactStore other_facts(*other, &clock_);
    const FactRow synced[] = {
        {"2026-05-13", "100", "Alpha Photo", "", "1", "US", "iPhone", "USD", 7, "0.70", "0.99"}};
    WriteFacts(other_facts, alpha_, kAlphaAccount, synced);
  }
  const Reply synced = Get(path, alpha_viewer_);
  EXPECT_EQ(synced.Header("X-Orchard-Cache"), "miss");
  EXPECT_EQ(Cell(synced.Parsed(), RowsByKey(synced.Parsed())["US"], "downloads"),
            Json::parse("22"));

  // New exchange rates change converted answers too.
  const Reply eur = Get(path + "&currency=EUR", alpha_viewer_);
  ASSERT_EQ(eur.status, 200);
  ASSERT_TRUE(meta_->PutFxRates({{*Date::ParseIso("2026-05-10"), "USD", 100'000'000}}).ok());
  const Reply rerated = Get(path + "&currency=EUR", alpha_viewer_);
  EXPECT_EQ(rerated.Header("X-Orchard-Cache"), "miss");
  EXPECT_NE(rerated.body, eur.body);
}

TEST_F(ReportsApiTest, TheCacheCanBeTurnedOff) {
  ServerOptions off;
  off.report_cache_entries = 0;
  StartServer("USD", off);
  const double before = Queries();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Get(kMay, alpha_viewer_).Header("X-Orchard-Cache"), "miss");
  }
  EXPECT_EQ(Queries(), before + 3);
}

TEST_F(ReportsApiTest, HealthReadsTheDatabase) {
  const Reply ok = Get("/healthz", "");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Parsed()["status"], "ok");
  EXPECT_EQ(ok.Parsed()["database"], "ok");
  EXPECT_EQ(ok.Parsed()["sealed"], false);

  // The file stops being a database (disk trouble, a bad restore): 503, with no detail.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(other);
  std::string header(100, '\0');
  {
    std::fstream f(db_path_, std::ios::in | std::ios::out | std::ios::binary);
    f.read(header.data(), 100);
    f.seekp(0);
    f.write(std::string(100, '\0').data(), 100);
  }
  const Reply down = Get("/healthz", "");
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.Parsed()["status"], "unavailable");
  EXPECT_EQ(down.Parsed()["database"], "unreadable");
  EXPECT_EQ(down.body.find("sqlite"), std::string::npos) << down.body;
  EXPECT_EQ(down.body.find(dir_.string()), std::string::npos) << down.body;
  // Repaired, and written to since (SQLite then reads the file again): healthy again.
  {
    std::fstream f(db_path_, std::ios::in | std::ios::out | std::ios::binary);
    f.write(header.data(), 100);
  }
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(
          other, "INSERT INTO fx_rates (currency, day, per_eur) VALUES ('SEK', 20600, 1100000000)",
          nullptr, nullptr, nullptr),
      SQLITE_OK)
      << sqlite3_errmsg(other);
  sqlite3_close(other);
  EXPECT_EQ(Get("/healthz", "").status, 200);
}

// The request counter is labelled by route pattern: ids never become labels.
TEST_F(ReportsApiTest, MetricsCountRequestsByRoutePattern) {
  Get("/api/v1/accounts/4242", alpha_viewer_);
  Get("/api/v1/no/such/thing/31337", alpha_viewer_);
  Get(kMay, alpha_viewer_);
  const Reply m = Get("/metrics", "");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("# TYPE orchard_http_requests_total counter"), std::string::npos);
  EXPECT_NE(
      m.body.find(
          R"(orchard_http_requests_total{method="GET",route="/api/v1/accounts/{id}",status="404"})"),
      std::string::npos)
      << m.body;
  EXPECT_NE(
      m.body.find(R"(orchard_http_requests_total{method="GET",route="unmatched",status="404"})"),
      std::string::npos);
  EXPECT_NE(
      m.body.find(
          R"(orchard_http_requests_total{method="GET",route="/api/v1/reports/sales",status="200"})"),
      std::string::npos);
  EXPECT_NE(m.body.find("# TYPE orchard_http_request_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(
      m.body.find(
          R"(orchard_http_request_duration_seconds_bucket{route="/api/v1/reports/sales",le="+Inf"})"),
      std::string::npos);
  EXPECT_NE(m.body.find("orchard_report_cache_entries"), std::string::npos);
  EXPECT_EQ(m.body.find("4242"), std::string::npos);
  EXPECT_EQ(m.body.find("31337"), std::string::npos);
  EXPECT_EQ(m.body.find("alpha"), std::string::npos);
}

TEST_F(ReportsApiTest, TheOpenApiDocumentListsEveryRoute) {
  const Reply r = Get("/api/v1/openapi.json", "");
  ASSERT_EQ(r.status, 200);
  const Json doc = r.Parsed();
  ASSERT_TRUE(doc.is_object()) << "not JSON: " << r.body.substr(0, 200);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const char* key : {"info", "paths", "components"}) EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_TRUE(doc["info"].contains("title"));
  EXPECT_TRUE(doc["info"].contains("version"));
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("bearerAuth"));
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("sessionCookie"));
  size_t operations = 0;
  std::set<std::string> ids;
  for (const Route& route : server_->router().routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string what = route.method + " " + route.pattern;
    ASSERT_TRUE(doc["paths"].contains(route.pattern)) << what;
    ASSERT_TRUE(doc["paths"][route.pattern].contains(method)) << what;
    const Json& op = doc["paths"][route.pattern][method];
    ++operations;
    EXPECT_EQ(op["summary"], route.summary) << what;
    EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << what;
    EXPECT_EQ(op["x-orchard-access"], std::string(AccessName(route.access))) << what;
    if (route.access == Access::kPublic) {
      EXPECT_EQ(op["security"], Json::array()) << what;
    } else {
      EXPECT_EQ(op["security"], Json::parse(R"([{"bearerAuth":[]},{"sessionCookie":[]}])")) << what;
    }
    // Every {param} of the pattern is a required path parameter.
    std::set<std::string> declared;
    for (const auto& p : op.value("parameters", Json::array())) {
      if (p["in"] == "path") {
        EXPECT_TRUE(p["required"].get<bool>()) << what;
        declared.insert(p["name"].get<std::string>());
      }
    }
    std::set<std::string> in_pattern;
    for (size_t open = route.pattern.find('{'); open != std::string::npos;
         open = route.pattern.find('{', open + 1)) {
      in_pattern.insert(route.pattern.substr(open + 1, route.pattern.find('}', open) - open - 1));
    }
    EXPECT_EQ(declared, in_pattern) << what;
  }
  size_t documented = 0;
  for (const auto& [path, methods] : doc["paths"].items()) documented += methods.size();
  EXPECT_EQ(documented, operations) << "the document lists routes the server does not have";
  // The report route's query parameters, with their enumerations.
  const Json& sales = doc["paths"]["/api/v1/reports/sales"]["get"];
  std::map<std::string, Json> params;
  for (const auto& p : sales["parameters"]) params[p["name"].get<std::string>()] = p;
  for (const char* name : {"start_date", "end_date", "granularity", "group_by", "products",
                           "countries", "currency", "format"}) {
    EXPECT_TRUE(params.contains(name)) << name;
  }
  EXPECT_EQ(params["granularity"]["schema"]["enum"],
            Json::parse(R"(["daily","weekly","monthly","yearly"])"));
  EXPECT_EQ(params["format"]["schema"]["enum"], Json::parse(R"(["json","csv"])"));
  EXPECT_EQ(params["group_by"]["schema"]["type"], "array");
  EXPECT_EQ(params["group_by"]["schema"]["items"]["enum"],
            Json::parse(R"(["date","product","country","device","store"])"));
  EXPECT_TRUE(sales["responses"]["2XX"]["content"].contains("text/csv; charset=utf-8"));
}

}  // namespace
}  // namespace orchard::server
