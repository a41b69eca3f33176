// The combined view's plan, checked on hand-made report sets (figures worked out in the comments).
#include "store/combined_view.h"

#include <gtest/gtest.h>

#include <map>

namespace orchard::store {
namespace {

Date D(const char* iso) { return *Date::ParseIso(iso); }

class CombinedViewTest : public ::testing::Test {
 protected:
  void Add(const char* frequency, const char* first_day, int64_t account = 1) {
    reports_.push_back({next_id_, account, frequency, D(first_day), next_id_ * 10});
    ++next_id_;
  }
  // Net weight of each day per report id: what a query sees of every report on every day.
  std::map<std::pair<int64_t, std::string>, int> Net() const {
    std::map<std::pair<int64_t, std::string>, int> out;
    for (const auto& r : PlanCombinedView(reports_)) {
      EXPECT_EQ(r.first, r.last);
      out[{r.report_id, r.first.Iso()}] += r.weight;
    }
    return out;
  }
  std::vector<StoredSalesReport> reports_;
  int64_t next_id_ = 1;
};

TEST_F(CombinedViewTest, DailyReportsAloneCountOnTheirOwnDays) {
  Add("DAILY", "2026-03-01");
  Add("DAILY", "2026-03-02");
  Add("WEEKLY", "2026-02-23");  // weekly reports never answer a day
  auto plan = PlanCombinedView(reports_);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].report_id, 1);
  EXPECT_FALSE(plan[0].day.has_value());
  EXPECT_EQ(plan[1].first, D("2026-03-02"));
}

TEST_F(CombinedViewTest, AMonthFullyCoveredByDailyReportsDoesNotReadItsMonthlyReport) {
  Add("MONTHLY", "2026-02-01");  // id 1
  for (int d = 1; d <= 28; ++d) {
    char day[32];
    std::snprintf(day, sizeof day, "2026-02-%02d", d);
    Add("DAILY", day);
  }
  for (const auto& r : PlanCombinedView(reports_)) EXPECT_NE(r.report_id, 1) << r.first.Iso();
  EXPECT_EQ(PlanCombinedView(reports_).size(), 28u);
}

TEST_F(CombinedViewTest, APartlyCoveredMonthCountsItsResidualOnTheFirstUncoveredDay) {
  Add("MONTHLY", "2026-03-01");  // 1
  Add("DAILY", "2026-03-01");    // 2
  Add("DAILY", "2026-03-02");    // 3
  Add("DAILY", "2026-03-31");    // 4
  auto net = Net();
  // The monthly report on 3 March (the first day without a daily report), minus the three
  // daily reports there; each daily report also on its own day.
  std::map<std::pair<int64_t, std::string>, int> want{
      {{1, "2026-03-03"}, 1},  {{2, "2026-03-03"}, -1}, {{3, "2026-03-03"}, -1},
      {{4, "2026-03-03"}, -1}, {{2, "2026-03-01"}, 1},  {{3, "2026-03-02"}, 1},
      {{4, "2026-03-31"}, 1}};
  EXPECT_EQ(net, want);
}

TEST_F(CombinedViewTest, AYearTakesOutItsMonthlyResidualsAndItsDailyReports) {
  Add("YEARLY", "2025-01-01");   // 1
  Add("MONTHLY", "2025-12-01");  // 2: partly covered (31 Dec only)
  Add("DAILY", "2025-12-31");    // 3
  Add("DAILY", "2025-11-30");    // 4: November has no monthly report
  Add("YEARLY", "2024-01-01");   // 5: nothing finer, the whole year on 1 January
  Add("DAILY", "2026-01-01");    // 6: another year, left alone
  auto net = Net();
  // 2025: yearly on 1 January minus (December's monthly + 30 November's daily); December's
  // residual (monthly − 31 Dec) on 1 December; the daily reports on their days.
  std::map<std::pair<int64_t, std::string>, int> want{
      {{1, "2025-01-01"}, 1},  {{2, "2025-01-01"}, -1}, {{4, "2025-01-01"}, -1},
      {{2, "2025-12-01"}, 1},  {{3, "2025-12-01"}, -1}, {{3, "2025-12-31"}, 1},
      {{4, "2025-11-30"}, 1},  {{5, "2024-01-01"}, 1},  {{6, "2026-01-01"}, 1}};
  EXPECT_EQ(net, want);
  // Per report, the weights over all days add up to what the year is made of: the yearly
  // report once, every finer report exactly zero times outside its own days' +1.
  std::map<int64_t, int> per_report;
  for (const auto& [k, w] : net) per_report[k.first] += w;
  EXPECT_EQ(per_report[1], 1);
  EXPECT_EQ(per_report[2], 0);  // December's monthly: +1 residual, −1 in the year
  EXPECT_EQ(per_report[3], 0);  // 31 December: +1 own day, −1 in December's residual
  EXPECT_EQ(per_report[4], 0);  // 30 November: +1 own day, −1 in the year
}

TEST_F(CombinedViewTest, AYearFullyCoveredByFinerReportsIsNotRead) {
  Add("YEARLY", "2025-01-01");  // 1
  for (int m = 1; m <= 12; ++m) {
    char day[32];
    std::snprintf(day, sizeof day, "2025-%02d-01", m);
    Add("MONTHLY", day);
  }
  for (const auto& r : PlanCombinedView(reports_)) {
    EXPECT_NE(r.report_id, 1);
    EXPECT_EQ(r.weight, 1);  // each month its own monthly report, no residual of the year
  }
}

TEST_F(CombinedViewTest, AccountsArePlannedApart) {
  Add("YEARLY", "2025-01-01", 1);  // 1
  Add("DAILY", "2025-01-01", 2);   // 2: another account's day does not cover account 1's
  auto net = Net();
  std::map<std::pair<int64_t, std::string>, int> want{{{1, "2025-01-01"}, 1}, {{2, "2025-01-01"}, 1}};
  EXPECT_EQ(net, want);
}

}  // namespace
}  // namespace orchard::store
