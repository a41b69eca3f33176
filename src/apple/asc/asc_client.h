// AscClient: the App Store Connect API client (apple-apis.md §0–2).
//
// Talks to the configured base URL (Apple, a proxy or the sandbox) through the HttpClient seam.
// Retry rules (security.md REL-1) live here and only here: at most `max_attempts` attempts;
// 429 and 5xx/transport failures are retried with capped exponential backoff and full jitter,
// honouring Retry-After; 401/403 are never retried; "report not available yet" is a result,
// not an error. Thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "apple/asc/api_error.h"
#include "apple/asc/rate_limit.h"
#include "apple/asc/request_budget.h"
#include "core/status.h"
#include "net/http_client.h"

namespace orchard::apple::asc {

struct SalesReportQuery {
  std::string vendor_number;
  std::string report_type = "SALES";
  std::string report_subtype = "SUMMARY";
  std::string frequency = "DAILY";
  std::string report_date;  // "YYYY-MM-DD" (daily/weekly), "YYYY-MM", "YYYY"
  std::string version = "1_0";
};

enum class ReportAvailability {
  kData,             // body holds the gzip bytes
  kNoSales,          // 404 "There were no sales for the date specified."
  kNotYetAvailable,  // 404 "Report is not available yet. …" — try again later
};

struct ReportResponse {
  ReportAvailability availability = ReportAvailability::kData;
  std::string body;  // gzip bytes, or the TSV itself when an HTTP stack inflated it already
  std::string detail;  // Apple's words, for the 404 cases
};

struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{60000};
};

// How long to wait before attempt `attempt + 1` (REL-1): the answer's Retry-After in seconds when
// it has one (capped at max_delay), else full jitter, uniform in [0, min(max_delay, base × 2^attempt)].
std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int attempt,
                                     const net::HttpResponse* response, std::mt19937_64& rng);

// The seam for waiting between attempts (tests record instead of sleeping).
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void Sleep(std::chrono::milliseconds duration) = 0;
};
Sleeper& RealSleeper();

// Returns a bearer token (an ES256 JWT); errors abort the request.
using TokenProvider = std::function<Result<std::string>()>;

class AscClient {
 public:
  AscClient(std::string base_url, TokenProvider tokens, net::HttpClient* http,
            RetryPolicy policy = {}, Sleeper* sleeper = &RealSleeper(), uint64_t jitter_seed = 0);

  // GET /v1/salesReports. Errors: kUnauthenticated (401: key rejected), kPermissionDenied (403:
  // missing role / agreement), kInvalidArgument (400), kResourceExhausted (429 after retries),
  // kUnavailable (5xx / network after retries), kDataLoss (a 200 that is not gzip).
  // A 400 naming a newer report version is retried once with that version.
  Result<ReportResponse> GetSalesReport(const SalesReportQuery& query);

  // Any other request (`path_and_query` after the base URL, e.g. "/v1/apps?limit=1"), with the
  // same retry rules; every HTTP status is returned to the caller (capability probes read 403).
  Result<net::HttpResponse> Call(std::string_view method, std::string_view path_and_query,
                                 std::string_view body = "");

  // Every request first takes a slot of the key's hourly budget (REL-1); without one it is not
  // sent and the call fails with kResourceExhausted saying when a slot frees. None = no budget.
  void SetBudget(RequestBudget* budget) { budget_ = budget; }

  // The configured endpoint, without a trailing slash (paging checks next links against it).
  const std::string& base_url() const { return base_url_; }

  // The last X-Rate-Limit figures seen (for budgets and /metrics).
  std::optional<RateLimit> last_rate_limit() const { return last_rate_limit_; }
  int64_t requests_sent() const { return requests_sent_; }

 private:
  Result<net::HttpResponse> SendWithRetries(const std::string& url, std::string_view method = "GET",
                                            std::string_view body = "");
  std::chrono::milliseconds Backoff(int attempt, const net::HttpResponse* response);

  std::string base_url_;
  TokenProvider tokens_;
  net::HttpClient* http_;
  RetryPolicy policy_;
  Sleeper* sleeper_;
  std::mt19937_64 rng_;
  std::optional<RateLimit> last_rate_limit_;
  int64_t requests_sent_ = 0;
  RequestBudget* budget_ = nullptr;
};

// Builds the /v1/salesReports query string (brackets percent-encoded, as Apple's own tools do).
std::string SalesReportPath(const SalesReportQuery& query);

}  // namespace orchard::apple::asc
