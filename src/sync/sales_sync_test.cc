// SalesSync against a scripted App Store Connect: what is stored after each kind of answer.
#include "sync/sales_sync.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <map>

#include "ingest/gzip.h"
#include "sync/sync_test_util.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::sync {
namespace {

using testing::kSalesHeader;
constexpr const char* kHeader = kSalesHeader;

std::string Report(const std::string& us_date, int units, const std::string& pti = "1") {
  return *ingest::Gzip(std::string(kHeader) + "APPLE\tUS\tapp\t \tApp\t1.0\t" + pti + "\t" +
                       std::to_string(units) + "\t0.70\t" + us_date + "\t" + us_date +
                       "\tUSD\tUS\tUSD\t100\t0.99\n");
}

class ScriptedHttp final : public net::HttpClient {
 public:
  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    ++calls;
    urls.push_back(request.url);
    const size_t at = request.url.find("reportDate%5D=") + 14;
    const std::string day = request.url.substr(at, request.url.find('&', at) - at);
    if (!fail.empty()) {
      const int status = fail.front();
      fail.pop_front();
      return net::HttpResponse{status, {}, R"({"errors":[{"status":"503","code":"X","title":"t","detail":"down"}]})"};
    }
    auto it = answers.find(day);
    if (it == answers.end()) return net::HttpResponse{404, {}, NotFound("There were no sales for the date specified.")};
    return it->second;
  }
  static std::string NotFound(const std::string& detail) {
    return R"({"errors":[{"status":"404","code":"NOT_FOUND","title":"t","detail":")" + detail + "\"}]}";
  }
  std::map<std::string, net::HttpResponse> answers;
  std::deque<int> fail;  // statuses answered before any report
  std::vector<std::string> urls;
  int calls = 0;
};

class NoSleep final : public apple::asc::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds) override {}
};

class SalesSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = std::make_unique<testing::TempStores>("sync", &clock_);
    meta_ = stores_->meta();
    facts_ = stores_->facts();
    account_ = stores_->account();
    client_ = std::make_unique<apple::asc::AscClient>(
        "http://127.0.0.1:9", [] { return Result<std::string>("t"); }, &http_,
        apple::asc::RetryPolicy{}, &sleeper_, 1);
  }
  Result<SalesSyncSummary> Sync(const char* from, const char* to) {
    return Run(PlanDays(*Date::ParseIso(from), *Date::ParseIso(to)));
  }
  Result<SalesSyncSummary> Run(std::vector<PlannedReport> reports, bool refetch = true) {
    SalesSync sync(meta_, facts_, client_.get(), &clock_);
    SalesSyncOptions options;
    options.reports = std::move(reports);
    options.refetch = refetch;
    options.max_report_bytes = size_t{1} << 20;
    return sync.Run(account_, options);
  }
  std::string JobState(const char* frequency, const char* day) {
    auto jobs = meta_->ListJobs(account_.team_id, account_.id, 1000);
    for (const auto& j : *jobs) {
      if (j.frequency == frequency && j.report_date == *Date::ParseIso(day)) return j.state;
    }
    return "none";
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
  std::unique_ptr<testing::TempStores> stores_;
  store::sqlite::SqliteMetaStore* meta_ = nullptr;
  store::sqlite::SqliteFactStore* facts_ = nullptr;
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
  // Newest first: the 5th, 4th and 3rd had no sales, the 2nd was refused once (never
  // retried) and the sync stopped there; the 1st was not asked for.
  EXPECT_EQ(http_.calls, 4);
  auto a = meta_->GetAccount(account_.team_id, account_.id);
  EXPECT_EQ(a->status, "needs_attention");
  EXPECT_NE(a->last_error.find("key rejected"), std::string::npos);
  EXPECT_EQ(StoredUnits(), 500);
}

