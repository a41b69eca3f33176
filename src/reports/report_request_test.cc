// The report grammar (product.md §4). Expected values are written out by hand.
#include "reports/report_request.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/clock.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::reports {
namespace {

using Params = std::vector<ReportParam>;

Date D(const char* iso) { return *Date::ParseIso(iso); }

ReportDefaults Defaults(const char* today = "2026-06-15") {
  ReportDefaults d;
  d.today = D(today);
  d.currency = "USD";
  return d;
}

Result<SalesRequest> Parse(const Params& params, const ReportDefaults& defaults = Defaults()) {
  return ParseSalesRequest(params, defaults);
}

std::string ErrorOf(const Params& params, const ReportDefaults& defaults = Defaults()) {
  auto r = Parse(params, defaults);
  EXPECT_FALSE(r.has_value()) << "accepted: " << (r.has_value() ? NormalizedQuery(*r).dump() : "");
  if (r.has_value()) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

TEST(ReportRequestTest, EveryParameterReachesTheQuery) {
  auto r = Parse({{"start_date", "2026-05-01", ""},
                  {"end_date", "2026-05-31", ""},
                  {"granularity", "weekly", ""},
                  {"group_by", "date, country,device", ""},
                  {"products", "200,100", ""},
                  {"countries", "us,Gb", ""},
                  {"currency", "eur", ""},
                  {"format", "csv", ""}});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->query.start, D("2026-05-01"));
  EXPECT_EQ(r->query.end, D("2026-05-31"));
  EXPECT_EQ(r->query.granularity, Granularity::kWeekly);
  EXPECT_EQ(r->query.group_by,
            (std::vector<GroupKey>{GroupKey::kDate, GroupKey::kCountry, GroupKey::kDevice}));
  EXPECT_EQ(r->group_by, (std::vector<std::string>{"date", "country", "device"}));
  EXPECT_EQ(r->query.products, (std::vector<std::string>{"100", "200"}));
  EXPECT_EQ(r->query.countries, (std::vector<std::string>{"GB", "US"}));
  EXPECT_EQ(r->query.currency, "EUR");
  EXPECT_EQ(r->format, Format::kCsv);
  EXPECT_EQ(r->query.team_id, 0) << "the caller sets the team, never a parameter";
}

TEST(ReportRequestTest, NoParametersMeanAllTimeTotalsInTheDefaultCurrencyAsJson) {
  ReportDefaults d = Defaults();
  d.currency = "jpy";
  auto r = Parse({}, d);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->query.start.has_value());
  EXPECT_FALSE(r->query.end.has_value());
  EXPECT_TRUE(r->query.group_by.empty());
  EXPECT_EQ(r->query.currency, "JPY");
  EXPECT_EQ(r->format, Format::kJson);
  EXPECT_EQ(NormalizedQuery(*r).dump(),
            R"({"report":"sales","start_date":null,"end_date":null,"granularity":"daily",)"
            R"("group_by":[],"products":[],"countries":[],"currency":"JPY","format":"json"})");
}

TEST(ReportRequestTest, RelativeDatesCountBackFromToday) {
  const Date today = D("2026-03-31");
  EXPECT_EQ(*ParseDateArg("today", today, "x"), D("2026-03-31"));
  EXPECT_EQ(*ParseDateArg("yesterday", today, "x"), D("2026-03-30"));
  EXPECT_EQ(*ParseDateArg("-7d", today, "x"), D("2026-03-24"));
  EXPECT_EQ(*ParseDateArg("-0d", today, "x"), D("2026-03-31"));
  EXPECT_EQ(*ParseDateArg("-2w", today, "x"), D("2026-03-17"));
  EXPECT_EQ(*ParseDateArg("-1m", today, "x"), D("2026-02-28"));  // clamped to February's end
  EXPECT_EQ(*ParseDateArg("-3m", today, "x"), D("2025-12-31"));  // across a year
  EXPECT_EQ(*ParseDateArg("-13m", today, "x"), D("2025-02-28"));
  EXPECT_EQ(*ParseDateArg("-1y", D("2024-02-29"), "x"), D("2023-02-28"));
  EXPECT_EQ(*ParseDateArg("2025-12-01", today, "x"), D("2025-12-01"));
  for (const char* bad : {"-7", "7d", "-d", "-7x", "--7d", "-1.5d", "2025-02-30", "2025-2-01",
                          "tomorrow", "-99999y", "1969-12-31", "-100000d"}) {
    auto r = ParseDateArg(bad, today, "start_date");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("start_date"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find(bad), std::string::npos) << r.error().message();
  }
}

