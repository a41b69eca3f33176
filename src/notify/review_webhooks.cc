#include "notify/review_webhooks.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/date.h"
#include "core/log.h"

namespace orchard::notify {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr size_t kSlackSectionMax = 3000;  // Slack's limit for a section's text

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return out;
}

// Cuts UTF-8 text to at most `max` bytes without splitting a character, marking the cut.
std::string Truncated(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max - 3;  // room for "…"
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

// Slack's mrkdwn control characters: with these escaped, review text cannot write
// <!channel>, <@user> or <https://…|a forged link>.
std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The host of a URL, for messages (a Slack URL's path is its credential: never shown in logs).
std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  return std::string(rest.substr(0, std::min(rest.find('/'), rest.size())));
}

std::string ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// A short, printable piece of the receiver's answer, for last_error.
std::string Snippet(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, std::min<size_t>(body.size(), 160))) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Json ReviewObject(const ReviewEvent& e) {
  const store::Review& r = e.review;
  Json review = {{"id", r.id},
                 {"app", r.app_id}};
  if (!e.app_name.empty()) review["app_name"] = e.app_name;
  review["country"] = r.country;
  review["rating"] = r.rating;
  review["title"] = r.title;
  review["body"] = r.body;
  review["author"] = r.author;
  review["version"] = r.version;
  review["updated"] = IsoUtc(r.updated_at);
  return review;
}

}  // namespace

int64_t BackoffSeconds(int failed_attempts, const WebhookOptions& options) {
  int64_t wait = options.backoff_base_seconds;
  for (int i = 1; i < failed_attempts && wait < options.backoff_max_seconds; ++i) wait *= 2;
  return std::min(wait, options.backoff_max_seconds);
}

std::string Stars(int rating) {
  std::string out;
  for (int i = 1; i <= 5; ++i) out += i <= rating ? "★" : "☆";
  return out;
}

