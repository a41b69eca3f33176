// SalesScheduler: the sync loop of `orchard serve` (issue 5; security.md REL-1, REL-3).
//
// Each pass (Tick) first plans, per linked account, what became due: once, a backfill of
// everything Apple still has; every day, after the reports are out (the configured minute of the
// day in the agreement's time zone, Pacific by default), the routine — the last 32 days again,
// because Apple revises and withdraws reports, plus last month's and last year's reports. Plans
// become jobs in the store, so a crash or a restart resumes where it stopped. Then it runs the
// due jobs, newest report first, until none is due: an account whose key has no request slot
// left this hour, whose circuit breaker is open (3 failures in a row; closed again after a
// cooldown that doubles up to an hour) or that Apple refused (401/403: flagged, stopped until
// the account is fixed) is passed over. Thread-compatible: one thread calls Tick.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "store/fact_store.h"
#include "store/meta_store.h"
#include "sync/sales_sync.h"

namespace orchard::sync {

// An account's way to Apple's Sales reports, opened once and reused across passes.
class SalesFetchSource {
 public:
  virtual ~SalesFetchSource() = default;
  virtual const ReportFetcher& fetcher() const = 0;
  // How long until the key's hourly budget has a slot (nullopt: now).
  virtual std::optional<std::chrono::seconds> BudgetWait() const = 0;
  // The App Store Connect client, for the app catalog (none for the Reporter protocol).
  virtual apple::asc::AscClient* asc_client() const { return nullptr; }
};

struct SchedulerOptions {
  std::string time_zone = "America/Los_Angeles";  // the agreement's; Apple's report day
  int daily_minute = 8 * 60;  // summary sales are out by ~5–8 am local agreement time
  bool backfill_new_accounts = true;
  size_t max_report_bytes = size_t{2} << 30;
  std::chrono::seconds breaker_cooldown{60};
  std::chrono::seconds breaker_max_cooldown{3600};
  // Opens an account's source; kFailedPrecondition = the account has no Sales source (skipped).
  std::function<Result<std::unique_ptr<SalesFetchSource>>(const store::LinkedAccount&)> open_source;
  // Told when Apple refuses an account (401/403), after the account is flagged.
  std::function<void(const store::LinkedAccount&, const Status&)> on_refusal;
};

struct TickSummary {
  int planned = 0;  // jobs (re)queued by this pass's plans
  int run = 0;      // jobs run
  int failed = 0;   // of which failed (they wait and are tried again)
};

class SalesScheduler {
 public:
  SalesScheduler(store::MetaStore* meta, store::FactStore* facts, const Clock* clock,
                 SchedulerOptions options)
      : meta_(meta), facts_(facts), clock_(clock), options_(std::move(options)) {}

  // At start: jobs a dead process left running go back to the queue.
  Status Recover();
  // One pass over `accounts` (every team's). Stops between jobs when stop() says so.
  Result<TickSummary> Tick(const std::vector<store::LinkedAccount>& accounts,
                           const std::function<bool()>& stop);

  // The breaker of an account: open until this time (none = closed).
  std::optional<int64_t> BreakerOpenUntil(int64_t account_id) const;

 private:
  struct Breaker {
    int failures_in_a_row = 0;
    int opened = 0;  // times opened in a row (the cooldown doubles)
    int64_t open_until = 0;
  };
  Result<int> Plan(const store::LinkedAccount& account);
  SalesFetchSource* Source(const store::LinkedAccount& account);

  store::MetaStore* meta_;
  store::FactStore* facts_;
  const Clock* clock_;
  SchedulerOptions options_;
  std::map<int64_t, Breaker> breakers_;
  std::map<int64_t, std::unique_ptr<SalesFetchSource>> sources_;
  std::map<int64_t, std::string> no_source_;  // account → why it has none (logged once)
  std::map<int64_t, int32_t> catalog_day_;     // account → the local day its catalog was read
};

}  // namespace orchard::sync