// "Today" is Apple's report day in Los Angeles, taken from the clock: at 05:00 UTC on 15 June
// it is still 14 June there.
TEST(ReportRequestTest, TodayIsThePacificDayOnTheClock) {
  using namespace std::chrono;
  FakeClock clock(sys_days(year(2026) / June / 15) + hours(5));
  EXPECT_EQ(ReportToday(clock), D("2026-06-14"));
  clock.Advance(hours(3));  // 08:00 UTC = 01:00 PDT
  EXPECT_EQ(ReportToday(clock), D("2026-06-15"));
  ReportDefaults d;
  d.today = ReportToday(clock);
  auto r = Parse({{"start_date", "-7d", ""}, {"end_date", "yesterday", ""}}, d);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(NormalizedQuery(*r)["start_date"], "2026-06-08");
  EXPECT_EQ(NormalizedQuery(*r)["end_date"], "2026-06-14");
}

TEST(ReportRequestTest, UnknownRepeatedAndEmptyParametersAreRefusedByName) {
  std::string m = ErrorOf({{"start", "2026-01-01", ""}});
  EXPECT_NE(m.find("unknown parameter 'start'"), std::string::npos) << m;
  EXPECT_NE(m.find("start_date"), std::string::npos) << "lists the known names: " << m;
  m = ErrorOf({{"countries", "US", ""}, {"countries", "GB", ""}});
  EXPECT_NE(m.find("countries is given more than once"), std::string::npos) << m;
  m = ErrorOf({{"currency", "", ""}});
  EXPECT_NE(m.find("currency is empty"), std::string::npos) << m;
  m = ErrorOf({{"team_id", "2", ""}});
  EXPECT_NE(m.find("unknown parameter 'team_id'"), std::string::npos) << m;
}

TEST(ReportRequestTest, BadValuesNameTheParameter) {
  const std::vector<std::pair<Params, std::string>> cases = {
      {{{"start_date", "yesterday-ish", ""}}, "start_date"},
      {{{"end_date", "2026-13-01", ""}}, "end_date"},
      {{{"granularity", "hourly", ""}}, "granularity: unknown granularity 'hourly'"},
      {{{"group_by", "date,platform", ""}}, "group_by: unknown key 'platform'"},
      {{{"group_by", "date,country,device,product", ""}}, "group_by: at most three keys"},
      {{{"group_by", "date,store,country,device", ""}}, "group_by: at most three keys"},
      {{{"group_by", "country,COUNTRY", ""}}, "group_by: 'country' is given twice"},
      {{{"group_by", "date,,country", ""}}, "group_by: an empty item"},
      {{{"products", "123,com.example.app", ""}},
       "products: 'com.example.app' is not an Apple Identifier"},
      {{{"countries", "US,USA", ""}}, "countries: 'USA' is not a two-letter storefront code"},
      {{{"countries", "U1", ""}}, "countries: 'U1'"},
      {{{"currency", "EURO", ""}}, "currency: 'EURO' is not an ISO 4217 code"},
      {{{"currency", "U$D", ""}}, "currency: 'U$D'"},
      {{{"format", "xml", ""}}, "format: unknown format 'xml' (use json or csv)"},
      {{{"format", "table", ""}}, "format: unknown format 'table'"},
      {{{"start_date", "2026-05-10", ""}, {"end_date", "2026-05-01", ""}},
       "the start date 2026-05-10 is after the end date 2026-05-01"},
  };
  for (const auto& [params, expected] : cases) {
    const std::string m = ErrorOf(params);
    EXPECT_NE(m.find(expected), std::string::npos) << "expected '" << expected << "' in: " << m;
  }
}

