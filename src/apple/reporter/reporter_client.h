// ReporterClient: the legacy Reporter protocol (apple-apis.md §9) that the app-specific-password
// link method uses: access-token management with the Apple ID and its app-specific password,
// and Sales / Finance report downloads with the token. Talks to the configured base URL (Apple's
// reportingitc-reporter host, or the sandbox) through the HttpClient seam. Thread-compatible.
#pragma once

#include <optional>
#include <string>

#include "apple/asc/asc_client.h"
#include "core/date.h"
#include "core/secret.h"
#include "core/status.h"
#include "net/http_client.h"

namespace orchard::apple::reporter {

// An app-specific password as Apple shows it ("abcd-efgh-ijkl-mnop"), from what a user typed:
// case-insensitive, hyphens and spaces optional. kInvalidArgument unless it is 16 letters.
Result<Secret> NormalizeAppPassword(std::string_view typed);

struct AccessToken {
  Secret token;  // a UUID; a credential, so it lives in locked memory
  Date expires;  // Apple's "Expiration Date" (180 days after it was made)
};

class ReporterClient {
 public:
  ReporterClient(std::string base_url, net::HttpClient* http);

  // Sales.generateToken in its two steps (the second confirms the service request the first
  // opened). Replaces any token the Apple ID had. kUnauthenticated for a wrong Apple ID or
  // app-specific password.
  Result<AccessToken> GenerateToken(std::string_view apple_id, const Secret& app_password);
  // Sales.viewToken: the current token, or nothing when the Apple ID has none.
  Result<std::optional<AccessToken>> ViewToken(std::string_view apple_id, const Secret& app_password);

  // Sales.getReport: `date` as Reporter takes it (YYYYMMDD for daily and weekly, YYYYMM, YYYY);
  // `type`/`subtype` in Reporter's words (Sales/Summary, Subscription/Summary, …). Errors:
  // kUnauthenticated (token missing, wrong or expired: the message says which),
  // kInvalidArgument (Apple refused the request), kUnavailable (5xx / network).
  Result<asc::ReportResponse> GetSalesReport(std::string_view apple_id, const Secret& token,
                                             std::string_view vendor, std::string_view type,
                                             std::string_view subtype, std::string_view frequency,
                                             std::string_view date, std::string_view version = "");
  // Finance.getReport for a region and fiscal period.
  Result<asc::ReportResponse> GetFinanceReport(std::string_view apple_id, const Secret& token,
                                               std::string_view vendor, std::string_view region,
                                               int fiscal_year, int fiscal_period);

 private:
  // POSTs jsonRequest (plus extra form fields) to the sales or finance service.
  Result<net::HttpResponse> Post(bool finance, const std::string& json, const std::string& extra);
  Result<asc::ReportResponse> Report(bool finance, std::string_view apple_id, const Secret& token,
                                     const std::string& query);

  std::string base_url_;
  net::HttpClient* http_;
};

}  // namespace orchard::apple::reporter
