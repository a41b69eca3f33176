#include "apple/public/public_store.h"

#include <algorithm>
#include <cctype>

#include "core/metrics.h"

namespace orchard::apple::pub {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

Result<std::string> Storefront(std::string_view country) {
  if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) ||
      !std::isalpha(static_cast<unsigned char>(country[1]))) {
    return Error(Code::kInvalidArgument, "storefront \"" + std::string(country) +
                                             "\" is not a two-letter country code (us, gb, …)");
  }
  std::string cc(country);
  for (char& c : cc) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return cc;
}

Status CheckApp(std::string_view app_id) {
  if (AllDigits(app_id)) return Status::Ok();
  return Status(Code::kInvalidArgument, "app id \"" + std::string(app_id) +
                                            "\" is not an App Store id (digits, e.g. 284882215)");
}

bool Mentions(std::string_view body, std::string_view word) {
  auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  return std::search(body.begin(), body.end(), word.begin(), word.end(),
                     [&](char a, char b) { return lower(static_cast<unsigned char>(a)) == b; }) != body.end();
}

}  // namespace

PublicStoreClient::PublicStoreClient(PublicEndpoints endpoints, net::HttpClient* http,
                                     std::chrono::milliseconds min_interval, asc::RetryPolicy policy,
                                     asc::Sleeper* sleeper, uint64_t jitter_seed)
    : endpoints_(std::move(endpoints)),
      http_(http),
      min_interval_(min_interval),
      policy_(policy),
      sleeper_(sleeper),
      rng_(jitter_seed) {
  for (std::string* url : {&endpoints_.itunes_url, &endpoints_.amp_api_url, &endpoints_.amp_token_url}) {
    while (!url->empty() && url->back() == '/') url->pop_back();
  }
}

std::chrono::milliseconds PublicStoreClient::Backoff(int attempt, const net::HttpResponse* response) {
  return asc::RetryDelay(policy_, attempt, response, rng_);
}

Result<PublicStoreClient::Answer> PublicStoreClient::Get(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view what, bool amp) {
  auto& registry = metrics::Registry::Global();
  const std::string api = amp ? "amp" : "itunes";
  Status last_error;
  for (int attempt = 0; attempt < policy_.max_attempts; ++attempt) {
    const bool last = attempt + 1 == policy_.max_attempts;
    if (last_sent_) {
      const auto since = std::chrono::steady_clock::now() - *last_sent_;
      if (since < min_interval_) {
        sleeper_->Sleep(std::chrono::ceil<std::chrono::milliseconds>(min_interval_ - since));
      }
    }
    net::HttpRequest request;
    request.url = url;
    request.headers = headers;
    request.total_timeout = std::chrono::seconds(60);
    request.max_body_bytes = size_t{16} << 20;
    last_sent_ = std::chrono::steady_clock::now();
    ++requests_sent_;
    auto response = http_->Send(request);
    if (!response.has_value()) {
      registry.Increment("orchard_apple_requests_total", {{"api", api}, {"status", "error"}});
      last_error = Status(Code::kUnavailable, std::string(what) + ": " + response.error().message() +
                                                  " after " + std::to_string(attempt + 1) + " attempt(s)");
      if (last) break;
      sleeper_->Sleep(Backoff(attempt, nullptr));
      continue;
    }
    registry.Increment("orchard_apple_requests_total", {{"api", api}, {"status", std::to_string(response->status)}});
    const int status = response->status;
    // Throttling: 429 anywhere; the iTunes endpoints answer bursts with 403; the Media API says
    // "API capacity exceeded" in a 403 (its other 403s mean a stale token: the caller's business).
    const bool throttled = status == 429 || (status == 403 && (!amp || Mentions(response->body, "capacity")));
    if (throttled || status >= 500) {
      last_error = Status(throttled ? Code::kResourceExhausted : Code::kUnavailable,
                          std::string(what) + ": Apple answered HTTP " + std::to_string(status) +
                              (throttled ? " (too many requests)" : "") + " after " +
                              std::to_string(attempt + 1) + " attempt(s)");
      if (last) break;
      sleeper_->Sleep(Backoff(attempt, &*response));
      continue;
    }
    return Answer{status, std::move(response->body)};
  }
  return Error(last_error);
}