TEST_F(SalesSyncTest, ARefusedJobWaitsInTheQueueAndRunsOnceTheAccountWorksAgain) {
  Answer("2026-01-02", 401, R"({"errors":[{"status":"401","code":"NOT_AUTHORIZED","title":"t","detail":"d"}]})");
  ASSERT_FALSE(Sync("2026-01-02", "2026-01-02").has_value());
  EXPECT_EQ(JobState("DAILY", "2026-01-02"), "queued");
  Answer("2026-01-02", 200, Report("01/02/2026", 2));
  auto s = Run({});  // nothing new asked: the queue alone
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->loaded, 1);
  EXPECT_EQ(StoredUnits(), 200);
  EXPECT_EQ(JobState("DAILY", "2026-01-02"), "done");
}

TEST_F(SalesSyncTest, ANotYetAvailableReportWaitsAnHourThenLoads) {
  Answer("2026-01-03", 404, ScriptedHttp::NotFound("Report is not available yet. Daily reports …"));
  ASSERT_TRUE(Sync("2026-01-03", "2026-01-03").has_value());
  http_.calls = 0;
  ASSERT_TRUE(Run({}).has_value());
  EXPECT_EQ(http_.calls, 0);  // not due yet
  Answer("2026-01-03", 200, Report("01/03/2026", 3));
  clock_.Advance(std::chrono::minutes(61));
  auto s = Run({});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(http_.calls, 1);
  EXPECT_EQ(s->loaded, 1);
  EXPECT_EQ(StoredUnits(), 300);
}

TEST_F(SalesSyncTest, AJobInterruptedMidRunIsResumedAfterARestart) {
  // A process took the job and died before finishing it (kill -9): the row says running.
  store::SyncJob job;
  job.team_id = account_.team_id;
  job.account_id = account_.id;
  job.report_date = *Date::ParseIso("2026-01-04");
  ASSERT_TRUE(meta_->EnqueueJobs({job}, true, clock_.NowSeconds()).has_value());
  auto taken = meta_->ClaimJob(clock_.NowSeconds(), account_.id, {});
  ASSERT_TRUE(taken.has_value() && taken->has_value());
  EXPECT_EQ(JobState("DAILY", "2026-01-04"), "running");
  EXPECT_EQ(meta_->RequeueRunningJobs(clock_.NowSeconds()).value_or(-1), 1);
  Answer("2026-01-04", 200, Report("01/04/2026", 4));
  auto s = Run({});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->loaded, 1);
  EXPECT_EQ(StoredUnits(), 400);
}

TEST_F(SalesSyncTest, TransientFailuresBackOffAndTheBreakerStopsAfterThreeInARow) {
  for (const char* d : {"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"}) {
    const std::string iso = d;
    Answer(d, 200, Report(iso.substr(5, 2) + "/" + iso.substr(8, 2) + "/" + iso.substr(0, 4), 1));
  }
  http_.fail.assign(9, 503);  // three reports × three attempts each
  auto s = Sync("2026-01-01", "2026-01-05");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(http_.calls, 9);  // 3 attempts per report (REL-1), then the breaker opened
  EXPECT_EQ(s->failed, 3);
  EXPECT_EQ(s->left, 2);
  EXPECT_EQ(StoredUnits(), 0);
  // The failed ones wait 2 minutes (first failure); the untried ones are still due.
  http_.calls = 0;
  s = Run({});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(http_.calls, 2);
  clock_.Advance(std::chrono::minutes(3));
  s = Run({});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->failed, 0);
  EXPECT_EQ(s->left, 0);
}

TEST_F(SalesSyncTest, MonthlyAndYearlyReportsAreAskedWithTheirDateFormats) {
  Answer("2025-10", 200, Report("10/01/2025", 8));
  Answer("2024", 200, Report("01/01/2024", 9));
  auto s = Run({{"MONTHLY", *Date::ParseIso("2025-10-01")}, {"YEARLY", *Date::ParseIso("2024-01-01")}});
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->loaded, 2);
  ASSERT_EQ(http_.urls.size(), 2u);
  EXPECT_NE(http_.urls[0].find("filter%5Bfrequency%5D=MONTHLY"), std::string::npos) << http_.urls[0];
  EXPECT_NE(http_.urls[0].find("filter%5BreportDate%5D=2025-10&"), std::string::npos) << http_.urls[0];
  EXPECT_NE(http_.urls[1].find("filter%5Bfrequency%5D=YEARLY"), std::string::npos) << http_.urls[1];
  EXPECT_NE(http_.urls[1].find("filter%5BreportDate%5D=2024&"), std::string::npos) << http_.urls[1];
  auto m = meta_->ListCheckpoints(account_.id, "SALES/SUMMARY/MONTHLY", *Date::ParseIso("2025-10-01"),
                                  *Date::ParseIso("2025-10-01"));
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].state, "loaded");
}

