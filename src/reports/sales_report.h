// The sales report: downloads and revenue metrics of product.md §5 over the fact store, grouped
// and converted to one currency. Written against the store interfaces only; the CLI and the
// HTTP API call the same function.
#pragma once

#include <optional>
#include <string>
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

// Columns: the group keys (date, product [+ product_name], country, device), then downloads,
// redownloads, updates, returns, iap, revenue, gross_revenue, other_units, returns_amount.
// Amounts are summed exactly per (group, day, currency), converted with the rate of that day
// (the latest on or before it; EUR-based reference rates), and rounded to cents only when
// printed. A missing rate is kFailedPrecondition naming the currency and the day.
Result<Table> RunSalesReport(store::FactStore& facts, store::MetaStore& meta,
                             const SalesQuery& query);

}  // namespace orchard::reports
