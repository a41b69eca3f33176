// The European Central Bank's historical reference-rate CSV (eurofxref-hist.csv):
// `Date,USD,JPY,…` then one row per business day, rates as units of currency per 1 EUR.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"

namespace orchard::ingest {

inline constexpr int kFxDecimals = 8;
inline constexpr int64_t kFxScale = 100'000'000;

struct FxRate {
  Date day;
  std::string currency;
  int64_t per_eur = 0;  // units of `currency` per 1 EUR, scaled by kFxScale
};

struct FxParseResult {
  std::vector<FxRate> rates;
  size_t days = 0;
  std::vector<std::string> currencies;
};

// Tolerates rows in any order, `N/A` or empty cells (no rate that day), a trailing comma on
// every line (the real file has one), CRLF, a BOM and blank lines. A bad date or number, or a
// rate that is not positive → kInvalidArgument naming the line.
Result<FxParseResult> ParseEcbCsv(std::string_view csv);

}  // namespace orchard::ingest
