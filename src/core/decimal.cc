#include "core/decimal.h"

#include <algorithm>

namespace orchard {
namespace {
constexpr int64_t kPow10[] = {1,         10,         100,         1000,         10000,
                              100000,    1000000,    10000000,    100000000,    1000000000,
                              10000000000, 100000000000, 1000000000000};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
}  // namespace

Result<int64_t> ParseFixed(std::string_view text, int decimals) {
  const std::string_view s = Trim(text);
  auto bad = [&]() {
    return Error(Code::kInvalidArgument, "not a decimal number: '" + std::string(text) + "'");
  };
  if (s.empty() || decimals < 0 || decimals > 12) return bad();
  size_t i = 0;
  bool negative = false;
  if (s[i] == '-' || s[i] == '+') {
    negative = s[i] == '-';
    ++i;
  }
  Wide value = 0;
  int frac = -1;  // number of fraction digits seen, -1 before the point
  bool any_digit = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (frac >= 0) return bad();
      frac = 0;
      continue;
    }
    if (c < '0' || c > '9') return bad();
    any_digit = true;
    if (frac >= 0) {
      if (frac >= decimals) {
        if (c != '0') {
          return Error(Code::kInvalidArgument, "'" + std::string(text) + "' has more than " +
                                                   std::to_string(decimals) + " decimals");
        }
        continue;
      }
      ++frac;
    }
    value = value * 10 + (c - '0');
    if (value > static_cast<Wide>(INT64_MAX)) {
      return Error(Code::kOutOfRange, "number too large: '" + std::string(text) + "'");
    }
  }
  if (!any_digit) return bad();
  const int have = std::max(frac, 0);
  value *= kPow10[decimals - have];
  if (value > static_cast<Wide>(INT64_MAX)) {
    return Error(Code::kOutOfRange, "number too large: '" + std::string(text) + "'");
  }
  return static_cast<int64_t>(negative ? -value : value);
}

Wide MulDivRound(Wide value, Wide num, Wide den) {
  const Wide product = value * num;
  const Wide q = product / den;
  const Wide r = product % den;
  const Wide twice = (r < 0 ? -r : r) * 2;
  if (twice >= den) return product < 0 ? q - 1 : q + 1;
  return q;
}

std::string FormatFixed(Wide value, int decimals, int digits) {
  if (digits < decimals) {
    value = MulDivRound(value, 1, kPow10[decimals - digits]);
  } else if (digits > decimals) {
    value *= kPow10[digits - decimals];
  }
  const bool negative = value < 0;
  unsigned __int128 mag = negative ? static_cast<unsigned __int128>(-value)
                                   : static_cast<unsigned __int128>(value);
  std::string out;
  int pos = 0;
  do {
    if (digits > 0 && pos == digits) out.push_back('.');
    out.push_back(static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
    ++pos;
  } while (mag != 0 || pos <= digits);
  if (negative) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace orchard
