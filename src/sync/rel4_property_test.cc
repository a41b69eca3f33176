// REL-4 as a property: any sequence of deliveries — duplicates, reorderings, revisions of the
// same report, withdrawals (an empty report) — ends with stored facts identical to ingesting
// only the last delivered version of each report into an empty store.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <tuple>

#include "ingest/gzip.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "sync/sales_sync.h"
#include "sync/sync_test_util.h"

namespace orchard::sync {
namespace {

using testing::kSalesHeader;

struct Report {
  std::string frequency;
  Date date;
  std::string body;  // gzip or plain TSV
};

// A random version of the report of (frequency, date): a few rows of a few products and
// countries, sometimes a refund, sometimes nothing at all (Apple withdrew it).
std::string RandomBody(std::mt19937_64& rng, Date date) {
  if (rng() % 8 == 0) return "";
  const char* countries[] = {"US", "GB", "DE", "JP"};
  const char* currencies[] = {"USD", "GBP", "EUR", "JPY"};
  const char* ptis[] = {"1", "3", "7", "IA1", "1F", "ZZ"};
  char day[16];
  std::snprintf(day, sizeof day, "%02u/%02u/%04d", date.month(), date.day(), date.year());
  std::string tsv = kSalesHeader;
  const int rows = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < rows; ++i) {
    const int c = static_cast<int>(rng() % 4);
    const int units = static_cast<int>(rng() % 9) - 1;  // −1 … 7
    tsv += std::string("APPLE\tUS\tsku\t \tApp\t1\t") + ptis[rng() % 6] + "\t" + std::to_string(units) +
           "\t" + std::to_string(rng() % 5) + ".7" + std::to_string(rng() % 10) + "\t" + day + "\t" + day +
           "\t" + currencies[c] + "\t" + countries[c] + "\t" + currencies[c] + "\t" +
           std::to_string(100 + rng() % 3) + "\t" + (units < 0 ? "-" : "") + "0.99\n";
  }
  return rng() % 2 == 0 ? *ingest::Gzip(tsv) : tsv;
}

using Row = std::tuple<int32_t, std::string, std::string, std::string, std::string, std::string,
                       std::string, int64_t, int64_t, int64_t>;

class Store {
 public:
  Store(const std::filesystem::path& dir, const Clock* clock) {
    std::filesystem::create_directories(dir);
    db_ = *store::sqlite::Database::Open(dir / "o.db");
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, clock);
    facts_ = std::make_unique<store::sqlite::SqliteFactStore>(db_, clock);
    team_ = meta_->EnsureDefaultTeam()->id;
    sync_ = std::make_unique<SalesSync>(meta_.get(), facts_.get(), ReportFetcher{}, clock);
  }
  void Deliver(const Report& r) {
    store::SalesReportKey key{team_, 1, r.frequency, r.date};
    if (r.body.empty()) {  // "no sales": an empty report replaces the previous version
      auto writer = facts_->BeginSalesReport(key);
      ASSERT_TRUE(writer.has_value());
      ASSERT_TRUE((*writer)->Commit().ok());
      return;
    }
    auto rows = sync_->IngestSalesReport(key, r.body, 1 << 20, nullptr);
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  }
  // Every stored fact of every frequency, as a sorted multiset.
  std::multiset<Row> Dump() {
    std::multiset<Row> out;
    for (const char* f : {"DAILY", "MONTHLY"}) {
      store::SalesScan scan;
      scan.team_id = team_;
      scan.frequency = f;
      EXPECT_TRUE(facts_->ScanSales(scan, [&](const store::SalesRecord& r) {
        out.emplace(r.day.days(), std::string(f), std::string(r.apple_id), std::string(r.product_type),
                    std::string(r.country), std::string(r.customer_currency),
                    std::string(r.proceeds_currency), r.units, r.developer_proceeds, r.customer_price);
      }).ok());
    }
    return out;
  }

 private:
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteFactStore> facts_;
  std::unique_ptr<SalesSync> sync_;
  int64_t team_ = 0;
};

TEST(Rel4Property, AnyDeliverySequenceEndsAsTheLastVersionOfEachReport) {
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)));
  const auto root = std::filesystem::temp_directory_path() / ("orchard-rel4-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  const Date first = *Date::ParseIso("2026-03-01");
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    std::mt19937_64 rng(seed);
    // Versions of a handful of reports (days of March and the month itself).
    std::vector<Report> versions;
    const int reports = 2 + static_cast<int>(rng() % 5);
    for (int i = 0; i < reports; ++i) {
      const bool monthly = i == 0 && rng() % 2 == 0;
      const Date date = monthly ? first : first.AddDays(static_cast<int32_t>(rng() % 10));
      const int count = 1 + static_cast<int>(rng() % 3);
      for (int v = 0; v < count; ++v) {
        versions.push_back({monthly ? "MONTHLY" : "DAILY", date, RandomBody(rng, date)});
      }
    }
    // A delivery sequence: shuffled, with duplicates of random versions.
    std::vector<Report> deliveries = versions;
    const int dupes = static_cast<int>(rng() % 6);
    for (int d = 0; d < dupes; ++d) deliveries.push_back(versions[rng() % versions.size()]);
    std::shuffle(deliveries.begin(), deliveries.end(), rng);
    // The last delivered version of each report.
    std::map<std::pair<std::string, int32_t>, const Report*> last;
    for (const auto& r : deliveries) last[{r.frequency, r.date.days()}] = &r;

    Store messy(root / ("messy-" + std::to_string(seed)), &clock);
    for (const auto& r : deliveries) messy.Deliver(r);
    Store tidy(root / ("tidy-" + std::to_string(seed)), &clock);
    for (const auto& [key, r] : last) tidy.Deliver(*r);
    ASSERT_EQ(messy.Dump(), tidy.Dump()) << "seed " << seed;
  }
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace orchard::sync
