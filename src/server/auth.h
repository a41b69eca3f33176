// Credentials of Orchard's own users (SEC-7, SEC-8): random tokens stored only as hashes, and
// the login throttle.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace orchard::server {

// 256 random bits, base64url, with a prefix that says what it is ("orc_" API token, "" session).
std::string NewOpaqueToken(std::string_view prefix);
// SHA-256 (32 raw bytes): what the database keeps instead of a token.
std::string TokenHash(std::string_view token);
// Constant-time comparison of two equal-length strings.
bool SameBytes(std::string_view a, std::string_view b);

struct ThrottleOptions {
  int per_account = 5;         // failed logins per e-mail …
  int per_address = 20;        // … and per client address …
  int64_t window_seconds = 900;  // … in this rolling window
};

// Counts failed logins per e-mail and per address; once either is over its limit, further
// attempts are refused (429) before any password is hashed. Thread-safe.
class LoginThrottle {
 public:
  LoginThrottle(const Clock* clock, ThrottleOptions options) : clock_(clock), options_(options) {}

  // Seconds to wait when the attempt must be refused now; 0 when it may proceed.
  int64_t RetryAfter(std::string_view email, std::string_view address);
  void RecordFailure(std::string_view email, std::string_view address);
  void RecordSuccess(std::string_view email);

 private:
  int64_t Wait(std::deque<int64_t>& failures, int limit, int64_t now);

  const Clock* clock_;
  ThrottleOptions options_;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>, std::less<>> by_account_;
  std::map<std::string, std::deque<int64_t>, std::less<>> by_address_;
};

}  // namespace orchard::server
