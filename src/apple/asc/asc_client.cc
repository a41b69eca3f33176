#include "apple/asc/asc_client.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "core/metrics.h"

namespace orchard::apple::asc {
namespace {

class ThreadSleeper final : public Sleeper {
 public:
  void Sleep(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

bool IsGzip(std::string_view body) {
  return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
         static_cast<unsigned char>(body[1]) == 0x8b;
}

// Some HTTP stacks (proxies, test doubles) inflate application/a-gzip on the way: a body whose
// first line is tab-separated text is the report itself (apple-apis.md §2.4).
bool IsPlainTsv(std::string_view body) {
  const std::string_view first = body.substr(0, body.find('\n'));
  return first.find('\t') != std::string_view::npos &&
         std::all_of(first.begin(), first.end(), [](char c) {
           return c == '\t' || c == '\r' || static_cast<unsigned char>(c) >= 0x20;
         });
}

std::string Describe(const net::HttpResponse& r, const std::optional<ApiError>& e) {
  return DescribeApiError(r.status, e);
}

// "…The latest version for this report is 1_4." → "1_4"
std::optional<std::string> LatestVersionIn(std::string_view detail) {
  static constexpr std::string_view kMarker = "latest version for this report is ";
  const size_t at = detail.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string v;
  for (char c : detail.substr(at + kMarker.size())) {
    if ((c >= '0' && c <= '9') || c == '_') v.push_back(c);
    else break;
  }
  if (v.empty()) return std::nullopt;
  return v;
}

}  // namespace

Sleeper& RealSleeper() {
  static ThreadSleeper sleeper;
  return sleeper;
}

std::string SalesReportPath(const SalesReportQuery& q) {
  std::string path = "/v1/salesReports?filter%5Bfrequency%5D=" + net::UrlEncode(q.frequency) +
                     "&filter%5BreportSubType%5D=" + net::UrlEncode(q.report_subtype) +
                     "&filter%5BreportType%5D=" + net::UrlEncode(q.report_type) +
                     "&filter%5BvendorNumber%5D=" + net::UrlEncode(q.vendor_number);
  if (!q.report_date.empty()) path += "&filter%5BreportDate%5D=" + net::UrlEncode(q.report_date);
  if (!q.version.empty()) path += "&filter%5Bversion%5D=" + net::UrlEncode(q.version);
  return path;
}

AscClient::AscClient(std::string base_url, TokenProvider tokens, net::HttpClient* http,
                     RetryPolicy policy, Sleeper* sleeper, uint64_t jitter_seed)
    : base_url_(std::move(base_url)),
      tokens_(std::move(tokens)),
      http_(http),
      policy_(policy),
      sleeper_(sleeper),
      rng_(jitter_seed != 0 ? jitter_seed : std::random_device{}()) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int attempt, const net::HttpResponse* response,
                                     std::mt19937_64& rng) {
  if (response != nullptr) {
    if (auto retry_after = response->Header("retry-after")) {
      int seconds = 0;
      auto [p, ec] = std::from_chars(retry_after->data(), retry_after->data() + retry_after->size(), seconds);
      if (ec == std::errc() && seconds >= 0) {
        return std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), policy.max_delay);
      }
    }
  }
  // Full jitter: uniform in [0, min(cap, base * 2^attempt)].
  const auto ceiling = std::min<int64_t>(policy.max_delay.count(),
                                         policy.base_delay.count() << std::min(attempt, 20));
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(ceiling, 0));
  return std::chrono::milliseconds(dist(rng));
}

std::chrono::milliseconds AscClient::Backoff(int attempt, const net::HttpResponse* response) {
  return RetryDelay(policy_, attempt, response, rng_);
}

