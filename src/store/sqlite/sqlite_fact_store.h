// FactStore on SQLite: facts packed in chunks per source report.
//
// A Sales Summary report becomes one `sales_reports` row and chunks of up to kChunkRows packed
// fixed-width rows (strings interned in `dims`). Replacing a report deletes its chunks in the
// same transaction that writes the new ones. Scans read only the reports in the date range and
// decode chunks in memory, which is both faster to write and faster to aggregate than one SQL
// row per fact (see bench/ingest_bench).
#pragma once

#include <memory>

#include "core/clock.h"
#include "store/fact_store.h"
#include "store/sqlite/database.h"

namespace orchard::store::sqlite {

class SqliteFactStore final : public FactStore {
 public:
  static constexpr size_t kChunkRows = 8192;

  SqliteFactStore(std::shared_ptr<Database> db, const Clock* clock)
      : db_(std::move(db)), clock_(clock) {}

  Result<std::unique_ptr<SalesReportWriter>> BeginSalesReport(const SalesReportKey& key) override;
  Status ScanSales(const SalesScan& scan,
                   const std::function<void(const SalesRecord&)>& on_record) override;
  Result<std::vector<Product>> ListProducts(int64_t team_id) override;
  Result<std::vector<StoredSalesReport>> ListSalesReports(int64_t team_id) override;

 private:
  std::shared_ptr<Database> db_;
  const Clock* clock_;
};

}  // namespace orchard::store::sqlite
