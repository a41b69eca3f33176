// SalesSync: downloads daily Sales Summary reports of one linked account and stores their facts.
//
// Per day: fetch (AscClient) → gunzip with a size cap → parse by header name → write all facts
// of the day through one SalesReportWriter (replacing the previous version of that report) →
// checkpoint. The checkpoint is written after the facts commit, so it is never ahead of the
// data; a crash in between only means the day is fetched again. A report with a malformed row
// is not stored at all (the previous version stays) and the day is reported as failed with the
// line and column, so bad input never loses or half-replaces data.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "apple/asc/asc_client.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/status.h"
#include "sync/sales_plan.h"
#include "store/fact_store.h"
#include "store/meta_store.h"

namespace orchard::sync {

inline constexpr const char* kSalesDaily = "SALES/SUMMARY/DAILY";
// The checkpoint name of a Sales Summary report of one frequency.
std::string SalesCheckpointName(const std::string& frequency);

struct DayOutcome {
  Date day;                         // the period's first day
  std::string frequency = "DAILY";  // DAILY | MONTHLY | YEARLY
  std::string state;  // "loaded" | "empty" | "pending" | "failed"
  int64_t rows = 0;
  std::string message;
};

struct SalesSyncSummary {
  int loaded = 0;
  int empty = 0;
  int pending = 0;  // "not available yet": fetched again later (the job waits)
  int failed = 0;   // tried again later (the job waits with backoff) unless it gave up
  int left = 0;     // due jobs not run: the circuit breaker opened or a stop was asked
  int64_t rows = 0;
  std::map<std::string, int64_t> unknown_product_types;  // identifier → rows
  std::vector<DayOutcome> days;
};

// Called after each report with (reports done, reports due, outcome).
using ProgressFn = std::function<void(int, int, const DayOutcome&)>;

struct SalesSyncOptions {
  // Queued before the run (an explicit request: reports already done are fetched again).
  std::vector<PlannedReport> reports;
  bool refetch = true;
  size_t max_report_bytes = size_t{2} << 30;
  ProgressFn progress;
  std::function<bool()> stop;  // asked between reports
};

// A transient failure (5xx, 429, network, a cut download) is tried again this many times, with
// growing waits, before its job is marked failed (the daily refetch queues it again).
inline constexpr int kMaxJobAttempts = 5;
// The circuit breaker of an account opens after this many failures in a row.
inline constexpr int kBreakerFailures = 3;

// Fetches one report: the App Store Connect API for key-linked accounts, the Reporter protocol
// for app-specific-password accounts. Errors as AscClient::GetSalesReport.
using ReportFetcher =
    std::function<Result<apple::asc::ReportResponse>(const apple::asc::SalesReportQuery&)>;

// Queues the planned Sales reports of an account as jobs due at `now` (see
// MetaStore::EnqueueJobs for `refetch`). Returns how many were (re)queued.
Result<int64_t> QueueSalesReports(store::MetaStore& meta, const store::LinkedAccount& account,
                                  const std::vector<PlannedReport>& reports, bool refetch, int64_t now);

class SalesSync {
 public:
  SalesSync(store::MetaStore* meta, store::FactStore* facts, ReportFetcher fetch,
            const Clock* clock)
      : meta_(meta), facts_(facts), fetch_(std::move(fetch)), clock_(clock) {}
  SalesSync(store::MetaStore* meta, store::FactStore* facts, apple::asc::AscClient* client,
            const Clock* clock)
      : SalesSync(meta, facts, [client](const apple::asc::SalesReportQuery& q) {
          return client->GetSalesReport(q);
        }, clock) {}

  // Queues options.reports, then runs the account's due Sales jobs (those queued here and any
  // left by an earlier, interrupted run) until none is due, the breaker opens or stop() says
  // so. Returns an error (and marks the account) only when the account itself is unusable
  // (401/403) or the store fails; per-report problems are in the summary.
  Result<SalesSyncSummary> Run(const store::LinkedAccount& account, const SalesSyncOptions& options);

  // Runs one claimed job: fetch → ingest (all or nothing, replacing the previous version) →
  // checkpoint → job state, in that order, so neither the checkpoint nor the job is ever ahead
  // of the data. Not available yet → the job waits an hour; a transient failure → it waits
  // 2^attempts minutes (failed after kMaxJobAttempts). 401/403 mark the account and are
  // returned (the job stays queued for when the account is fixed), as are store failures.
  Result<DayOutcome> RunJob(const store::LinkedAccount& account, const store::SyncJob& job,
                            size_t max_report_bytes,
                            std::map<std::string, int64_t>* unknown_product_types);

  // Ingests one report body, gzip or already inflated, as the given report (used by Run and by
  // the ingest benchmark). Fails without touching stored data on any malformed row.
  Result<int64_t> IngestSalesReport(const store::SalesReportKey& key, std::string_view body,
                                    size_t max_report_bytes,
                                    std::map<std::string, int64_t>* unknown_product_types);

 private:
  store::MetaStore* meta_;
  store::FactStore* facts_;
  ReportFetcher fetch_;
  const Clock* clock_;
};

}  // namespace orchard::sync
