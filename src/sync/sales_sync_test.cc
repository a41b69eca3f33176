// SalesSync against a scripted App Store Connect: what is stored after each kind of answer.
#include "sync/sales_sync.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <map>

#include "ingest/gzip.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::sync {
namespace {

constexpr const char* kHeader =
    "Provider\tProvider Country\tSKU\tDeveloper\tTitle\tVersion\tProduct Type Identifier\tUnits\t"
    "Developer Proceeds\tBegin Date\tEnd Date\tCustomer Currency\tCountry Code\tCurrency of "
    "Proceeds\tApple Identifier\tCustomer Price\n";

std::string Report(const std::string& us_date, int units, const std::string& pti = "1") {
  return *ingest::Gzip(std::string(kHeader) + "APPLE\tUS\tapp\t \tApp\t1.0\t" + pti + "\t" +
                       std::to_string(units) + "\t0.70\t" + us_date + "\t" + us_date +
                       "\tUSD\tUS\tUSD\t100\t0.99\n");
}

class ScriptedHttp final : public net::HttpClient {
 public:
  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    ++calls;
    const size_t at = request.url.find("reportDate%5D=");
    const std::string day = request.url.substr(at + 14, 10);
    auto it = answers.find(day);
    if (it == answers.end()) return net::HttpResponse{404, {}, NotFound("There were no sales for the date specified.")};
    return it->second;
  }
  static std::string NotFound(const std::string& detail) {
    return R"({"errors":[{"status":"404","code":"NOT_FOUND","title":"t","detail":")" + detail + "\"}]}";
  }
  std::map<std::string, net::HttpResponse> answers;
  int calls = 0;
};

class NoSleep final : public apple::asc::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds) override {}
};

class SalesSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("orchard-sync-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = *store::sqlite::Database::Open(dir_ / "o.db");
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, &clock_);
    facts_ = std::make_unique<store::sqlite::SqliteFactStore>(db_, &clock_);
    auto team = meta_->EnsureDefaultTeam();
    store::LinkedAccount a;
    a.team_id = team->id;
    a.method = "asc-key";
    a.vendor_number = "85442109";
    account_ = *meta_->CreateAccount(a, [](int64_t) -> Result<store::SealedSecret> {
      return store::SealedSecret{"sealed", 1};
    });
    client_ = std::make_unique<apple::asc::AscClient>(
        "http://127.0.0.1:9", [] { return Result<std::string>("t"); }, &http_,
        apple::asc::RetryPolicy{}, &sleeper_, 1);
  }
  void TearDown() override {
    facts_.reset();
    meta_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Result<SalesSyncSummary> Sync(const char* from, const char* to) {
    SalesSync sync(meta_.get(), facts_.get(), client_.get(), &clock_);
    return sync.Run(account_, {*Date::ParseIso(from), *Date::ParseIso(to), size_t{1} << 20, {}});
  }
  int64_t StoredUnits() {
    int64_t units = 0;
    store::SalesScan scan;
    scan.team_id = account_.team_id;
    EXPECT_TRUE(facts_->ScanSales(scan, [&](const store::SalesRecord& r) { units += r.units; }).ok());
    return units;
  }
  std::string State(const char* day) {
    auto c = meta_->ListCheckpoints(account_.id, kSalesDaily, *Date::ParseIso(day), *Date::ParseIso(day));
    return c->empty() ? "none" : (*c)[0].state;
  }
  void Answer(const char* day, int status, std::string body) {
    http_.answers[day] = net::HttpResponse{status, {}, std::move(body)};
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::filesystem::path dir_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteFactStore> facts_;
  store::LinkedAccount account_;
  ScriptedHttp http_;
  NoSleep sleeper_;
  std::unique_ptr<apple::asc::AscClient> client_;
};

TEST_F(SalesSyncTest, LoadsEmptyAndPendingDaysAndCheckpointsEach) {
  Answer("2026-01-01", 200, Report("01/01/2026", 5));
  Answer("2026-01-03", 404, ScriptedHttp::NotFound("Report is not available yet. Daily reports …"));
  auto s = Sync("2026-01-01", "2026-01-03");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->loaded, 1);
  EXPECT_EQ(s->empty, 1);
  EXPECT_EQ(s->pending, 1);
  EXPECT_EQ(s->failed, 0);
  EXPECT_EQ(StoredUnits(), 500);
  EXPECT_EQ(State("2026-01-01"), "loaded");
  EXPECT_EQ(State("2026-01-02"), "empty");
  EXPECT_EQ(State("2026-01-03"), "pending");
}

