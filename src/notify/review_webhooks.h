// New-review webhooks (issue 6 §7): a team's webhook configuration with its signing secret, the
// payloads (Orchard JSON, or a Slack incoming-webhook message), and the dispatcher that delivers
// the store's notification queue (ReviewStore::QueueReviewNotifications) to it.
//
// Delivery. RunOnce claims due notifications (a lease, so two senders never hold one), skips the
// ones the webhook's filter does not want, POSTs the others and records the outcome: a 2xx is
// `sent` (never sent again); anything else, or no answer, is retried after
// min(1 min × 2^(attempts−1), 1 h) — or after Retry-After on a 429 — and after 8 attempts the
// notification is `failed` with the last error in words. A sender that dies mid-delivery leaves
// the notification `sending`; it is claimed again when the lease ends (2 minutes; the HTTP
// timeouts are far shorter, so a live sender always finishes first). Every attempt for a review
// carries the same X-Orchard-Delivery id, so the wire is at-least-once and a receiver that
// drops a delivery id it has already seen gets each review exactly once.
//
// Each request:
//   POST <url>
//   Content-Type: application/json
//   User-Agent: Orchard-Webhook/1
//   X-Orchard-Delivery: <32 hex digits, fixed per review>
//   X-Orchard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
//
// Verifying a delivery (the receiver's side):
//   1. Split X-Orchard-Signature at ',' into t=… and v1=….
//   2. Compute HMAC-SHA256 with the key = the webhook secret exactly as Orchard showed it (the
//      whole text, "whsec_" included, as bytes) over the message = t + "." + the raw request
//      body (the bytes received, before any JSON parsing). Hex-encode it (lower case).
//   3. Compare with v1 in constant time; refuse a mismatch.
//   4. Refuse a t too far from your clock (e.g. more than 5 minutes), against replays.
//   5. Drop a delivery whose X-Orchard-Delivery you have already processed.
//   (Python: hmac.compare_digest(hmac.new(secret.encode(), f"{t}.".encode() + body,
//    hashlib.sha256).hexdigest(), v1).)
// A Slack incoming webhook ignores the headers; its URL is its credential.
//
// The secret: 32 random bytes made by Orchard ("whsec_" + 64 hex digits), shown once when the
// webhook is created or the secret rotated, stored only sealed (crypto::Sealer, context: team,
// "review_webhooks", "secret", row id = team id), opened only to sign; never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/secret.h"
#include "core/status.h"
#include "crypto/sealer.h"
#include "net/http_client.h"
#include "store/meta_store.h"
#include "store/review_store.h"

