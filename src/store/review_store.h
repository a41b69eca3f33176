// ReviewStore: customer reviews of a team's apps (from App Store Connect and the public RSS
// feed), the developer responses to them, daily rating snapshots, and the apps a team tracks.
// The interface every backend implements (SQLite now).
//
// Every call takes the team id and scopes the query to it: another team's review or app answers
// kNotFound (or is simply absent from a list), never its data. Times are Unix seconds (UTC);
// countries are lower-case ISO 3166 alpha-2 codes, as in the RSS feed URLs ("us", "gb").
// Thread-safe: calls may come from several threads (the backend serialises them).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"

namespace orchard::store {

// The country of a worldwide rating snapshot (not an assigned ISO 3166 code).
inline constexpr std::string_view kWorldwide = "ww";

// Where a review came from: "asc" (App Store Connect API, a linked account) or "rss" (the
// public customer-reviews feed). A review id is unique per (team, source, app).
inline constexpr std::string_view kSourceAsc = "asc";
inline constexpr std::string_view kSourceRss = "rss";

// Where a review stands with its developer response. `outdated`: the review was updated
// (edited by its author) after the response was last written.
enum class ReplyState { kNone, kPending, kPublished, kOutdated };

// "none" | "pending" | "published" | "outdated" (the `reply_state` column of the CLI and API).
inline std::string_view ReplyStateName(ReplyState state) {
  switch (state) {
    case ReplyState::kPending: return "pending";
    case ReplyState::kPublished: return "published";
    case ReplyState::kOutdated: return "outdated";
    case ReplyState::kNone: break;
  }
  return "none";
}
// The inverse; kInvalidArgument for another word.
inline Result<ReplyState> ParseReplyState(std::string_view name) {
  for (ReplyState s : {ReplyState::kNone, ReplyState::kPending, ReplyState::kPublished,
                       ReplyState::kOutdated}) {
    if (ReplyStateName(s) == name) return s;
  }
  return Error(Code::kInvalidArgument, "unknown reply state \"" + std::string(name) +
                                           "\" (none, pending, published, outdated)");
}

struct ReviewResponse {
  std::string id;                  // Apple's customerReviewResponses id ("" until Apple has one)
  std::string body;
  std::string state = "pending";   // "pending" (PENDING_PUBLISH) | "published" (PUBLISHED)
  int64_t updated_at = 0;          // Apple's lastModifiedDate, or when Orchard sent it
};

struct Review {
  // Set by the store (ignored by UpsertReviews): Orchard's id, the app, source, first sighting
  // and the derived reply state.
  int64_t id = 0;
  std::string app_id;
  std::string source;
  int64_t first_seen_at = 0;
  ReplyState reply_state = ReplyState::kNone;