TEST(ReportRequestTest, MessagesUseTheCallersSpellingOfTheParameter) {
  const std::string m = ErrorOf({{"start_date", "someday", "--start"}});
  EXPECT_NE(m.find("--start:"), std::string::npos) << m;
  EXPECT_EQ(m.find("start_date"), std::string::npos) << m;
}

TEST(ReportRequestTest, TheTableFormatIsOnlyForTheCli) {
  ReportDefaults cli = Defaults();
  cli.allow_table = true;
  cli.format = Format::kTable;
  auto r = Parse({{"format", "table", "--format"}}, cli);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->format, Format::kTable);
  EXPECT_EQ(Parse({}, cli)->format, Format::kTable);
}

TEST(ReportRequestTest, EqualQueriesNormalizeToTheSameText) {
  auto a = Parse({{"countries", "gb,US,us", ""}, {"products", "2,1", ""}, {"currency", "eur", ""}});
  auto b =
      Parse({{"currency", "EUR", ""}, {"products", "1,2,2", ""}, {"countries", " US , GB ", ""}});
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(NormalizedQuery(*a).dump(), NormalizedQuery(*b).dump());
  // … and different ones do not.
  auto c = Parse({{"countries", "GB,US", ""}, {"products", "1,2", ""}, {"currency", "USD", ""}});
  EXPECT_NE(NormalizedQuery(*a).dump(), NormalizedQuery(*c).dump());
  auto d = Parse({{"countries", "GB,US", ""},
                  {"products", "1,2", ""},
                  {"currency", "EUR", ""},
                  {"format", "csv", ""}});
  EXPECT_NE(NormalizedQuery(*a).dump(), NormalizedQuery(*d).dump());
}

TEST(ReportRequestTest, GroupKeyOrderIsKeptAndStoreCounts) {
  auto r = Parse({{"group_by", "Country,store,date", ""}});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->group_by, (std::vector<std::string>{"country", "store", "date"}));
  EXPECT_EQ(r->query.group_by, (std::vector<GroupKey>{GroupKey::kCountry, GroupKey::kDate}));
}

Number Amount(const char* text) {  // exact, at the sales report's scale (8 decimals)
  return Number{*ParseFixed(text, 8), 8, 2};
}

// JSON numbers keep their exact decimal text; totals are exact sums rounded once.
TEST(ReportRequestTest, JsonHasExactNumbersAndTotalsRoundedOnce) {
  SalesRequest request = *Parse({{"group_by", "country", ""}});
  Table t;
  t.columns = {"country", "downloads", "revenue"};
  t.rows.push_back({Cell(std::string("GB")), Cell(Number{3, 0, 0}), Cell(Amount("0.10"))});
  t.rows.push_back({Cell(std::string("JP")), Cell(Number{150, 2, 2}), Cell(Amount("0.004"))});
  t.rows.push_back({Cell(std::string("US")), Cell(Number{4, 0, 0}), Cell(Amount("0.004"))});
  t.rows.push_back(
      {Cell(std::string("ZZ \"x\"")), Cell(Number{0, 0, 0}), Cell(Amount("12345678901.23"))});
  const std::string body = RenderSalesReport(request, t);
  // Each row rounds on its own (0.004 → 0.00); the total is 12345678901.23 + 0.108 =
  // 12345678901.338 → 12345678901.34; downloads 3 + 1.50 + 4 + 0 = 8.50.
  EXPECT_EQ(
      body,
      R"({"query":{"report":"sales","start_date":null,"end_date":null,"granularity":"daily",)"
      R"("group_by":["country"],"products":[],"countries":[],"currency":"USD","format":"json"},)"
      R"("columns":["country","downloads","revenue"],)"
      R"("rows":[["GB",3,0.10],["JP",1.50,0.00],["US",4,0.00],["ZZ \"x\"",0,12345678901.23]],)"
      R"("totals":{"downloads":8.50,"revenue":12345678901.34}})"
      "\n");
  EXPECT_FALSE(nlohmann::json::parse(body, nullptr, false).is_discarded());
}

