// SalesScheduler: what a pass plans and runs, by the clock (the agreement's time zone).
#include "sync/scheduler.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "sync/sync_test_util.h"

namespace orchard::sync {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 1,800,000,000 s is 2027-01-15 08:00 UTC, midnight in Los Angeles (PST, UTC−8).
constexpr int64_t kMidnightPacific = 1'800'000'000;

class FakeSource final : public SalesFetchSource {
 public:
  explicit FakeSource(ReportFetcher f) : fetch_(std::move(f)) {}
  const ReportFetcher& fetcher() const override { return fetch_; }
  std::optional<seconds> BudgetWait() const override { return budget_wait; }
  std::optional<seconds> budget_wait;

 private:
  ReportFetcher fetch_;
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = std::make_unique<testing::TempStores>("sched", &clock_);
    meta_ = stores_->meta();
    account_ = stores_->account();
    SchedulerOptions o;
    o.open_source = [this](const store::LinkedAccount&) -> Result<std::unique_ptr<SalesFetchSource>> {
      auto s = std::make_unique<FakeSource>([this](const apple::asc::SalesReportQuery& q) {
        return Answer(q);
      });
      source_ = s.get();
      return std::unique_ptr<SalesFetchSource>(std::move(s));
    };
    o.on_refusal = [this](const store::LinkedAccount&, const Status&) { ++refusals_; };
    scheduler_ = std::make_unique<SalesScheduler>(meta_, stores_->facts(), &clock_, o);
  }
  void TearDown() override {
    scheduler_.reset();
    stores_.reset();
  }

  Result<apple::asc::ReportResponse> Answer(const apple::asc::SalesReportQuery& q) {
    ++calls_[q.frequency];
    if (failure_ != Code::kOk) return Error(failure_, "scripted failure");
    return apple::asc::ReportResponse{apple::asc::ReportAvailability::kNoSales, "", "no sales"};
  }
  TickSummary Tick() {
    auto account = meta_->GetAccount(account_.team_id, account_.id);
    auto t = scheduler_->Tick({*account}, [] { return false; });
    EXPECT_TRUE(t.has_value()) << t.error().ToString();
    return t.value_or(TickSummary{});
  }

  FakeClock clock_{std::chrono::system_clock::time_point(seconds(kMidnightPacific) + hours(7))};
  std::unique_ptr<testing::TempStores> stores_;
  store::sqlite::SqliteMetaStore* meta_ = nullptr;
  store::LinkedAccount account_;
  std::unique_ptr<SalesScheduler> scheduler_;
  FakeSource* source_ = nullptr;
  std::map<std::string, int> calls_;
  Code failure_ = Code::kOk;
  int refusals_ = 0;
};

TEST_F(SchedulerTest, ANewAccountIsBackfilledAndTheRoutineWaitsForTheReportsHour) {
  // 07:00 Pacific on 15 January 2027: the backfill — daily 15 Jan 2026 … 14 Jan 2027 (365),
  // monthly February … December 2026 (11; January 2026 began before the window), yearly 2026
  // back to 2008 (19) — but not the routine, due from 08:00.
  auto t = Tick();
  EXPECT_EQ(t.planned, 395);
  EXPECT_EQ(t.run, 395);
  EXPECT_EQ(calls_["DAILY"], 365);
  EXPECT_EQ(calls_["MONTHLY"], 11);
  EXPECT_EQ(calls_["YEARLY"], 19);
  calls_.clear();
  clock_.Advance(minutes(90));  // 08:30: the routine re-fetches the last 32 days
  t = Tick();
  EXPECT_EQ(t.planned, 32);
  EXPECT_EQ(calls_["DAILY"], 32);
  EXPECT_EQ(calls_["MONTHLY"] + calls_["YEARLY"], 0);  // December 2026 and 2026 are done
  calls_.clear();
  clock_.Advance(minutes(30));  // once a day only
  t = Tick();
  EXPECT_EQ(t.planned, 0);
  EXPECT_EQ(t.run, 0);
  clock_.Advance(hours(24));  // the next day
  t = Tick();
  EXPECT_EQ(t.planned, 32);
  EXPECT_EQ(t.run, 32);
  // The 32nd day back and yesterday: 15 Dec 2026 … 15 Jan 2027 … all fetched again.
  EXPECT_EQ(calls_["DAILY"], 32);
}

TEST_F(SchedulerTest, TheBreakerOpensAfterThreeFailuresAndClosesAfterItsCooldown) {
  failure_ = Code::kUnavailable;
  auto t = Tick();
  EXPECT_EQ(t.run, 3);
  EXPECT_EQ(t.failed, 3);
  ASSERT_TRUE(scheduler_->BreakerOpenUntil(account_.id).has_value());
  EXPECT_EQ(Tick().run, 0);  // open: nothing is asked
  clock_.Advance(seconds(61));
  t = Tick();
  EXPECT_EQ(t.run, 3);  // half-open: three more tries, then open again for twice as long
  clock_.Advance(seconds(61));
  EXPECT_EQ(Tick().run, 0);
  clock_.Advance(seconds(60));
  failure_ = Code::kOk;
  t = Tick();
  EXPECT_EQ(t.failed, 0);
  // 182 s after the start: the first three failures (at 0 s) waited their 120 s, the next three
  // (at 61 s) theirs; with the 389 untried, every one of the 395 ran.
  EXPECT_EQ(t.run, 395);
}

TEST_F(SchedulerTest, AnAccountWithoutARequestSlotWaits) {
  Tick();  // opens the source
  ASSERT_NE(source_, nullptr);
  clock_.Advance(minutes(90));
  source_->budget_wait = seconds(600);
  auto t = Tick();
  EXPECT_EQ(t.planned, 32);
  EXPECT_EQ(t.run, 0);
  source_->budget_wait.reset();
  EXPECT_EQ(Tick().run, 32);
}

TEST_F(SchedulerTest, ARefusedAccountIsFlaggedOnceAndLeftAlone) {
  failure_ = Code::kUnauthenticated;
  auto t = Tick();
  EXPECT_EQ(t.run, 1);
  EXPECT_EQ(refusals_, 1);
  EXPECT_EQ(meta_->GetAccount(account_.team_id, account_.id)->status, "needs_attention");
  EXPECT_EQ(Tick().run, 0);  // flagged accounts are not synced
  EXPECT_EQ(refusals_, 1);
}

TEST_F(SchedulerTest, RecoverPutsInterruptedJobsBackInTheQueue) {
  store::SyncJob job;
  job.team_id = account_.team_id;
  job.account_id = account_.id;
  job.report_date = *Date::ParseIso("2027-01-10");
  ASSERT_TRUE(meta_->EnqueueJobs({job}, true, clock_.NowSeconds()).has_value());
  ASSERT_TRUE(meta_->ClaimJob(clock_.NowSeconds(), 0, {}).value_or(std::nullopt).has_value());
  ASSERT_TRUE(scheduler_->Recover().ok());
  auto jobs = meta_->ListJobs(account_.team_id, account_.id, 10);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].state, "queued");
}

}  // namespace
}  // namespace orchard::sync
