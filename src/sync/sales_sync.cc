#include "sync/sales_sync.h"

#include "core/log.h"
#include "core/metrics.h"
#include "ingest/gzip.h"
#include "ingest/sales_summary.h"
#include "reports/product_types.h"

namespace orchard::sync {

Result<int64_t> SalesSync::IngestSalesReport(const store::SalesReportKey& key,
                                             std::string_view body, size_t max_report_bytes,
                                             std::map<std::string, int64_t>* unknown) {
  const bool gzipped = body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
                       static_cast<unsigned char>(body[1]) == 0x8b;
  if (!gzipped && body.size() > max_report_bytes) {
    return Error(Code::kInvalidArgument, "report exceeds the " +
                                             std::to_string(max_report_bytes >> 20) + " MiB limit");
  }
  auto tsv = gzipped ? ingest::Gunzip(body, max_report_bytes) : Result<std::string>(std::string(body));
  if (!tsv.has_value()) {
    // A bomb or a broken stream is bad content, not a reason to retry.
    const Code code = tsv.error().code() == Code::kResourceExhausted ? Code::kInvalidArgument
                                                                      : tsv.error().code();
    return Error(code, tsv.error().message());
  }
  ORCHARD_ASSIGN_OR_RETURN(auto writer, facts_->BeginSalesReport(key));
  store::SalesFact fact;
  auto stats = ingest::ParseSalesSummary(*tsv, [&](const ingest::SalesRow& row) -> Status {
    fact.day = row.begin_date;
    fact.apple_id = row.apple_id;
    fact.sku = row.sku;
    fact.title = row.title;
    fact.parent_id = row.parent_id;
    fact.product_type = row.product_type;
    fact.country = row.country;
    fact.device = row.device;
    fact.customer_currency = row.customer_currency;
    fact.proceeds_currency = row.proceeds_currency;
    fact.promo_code = row.promo_code;
    fact.units = row.units;
    fact.developer_proceeds = row.developer_proceeds;
    fact.customer_price = row.customer_price;
    if (unknown != nullptr && !reports::IsKnownProductType(row.product_type)) {
      ++(*unknown)[std::string(row.product_type)];
    }
    return writer->Add(fact);
  });
  if (!stats.has_value()) return Error(stats.error());  // writer rolls back
  if (stats->error_count > 0) {
    const auto& first = stats->errors.front();
    return Error(Code::kInvalidArgument,
                 std::to_string(stats->error_count) + " malformed row(s); first at line " +
                     std::to_string(first.line) + ": " + first.message +
                     " — the report was not stored and the previous data is unchanged");
  }
  ORCHARD_RETURN_IF_ERROR(writer->Commit());
  return static_cast<int64_t>(stats->rows);
}

std::string SalesCheckpointName(const std::string& frequency) {
  return "SALES/SUMMARY/" + frequency;
}

namespace {

bool IsAccountRefusal(Code code) {
  return code == Code::kUnauthenticated || code == Code::kPermissionDenied;
}

}  // namespace

Result<int64_t> QueueSalesReports(store::MetaStore& meta, const store::LinkedAccount& account,
                                  const std::vector<PlannedReport>& reports, bool refetch, int64_t now) {
  std::vector<store::SyncJob> jobs;
  jobs.reserve(reports.size());
  for (const auto& r : reports) {
    store::SyncJob j;
    j.team_id = account.team_id;
    j.account_id = account.id;
    j.frequency = r.frequency;
    j.report_date = r.report_date;
    j.not_before = now;
    jobs.push_back(std::move(j));
  }
  return meta.EnqueueJobs(jobs, refetch, now);
}

Result<DayOutcome> SalesSync::RunJob(const store::LinkedAccount& account, const store::SyncJob& job,
                                     size_t max_report_bytes,
                                     std::map<std::string, int64_t>* unknown) {
  auto& registry = metrics::Registry::Global();
  apple::asc::SalesReportQuery query;
  query.vendor_number = account.vendor_number;
  query.frequency = job.frequency;
  query.report_date = ReportDateText(job.frequency, job.report_date);
  DayOutcome outcome{job.report_date, job.frequency, "", 0, ""};
  auto response = fetch_(query);
  Code failure = Code::kOk;
  if (!response.has_value()) {
    failure = response.error().code();
    if (IsAccountRefusal(failure)) {
      // The account itself is unusable: flag it and stop; nothing stored is touched, and the
      // job waits in the queue for the account to be fixed.
      (void)meta_->UpdateAccountHealth(account.team_id, account.id, "needs_attention",
                                       response.error().message(), clock_->NowSeconds(), 0);
      (void)meta_->FinishJob(job.id, "queued", clock_->NowSeconds(), response.error().message(),
                             clock_->NowSeconds());
      registry.Increment("orchard_sync_jobs_total", {{"result", "refused"}});
      return Error(response.error());
    }
    outcome.state = "failed";
    outcome.message = response.error().message();
  } else if (response->availability == apple::asc::ReportAvailability::kNotYetAvailable) {
    outcome.state = "pending";
    outcome.message = "not available yet; fetched again later";
  } else {
    store::SalesReportKey key{account.team_id, account.id, job.frequency, job.report_date};
    if (response->availability == apple::asc::ReportAvailability::kNoSales) {
      // An empty period is still a report: it replaces any earlier (withdrawn) version.
      ORCHARD_ASSIGN_OR_RETURN(auto writer, facts_->BeginSalesReport(key));
      ORCHARD_RETURN_IF_ERROR(writer->Commit());
      outcome.state = "empty";
    } else {
      auto rows = IngestSalesReport(key, response->body, max_report_bytes, unknown);
      if (!rows.has_value()) {
        failure = rows.error().code();
        // Bad report content fails the report; store failures (disk full, I/O) stop the sync.
        if (failure != Code::kInvalidArgument && failure != Code::kDataLoss) return Error(rows.error());
        outcome.state = "failed";
        outcome.message = rows.error().message();
      } else {
        outcome.state = "loaded";
        outcome.rows = *rows;
      }
    }
  }
  const int64_t now = clock_->NowSeconds();
  // The checkpoint and the job follow the data, never precede it.
  ORCHARD_RETURN_IF_ERROR(meta_->PutCheckpoint({account.id, SalesCheckpointName(job.frequency),
                                                job.report_date, outcome.state, outcome.rows,
                                                job.attempts, now, outcome.message}));
  if (outcome.state == "loaded" || outcome.state == "empty") {
    ORCHARD_RETURN_IF_ERROR(meta_->FinishJob(job.id, "done", 0, outcome.state, now));
  } else if (outcome.state == "pending") {
    ORCHARD_RETURN_IF_ERROR(meta_->FinishJob(job.id, "queued", now + 3600, outcome.message, now));
  } else if (job.attempts >= kMaxJobAttempts) {
    ORCHARD_RETURN_IF_ERROR(meta_->FinishJob(
        job.id, "failed", 0, outcome.message + " (gave up after " + std::to_string(job.attempts) +
                                 " tries; the daily re-fetch tries again)", now));
  } else {
    // 2, 4, 8, 16 minutes: past a burst of 5xx or a rate-limit window, not hammering.
    const int64_t wait = int64_t{60} << std::min(job.attempts, 10);
    ORCHARD_RETURN_IF_ERROR(meta_->FinishJob(job.id, "queued", now + wait, outcome.message, now));
  }
  registry.Increment("orchard_sync_jobs_total", {{"result", outcome.state}});
  if (outcome.state == "failed") {
    ORCHARD_LOG_WARN("{} sales report {} of account {} failed: {}", job.frequency,
                     job.report_date.Iso(), account.id, outcome.message);
  }
  return outcome;
}

Result<SalesSyncSummary> SalesSync::Run(const store::LinkedAccount& account,
                                        const SalesSyncOptions& options) {
  SalesSyncSummary summary;
  const int64_t start = clock_->NowSeconds();
  if (!options.reports.empty()) {
    ORCHARD_RETURN_IF_ERROR(QueueSalesReports(*meta_, account, options.reports, options.refetch, start));
  }
  // How many are due, for the progress bar.
  int total = 0;
  {
    ORCHARD_ASSIGN_OR_RETURN(auto listed, meta_->ListJobs(account.team_id, account.id, 1 << 20));
    for (const auto& j : listed) {
      if (j.kind == "sales" && j.state == "queued" && j.not_before <= start) ++total;
    }
  }
  int done = 0;
  int failures_in_a_row = 0;
  while (true) {
    if (options.stop && options.stop()) break;
    if (failures_in_a_row >= kBreakerFailures) break;  // the breaker is open: leave the rest
    ORCHARD_ASSIGN_OR_RETURN(auto job, meta_->ClaimJob(start, account.id, {}));
    if (!job) break;
    auto outcome = RunJob(account, *job, options.max_report_bytes, &summary.unknown_product_types);
    if (!outcome.has_value()) return Error(outcome.error());
    if (outcome->state == "loaded") ++summary.loaded;
    else if (outcome->state == "empty") ++summary.empty;
    else if (outcome->state == "pending") ++summary.pending;
    else ++summary.failed;
    failures_in_a_row = outcome->state == "failed" ? failures_in_a_row + 1 : 0;
    summary.rows += outcome->rows;
    summary.days.push_back(*outcome);
    ++done;
    if (options.progress) options.progress(done, std::max(total, done), *outcome);
  }
  summary.left = std::max(0, total - done);
  const bool ok = summary.failed == 0 && summary.left == 0;
  (void)meta_->UpdateAccountHealth(
      account.team_id, account.id, "active",
      ok ? "" : std::to_string(summary.failed + summary.left) + " report(s) not synced yet",
      clock_->NowSeconds(), clock_->NowSeconds());
  return summary;
}

}  // namespace orchard::sync
