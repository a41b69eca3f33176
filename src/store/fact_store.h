// FactStore: report data synced from Apple. The interface every backend implements (SQLite now;
// ClickHouse later). Reports, sync and the HTTP API see only this interface.
//
// Re-ingest is idempotent by construction: facts are stored per source report (account,
// frequency, report date), and a new delivery of the same report replaces the previous one in
// one transaction, so re-syncing a window never double-counts (REL-4).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "store/combined_view.h"

namespace orchard::store {

struct SalesReportKey {
  int64_t team_id = 0;
  int64_t account_id = 0;
  std::string frequency = "DAILY";  // DAILY | WEEKLY | MONTHLY | YEARLY
  Date report_date;                 // the first day of the period
};

// One row of a Sales Summary report, as Apple gives it (amounts per unit, exact fixed point).
// Views are only read during Add().
struct SalesFact {
  Date day;                        // Begin Date
  std::string_view apple_id;       // Apple Identifier (product)
  std::string_view sku;
  std::string_view title;
  std::string_view parent_id;      // Parent Identifier (SKU of the parent app, for IAPs)
  std::string_view product_type;   // Product Type Identifier
  std::string_view country;        // Country Code (alpha-2)
  std::string_view device;
  std::string_view customer_currency;
  std::string_view proceeds_currency;
  std::string_view promo_code;
  int64_t units = 0;               // hundredths
  int64_t developer_proceeds = 0;  // millionths per unit, in proceeds_currency
  int64_t customer_price = 0;      // millionths per unit, in customer_currency
};

// Streams one report's facts into the store. Nothing is visible until Commit(), which replaces
// any previous version of the same report atomically; destroying an uncommitted writer rolls
// back and leaves the stored data as it was.
class SalesReportWriter {
 public:
  virtual ~SalesReportWriter() = default;
  virtual Status Add(const SalesFact& fact) = 0;
  virtual Status Commit() = 0;
};

struct SalesScan {
  int64_t team_id = 0;
  std::optional<Date> start;          // inclusive; none = from the beginning
  std::optional<Date> end;            // inclusive; none = to the end
  std::vector<std::string> countries; // empty = all
  std::vector<std::string> products;  // Apple Identifiers; empty = all
  // Empty: the combined view (combined_view.h), where each day is answered by one frequency
  // and records may carry weight −1. A frequency: that frequency's reports as stored.
  std::string frequency;
  // With the combined view: the plan to read, when the caller already has it (from
  // PlanCombinedView(ListSalesReports(team_id))); none = planned by the scan.
  const std::vector<ReportRole>* plan = nullptr;
};

// A stored fact as read back; views are valid during the callback only.
struct SalesRecord {
  Date day;                         // the day it counts on (a residual's day in the combined view)
  int weight = 1;                   // +1, or −1 for a finer report taken out of a residual
  std::string_view apple_id;
  std::string_view product_type;
  std::string_view country;
  std::string_view device;
  std::string_view customer_currency;
  std::string_view proceeds_currency;
  std::string_view promo_code;
  int64_t units = 0;
  int64_t developer_proceeds = 0;
  int64_t customer_price = 0;
};

struct Product {
  std::string apple_id;
  std::string sku;
  std::string title;
  std::string parent_id;
  std::string product_type;  // the most recently seen Product Type Identifier
};

class FactStore {
 public:
  virtual ~FactStore() = default;

  virtual Result<std::unique_ptr<SalesReportWriter>> BeginSalesReport(const SalesReportKey& key) = 0;
  virtual Status ScanSales(const SalesScan& scan,
                           const std::function<void(const SalesRecord&)>& on_record) = 0;
  virtual Result<std::vector<Product>> ListProducts(int64_t team_id) = 0;
  // The team's stored Sales reports (what the combined view is planned from; caches of query
  // results compare their stamps).
  virtual Result<std::vector<StoredSalesReport>> ListSalesReports(int64_t team_id) = 0;
};

}  // namespace orchard::store
