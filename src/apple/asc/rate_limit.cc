#include "apple/asc/rate_limit.h"

#include <charconv>

namespace orchard::apple::asc {
namespace {
std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<RateLimit> ParseRateLimit(std::string_view header) {
  RateLimit out;
  bool any = false;
  while (!header.empty()) {
    const size_t semi = header.find(';');
    const std::string_view part = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t colon = part.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = Trim(part.substr(0, colon));
    const std::string_view value = Trim(part.substr(colon + 1));
    int n = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || p != value.data() + value.size()) continue;
    if (key == "user-hour-lim") {
      out.limit = n;
      any = true;
    } else if (key == "user-hour-rem") {
      out.remaining = n;
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return out;
}

}  // namespace orchard::apple::asc
