#include "sync/sales_sync.h"

#include "core/log.h"
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

Result<SalesSyncSummary> SalesSync::Run(const store::LinkedAccount& account,
                                        const SalesSyncOptions& options) {
  if (options.to < options.from) {
    return Error(Code::kInvalidArgument, "--to " + options.to.Iso() + " is before --from " +
                                             options.from.Iso());
  }
  SalesSyncSummary summary;
  const int total = options.to.days() - options.from.days() + 1;
  int done = 0;
  for (Date day = options.from; day <= options.to; day = day.AddDays(1)) {
    apple::asc::SalesReportQuery query;
    query.vendor_number = account.vendor_number;
    query.report_date = day.Iso();
    DayOutcome outcome{day, "", 0, ""};
    auto response = fetch_(query);
    if (!response.has_value()) {
      const Code code = response.error().code();
      if (code == Code::kUnauthenticated || code == Code::kPermissionDenied) {
        // The account itself is unusable: flag it and stop; nothing stored is touched.
        (void)meta_->UpdateAccountHealth(account.team_id, account.id, "needs_attention",
                                         response.error().message(), clock_->NowSeconds(), 0);
        return Error(response.error());
      }
      outcome.state = "failed";
      outcome.message = response.error().message();
    } else if (response->availability == apple::asc::ReportAvailability::kNotYetAvailable) {
      outcome.state = "pending";
      outcome.message = "not available yet; the next sync fetches it";
    } else {
      store::SalesReportKey key{account.team_id, account.id, "DAILY", day};
      if (response->availability == apple::asc::ReportAvailability::kNoSales) {
        // An empty day is still a report: it replaces any earlier (withdrawn) version.
        ORCHARD_ASSIGN_OR_RETURN(auto writer, facts_->BeginSalesReport(key));
        ORCHARD_RETURN_IF_ERROR(writer->Commit());
        outcome.state = "empty";
      } else {
        auto rows = IngestSalesReport(key, response->body, options.max_report_bytes,
                                      &summary.unknown_product_types);
        if (!rows.has_value()) {
          const Code code = rows.error().code();
          // Bad report content fails the day; store failures (disk full, I/O) stop the sync.
          if (code != Code::kInvalidArgument && code != Code::kDataLoss) return Error(rows.error());
          outcome.state = "failed";
          outcome.message = rows.error().message();
        } else {
          outcome.state = "loaded";
          outcome.rows = *rows;
        }
      }
    }
    ORCHARD_RETURN_IF_ERROR(meta_->PutCheckpoint({account.id, kSalesDaily, day, outcome.state,
                                                  outcome.rows, 1, clock_->NowSeconds(),
                                                  outcome.message}));
    if (outcome.state == "loaded") ++summary.loaded;
    else if (outcome.state == "empty") ++summary.empty;
    else if (outcome.state == "pending") ++summary.pending;
    else ++summary.failed;
    summary.rows += outcome.rows;
    if (outcome.state == "failed") {
      ORCHARD_LOG_WARN("sales report {} of account {} failed: {}", day.Iso(), account.id,
                       outcome.message);
    }
    summary.days.push_back(outcome);
    ++done;
    if (options.progress) options.progress(done, total, outcome);
  }
  const bool ok = summary.failed == 0;
  (void)meta_->UpdateAccountHealth(account.team_id, account.id, "active",
                                   ok ? "" : std::to_string(summary.failed) + " day(s) failed",
                                   clock_->NowSeconds(), clock_->NowSeconds());
  return summary;
}

}  // namespace orchard::sync
