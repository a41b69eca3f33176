// RequestBudget: requests per API key per rolling hour stay under the last X-Rate-Limit figure
// (security.md REL-1).
//
// Apple counts requests per key per rolling hour and says how many in `X-Rate-Limit`
// (`user-hour-lim:3600;user-hour-rem:3599;`). Every client of one key shares one budget (the
// process-wide `ForKey`), which remembers when each of its requests was sent, learns the limit
// from each answer, and keeps a reserve for the people who use the same key interactively.
// Before a request the client asks for a slot; without one it does not send and the job waits
// until the oldest request leaves the window. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "apple/asc/rate_limit.h"
#include "core/clock.h"

namespace orchard::apple::asc {

class RequestBudget {
 public:
  // Until Apple has told us the limit, assume its documented 3600.
  static constexpr int kAssumedLimit = 3600;

  RequestBudget(std::string key_id, const Clock* clock) : key_id_(std::move(key_id)), clock_(clock) {}

  // The budget of one key, shared by every client of it in this process.
  static RequestBudget& ForKey(const std::string& key_id, const Clock* clock);

  // Takes a slot for a request sent now, or tells how long until one frees.
  std::optional<std::chrono::seconds> TryAcquire();
  // How long until a slot frees (nullopt: one is free now), without taking it.
  std::optional<std::chrono::seconds> Wait() const;
  // Learns from an answer's X-Rate-Limit header.
  void Observe(const RateLimit& limit);
  // A 429: nothing goes out for `pause` (Apple's Retry-After, or a minute without one); then
  // Apple's `remaining` (0 in a 429) is forgotten and our own count rules again.
  void Refused(std::chrono::seconds pause);
  // Slots left in the rolling hour under the reserve (for /metrics).
  int Headroom() const;
  int limit() const;

 private:
  void Expire(std::chrono::system_clock::time_point now) const;
  int HeadroomLocked() const;
  std::optional<std::chrono::seconds> WaitLocked() const;

  std::string key_id_;
  const Clock* clock_;
  mutable std::mutex mu_;
  mutable std::deque<std::chrono::system_clock::time_point> sent_;  // within the last hour
  int limit_ = kAssumedLimit;
  // Apple's `remaining` at the last answer, and how many we sent since: other users of the key
  // count against the same window.
  std::optional<int> remaining_;
  std::chrono::system_clock::time_point header_at_{};
  std::chrono::system_clock::time_point paused_until_{};
  int sent_since_header_ = 0;
};

}  // namespace orchard::apple::asc
