#include "crypto/jwt.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "crypto/base64.h"

namespace orchard::crypto {

AscTokenSigner::AscTokenSigner(std::string issuer_id, std::string key_id, Es256PrivateKey key,
                               const Clock* clock, std::chrono::seconds lifetime)
    : issuer_id_(std::move(issuer_id)),
      key_id_(std::move(key_id)),
      key_(std::move(key)),
      clock_(clock),
      lifetime_(std::clamp(lifetime, kReuseMargin * 2, kMaxLifetime)) {}

Result<std::string> AscTokenSigner::Token() {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowSeconds();
  if (!token_.empty() && now + kReuseMargin.count() < expires_at_) return token_;
  const nlohmann::ordered_json header = {{"alg", "ES256"}, {"kid", key_id_}, {"typ", "JWT"}};
  const nlohmann::ordered_json payload = {{"iss", issuer_id_},
                                          {"iat", now},
                                          {"exp", now + lifetime_.count()},
                                          {"aud", "appstoreconnect-v1"}};
  const std::string signing_input =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  ORCHARD_ASSIGN_OR_RETURN(std::string signature, key_.SignRaw(signing_input));
  token_ = signing_input + "." + Base64UrlEncode(signature);
  expires_at_ = now + lifetime_.count();
  return token_;
}

}  // namespace orchard::crypto