Result<ingest::RssReviewPage> PublicStoreClient::ReviewPage(std::string_view app_id, std::string_view country,
                                                            int page) {
  ORCHARD_RETURN_IF_ERROR(CheckApp(app_id));
  ORCHARD_ASSIGN_OR_RETURN(std::string cc, Storefront(country));
  if (page < 1 || page > ingest::kRssMaxPages) {
    return Error(Code::kInvalidArgument, "the reviews feed has pages 1–" + std::to_string(ingest::kRssMaxPages));
  }
  const std::string what = "reviews feed of app " + std::string(app_id) + " in " + cc + ", page " +
                           std::to_string(page);
  const std::string url = endpoints_.itunes_url + "/" + cc + "/rss/customerreviews/page=" +
                          std::to_string(page) + "/id=" + std::string(app_id) + "/sortby=mostrecent/json";
  ORCHARD_ASSIGN_OR_RETURN(Answer answer, Get(url, {{"Accept", "application/json"}}, what, false));
  if (answer.status == 404) return ingest::RssReviewPage{};  // not in that storefront
  if (answer.status != 200) {
    return Error(Code::kPermissionDenied, what + ": Apple answered HTTP " + std::to_string(answer.status));
  }
  auto parsed = ingest::ParseReviewFeed(answer.body, cc);
  if (!parsed.has_value()) return Error(Code::kDataLoss, what + ": " + parsed.error().message());
  return parsed;
}

Result<std::string> PublicStoreClient::Token(bool fresh) {
  if (!token_.empty() && !fresh) return token_;
  token_.clear();
  ORCHARD_ASSIGN_OR_RETURN(Answer answer,
                           Get(endpoints_.amp_token_url + "/apiToken?clientClass=apple&clientId=appstore&os=macOS",
                               {{"Accept", "application/json"}}, "the store's token service", true));
  if (answer.status != 200) {
    return Error(Code::kUnavailable, "the store's token service answered HTTP " + std::to_string(answer.status));
  }
  ORCHARD_ASSIGN_OR_RETURN(token_, ingest::ParseMediaApiToken(answer.body));
  return token_;
}

Result<std::optional<ingest::StoreRating>> PublicStoreClient::MediaApiRating(std::string_view app_id,
                                                                             std::string_view country) {
  ORCHARD_RETURN_IF_ERROR(CheckApp(app_id));
  ORCHARD_ASSIGN_OR_RETURN(std::string cc, Storefront(country));
  const std::string what = "ratings of app " + std::string(app_id) + " in " + cc + " (store Media API)";
  const std::string url = endpoints_.amp_api_url + "/v1/catalog/" + cc + "/apps/" + std::string(app_id) +
                          "?platform=web&additionalPlatforms=appletv,ipad,iphone,mac&fields=userRating";
  for (int round = 0; round < 2; ++round) {
    ORCHARD_ASSIGN_OR_RETURN(std::string token, Token(/*fresh=*/round > 0));
    ORCHARD_ASSIGN_OR_RETURN(Answer answer, Get(url,
                                                {{"Authorization", "Bearer " + token},
                                                 {"Origin", "https://apps.apple.com"},
                                                 {"Accept", "application/json"}},
                                                what, true));
    if (answer.status == 401 || answer.status == 403) continue;  // a stale token: harvest again
    if (answer.status == 404) return std::optional<ingest::StoreRating>();
    if (answer.status != 200) {
      return Error(Code::kUnavailable, what + ": Apple answered HTTP " + std::to_string(answer.status));
    }
    auto parsed = ingest::ParseMediaApiRating(answer.body, app_id);
    if (!parsed.has_value()) return Error(parsed.error().WithContext(what));
    return parsed;
  }
  return Error(Code::kUnauthenticated, what + ": the store refused a freshly harvested token");
}

Result<std::optional<ingest::StoreRating>> PublicStoreClient::LookupRating(std::string_view app_id,
                                                                           std::string_view country) {
  ORCHARD_RETURN_IF_ERROR(CheckApp(app_id));
  ORCHARD_ASSIGN_OR_RETURN(std::string cc, Storefront(country));
  const std::string what = "ratings of app " + std::string(app_id) + " in " + cc + " (iTunes lookup)";
  ORCHARD_ASSIGN_OR_RETURN(
      Answer answer, Get(endpoints_.itunes_url + "/lookup?id=" + std::string(app_id) + "&country=" + cc +
                             "&entity=software",
                         {}, what, false));
  if (answer.status == 404) return std::optional<ingest::StoreRating>();
  if (answer.status != 200) {
    return Error(Code::kUnavailable, what + ": Apple answered HTTP " + std::to_string(answer.status));
  }
  auto parsed = ingest::ParseLookupRating(answer.body, app_id);
  if (!parsed.has_value()) return Error(parsed.error().WithContext(what));
  return parsed;
}

Result<std::optional<ingest::StoreRating>> PublicStoreClient::Rating(std::string_view app_id,
                                                                     std::string_view country) {
  auto amp = MediaApiRating(app_id, country);
  if (amp.has_value() || amp.error().code() == Code::kInvalidArgument) return amp;
  // The Media API is the fragile source (a shared token, throttling): the lookup still gives the
  // average and the count.
  return LookupRating(app_id, country);
}

}  // namespace orchard::apple::pub