Result<net::HttpResponse> AscClient::SendWithRetries(const std::string& url,
                                                    std::string_view method,
                                                    std::string_view body) {
  Status last_error;
  for (int attempt = 0; attempt < policy_.max_attempts; ++attempt) {
    if (budget_ != nullptr) {
      // A short wait (a Retry-After, a request leaving the window) is waited out here.
      if (auto wait = budget_->TryAcquire(); wait && *wait <= policy_.max_delay) {
        sleeper_->Sleep(*wait);
      }
      if (auto wait = budget_->TryAcquire()) {
        return Error(Code::kResourceExhausted,
                     "the hourly request budget of this key is used up (Apple allows " +
                         std::to_string(budget_->limit()) +
                         " requests an hour; Orchard keeps a reserve for other tools); the next "
                         "request can go in " + std::to_string(wait->count()) + " s");
      }
    }
    ORCHARD_ASSIGN_OR_RETURN(std::string token, tokens_());
    net::HttpRequest request;
    request.method = std::string(method);
    request.url = url;
    request.headers = {{"Authorization", "Bearer " + token},
                       {"Accept", "application/a-gzip, application/json"}};
    if (method != "GET") {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = std::string(body);
    }
    ++requests_sent_;
    auto response = http_->Send(request);
    const bool last = attempt + 1 == policy_.max_attempts;
    auto& registry = metrics::Registry::Global();
    if (!response.has_value()) {
      registry.Increment("orchard_apple_requests_total", {{"api", "asc"}, {"status", "error"}});
      last_error = response.error();
      if (!IsRetryable(last_error.code()) || last) break;
      sleeper_->Sleep(Backoff(attempt, nullptr));
      continue;
    }
    registry.Increment("orchard_apple_requests_total",
                       {{"api", "asc"}, {"status", std::to_string(response->status)}});
    const int status = response->status;
    if (auto header = response->Header("x-rate-limit")) {
      if (auto parsed = ParseRateLimit(*header)) {
        last_rate_limit_ = parsed;
        if (budget_ != nullptr && status != 429) budget_->Observe(*parsed);
      }
    }
    if (status == 429 || status >= 500) {
      const auto e = ParseApiError(response->body);
      last_error = Status(status == 429 ? Code::kResourceExhausted : Code::kUnavailable,
                          "App Store Connect answered " + Describe(*response, e) + " after " +
                              std::to_string(attempt + 1) + " attempt(s)");
      const auto wait = Backoff(attempt, &*response);
      if (budget_ != nullptr && status == 429) {
        // Every client of the key holds back, not only this one.
        budget_->Refused(std::chrono::ceil<std::chrono::seconds>(std::max<std::chrono::milliseconds>(
            wait, std::chrono::seconds(1))));
      }
      if (last) break;
      sleeper_->Sleep(wait);
      continue;
    }
    return response;
  }
  return Error(last_error);
}

Result<net::HttpResponse> AscClient::Call(std::string_view method, std::string_view path_and_query,
                                         std::string_view body) {
  return SendWithRetries(base_url_ + std::string(path_and_query), method, body);
}

Result<ReportResponse> AscClient::GetSalesReport(const SalesReportQuery& query) {
  SalesReportQuery q = query;
  for (int version_retries = 0;; ++version_retries) {
    ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse r, SendWithRetries(base_url_ + SalesReportPath(q)));
    if (r.status == 200) {
      if (!IsGzip(r.body) && !IsPlainTsv(r.body)) {
        return Error(Code::kDataLoss,
                     "App Store Connect answered 200 but the body is neither a gzip report nor a "
                     "tab-separated one");
      }
      return ReportResponse{ReportAvailability::kData, std::move(r.body), ""};
    }
    const auto e = ParseApiError(r.body);
    const std::string detail = e ? e->detail : std::string();
    switch (r.status) {
      case 404:
        if (detail.find("no sales") != std::string::npos) {
          return ReportResponse{ReportAvailability::kNoSales, "", detail};
        }
        if (detail.find("not available yet") != std::string::npos) {
          return ReportResponse{ReportAvailability::kNotYetAvailable, "", detail};
        }
        return Error(Code::kNotFound, "App Store Connect answered " + Describe(r, e));
      case 401:
        return Error(Code::kUnauthenticated,
                     "key rejected: App Store Connect answered " + Describe(r, e) +
                         ". Check the issuer ID, key ID and .p8 file, and that the key has not "
                         "been revoked");
      case 403:
        if (e && CodeHasPrefix(e->code, "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED")) {
          return Error(Code::kPermissionDenied,
                       "a required agreement is missing or has expired: the Account Holder must "
                       "accept it in App Store Connect (" + Describe(r, e) + ")");
        }
        return Error(Code::kPermissionDenied,
                     "key lacks the Sales role: App Store Connect answered " + Describe(r, e) +
                         ". Give the key the Sales, Finance or Admin role, or use a team key "
                         "(individual keys cannot read sales reports)");
      case 400:
        if (e && e->source_parameter == "filter[version]" && version_retries == 0) {
          if (auto latest = LatestVersionIn(detail); latest && *latest != q.version) {
            q.version = *latest;
            continue;
          }
        }
        return Error(Code::kInvalidArgument, "App Store Connect refused the request: " + Describe(r, e));
      default:
        return Error(Code::kUnknown, "unexpected answer from App Store Connect: " + Describe(r, e));
    }
  }
}

}  // namespace orchard::apple::asc
