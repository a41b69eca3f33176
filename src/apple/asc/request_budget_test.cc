// RequestBudget (REL-1): an hour's requests per key stay under Apple's X-Rate-Limit figure.
#include "apple/asc/request_budget.h"

#include <gtest/gtest.h>

namespace orchard::apple::asc {
namespace {

using std::chrono::seconds;

FakeClock MakeClock() { return FakeClock(std::chrono::system_clock::time_point(seconds(1'800'000'000))); }

TEST(RequestBudget, KeepsAReserveUnderTheLimitApplePublishes) {
  FakeClock clock = MakeClock();
  RequestBudget budget("K1", &clock);
  budget.Observe({100, 100});
  // 100 an hour, 5 (a twentieth) kept for other tools: 95 go out, the 96th waits.
  for (int i = 0; i < 95; ++i) {
    ASSERT_FALSE(budget.TryAcquire().has_value()) << i;
    clock.Advance(seconds(10));
  }
  auto wait = budget.TryAcquire();
  ASSERT_TRUE(wait.has_value());
  // The first request went out 950 s ago; it leaves the window in 3600 − 950 = 2650 s.
  EXPECT_EQ(wait->count(), 2650);
  clock.Advance(seconds(2650));
  EXPECT_FALSE(budget.TryAcquire().has_value());
}

TEST(RequestBudget, AppleSeeingOtherUsersOfTheKeyCountsToo) {
  FakeClock clock = MakeClock();
  RequestBudget budget("K2", &clock);
  ASSERT_FALSE(budget.TryAcquire().has_value());
  // Someone else used the key: Apple says 7 of 100 are left; with the reserve of 5, two more.
  budget.Observe({100, 7});
  EXPECT_FALSE(budget.TryAcquire().has_value());
  EXPECT_FALSE(budget.TryAcquire().has_value());
  EXPECT_TRUE(budget.TryAcquire().has_value());
  EXPECT_EQ(budget.Headroom(), 0);
  // Apple's count is news for one window only.
  clock.Advance(seconds(3601));
  EXPECT_EQ(budget.Headroom(), 95);
}

TEST(RequestBudget, A429PausesEveryClientOfTheKeyForItsRetryAfter) {
  FakeClock clock = MakeClock();
  RequestBudget budget("K3", &clock);
  budget.Observe({3600, 3000});
  budget.Refused(seconds(30));
  auto wait = budget.Wait();
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->count(), 30);
  clock.Advance(seconds(30));
  // The 429's "0 remaining" is forgotten: our own count (nothing sent) rules again.
  EXPECT_FALSE(budget.TryAcquire().has_value());
  EXPECT_EQ(budget.Headroom(), 3600 - 180 - 1);
}

TEST(RequestBudget, OneBudgetPerKeyAcrossTheProcess) {
  FakeClock clock = MakeClock();
  EXPECT_EQ(&RequestBudget::ForKey("SAME", &clock), &RequestBudget::ForKey("SAME", &clock));
  EXPECT_NE(&RequestBudget::ForKey("SAME", &clock), &RequestBudget::ForKey("OTHER", &clock));
}

}  // namespace
}  // namespace orchard::apple::asc
