// libFuzzer target: the customer-reviews RSS JSON parser (apple-apis.md §8.1).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/rss_reviews.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = orchard::ingest::ParseReviewFeed(text, "us");
  if (r.has_value()) {
    for (const auto& review : r->reviews) {
      if (review.rating < 1 || review.rating > 5 || review.id.empty() || review.country != "us") {
        __builtin_trap();
      }
    }
    if (r->reviews.empty() && r->has_next) __builtin_trap();
  }
  (void)orchard::ingest::ParseRssTimestamp(text);
  return 0;
}
