// The Sales Summary report (SALES / SUMMARY, apple-apis.md §2.5), parsed by header name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"

namespace orchard::ingest {

// One row; views into the TSV buffer, valid only during the callback.
struct SalesRow {
  std::string_view provider, provider_country, sku, developer, title, version, product_type,
      customer_currency, country, proceeds_currency, apple_id, promo_code, parent_id,
      subscription, period, category, cmb, device, supported_platforms, proceeds_reason,
      preserved_pricing, client, order_type;
  Date begin_date, end_date;
  int64_t units = 0;               // hundredths (DECIMAL(18,2)); negative for refunds
  int64_t developer_proceeds = 0;  // per unit, millionths of proceeds_currency
  int64_t customer_price = 0;      // per unit, millionths of customer_currency (negative on refunds)
  size_t line = 0;                 // 1-based line in the file
};

struct RowError {
  size_t line = 0;
  std::string message;  // names the column and the bad value
};

struct SalesParseStats {
  size_t rows = 0;         // rows passed to on_row
  size_t error_count = 0;  // malformed rows (not passed on)
  std::vector<RowError> errors;  // the first 100
};

// Missing required column (Product Type Identifier, Units, Developer Proceeds, Begin Date,
// End Date, Customer Currency, Country Code, Currency of Proceeds, Apple Identifier, Customer
// Price) → kInvalidArgument naming it. A malformed row (bad number or date, empty required
// field) is counted and skipped; parsing continues. A non-OK status from on_row stops parsing
// and is returned.
Result<SalesParseStats> ParseSalesSummary(std::string_view tsv,
                                          const std::function<Status(const SalesRow&)>& on_row);

}  // namespace orchard::ingest