TEST(ReportRequestTest, EmptyAnswersStillHaveEveryTotal) {
  SalesRequest request = *Parse({});
  Table t;
  t.columns = {"downloads", "revenue"};
  const std::string body = RenderSalesReport(request, t);
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["rows"], nlohmann::json::array());
  EXPECT_EQ(j["totals"], (nlohmann::json{{"downloads", 0}, {"revenue", 0}}));
}

TEST(ReportRequestTest, CsvIsTheSharedTableRendering) {
  SalesRequest request = *Parse({{"format", "csv", ""}, {"group_by", "country", ""}});
  Table t;
  t.columns = {"country", "revenue"};
  t.rows.push_back({Cell(std::string("US")), Cell(Amount("1.005"))});
  EXPECT_EQ(RenderSalesReport(request, t), "country,revenue\nUS,1.01\n");
}

TEST(ReportRequestTest, FileNamesSayTheRange) {
  EXPECT_EQ(SalesFileName(*Parse({{"format", "csv", ""}})), "sales-all-time.csv");
  EXPECT_EQ(SalesFileName(*Parse({{"format", "csv", ""},
                                  {"start_date", "2026-05-01", ""},
                                  {"end_date", "2026-05-31", ""}})),
            "sales-2026-05-01-to-2026-05-31.csv");
  EXPECT_EQ(SalesFileName(*Parse({{"format", "csv", ""}, {"start_date", "-7d", ""}})),
            "sales-2026-06-08-to-latest.csv");
}

// `store` is a key with one value, in the column order asked for (product takes two columns).
TEST(ReportRequestTest, TheStoreKeyAddsItsColumnWhereAskedFor) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("orchard-report-request-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)));
  {
    auto db = *store::sqlite::Database::Open(dir / "o.db");
    store::sqlite::SqliteFactStore facts(db, &clock);
    store::sqlite::SqliteMetaStore meta(db, &clock);
    auto w = facts.BeginSalesReport({1, 1, "DAILY", D("2026-01-05")});
    ASSERT_TRUE(w.has_value());
    for (const char* country : {"US", "GB"}) {
      store::SalesFact f;
      f.day = D("2026-01-05");
      f.apple_id = "100";
      f.title = "Photo App";
      f.product_type = "1";
      f.country = country;
      f.device = "iPhone";
      f.customer_currency = "USD";
      f.proceeds_currency = "USD";
      f.units = 2 * kUnitScale;
      ASSERT_TRUE((*w)->Add(f).ok());
    }
    ASSERT_TRUE((*w)->Commit().ok());
    SalesRequest r = *Parse({{"group_by", "product,store,country", ""}});
    r.query.team_id = 1;
    auto t = RunSalesRequest(facts, meta, r);
    ASSERT_TRUE(t.has_value()) << t.error().ToString();
    ASSERT_GE(t->columns.size(), 5u);
    EXPECT_EQ(
        std::vector<std::string>(t->columns.begin(), t->columns.begin() + 5),
        (std::vector<std::string>{"product", "product_name", "store", "country", "downloads"}));
    ASSERT_EQ(t->rows.size(), 2u);
    for (const auto& row : t->rows) {
      ASSERT_EQ(row.size(), t->columns.size());
      EXPECT_EQ(CellText(row[0]), "100");
      EXPECT_EQ(CellText(row[2]), "app_store");
      EXPECT_EQ(CellText(row[4]), "2");
    }
    SalesRequest only = *Parse({{"group_by", "store", ""}});
    only.query.team_id = 1;
    auto single = RunSalesRequest(facts, meta, only);
    ASSERT_TRUE(single.has_value());
    ASSERT_EQ(single->rows.size(), 1u);
    EXPECT_EQ(single->columns[0], "store");
    EXPECT_EQ(CellText(single->rows[0][0]), "app_store");
    EXPECT_EQ(CellText(single->rows[0][1]), "4");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace orchard::reports
