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
#include "store/fact_store.h"
#include "store/meta_store.h"

namespace orchard::sync {

inline constexpr const char* kSalesDaily = "SALES/SUMMARY/DAILY";

struct DayOutcome {
  Date day;
  std::string state;  // "loaded" | "empty" | "pending" | "failed"
  int64_t rows = 0;
  std::string message;
};

struct SalesSyncSummary {
  int loaded = 0;
  int empty = 0;
  int pending = 0;  // "not available yet": fetched again by the next sync
  int failed = 0;
  int64_t rows = 0;
  std::map<std::string, int64_t> unknown_product_types;  // identifier → rows
  std::vector<DayOutcome> days;
};

// Called after each day with (days done, days total, outcome).
using ProgressFn = std::function<void(int, int, const DayOutcome&)>;

struct SalesSyncOptions {
  Date from;
  Date to;
  size_t max_report_bytes = size_t{2} << 30;
  ProgressFn progress;
};

// Fetches one report: the App Store Connect API for key-linked accounts, the Reporter protocol
// for app-specific-password accounts. Errors as AscClient::GetSalesReport.
using ReportFetcher =
    std::function<Result<apple::asc::ReportResponse>(const apple::asc::SalesReportQuery&)>;

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

  // Syncs every day of [from, to]. Returns an error (and marks the account) only when the
  // account itself is unusable (401/403) or the store fails; per-day problems are in the
  // summary.
  Result<SalesSyncSummary> Run(const store::LinkedAccount& account, const SalesSyncOptions& options);

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
