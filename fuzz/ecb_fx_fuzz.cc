// libFuzzer target: the ECB reference-rate CSV parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/ecb_fx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = orchard::ingest::ParseEcbCsv(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.has_value()) {
    for (const auto& rate : r->rates) {
      if (rate.per_eur <= 0) __builtin_trap();
    }
  }
  return 0;
}
