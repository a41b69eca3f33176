#include "sync/fx_sync.h"

#include <algorithm>

#include "core/metrics.h"
#include "ingest/ecb_fx.h"

namespace orchard::sync {

std::string FxImportSummary::Describe() const {
  std::string out = "Imported " + std::to_string(rates) + " rates for " + std::to_string(currencies) +
                    " currencies over " + std::to_string(days) + " days";
  if (rates > 0) out += " (" + first.Iso() + " to " + last.Iso() + ")";
  return out + ".";
}

Result<FxImportSummary> StoreEcbRates(store::MetaStore& meta, std::string_view csv) {
  ORCHARD_ASSIGN_OR_RETURN(auto parsed, ingest::ParseEcbCsv(csv));
  std::vector<store::FxRateRecord> records;
  records.reserve(parsed.rates.size());
  FxImportSummary summary;
  summary.first = Date::FromDays(INT32_MAX);
  summary.last = Date::FromDays(INT32_MIN);
  for (const auto& r : parsed.rates) {
    records.push_back({r.day, r.currency, r.per_eur});
    summary.first = std::min(summary.first, r.day);
    summary.last = std::max(summary.last, r.day);
  }
  ORCHARD_RETURN_IF_ERROR(meta.PutFxRates(records));
  summary.rates = records.size();
  summary.currencies = parsed.currencies.size();
  summary.days = parsed.days;
  return summary;
}

Result<FxImportSummary> FetchEcbRates(net::HttpClient& http, const std::string& url,
                                      store::MetaStore& meta) {
  net::HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.headers = {{"Accept", "text/csv, */*"}};
  auto response = http.Send(request);
  auto& registry = metrics::Registry::Global();
  if (!response.has_value()) {
    registry.Increment("orchard_fx_fetches_total", {{"result", "error"}});
    return Error(response.error().WithContext("fetching reference rates from " + url));
  }
  if (response->status != 200) {
    registry.Increment("orchard_fx_fetches_total", {{"result", "error"}});
    return Error(Code::kUnavailable, "fetching reference rates from " + url + ": HTTP " +
                                         std::to_string(response->status));
  }
  auto stored = StoreEcbRates(meta, response->body);
  registry.Increment("orchard_fx_fetches_total", {{"result", stored.has_value() ? "ok" : "error"}});
  if (!stored.has_value()) return Error(stored.error().WithContext("reference rates from " + url));
  return stored;
}

}  // namespace orchard::sync
