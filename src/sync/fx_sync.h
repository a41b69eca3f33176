// Reference exchange rates into the store: from a file (`orchard fx import FILE`) or fetched
// from the configured URL of the ECB's historical CSV layout (`[fx] url`; the scheduler of
// `orchard serve` fetches it daily). The policy that uses them is in reports/sales_report.h.
#pragma once

#include <string>
#include <string_view>

#include "core/date.h"
#include "core/status.h"
#include "net/http_client.h"
#include "store/meta_store.h"

namespace orchard::sync {

struct FxImportSummary {
  size_t rates = 0;
  size_t currencies = 0;
  size_t days = 0;
  Date first, last;
  std::string Describe() const;  // "Imported N rates for C currencies over D days (first to last)."
};

// Parses the CSV (refused whole when malformed: stored rates stay as they were) and upserts.
Result<FxImportSummary> StoreEcbRates(store::MetaStore& meta, std::string_view csv);
// GETs `url` and stores it; a non-200 or a body that is not the layout is an error naming it.
Result<FxImportSummary> FetchEcbRates(net::HttpClient& http, const std::string& url,
                                      store::MetaStore& meta);

}  // namespace orchard::sync
