// ES256 (ECDSA P-256 with SHA-256) keys as App Store Connect uses them (apple-apis.md §1.2–1.3).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/secret.h"
#include "core/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace orchard::crypto {

class Es256PrivateKey {
 public:
  // PKCS#8 "BEGIN PRIVATE KEY" (the .p8 Apple issues) or SEC1 "BEGIN EC PRIVATE KEY".
  // Anything else, or another curve → kInvalidArgument in plain words.
  static Result<Es256PrivateKey> FromPem(const Secret& pem);

  // The JWS signature: 64 bytes, R || S, each 32 bytes big-endian (not DER).
  Result<std::string> SignRaw(std::string_view message) const;
  // SubjectPublicKeyInfo PEM of the matching public key.
  Result<std::string> PublicKeyPem() const;

 private:
  struct Free {
    void operator()(EVP_PKEY* key) const;
  };
  explicit Es256PrivateKey(EVP_PKEY* key) : key_(key) {}
  std::unique_ptr<EVP_PKEY, Free> key_;
};

// Verifies a raw R||S signature (exactly 64 bytes) with a SubjectPublicKeyInfo PEM.
Result<bool> VerifyEs256Raw(std::string_view public_key_pem, std::string_view message,
                            std::string_view raw_signature);

}  // namespace orchard::crypto
