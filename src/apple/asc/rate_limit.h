// The X-Rate-Limit header (apple-apis.md §1.4): "user-hour-lim:3600;user-hour-rem:3599;".
#pragma once

#include <optional>
#include <string_view>

namespace orchard::apple::asc {

struct RateLimit {
  int limit = 0;      // requests per rolling hour per key
  int remaining = 0;  // left in the current window
};

// Tolerant: missing fields, other keys, spaces, missing trailing ';' are all fine; returns
// nullopt when neither figure can be read.
std::optional<RateLimit> ParseRateLimit(std::string_view header);

}  // namespace orchard::apple::asc
