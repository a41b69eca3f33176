// libFuzzer target: JSON:API error documents and the X-Rate-Limit header from Apple.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "apple/asc/api_error.h"
#include "apple/asc/rate_limit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)orchard::apple::asc::ParseApiError(text);
  (void)orchard::apple::asc::ParseRateLimit(text);
  return 0;
}
