// libFuzzer target: Gunzip must never crash, hang or exceed its cap on any bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/gzip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto out = orchard::ingest::Gunzip(std::string_view(reinterpret_cast<const char*>(data), size), 1 << 20);
  if (out.has_value() && out->size() > (1 << 20)) __builtin_trap();
  return 0;
}