  std::string source_id;  // the source's review id (opaque); an edited review keeps it
  std::string country;    // two letters, any case on input; stored lower-case
  int rating = 0;         // 1–5
  std::string title;
  std::string body;
  std::string author;     // the reviewer's nickname
  std::string version;    // the app version reviewed; "" when the source does not say
  // When the review was written. On input 0 means "updated_at"; an edit keeps the first value.
  int64_t created_at = 0;
  // The date of this version of the review (RSS `updated`; ASC `createdDate`, which changes when
  // the author edits). Must be > 0. Lists sort and filter by it.
  int64_t updated_at = 0;
  // On input: the response as the source reports it; nullopt leaves the stored one alone.
  std::optional<ReviewResponse> response;
};

// An earlier version of an edited review.
struct ReviewVersion {
  int rating = 0;
  std::string title;
  std::string body;
  std::string version;
  int64_t updated_at = 0;   // the review's date while it read like this
  int64_t replaced_at = 0;  // when Orchard saw the newer version
};

struct ReviewDetail {
  Review review;
  std::vector<ReviewVersion> history;  // oldest first
};

struct UpsertCounts {
  int64_t added = 0;      // reviews not stored before
  int64_t updated = 0;    // stored reviews that changed (an edit, a new response, …)
  int64_t unchanged = 0;  // identical, or older than the stored version (a stale page)
  std::vector<int64_t> added_ids;  // the new reviews' ids, in input order (for notifications)
};

enum class ReviewSort { kNewest, kOldest, kRatingAsc, kRatingDesc };

// A filter over a team's reviews; empty lists and zero bounds do not filter. Lists of values are
// "any of"; different fields combine with AND.
struct ReviewQuery {
  int64_t team_id = 0;
  std::vector<std::string> app_ids;
  std::string source;                   // "" = both
  std::vector<std::string> countries;   // any case
  std::vector<int> ratings;             // 1–5
  std::vector<std::string> versions;
  int64_t from = 0;                     // updated_at >= from (0 = no bound)
  int64_t until = 0;                    // updated_at < until (0 = no bound)
  // "Unreplied" is {kNone}, "replied" {kPending, kPublished}, "outdated" {kOutdated}.
  std::vector<ReplyState> reply_states;
  // Words that must all occur in the title or body (FTS5 tokens: case- and accent-insensitive,
  // whole words). Taken literally: quotes, `*`, `AND`, `NEAR(` … are text, not query syntax.
  std::string text;
  ReviewSort sort = ReviewSort::kNewest;  // ties: newest first, then id
  int limit = 50;                         // 1–1000 (else kInvalidArgument)
  int64_t offset = 0;
};

struct ReviewPage {
  std::vector<Review> reviews;
  int64_t total = 0;  // matches of the filter, ignoring limit and offset
};

struct ReviewCounts {
  int64_t total = 0;
  std::map<int, int64_t> by_rating;            // only ratings with reviews
  std::map<std::string, int64_t> by_country;
  std::map<std::string, int64_t> by_version;   // "" = version unknown
};

// The ratings of an app in one storefront (or kWorldwide) on one day.
struct RatingSnapshot {
  std::string app_id;
  std::string country;           // lower-case alpha-2, or kWorldwide
  Date day;
  int64_t average_x100 = 0;      // the average rating × 100, rounded (4.67 → 467); 0–500
  int64_t count = 0;             // number of ratings
  std::array<int64_t, 5> histogram{};  // [0] = one star … [4] = five stars
};

// An app whose public reviews and ratings a team collects (`orchard apps track`).
struct TrackedApp {
  std::string app_id;                  // the App Store id (digits)
  std::vector<std::string> countries;  // lower-case alpha-2, sorted; empty = every storefront
  int64_t account_id = 0;              // the linked account it is also synced through; 0 = none
  int64_t created_at = 0;              // set by the store
};

// A team's new-review webhook (at most one per team). Deliveries are signed with a secret that
// the store keeps only sealed: the caller seals it with crypto::Sealer, context (team id,
// "review_webhooks", "secret", row id = team id), and opens it the same way.
inline constexpr std::string_view kWebhookTable = "review_webhooks";
inline constexpr std::string_view kWebhookSecretColumn = "secret";

struct ReviewWebhook {
  std::string url;
  std::string format = "json";         // "json" | "slack"
  int max_rating = 5;                  // reviews rated at most this (1–5; 5 = every review)
  std::vector<std::string> countries;  // lower-case alpha-2, sorted; empty = every storefront
  std::vector<std::string> app_ids;    // sorted; empty = every app
  bool enabled = true;
  // The sealed signing secret. On PutReviewWebhook an empty blob keeps the stored one (an
  // update that does not rotate); a new webhook needs one.
  std::string secret_blob;
  uint32_t secret_key_version = 0;
  int64_t created_at = 0;  // set by the store
  int64_t updated_at = 0;  // set by the store
};

// Where a queued notification stands.
enum class NotificationState { kQueued, kSending, kSent, kFailed, kSkipped };
// "queued" | "sending" | "sent" | "failed" | "skipped".
inline std::string_view NotificationStateName(NotificationState state) {
  switch (state) {
    case NotificationState::kSending: return "sending";
    case NotificationState::kSent: return "sent";
    case NotificationState::kFailed: return "failed";
    case NotificationState::kSkipped: return "skipped";
    case NotificationState::kQueued: break;
  }
  return "queued";
}

// A notification claimed for delivery, with what the payload needs.
struct ClaimedNotification {
  int64_t team_id = 0;
  std::string delivery_id;  // fixed when queued; the same on every attempt (X-Orchard-Delivery)
  int attempts = 0;         // attempts made before this one
  int64_t created_at = 0;   // when it was queued
  int64_t claim = 0;        // names this claim in FinishReviewNotification
  Review review;            // as stored now (an edit since queueing shows its new text)
};

// How a delivery attempt ended.
struct NotificationOutcome {
  NotificationState state = NotificationState::kSent;  // kSent | kQueued (retry) | kFailed | kSkipped
  int64_t not_before = 0;  // kQueued: the next attempt's earliest time
  std::string error;       // kQueued/kFailed: what went wrong; kSkipped: why, in words
};

// One notification as stored (for status displays and tests).
struct NotificationRecord {
  int64_t review_id = 0;
  int64_t team_id = 0;
  NotificationState state = NotificationState::kQueued;
  int attempts = 0;
  int64_t not_before = 0;
  int64_t created_at = 0;
  int64_t sent_at = 0;
  std::string last_error;
  std::string delivery_id;
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;

  // Stores reviews of one app from one source, all or nothing: kInvalidArgument (naming the
  // review) when any is invalid (rating outside 1–5, a country that is not two letters, no
  // source_id, updated_at <= 0, a response state other than pending/published), and then
  // nothing is written. A stored review whose rating, title, body or updated_at differs is
  // edited in place and its previous version goes to the history in the same transaction; an
  // input older than the stored version (updated_at below it) is ignored.
  virtual Result<UpsertCounts> UpsertReviews(int64_t team_id, const std::string& app_id,
                                             std::string_view source,
                                             const std::vector<Review>& reviews) = 0;

