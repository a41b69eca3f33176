// PublicStoreClient: Apple's no-login store endpoints that reviews and ratings come from —
// the customer-reviews RSS feed (apple-apis.md §8.1), the iTunes lookup (§8.4) and the store's
// Media API app resource with its shared anonymous token (Part II §B.0–B.3).
//
// These endpoints throttle per IP address (403/429 under bursts, §B.8), so one client paces
// every request it sends: at least `min_interval` between two, whatever the endpoint. Each request
// follows REL-1: at most 3 attempts, capped exponential backoff with full jitter, Retry-After
// honoured; a throttled answer (429, a 403 that says capacity, the iTunes 403 under bursts) and
// 5xx and transport failures are retried. The Media API token is harvested once from the token
// service and harvested again when the API calls it stale (401/403). Thread-compatible: share one
// client per thread (the scheduler's one thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "apple/asc/asc_client.h"
#include "core/status.h"
#include "ingest/rss_reviews.h"
#include "ingest/store_ratings.h"
#include "net/http_client.h"

namespace orchard::apple::pub {

struct PublicEndpoints {
  std::string itunes_url;     // RSS feed and lookup, e.g. https://itunes.apple.com
  std::string amp_api_url;    // the Media API, e.g. https://amp-api-edge.apps.apple.com
  std::string amp_token_url;  // its token service, e.g. https://sf-api-token-service.itunes.apple.com
};

class PublicStoreClient {
 public:
  PublicStoreClient(PublicEndpoints endpoints, net::HttpClient* http,
                    std::chrono::milliseconds min_interval, asc::RetryPolicy policy = {},
                    asc::Sleeper* sleeper = &asc::RealSleeper(), uint64_t jitter_seed = 0);

  // One page (1–10) of an app's reviews in a storefront, most recent first. An app the feed does
  // not know in that storefront is an empty page (the feed answers so, or 404). Errors:
  // kInvalidArgument (a page outside 1–10, an app id that is not digits, a country that is not two
  // letters), kDataLoss (a body that is not the feed), kResourceExhausted / kUnavailable after the
  // retries, kPermissionDenied for other 4xx.
  Result<ingest::RssReviewPage> ReviewPage(std::string_view app_id, std::string_view country, int page);

  // The app's ratings in a storefront: from the Media API (with the histogram), else — when the
  // Media API fails (token service down, throttled, a broken answer) — from the lookup (average
  // and count only). nullopt: the app is not in that storefront.
  Result<std::optional<ingest::StoreRating>> Rating(std::string_view app_id, std::string_view country);
  Result<std::optional<ingest::StoreRating>> MediaApiRating(std::string_view app_id, std::string_view country);
  Result<std::optional<ingest::StoreRating>> LookupRating(std::string_view app_id, std::string_view country);

  int64_t requests_sent() const { return requests_sent_; }

 private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  // Sends with pacing and the retry rules; returns the final answer of any status except the
  // retried ones, which become kResourceExhausted (throttled) / kUnavailable after the attempts.
  Result<Answer> Get(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string_view what, bool amp);
  std::chrono::milliseconds Backoff(int attempt, const net::HttpResponse* response);
  Result<std::string> Token(bool fresh);

  PublicEndpoints endpoints_;
  net::HttpClient* http_;
  std::chrono::milliseconds min_interval_;
  asc::RetryPolicy policy_;
  asc::Sleeper* sleeper_;
  std::mt19937_64 rng_;
  std::optional<std::chrono::steady_clock::time_point> last_sent_;
  std::string token_;  // the Media API's shared token (public, not a credential of the user)
  int64_t requests_sent_ = 0;
};

}  // namespace orchard::apple::pub