std::string IsoUtc(int64_t seconds) {
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  char time[32];
  std::snprintf(time, sizeof time, "T%02d:%02d:%02dZ", static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return Date::FromDays(static_cast<int32_t>(days)).Iso() + time;
}

std::string JsonPayload(const ReviewEvent& e) {
  Json doc = {{"event", e.event},
              {"delivery", e.delivery_id},
              {"team", {{"id", e.team_id}}},
              {"review", ReviewObject(e)}};
  // Invalid UTF-8 from a source must not make the payload unsendable.
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SlackPayload(const ReviewEvent& e) {
  const store::Review& r = e.review;
  const std::string app = SlackEscape(e.app_name.empty() ? r.app_id : e.app_name);
  const std::string title = SlackEscape(r.title.empty() ? "(no title)" : r.title);
  const std::string byline =
      "— " + SlackEscape(r.author.empty() ? "anonymous" : r.author) +
      (r.version.empty() ? "" : ", version " + SlackEscape(r.version));
  const std::string prefix = e.event == "review.test" ? "[test] " : "";
  const std::string headline =
      prefix + Stars(r.rating) + " " + title + " — " + app + " (" + r.country + ")";
  // The notification line, and what clients without blocks show.
  const std::string text = Truncated(headline + "\n" + SlackEscape(r.body) + "\n" + byline,
                                     kSlackSectionMax);
  const std::string section =
      Truncated("*" + Stars(r.rating) + " " + title + "*\n" + SlackEscape(r.body), kSlackSectionMax);
  Json doc = {
      {"text", text},
      {"blocks",
       Json::array(
           {Json{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", section}}}},
            Json{{"type", "context"},
                 {"elements",
                  Json::array({Json{{"type", "mrkdwn"},
                                    {"text", Truncated(prefix + app + " (" + r.country + ") " +
                                                           byline + " · " + IsoUtc(r.updated_at),
                                                       kSlackSectionMax)}}})}}})}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SignatureHeader(const Secret& secret, int64_t t, std::string_view body) {
  const std::string prefix = std::to_string(t) + ".";
  crypto_auth_hmacsha256_state state;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&state, secret.bytes(), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);  // holds the key's pads
  return "t=" + std::to_string(t) + ",v1=" + Hex(mac, sizeof mac);
}

Secret NewWebhookSecret() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char text[kSecretPrefix.size() + 2 * sizeof raw + 1];
  std::copy(kSecretPrefix.begin(), kSecretPrefix.end(), text);
  sodium_bin2hex(text + kSecretPrefix.size(), 2 * sizeof raw + 1, raw, sizeof raw);
  Secret out(std::string_view(text, sizeof text - 1));
  sodium_memzero(raw, sizeof raw);
  sodium_memzero(text, sizeof text);
  return out;
}

crypto::SealContext WebhookSealContext(int64_t team_id) {
  return crypto::SealContext{team_id, store::kWebhookTable, store::kWebhookSecretColumn, team_id};
}

bool WebhookWants(const store::ReviewWebhook& hook, const store::Review& review, std::string* why) {
  if (review.rating > hook.max_rating) {
    *why = "rated " + std::to_string(review.rating) + " stars; the webhook wants at most " +
           std::to_string(hook.max_rating);
    return false;
  }
  if (!hook.countries.empty() &&
      std::find(hook.countries.begin(), hook.countries.end(), Lower(review.country)) ==
          hook.countries.end()) {
    *why = "storefront " + review.country + " is not among the webhook's countries";
    return false;
  }
  if (!hook.app_ids.empty() &&
      std::find(hook.app_ids.begin(), hook.app_ids.end(), review.app_id) == hook.app_ids.end()) {
    *why = "app " + review.app_id + " is not among the webhook's apps";
    return false;
  }
  return true;
}

ReviewWebhooks::ReviewWebhooks(store::ReviewStore* reviews, store::MetaStore* meta,
                               const crypto::Sealer* sealer, HttpFactory http, const Clock* clock,
                               WebhookOptions options)
    : reviews_(reviews),
      meta_(meta),
      sealer_(sealer),
      http_(std::move(http)),
      clock_(clock),
      options_(options) {}

namespace {
Status SealedError(std::string_view what) {
  return Status(Code::kFailedPrecondition,
                "Orchard is sealed (no master key), so it cannot " + std::string(what) +
                    "; start it with the master key file (ORCHARD_MASTER_KEY_FILE)");
}
}  // namespace

Result<WebhookSaved> ReviewWebhooks::Put(int64_t team_id, const WebhookChange& change) {
  ORCHARD_RETURN_IF_ERROR(ValidateEndpointUrl("url", change.url));
  if (change.format != "json" && change.format != "slack") {
    return Error(Code::kInvalidArgument,
                 "format must be \"json\" or \"slack\", not \"" + change.format + "\"");
  }
  if (change.max_rating < 1 || change.max_rating > 5) {
    return Error(Code::kInvalidArgument, "max_rating must be 1 to 5 (5 = every review)");
  }
  if (sealer_ == nullptr) return Error(SealedError("store a webhook's signing secret"));
  auto existing = reviews_->GetReviewWebhook(team_id);
  if (!existing.has_value() && existing.error().code() != Code::kNotFound) {
    return Error(existing.error());
  }
  WebhookSaved saved;
  saved.created = !existing.has_value();
  store::ReviewWebhook hook;
  hook.url = change.url;
  hook.format = change.format;
  hook.max_rating = change.max_rating;
  hook.countries = change.countries;
  hook.app_ids = change.app_ids;
  hook.enabled = change.enabled;
  if (saved.created || change.rotate_secret) {
    Secret secret = NewWebhookSecret();
    ORCHARD_ASSIGN_OR_RETURN(hook.secret_blob,
                             sealer_->Seal(secret.view(), WebhookSealContext(team_id)));
    ORCHARD_ASSIGN_OR_RETURN(hook.secret_key_version,
                             crypto::Sealer::BlobKeyVersion(hook.secret_blob));
    saved.secret = std::move(secret);
  }
  ORCHARD_ASSIGN_OR_RETURN(saved.hook, reviews_->PutReviewWebhook(team_id, hook));
  saved.hook.secret_blob.clear();
  return saved;
}

Result<store::ReviewWebhook> ReviewWebhooks::Get(int64_t team_id) {
  ORCHARD_ASSIGN_OR_RETURN(store::ReviewWebhook hook, reviews_->GetReviewWebhook(team_id));
  hook.secret_blob.clear();
  return hook;
}

Result<bool> ReviewWebhooks::Remove(int64_t team_id) {
  return reviews_->DeleteReviewWebhook(team_id);
}

Result<Secret> ReviewWebhooks::OpenSecret(int64_t team_id, const store::ReviewWebhook& hook) const {
  if (sealer_ == nullptr) return Error(SealedError("sign webhook deliveries"));
  auto secret = sealer_->Open(hook.secret_blob, WebhookSealContext(team_id));
  if (!secret.has_value()) {
    return Error(Code::kDataLoss,
                 "the webhook's signing secret cannot be opened with this master key (" +
                     secret.error().message() + "); rotate the secret with "
                     "`orchard webhooks set --rotate-secret`");
  }
  return secret;
}

DeliveryResult ReviewWebhooks::Deliver(net::HttpClient& http, const store::ReviewWebhook& hook,
                                       const Secret& secret, const std::string& body,
                                       const std::string& delivery_id, int64_t now) const {
  net::HttpRequest req;
  req.method = "POST";
  req.url = hook.url;
  req.body = body;
  req.connect_timeout = options_.connect_timeout;
  req.total_timeout = options_.total_timeout;
  req.max_body_bytes = size_t{64} << 10;  // the answer is not used beyond a snippet
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "Orchard-Webhook/1"},
                 {"X-Orchard-Delivery", delivery_id},
                 {"X-Orchard-Signature", SignatureHeader(secret, now, body)}};
  DeliveryResult out;
  auto answer = http.Send(req);
  if (!answer.has_value()) {
    out.error = answer.error().message();  // "request to <scheme://host> failed: <why>"
    return out;
  }
  out.status = answer->status;
  if (answer->status >= 200 && answer->status < 300) {
    out.delivered = true;
    return out;
  }
  const std::string reason = ReasonPhrase(answer->status);
  out.error = HostOf(hook.url) + " answered HTTP " + std::to_string(answer->status) +
              (reason.empty() ? "" : " " + reason);
  if (answer->status >= 300 && answer->status < 400) {
    out.error += " (a redirect; Orchard does not follow redirects: set the final URL)";
  }
  const std::string snippet = Snippet(answer->body);
  if (!snippet.empty()) out.error += ": " + snippet;
  if (answer->status == 429) {
    if (auto ra = answer->Header("retry-after")) {
      try {
        size_t used = 0;
        const long long seconds = std::stoll(*ra, &used);
        if (used == ra->size() && seconds >= 0) out.retry_after = seconds;
      } catch (const std::exception&) {
        // An HTTP-date or garbage: the normal backoff applies.
      }
    }
  }
  return out;
}

std::string ReviewWebhooks::AppName(
    int64_t team_id, const std::string& app_id,
    std::map<int64_t, std::map<std::string, std::string>>* cache) const {
  if (meta_ == nullptr) return "";
  auto it = cache->find(team_id);
  if (it == cache->end()) {
    std::map<std::string, std::string> names;
    auto apps = meta_->ListCatalogApps(team_id);
    if (apps.has_value()) {
      for (const auto& a : *apps) names[a.apple_id] = a.name;
    }
    it = cache->emplace(team_id, std::move(names)).first;
  }
  auto name = it->second.find(app_id);
  return name == it->second.end() ? "" : name->second;
}

Result<DeliveryResult> ReviewWebhooks::SendTest(int64_t team_id) {
  if (sealer_ == nullptr) return Error(SealedError("sign a test delivery"));
  ORCHARD_ASSIGN_OR_RETURN(store::ReviewWebhook hook, reviews_->GetReviewWebhook(team_id));
  ORCHARD_ASSIGN_OR_RETURN(Secret secret, OpenSecret(team_id, hook));
  const int64_t now = clock_->NowSeconds();
  ReviewEvent e;
  e.event = "review.test";
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  e.delivery_id = "test-" + Hex(raw, sizeof raw);
  e.team_id = team_id;
  e.review.id = 0;
  e.review.app_id = "0";
  e.review.country = "us";
  e.review.rating = std::min(2, hook.max_rating);
  e.review.title = "Test review from Orchard";
  e.review.body = "If you can read this, the webhook works.";
  e.review.author = "Orchard";
  e.review.version = "1.0";
  e.review.updated_at = now;
  e.app_name = "Orchard test";
  const std::string body = hook.format == "slack" ? SlackPayload(e) : JsonPayload(e);
  auto http = http_();
  return Deliver(*http, hook, secret, body, e.delivery_id, now);
}

Result<RunStats> ReviewWebhooks::RunOnce(int64_t now) {
  if (sealer_ == nullptr) return Error(SealedError("sign webhook deliveries"));
  ORCHARD_ASSIGN_OR_RETURN(auto claimed,
                           reviews_->ClaimReviewNotifications(now, now + options_.lease_seconds,
                                                              options_.batch));
  RunStats stats;
  stats.claimed = static_cast<int>(claimed.size());
  if (claimed.empty()) return stats;
  std::unique_ptr<net::HttpClient> http;
  std::map<int64_t, std::optional<store::ReviewWebhook>> hooks;  // per team, read once a pass
  std::map<int64_t, std::map<std::string, std::string>> app_names;
  Status first_error = Status::Ok();
  for (const auto& n : claimed) {
    auto it = hooks.find(n.team_id);
    if (it == hooks.end()) {
      auto hook = reviews_->GetReviewWebhook(n.team_id);
      if (!hook.has_value() && hook.error().code() != Code::kNotFound) {
        // The claim runs out and the notification is taken again later.
        if (first_error.ok()) first_error = hook.error();
        continue;
      }
      it = hooks.emplace(n.team_id, hook.has_value() ? std::optional(*hook) : std::nullopt).first;
    }
    const std::optional<store::ReviewWebhook>& hook = it->second;
    store::NotificationOutcome outcome;
    std::string why;
    if (!hook) {
      outcome = {store::NotificationState::kSkipped, 0, "no webhook is set up"};
    } else if (!hook->enabled) {
      outcome = {store::NotificationState::kSkipped, 0, "the webhook is turned off"};
    } else if (n.created_at < hook->created_at) {
      // A webhook set up today must not receive the backlog of every earlier review.
      outcome = {store::NotificationState::kSkipped, 0,
                 "the review was found before the webhook was set up"};
    } else if (!WebhookWants(*hook, n.review, &why)) {
      outcome = {store::NotificationState::kSkipped, 0, why};
    } else {
      DeliveryResult result;
      auto secret = OpenSecret(n.team_id, *hook);
      if (!secret.has_value()) {
        result.error = secret.error().message();
      } else {
        ReviewEvent e;
        e.delivery_id = n.delivery_id;
        e.team_id = n.team_id;
        e.review = n.review;
        e.app_name = AppName(n.team_id, n.review.app_id, &app_names);
        const std::string body = hook->format == "slack" ? SlackPayload(e) : JsonPayload(e);
        if (!http) http = http_();
        result = Deliver(*http, *hook, *secret, body, n.delivery_id, now);
      }
      const int attempts = n.attempts + 1;
      if (result.delivered) {
        outcome = {store::NotificationState::kSent, 0, ""};
      } else if (attempts >= options_.max_attempts) {
        outcome = {store::NotificationState::kFailed, 0,
                   "gave up after " + std::to_string(attempts) + " attempts; the last: " +
                       result.error};
      } else {
        const int64_t wait = result.retry_after
                                 ? std::min(*result.retry_after, options_.retry_after_max_seconds)
                                 : BackoffSeconds(attempts, options_);
        outcome = {store::NotificationState::kQueued, now + wait, result.error};
      }
    }
    Status done = reviews_->FinishReviewNotification(n.review.id, n.claim, outcome, now);
    if (done.code() == Code::kAborted) {
      ++stats.lost_claims;
      continue;
    }
    if (!done.ok()) {
      if (first_error.ok()) first_error = done;
      continue;
    }
    switch (outcome.state) {
      case store::NotificationState::kSent: ++stats.sent; break;
      case store::NotificationState::kQueued:
        ++stats.retried;
        ORCHARD_LOG_INFO("review {} webhook: {} (attempt {}; next at {})", n.review.id,
                         outcome.error, n.attempts + 1, IsoUtc(outcome.not_before));
        break;
      case store::NotificationState::kFailed:
        ++stats.failed;
        ORCHARD_LOG_WARN("review {} webhook: {}", n.review.id, outcome.error);
        break;
      case store::NotificationState::kSkipped: ++stats.skipped; break;
      case store::NotificationState::kSending: break;
    }
  }
  if (!first_error.ok()) return Error(first_error);
  return stats;
}

}  // namespace orchard::notify