TEST_F(SalesSyncTest, ResyncingReplacesAndARevisedReportWins) {
  Answer("2026-01-01", 200, Report("01/01/2026", 5));
  ASSERT_TRUE(Sync("2026-01-01", "2026-01-01").has_value());
  ASSERT_TRUE(Sync("2026-01-01", "2026-01-01").has_value());
  EXPECT_EQ(StoredUnits(), 500);
  Answer("2026-01-01", 200, Report("01/01/2026", 7));  // Apple revised the day
  ASSERT_TRUE(Sync("2026-01-01", "2026-01-01").has_value());
  EXPECT_EQ(StoredUnits(), 700);
  http_.answers.erase("2026-01-01");  // … and then withdrew it
  ASSERT_TRUE(Sync("2026-01-01", "2026-01-01").has_value());
  EXPECT_EQ(StoredUnits(), 0);
}

TEST_F(SalesSyncTest, AMalformedReportFailsTheDayAndKeepsWhatWasStored) {
  Answer("2026-01-01", 200, Report("01/01/2026", 5));
  ASSERT_TRUE(Sync("2026-01-01", "2026-01-01").has_value());
  Answer("2026-01-01", 200, *ingest::Gzip(std::string(kHeader) +
                                          "APPLE\tUS\tapp\t \tApp\t1.0\t1\tlots\t0.70\t01/01/2026\t"
                                          "01/01/2026\tUSD\tUS\tUSD\t100\t0.99\n"));
  auto s = Sync("2026-01-01", "2026-01-01");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->failed, 1);
  EXPECT_NE(s->days[0].message.find("line 2"), std::string::npos) << s->days[0].message;
  EXPECT_NE(s->days[0].message.find("'Units'"), std::string::npos);
  EXPECT_EQ(StoredUnits(), 500);
  EXPECT_EQ(State("2026-01-01"), "failed");
}

TEST_F(SalesSyncTest, TruncatedGzipFailsTheDayWithoutTouchingData) {
  Answer("2026-01-01", 200, Report("01/01/2026", 5));
  ASSERT_TRUE(Sync("2026-01-01", "2026-01-01").has_value());
  const std::string gz = Report("01/01/2026", 9);
  Answer("2026-01-01", 200, gz.substr(0, gz.size() / 2));
  auto s = Sync("2026-01-01", "2026-01-01");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->failed, 1);
  EXPECT_EQ(StoredUnits(), 500);
}

TEST_F(SalesSyncTest, AReportInflatedOnTheWayIsIngestedToo) {
  Answer("2026-01-01", 200, *ingest::Gunzip(Report("01/01/2026", 4), 1 << 20));
  auto s = Sync("2026-01-01", "2026-01-01");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->loaded, 1);
  EXPECT_EQ(StoredUnits(), 400);
}

TEST_F(SalesSyncTest, UnknownProductTypesAreKeptAndCounted) {
  Answer("2026-01-01", 200, Report("01/01/2026", 3, "ZZ9"));
  auto s = Sync("2026-01-01", "2026-01-01");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->unknown_product_types["ZZ9"], 1);
  EXPECT_EQ(StoredUnits(), 300);
}

TEST_F(SalesSyncTest, ARejectedKeyStopsTheSyncAndFlagsTheAccount) {
  Answer("2026-01-01", 200, Report("01/01/2026", 5));
  ASSERT_TRUE(Sync("2026-01-01", "2026-01-01").has_value());
  Answer("2026-01-02", 401, R"({"errors":[{"status":"401","code":"NOT_AUTHORIZED","title":"t","detail":"d"}]})");
  http_.calls = 0;
  auto s = Sync("2026-01-01", "2026-01-05");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), Code::kUnauthenticated);
  EXPECT_EQ(http_.calls, 2);  // stopped at the first 401, not retried
  auto a = meta_->GetAccount(account_.team_id, account_.id);
  EXPECT_EQ(a->status, "needs_attention");
  EXPECT_NE(a->last_error.find("key rejected"), std::string::npos);
  EXPECT_EQ(StoredUnits(), 500);
}

}  // namespace
}  // namespace orchard::sync