TEST_F(SalesSyncTest, ABackfillKeepsWhatAnEarlierBackfillFetched) {
  Answer("2024", 200, Report("01/01/2024", 9));
  ASSERT_TRUE(Run({{"YEARLY", *Date::ParseIso("2024-01-01")}}, /*refetch=*/false).has_value());
  http_.calls = 0;
  ASSERT_TRUE(Run({{"YEARLY", *Date::ParseIso("2024-01-01")}}, /*refetch=*/false).has_value());
  EXPECT_EQ(http_.calls, 0);
  ASSERT_TRUE(Run({{"YEARLY", *Date::ParseIso("2024-01-01")}}, /*refetch=*/true).has_value());
  EXPECT_EQ(http_.calls, 1);
}

TEST(SalesPlan, ABackfillAsksForEveryReportAppleStillKeeps) {
  // 29 Nov 2026: daily 29 Nov 2025 … 28 Nov 2026 (365 reports); monthly December 2025 …
  // October 2026 (11: November 2025 began before the window, November 2026 is not over);
  // yearly 2025 back to 2008 (18).
  const auto plan = PlanBackfill(*Date::ParseIso("2026-11-29"));
  std::map<std::string, int> count;
  for (const auto& r : plan) ++count[r.frequency];
  EXPECT_EQ(count["DAILY"], 365);
  EXPECT_EQ(count["MONTHLY"], 11);
  EXPECT_EQ(count["YEARLY"], 18);
  EXPECT_EQ(plan.front(), (PlannedReport{"DAILY", *Date::ParseIso("2026-11-28")}));
  EXPECT_EQ(plan[364], (PlannedReport{"DAILY", *Date::ParseIso("2025-11-29")}));
  EXPECT_EQ(plan[365], (PlannedReport{"MONTHLY", *Date::ParseIso("2026-10-01")}));
  EXPECT_EQ(plan[375], (PlannedReport{"MONTHLY", *Date::ParseIso("2025-12-01")}));
  EXPECT_EQ(plan[376], (PlannedReport{"YEARLY", *Date::ParseIso("2025-01-01")}));
  EXPECT_EQ(plan.back(), (PlannedReport{"YEARLY", *Date::ParseIso("2008-01-01")}));
}

TEST(SalesPlan, TheRoutineRefetchesThirtyTwoDaysAndTheLastMonthAndYear) {
  const auto plan = PlanRoutine(*Date::ParseIso("2026-03-01"));
  ASSERT_EQ(plan.size(), 34u);
  EXPECT_EQ(plan.front(), (PlannedReport{"DAILY", *Date::ParseIso("2026-02-28")}));
  EXPECT_EQ(plan[31], (PlannedReport{"DAILY", *Date::ParseIso("2026-01-28")}));
  EXPECT_EQ(plan[32], (PlannedReport{"MONTHLY", *Date::ParseIso("2026-02-01")}));
  EXPECT_EQ(plan[33], (PlannedReport{"YEARLY", *Date::ParseIso("2025-01-01")}));
}

TEST(SalesPlan, DateTextsFollowTheFrequency) {
  const Date d = *Date::ParseIso("2026-03-04");  // a Wednesday
  EXPECT_EQ(ReportDateText("DAILY", d), "2026-03-04");
  EXPECT_EQ(ReportDateText("WEEKLY", d), "2026-03-08");  // the Sunday that ends its week
  EXPECT_EQ(ReportDateText("MONTHLY", d.StartOfMonth()), "2026-03");
  EXPECT_EQ(ReportDateText("YEARLY", d.StartOfYear()), "2026");
}

}  // namespace
}  // namespace orchard::sync
