// AscTokenSigner: App Store Connect API tokens (apple-apis.md §1.3).
//
// Header {"alg":"ES256","kid":<key id>,"typ":"JWT"}; payload {"iss":<issuer id>,"iat":now,
// "exp":now+lifetime,"aud":"appstoreconnect-v1"}; signature raw R||S, base64url without padding.
// Tokens are minted in memory only and reused until less than a minute of validity remains
// (Apple recommends reuse). The lifetime is clamped to Apple's 20-minute maximum. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/es256.h"

namespace orchard::crypto {

class AscTokenSigner {
 public:
  static constexpr std::chrono::seconds kMaxLifetime{1200};
  static constexpr std::chrono::seconds kReuseMargin{60};

  AscTokenSigner(std::string issuer_id, std::string key_id, Es256PrivateKey key,
                 const Clock* clock, std::chrono::seconds lifetime = std::chrono::seconds(1140));

  Result<std::string> Token();

 private:
  std::string issuer_id_;
  std::string key_id_;
  Es256PrivateKey key_;
  const Clock* clock_;
  std::chrono::seconds lifetime_;
  std::mutex mu_;
  std::string token_;
  int64_t expires_at_ = 0;
};

}  // namespace orchard::crypto
