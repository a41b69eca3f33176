// Sealer: envelope encryption of secrets (security.md SEC-1, SEC-2).
//
// Seal: a fresh random 32-byte data key encrypts the plaintext with XChaCha20-Poly1305 (random
// 192-bit nonce); the current key-encryption key wraps the data key the same way. Both carry
// the same associated data: a length-prefixed encoding of ("orchard-seal-v1", team id, table,
// column, row id, KEK version). So a flipped byte, a truncated blob, a blob copied to another
// row, column or team, or an edited version all fail to open — never partial plaintext.
//
// Blob layout (all fixed sizes):
//   "ORS1" | KEK version (u32 big-endian) | wrap nonce (24) | wrapped data key (32 + 16 tag)
//   | payload nonce (24) | ciphertext (n + 16 tag)
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <string_view>

#include "core/secret.h"
#include "core/status.h"
#include "crypto/key_ring.h"

namespace orchard::crypto {

// Where a sealed value lives; bound into the ciphertext as associated data.
struct SealContext {
  int64_t team_id = 0;
  std::string_view table;
  std::string_view column;
  int64_t row_id = 0;
};

class Sealer {
 public:
  explicit Sealer(const KeyRing* ring) : ring_(ring) {}  // not owned; must outlive the Sealer

  // Follow the key file: when it changes (`orchard keys rotate` in another process added a
  // version), new seals use the new current key and blobs of the new version open — so a
  // running server sees no failures during an online rotation (SEC-4). Rings read from the
  // file are kept for the Sealer's lifetime. Thread-safe.
  void WatchKeyFile(std::filesystem::path path);

  Result<std::string> Seal(std::string_view plaintext, const SealContext& where) const;
  // kDataLoss on any tampering, wrong context, unknown key version or truncation.
  Result<Secret> Open(std::string_view blob, const SealContext& where) const;
  // Re-wraps the data key under the current KEK (key rotation); the payload is untouched.
  Result<std::string> Rewrap(std::string_view blob, const SealContext& where) const;
  // The KEK version written in a blob (unauthenticated until Open succeeds).
  static Result<uint32_t> BlobKeyVersion(std::string_view blob);

 private:
  const KeyRing& Ring(bool check_file) const;

  mutable std::mutex mu_;
  mutable const KeyRing* ring_;
  std::filesystem::path key_file_;
  mutable std::filesystem::file_time_type key_file_time_{};
  mutable std::vector<std::unique_ptr<KeyRing>> reloaded_;
};

}  // namespace orchard::crypto
