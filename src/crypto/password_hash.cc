#include "crypto/password_hash.h"

#include "core/metrics.h"

#include <sodium.h>

namespace orchard::crypto {
namespace {
constexpr unsigned long long kOpsLimit = 2;           // t = 2
constexpr size_t kMemLimit = size_t{64} << 20;        // 64 MiB
}  // namespace

Result<std::string> HashPassword(const Secret& password) {
  if (password.size() < kMinPasswordLength) {
    return Error(Code::kInvalidArgument, "a password needs at least 8 characters; long passphrases are welcome");
  }
  if (sodium_init() < 0) return Error(Code::kInternal, "libsodium could not start");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, reinterpret_cast<const char*>(password.bytes()), password.size(), kOpsLimit,
                            kMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(Code::kResourceExhausted, "not enough memory to hash the password (argon2id needs 64 MiB)");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& encoded, const Secret& password) {
  if (sodium_init() < 0) return false;
  // Counted, so that tests (and /metrics) see which paths pay for a hash without timing them.
  metrics::Registry::Global().Increment("orchard_password_checks_total");
  // An empty Secret has no buffer; libsodium wants a pointer all the same.
  const char* bytes = password.empty() ? "" : reinterpret_cast<const char*>(password.bytes());
  return crypto_pwhash_str_verify(encoded.c_str(), bytes, password.size()) == 0;
}

bool PasswordNeedsRehash(const std::string& encoded) {
  if (sodium_init() < 0) return true;
  // 0: current; 1: other parameters; -1: not an argon2id string at all.
  return crypto_pwhash_str_needs_rehash(encoded.c_str(), kOpsLimit, kMemLimit) != 0;
}

}  // namespace orchard::crypto
