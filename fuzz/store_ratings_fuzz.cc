// libFuzzer target: the public ratings parsers (Media API app resource, iTunes lookup, token).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/store_ratings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto r : {orchard::ingest::ParseMediaApiRating(text, "123"),
                 orchard::ingest::ParseLookupRating(text, "123")}) {
    if (r.has_value() && r->has_value()) {
      const auto& rating = **r;
      if (rating.average_x100 < 0 || rating.average_x100 > 500 || rating.count < 0) __builtin_trap();
      for (int64_t c : rating.histogram) {
        if (c < 0) __builtin_trap();
      }
    }
  }
  (void)orchard::ingest::ParseMediaApiToken(text);
  return 0;
}
