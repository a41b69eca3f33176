// The sales report: downloads and revenue metrics of product.md §5 over the fact store, grouped
// and converted to one currency. Written against the store interfaces only; the CLI and the
// HTTP API call the same function.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "reports/table.h"
#include "store/fact_store.h"
#include "store/meta_store.h"

namespace orchard::reports {

enum class Granularity { kDaily, kWeekly, kMonthly, kYearly };
enum class GroupKey { kDate, kProduct, kCountry, kDevice };

Result<Granularity> ParseGranularity(std::string_view name);
// "date,product,country" → keys; at most three, no repeats.
Result<std::vector<GroupKey>> ParseGroupBy(std::string_view list);

struct SalesQuery {
  int64_t team_id = 0;
  std::optional<Date> start;  // inclusive; none = all time
  std::optional<Date> end;    // inclusive
  Granularity granularity = Granularity::kDaily;
  std::vector<GroupKey> group_by;
  std::vector<std::string> countries;  // alpha-2, upper case
  std::vector<std::string> products;   // Apple Identifiers
  std::string currency = "USD";
};

// Results of a query shape over one calendar month (or the part of a month a query asks for),
// kept for the next query of the same shape. Each entry carries the version of what it was
// computed from: the stamps of the reports answering its days (combined_view.h) and the
// reference-rate version up to its last day; a query recomputes a month whose version moved.
// Thread-safe; least recently used entries go first.
class SalesCache {
 public:
  explicit SalesCache(size_t max_entries = 20000, size_t max_bytes = size_t{256} << 20)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}
  struct Stats {
    uint64_t hits = 0, misses = 0;
  };
  Stats stats() const;

  struct Piece;  // sales_report.cc
  std::shared_ptr<const Piece> Get(const std::string& key, uint64_t version);
  void Put(const std::string& key, uint64_t version, std::shared_ptr<const Piece> piece);

 private:
  struct Entry {
    uint64_t version;
    std::shared_ptr<const Piece> piece;
    std::list<std::string>::iterator lru;
    size_t bytes;
  };
  void Evict();  // with mu_ held
  mutable std::mutex mu_;
  size_t max_entries_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recent first
  Stats stats_;
};

// Columns: the group keys (date, product [+ product_name], country, device), then downloads,
// redownloads, updates, returns, iap, revenue, gross_revenue, other_units, returns_amount.
// Amounts are summed exactly per (group, day, currency), converted with the rate of that day
// (the latest on or before it; EUR-based reference rates), and rounded to cents only when
// printed. A missing rate is kFailedPrecondition naming the currency and the day.
//
// Days are read through the store's combined view (each day from one report frequency). The
// query runs month by month; with a `cache`, months already computed for the same shape and
// still current are taken from it (results are identical either way: every figure is a sum).
Result<Table> RunSalesReport(store::FactStore& facts, store::MetaStore& meta,
                             const SalesQuery& query, SalesCache* cache = nullptr);

}  // namespace orchard::reports
