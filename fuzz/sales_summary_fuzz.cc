// libFuzzer target: the Sales Summary parser over arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/sales_summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t rows = 0;
  auto stats = orchard::ingest::ParseSalesSummary(
      std::string_view(reinterpret_cast<const char*>(data), size),
      [&](const orchard::ingest::SalesRow& row) {
        if (row.product_type.empty() || row.country.empty()) __builtin_trap();
        ++rows;
        return orchard::Status::Ok();
      });
  if (stats.has_value() && stats->rows != rows) __builtin_trap();
  return 0;
}
