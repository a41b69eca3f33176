// libFuzzer target: opening arbitrary bytes as a sealed secret must fail closed, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/sealer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const orchard::crypto::KeyRing ring = *orchard::crypto::KeyRing::FromText(
      "orchard-kek v1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  static const orchard::crypto::Sealer sealer(&ring);
  auto opened = sealer.Open(std::string_view(reinterpret_cast<const char*>(data), size),
                            {1, "linked_accounts", "secret", 1});
  if (opened.has_value()) __builtin_trap();  // forging a blob without the key is impossible
  return 0;
}
