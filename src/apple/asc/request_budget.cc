#include "apple/asc/request_budget.h"

#include <algorithm>
#include <map>
#include <memory>

#include "core/metrics.h"

namespace orchard::apple::asc {
namespace {

constexpr std::chrono::hours kWindow{1};

// Keep this share of the limit for people and tools using the same key (at least one request).
int Reserve(int limit) { return std::max(1, limit / 20); }

}  // namespace

RequestBudget& RequestBudget::ForKey(const std::string& key_id, const Clock* clock) {
  static std::mutex mu;
  static auto* budgets = new std::map<std::string, std::unique_ptr<RequestBudget>>();
  std::lock_guard lock(mu);
  auto& slot = (*budgets)[key_id];
  if (!slot) slot = std::make_unique<RequestBudget>(key_id, clock);
  return *slot;
}

void RequestBudget::Expire(std::chrono::system_clock::time_point now) const {
  while (!sent_.empty() && sent_.front() <= now - kWindow) sent_.pop_front();
}

int RequestBudget::HeadroomLocked() const {
  int free = limit_ - Reserve(limit_) - static_cast<int>(sent_.size());
  // Apple's own count includes other users of the key; it is news for one window only.
  if (remaining_ && header_at_ > clock_->Now() - kWindow) {
    free = std::min(free, *remaining_ - Reserve(limit_) - sent_since_header_);
  }
  return std::max(free, 0);
}

std::optional<std::chrono::seconds> RequestBudget::WaitLocked() const {
  const auto now = clock_->Now();
  Expire(now);
  if (now < paused_until_) {
    return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(paused_until_ - now));
  }
  if (HeadroomLocked() > 0) return std::nullopt;
  // The oldest of our requests leaves the window first; with none of ours in it (the key is
  // used up by others), look again in a minute.
  if (sent_.empty()) return std::chrono::seconds(60);
  const auto frees = sent_.front() + kWindow - now;
  return std::max(std::chrono::seconds(1),
                  std::chrono::ceil<std::chrono::seconds>(frees));
}

std::optional<std::chrono::seconds> RequestBudget::TryAcquire() {
  std::lock_guard lock(mu_);
  auto wait = WaitLocked();
  if (!wait) {
    sent_.push_back(clock_->Now());
    ++sent_since_header_;
  }
  metrics::Registry::Global().Set("orchard_apple_rate_limit_headroom", {{"key", key_id_}},
                                  HeadroomLocked());
  return wait;
}

std::optional<std::chrono::seconds> RequestBudget::Wait() const {
  std::lock_guard lock(mu_);
  return WaitLocked();
}

void RequestBudget::Observe(const RateLimit& limit) {
  std::lock_guard lock(mu_);
  if (limit.limit > 0) limit_ = limit.limit;
  remaining_ = limit.remaining;
  header_at_ = clock_->Now();
  sent_since_header_ = 0;
  metrics::Registry::Global().Set("orchard_apple_rate_limit_headroom", {{"key", key_id_}},
                                  HeadroomLocked());
}

void RequestBudget::Refused(std::chrono::seconds pause) {
  std::lock_guard lock(mu_);
  paused_until_ = clock_->Now() + pause;
  remaining_.reset();
  sent_since_header_ = 0;
  metrics::Registry::Global().Increment("orchard_apple_rate_limited_total", {{"key", key_id_}});
}

int RequestBudget::Headroom() const {
  std::lock_guard lock(mu_);
  Expire(clock_->Now());
  return HeadroomLocked();
}

int RequestBudget::limit() const {
  std::lock_guard lock(mu_);
  return limit_;
}

}  // namespace orchard::apple::asc
