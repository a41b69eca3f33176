#include "sync/scheduler.h"

#include <algorithm>
#include <set>

#include "core/log.h"
#include "core/metrics.h"
#include "sync/catalog_sync.h"

namespace orchard::sync {
namespace {

constexpr const char* kBackfillMark = "SCHEDULE/SALES/BACKFILL";
constexpr const char* kRoutineMark = "SCHEDULE/SALES/ROUTINE";

}  // namespace

Status SalesScheduler::Recover() {
  ORCHARD_ASSIGN_OR_RETURN(int64_t requeued, meta_->RequeueRunningJobs(clock_->NowSeconds()));
  if (requeued > 0) ORCHARD_LOG_INFO("resuming {} sync job(s) interrupted by a stop", requeued);
  return Status::Ok();
}

std::optional<int64_t> SalesScheduler::BreakerOpenUntil(int64_t account_id) const {
  auto it = breakers_.find(account_id);
  if (it == breakers_.end() || it->second.open_until <= clock_->NowSeconds()) return std::nullopt;
  return it->second.open_until;
}

SalesFetchSource* SalesScheduler::Source(const store::LinkedAccount& account) {
  auto it = sources_.find(account.id);
  if (it != sources_.end()) return it->second.get();
  if (!options_.open_source) return nullptr;
  auto source = options_.open_source(account);
  if (!source.has_value()) {
    // Logged once per reason; tried again next pass (a re-linked key, a fixed role).
    auto& why = no_source_[account.id];
    if (why != source.error().message()) {
      why = source.error().message();
      ORCHARD_LOG_INFO("not syncing sales of account {}: {}", account.id, why);
    }
    return nullptr;
  }
  no_source_.erase(account.id);
  return sources_.emplace(account.id, std::move(*source)).first->second.get();
}

Result<int> SalesScheduler::Plan(const store::LinkedAccount& account) {
  int minute = 0;
  const Date today = Date::At(clock_->Now(), options_.time_zone, &minute);
  const int64_t now = clock_->NowSeconds();
  int planned = 0;
  auto queue = [&](const std::vector<PlannedReport>& reports, bool refetch) -> Status {
    ORCHARD_ASSIGN_OR_RETURN(int64_t n, QueueSalesReports(*meta_, account, reports, refetch, now));
    planned += static_cast<int>(n);
    return Status::Ok();
  };
  // The marks are checkpoints written after the jobs: a crash in between plans again, which
  // only queues what is already queued.
  if (options_.backfill_new_accounts) {
    ORCHARD_ASSIGN_OR_RETURN(auto marks, meta_->ListCheckpoints(account.id, kBackfillMark,
                                                                Date::FromDays(INT32_MIN / 2),
                                                                Date::FromDays(INT32_MAX / 2)));
    if (marks.empty()) {
      ORCHARD_RETURN_IF_ERROR(queue(PlanBackfill(today), /*refetch=*/false));
      ORCHARD_RETURN_IF_ERROR(meta_->PutCheckpoint({account.id, kBackfillMark, today, "planned", 0, 0, now, ""}));
    }
  }
  if (minute >= options_.daily_minute) {
    ORCHARD_ASSIGN_OR_RETURN(auto marks, meta_->ListCheckpoints(account.id, kRoutineMark, today, today));
    if (marks.empty()) {
      ORCHARD_RETURN_IF_ERROR(queue(PlanDays(today.AddDays(-kRefetchDays), today.AddDays(-1)),
                                    /*refetch=*/true));
      // Last month's and last year's reports once each (later passes find them done).
      auto routine = PlanRoutine(today);
      std::erase_if(routine, [](const PlannedReport& r) { return r.frequency == "DAILY"; });
      ORCHARD_RETURN_IF_ERROR(queue(routine, /*refetch=*/false));
      ORCHARD_RETURN_IF_ERROR(meta_->PutCheckpoint({account.id, kRoutineMark, today, "planned", 0, 0, now, ""}));
    }
  }
  return planned;
}

Result<TickSummary> SalesScheduler::Tick(const std::vector<store::LinkedAccount>& accounts,
                                         const std::function<bool()>& stop) {
  TickSummary summary;
  std::map<int64_t, const store::LinkedAccount*> by_id;
  std::set<int64_t> skip;
  for (const auto& a : accounts) {
    by_id[a.id] = &a;
    if (a.status == "needs_attention" || Source(a) == nullptr) {
      skip.insert(a.id);
      continue;
    }
    ORCHARD_ASSIGN_OR_RETURN(int planned, Plan(a));
    summary.planned += planned;
    // The app catalog (names, bundle ids, platforms), once a day.
    const int32_t today = Date::At(clock_->Now(), options_.time_zone).days();
    if (auto* client = Source(a)->asc_client(); client != nullptr && catalog_day_[a.id] != today &&
                                               !Source(a)->BudgetWait()) {
      catalog_day_[a.id] = today;
      auto apps = SyncAppCatalog(*client, *meta_, a, *clock_);
      if (!apps.has_value()) ORCHARD_LOG_WARN("account {}: app catalog not read: {}", a.id, apps.error().message());
    }
  }
  auto& registry = metrics::Registry::Global();
  while (!(stop && stop())) {
    const int64_t now = clock_->NowSeconds();
    // Pass over accounts that must wait: breaker open, or no request slot left this hour.
    for (const auto& [id, account] : by_id) {
      if (skip.contains(id)) continue;
      if (BreakerOpenUntil(id)) skip.insert(id);
      else if (auto* source = Source(*account); source != nullptr && source->BudgetWait()) skip.insert(id);
    }
    // Jobs of accounts not given (another process's team list, a just-unlinked account) wait.
    std::vector<int64_t> skip_list(skip.begin(), skip.end());
    ORCHARD_ASSIGN_OR_RETURN(auto job, meta_->ClaimJob(now, 0, skip_list));
    if (!job) break;
    auto found = by_id.find(job->account_id);
    if (found == by_id.end()) {
      ORCHARD_RETURN_IF_ERROR(meta_->FinishJob(job->id, "queued", now + 60, "account not loaded", now));
      skip.insert(job->account_id);
      continue;
    }
    const store::LinkedAccount& account = *found->second;
    SalesFetchSource* source = Source(account);
    if (source == nullptr) {  // cannot happen: skipped above; keep the job
      ORCHARD_RETURN_IF_ERROR(meta_->FinishJob(job->id, "queued", now + 60, "no sales source", now));
      skip.insert(account.id);
      continue;
    }
    SalesSync syncer(meta_, facts_, source->fetcher(), clock_);
    auto outcome = syncer.RunJob(account, *job, options_.max_report_bytes, nullptr);
    ++summary.run;
    if (!outcome.has_value()) {
      const Code code = outcome.error().code();
      if (code == Code::kUnauthenticated || code == Code::kPermissionDenied) {
        ORCHARD_LOG_WARN("account {}: Apple refused it: {}", account.id, outcome.error().message());
        if (options_.on_refusal) options_.on_refusal(account, outcome.error());
        skip.insert(account.id);
        sources_.erase(account.id);
        continue;
      }
      return Error(outcome.error());  // the store failed: stop the pass
    }
    Breaker& breaker = breakers_[account.id];
    if (outcome->state == "failed") {
      ++summary.failed;
      if (++breaker.failures_in_a_row >= kBreakerFailures) {
        const auto cooldown = std::min<int64_t>(options_.breaker_cooldown.count() << std::min(breaker.opened, 10),
                                                options_.breaker_max_cooldown.count());
        breaker.open_until = clock_->NowSeconds() + cooldown;
        ++breaker.opened;
        breaker.failures_in_a_row = 0;
        registry.Increment("orchard_sync_breaker_opened_total");
        ORCHARD_LOG_WARN("account {}: Apple failed {} times in a row; pausing its syncs for {} s",
                         account.id, kBreakerFailures, cooldown);
      }
    } else {
      breaker.failures_in_a_row = 0;
      breaker.opened = 0;
    }
  }
  if (auto counts = meta_->CountJobsByState(); counts.has_value()) {
    for (const char* state : {"queued", "running", "done", "failed"}) {
      const auto it = counts->find(state);
      registry.Set("orchard_sync_jobs", {{"state", state}}, it == counts->end() ? 0 : static_cast<double>(it->second));
    }
  }
  return summary;
}

}  // namespace orchard::sync