  // For incremental syncs: whether the review is stored, and the newest stored updated_at of an
  // app's reviews from a source in a country ("" = any country); nullopt when there is none.
  virtual Result<bool> HasReview(int64_t team_id, const std::string& app_id,
                                 std::string_view source, const std::string& source_id) = 0;
  // The stored reviews of an app from a source among `source_ids` (missing ones are absent), in
  // no particular order. A sync compares them with what the source now says.
  virtual Result<std::vector<Review>> FindReviews(int64_t team_id, const std::string& app_id,
                                                  std::string_view source,
                                                  const std::vector<std::string>& source_ids) = 0;
  virtual Result<std::optional<int64_t>> NewestStored(int64_t team_id, const std::string& app_id,
                                                      std::string_view source,
                                                      const std::string& country) = 0;

  // Writes (creates or replaces) or deletes the developer response of a review. kNotFound for no
  // such review in the team (and, for Clear, none when there is no response to clear).
  virtual Status SetResponse(int64_t team_id, int64_t review_id,
                             const ReviewResponse& response) = 0;
  virtual Status ClearResponse(int64_t team_id, int64_t review_id) = 0;

  // kNotFound for another team's review.
  virtual Result<ReviewDetail> GetReview(int64_t team_id, int64_t review_id) = 0;
  // kInvalidArgument for a bad limit, rating or reply state.
  virtual Result<ReviewPage> ListReviews(const ReviewQuery& query) = 0;
  // The same filter (sort and paging ignored), counted.
  virtual Result<ReviewCounts> CountReviews(const ReviewQuery& query) = 0;

  // Notifications of new reviews, at most once per review: queues the given reviews of the team
  // (others' ids and already queued ones are skipped) and returns how many were queued. The
  // delivery state lives in the store (table review_notifications), so a restart resumes it.
  virtual Result<int64_t> QueueReviewNotifications(int64_t team_id,
                                                   const std::vector<int64_t>& review_ids,
                                                   int64_t now) = 0;

  // The team's webhook: created or replaced (kInvalidArgument for a format other than
  // json/slack, a max_rating outside 1–5, a bad country, an empty url, or no secret for a new
  // one); created_at is kept on a replace. Get: kNotFound when there is none. Delete: false when
  // there was none.
  virtual Result<ReviewWebhook> PutReviewWebhook(int64_t team_id, const ReviewWebhook& hook) = 0;
  virtual Result<ReviewWebhook> GetReviewWebhook(int64_t team_id) = 0;
  virtual Result<bool> DeleteReviewWebhook(int64_t team_id) = 0;

  // Claims up to `limit` notifications due at `now`, oldest first, over every team, atomically
  // (two senders never hold the same one): queued ones with not_before <= now, and sending ones
  // whose lease ended (not_before <= now: the sender died or hung). Each becomes 'sending' with
  // not_before = lease_until and a new claim number.
  virtual Result<std::vector<ClaimedNotification>> ClaimReviewNotifications(int64_t now,
                                                                           int64_t lease_until,
                                                                           int limit) = 0;
  // Records how a claimed attempt ended: sent (sent_at = now), queued again for a retry,
  // failed, or skipped. Every outcome but kSkipped counts an attempt. kAborted when the claim is
  // no longer held (its lease ended and another sender claimed it), and then nothing changes —
  // so a recorded 'sent' is never undone.
  virtual Status FinishReviewNotification(int64_t review_id, int64_t claim,
                                          const NotificationOutcome& outcome, int64_t now) = 0;
  // kNotFound for another team's or an unqueued review.
  virtual Result<NotificationRecord> GetReviewNotification(int64_t team_id, int64_t review_id) = 0;
  // The team's notifications by state name (only states that occur).
  virtual Result<std::map<std::string, int64_t>> CountReviewNotifications(int64_t team_id) = 0;

  // Upserts snapshots: one per (app, country, day); a second put of the same day replaces it.
  // kInvalidArgument for a bad country, an average outside 0–500 or a negative count.
  virtual Status PutRatingSnapshots(int64_t team_id,
                                    const std::vector<RatingSnapshot>& snapshots) = 0;
  // An app's snapshots with from <= day <= to, in the given countries (empty = all, kWorldwide
  // included), ordered by country then day.
  virtual Result<std::vector<RatingSnapshot>> ListRatingSnapshots(
      int64_t team_id, const std::string& app_id, const std::vector<std::string>& countries,
      Date from, Date to) = 0;

  // Tracks an app, or changes the countries and account of a tracked one (created_at kept).
  // kInvalidArgument for an id that is not digits or a bad country.
  virtual Result<TrackedApp> TrackApp(int64_t team_id, const TrackedApp& app) = 0;
  // Stops tracking (stored reviews and snapshots stay). kNotFound when not tracked.
  virtual Status UntrackApp(int64_t team_id, const std::string& app_id) = 0;
  // Ordered by app id.
  virtual Result<std::vector<TrackedApp>> ListTrackedApps(int64_t team_id) = 0;
};

}  // namespace orchard::store
