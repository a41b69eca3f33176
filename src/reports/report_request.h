// The report grammar of product.md §4, shared by every interface: `GET /api/v1/reports/sales`
// and `orchard report sales` turn their parameters into (name, value) pairs, and this file
// turns those into a validated, normalized SalesQuery, runs it, and renders the answer — so the
// HTTP API and the CLI accept the same words and print the same numbers.
//
//   start_date, end_date   YYYY-MM-DD | today | yesterday | -Nd | -Nw | -Nm | -Ny (relative to
//                          today in America/Los_Angeles, Apple's report day); both omitted =
//                          all-time totals; one omitted = open-ended
//   granularity            daily | weekly | monthly | yearly (periods of the date key)
//   group_by               up to three of date, product, country, device, store (comma list;
//                          `store` is accepted and is always "app_store": Orchard syncs one store)
//   products               Apple Identifiers (digits), comma list
//   countries              two-letter storefront codes, comma list, case-insensitive
//   currency               ISO 4217 code (three letters, case-insensitive); default: the caller's
//   format                 json | csv (and table in the CLI)
//
// Unknown, repeated or empty parameters and bad values are kInvalidArgument naming the
// parameter (as the caller spelled it). Lists are normalized (upper-cased countries, sorted,
// without repeats), so equal queries have equal NormalizedQuery() text (the cache key).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/date.h"
#include "core/status.h"
#include "reports/sales_report.h"
#include "reports/table.h"

namespace orchard::reports {

// Sales and Trends days are Pacific for most agreements: relative dates count from this zone.
inline constexpr std::string_view kReportTimeZone = "America/Los_Angeles";

// Today's report day on `clock` (in kReportTimeZone).
Date ReportToday(const Clock& clock);

// "YYYY-MM-DD", "today", "yesterday", or relative to `today`: "-7d", "-2w", "-1m" (the same day
// of that month, clamped to its last day), "-1y". kInvalidArgument naming `name` otherwise, and
// for days outside 1970-01-01 … 9999-12-31.
Result<Date> ParseDateArg(std::string_view text, Date today, std::string_view name);

// One parameter as the caller gave it.
struct ReportParam {
  std::string name;  // the grammar's name: start_date, group_by, …
  std::string value;
  std::string label;  // how the caller spelled it, for messages ("--start"); "" = name
};

// What the caller decides: today (for relative dates), the currency when none is asked for,
// and which formats it can deliver.
struct ReportDefaults {
  Date today;
  std::string currency = "USD";
  Format format = Format::kJson;
  bool allow_table = false;  // format=table: the CLI's terminal output
};

struct SalesRequest {
  SalesQuery query;                   // team_id is left 0: the caller sets its own team
  std::vector<std::string> group_by;  // the requested keys in order, "store" included
  Format format = Format::kJson;
};

// The grammar's parameters, for documentation (OpenAPI, --help) and for the parser itself.
struct ParamSpec {
  std::string_view name;
  std::string_view description;
  std::vector<std::string_view> values;  // an enumeration ({} = free text)
  bool list = false;                     // comma-separated
  std::string_view pattern;              // of one value (or of one list item)
  std::string_view example;
};
const std::vector<ParamSpec>& SalesParams();

Result<SalesRequest> ParseSalesRequest(const std::vector<ReportParam>& params,
                                       const ReportDefaults& defaults);

// The request as the answer states it: absolute dates (null = open), granularity, group_by,
// products, countries, currency, format. Its dump() is the request's identity.
nlohmann::ordered_json NormalizedQuery(const SalesRequest& request);

// RunSalesReport (the one query), plus the `store` key's column when it was asked for.
Result<Table> RunSalesRequest(store::FactStore& facts, store::MetaStore& meta,
                              const SalesRequest& request, SalesCache* cache = nullptr);

// The answer in the request's format. JSON is one document for every interface:
//   {"query":{…NormalizedQuery…},"columns":[…],"rows":[[…],…],"totals":{"downloads":…,…}}
// where numbers are JSON numbers written exactly as decimals (units as integers, or with two
// decimals when Apple sent fractions; amounts with two decimals, rounded half away from zero
// from the exact sum), and totals are exact sums of every metric column, rounded once.
// CSV is a header row and one line per row; table is the CLI's aligned text.
std::string RenderSalesReport(const SalesRequest& request, const Table& table);

// "sales-2026-05-01-to-2026-05-31.csv", "sales-all-time.csv", … for Content-Disposition.
std::string SalesFileName(const SalesRequest& request);

// Shared by every parameter grammar (sales, reviews): a value without surrounding spaces and
// tabs, and a comma list of trimmed items — an empty item ("US,,GB") or more than
// kMaxParamListItems is kInvalidArgument naming `label`.
inline constexpr size_t kMaxParamListItems = 1000;
std::string_view TrimParam(std::string_view s);
Result<std::vector<std::string>> SplitParamList(std::string_view list, std::string_view label);

}  // namespace orchard::reports
