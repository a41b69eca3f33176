// Exact fixed-point decimals for Apple's amounts and units.
//
// Units are DECIMAL(18,2) in Apple's reports and stored as hundredths (kUnitScale). Money is
// stored as millionths of the currency unit (kMoneyScale): a per-unit price with up to four
// decimals times units with up to two decimals is exact at that scale. Sums are accumulated in
// 128-bit integers (Wide) so that a year of IDR or KRW revenue cannot overflow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orchard {

using Wide = __int128;

inline constexpr int kUnitDecimals = 2;
inline constexpr int64_t kUnitScale = 100;
inline constexpr int kMoneyDecimals = 6;
inline constexpr int64_t kMoneyScale = 1'000'000;

// Parses a plain decimal ("12", "-0.99", ".7", "+3.50") into an integer scaled by 10^decimals.
// Digits beyond `decimals` must be zeros, otherwise kInvalidArgument (no silent rounding).
// Surrounding spaces are ignored; an empty or blank field is kInvalidArgument.
Result<int64_t> ParseFixed(std::string_view text, int decimals);

// Formats value / 10^decimals rounded half-away-from-zero to `digits` decimals ("-1234.57").
std::string FormatFixed(Wide value, int decimals, int digits);

// value * num / den rounded half-away-from-zero; den must be > 0.
Wide MulDivRound(Wide value, Wide num, Wide den);

}  // namespace orchard
