#include "server/auth.h"

#include <sodium.h>

#include "crypto/base64.h"

namespace orchard::server {

std::string NewOpaqueToken(std::string_view prefix) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  std::string out(prefix);
  out += crypto::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  sodium_memzero(raw, sizeof raw);
  return out;
}

std::string TokenHash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

int64_t LoginThrottle::Wait(std::deque<int64_t>& failures, int limit, int64_t now) {
  while (!failures.empty() && failures.front() <= now - options_.window_seconds) failures.pop_front();
  if (static_cast<int>(failures.size()) < limit) return 0;
  return failures.front() + options_.window_seconds - now;
}

int64_t LoginThrottle::RetryAfter(std::string_view email, std::string_view address) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowSeconds();
  int64_t wait = 0;
  if (auto it = by_account_.find(email); it != by_account_.end()) {
    wait = std::max(wait, Wait(it->second, options_.per_account, now));
  }
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    wait = std::max(wait, Wait(it->second, options_.per_address, now));
  }
  return wait;
}

void LoginThrottle::RecordFailure(std::string_view email, std::string_view address) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowSeconds();
  by_account_[std::string(email)].push_back(now);
  by_address_[std::string(address)].push_back(now);
  // Bound the memory an attacker can make us hold: forget idle entries past the window.
  if (by_account_.size() > 100000) {
    std::erase_if(by_account_, [&](auto& kv) { return kv.second.back() <= now - options_.window_seconds; });
  }
  if (by_address_.size() > 100000) {
    std::erase_if(by_address_, [&](auto& kv) { return kv.second.back() <= now - options_.window_seconds; });
  }
}

void LoginThrottle::RecordSuccess(std::string_view email) {
  std::lock_guard lock(mu_);
  if (auto it = by_account_.find(email); it != by_account_.end()) by_account_.erase(it);
}

}  // namespace orchard::server