namespace orchard::notify {

// Makes an HTTP client per use (libcurl wants one per thread).
using HttpFactory = std::function<std::unique_ptr<net::HttpClient>()>;

struct WebhookOptions {
  int max_attempts = 8;
  int64_t backoff_base_seconds = 60;    // after the first failed attempt
  int64_t backoff_max_seconds = 3600;   // the cap of the doubling
  int64_t retry_after_max_seconds = 86400;  // a 429's Retry-After is honoured up to this
  int64_t lease_seconds = 120;          // how long a claim lasts (>> the HTTP timeouts)
  int batch = 50;                       // notifications claimed per RunOnce
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds total_timeout{15};
};

// The wait after `failed_attempts` (≥ 1) failed attempts: base × 2^(failed_attempts − 1),
// at most the cap. With the defaults: 60, 120, 240, 480, 960, 1920, 3600 seconds.
int64_t BackoffSeconds(int failed_attempts, const WebhookOptions& options);

// What a payload describes.
struct ReviewEvent {
  std::string event = "review.created";  // "review.test" for a test delivery
  std::string delivery_id;
  int64_t team_id = 0;
  store::Review review;
  std::string app_name;  // "" when the catalog does not know the app
};

// {"event","delivery","team":{"id"},"review":{id, app, app_name?, country, rating, title, body,
// author, version, updated}} — `updated` as ISO-8601 UTC ("2024-01-10T08:00:00Z").
std::string JsonPayload(const ReviewEvent& event);
// A Slack incoming-webhook message: "text" (the notification line) and "blocks". Review text is
// escaped for Slack (&, <, >), so a review cannot mention @channel or forge a link.
std::string SlackPayload(const ReviewEvent& event);
// "★★☆☆☆" for 2.
std::string Stars(int rating);
// Unix seconds → "YYYY-MM-DDThh:mm:ssZ".
std::string IsoUtc(int64_t seconds);

// The X-Orchard-Signature value for `body` signed at `t`: "t=<t>,v1=<hex HMAC-SHA256>".
std::string SignatureHeader(const Secret& secret, int64_t t, std::string_view body);
// A new secret: "whsec_" + 64 lower-case hex digits of 32 random bytes.
Secret NewWebhookSecret();
// Where a team's webhook secret is sealed.
crypto::SealContext WebhookSealContext(int64_t team_id);

// Whether the webhook wants the review; otherwise `why` says why not, in words.
bool WebhookWants(const store::ReviewWebhook& hook, const store::Review& review, std::string* why);

// A change of the webhook (PUT / `orchard webhooks set`): replaces the whole configuration.
struct WebhookChange {
  std::string url;
  std::string format = "json";
  int max_rating = 5;
  std::vector<std::string> countries;
  std::vector<std::string> app_ids;
  bool enabled = true;
  bool rotate_secret = false;
};

struct WebhookSaved {
  store::ReviewWebhook hook;    // secret_blob cleared
  bool created = false;
  std::optional<Secret> secret;  // only when created or rotated: show it once
};

// The answer of one delivery attempt.
struct DeliveryResult {
  bool delivered = false;  // a 2xx
  int status = 0;          // the HTTP status; 0 when there was no answer
  std::string error;       // in words, when not delivered
  std::optional<int64_t> retry_after;  // a 429's Retry-After, in seconds
};

struct RunStats {
  int claimed = 0, sent = 0, retried = 0, failed = 0, skipped = 0;
  int lost_claims = 0;  // finished by another sender after this one's lease ran out
};

class ReviewWebhooks {
 public:
  // `sealer` may be null (the server is sealed): reading and removing the configuration work;
  // creating, rotating, testing and delivering answer kFailedPrecondition. `meta` (optional)
  // names apps from the catalog.
  ReviewWebhooks(store::ReviewStore* reviews, store::MetaStore* meta,
                 const crypto::Sealer* sealer, HttpFactory http, const Clock* clock,
                 WebhookOptions options = {});

  // Validates (https, or http to loopback only; format; rating; countries), then stores. A new
  // webhook or `rotate_secret` gets a new secret, returned once; otherwise the secret stays.
  Result<WebhookSaved> Put(int64_t team_id, const WebhookChange& change);
  // kNotFound when none; the secret blob is never returned.
  Result<store::ReviewWebhook> Get(int64_t team_id);
  // false when there was none.
  Result<bool> Remove(int64_t team_id);
  // Sends a "review.test" event with a sample review now (not queued, not retried).
  Result<DeliveryResult> SendTest(int64_t team_id);

  // One pass of the dispatcher at `now`: claims up to a batch of due notifications and ends
  // each (sent, retry, failed, skipped). kFailedPrecondition when sealed.
  Result<RunStats> RunOnce(int64_t now);

  bool sealed() const { return sealer_ == nullptr; }

 private:
  Result<Secret> OpenSecret(int64_t team_id, const store::ReviewWebhook& hook) const;
  DeliveryResult Deliver(net::HttpClient& http, const store::ReviewWebhook& hook,
                         const Secret& secret, const std::string& body,
                         const std::string& delivery_id, int64_t now) const;
  std::string AppName(int64_t team_id, const std::string& app_id,
                      std::map<int64_t, std::map<std::string, std::string>>* cache) const;

  store::ReviewStore* reviews_;
  store::MetaStore* meta_;
  const crypto::Sealer* sealer_;
  HttpFactory http_;
  const Clock* clock_;
  WebhookOptions options_;
};

}  // namespace orchard::notify
