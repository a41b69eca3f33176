// ReviewStore on SQLite (migration 5: reviews, review_history, reviews_fts, rating_snapshots,
// tracked_apps, review_notifications; migration 6: review_webhooks, the queue's delivery ids;
// migration 7: the team as a column of reviews_fts).
#pragma once

#include <memory>

#include "core/clock.h"
#include "store/review_store.h"
#include "store/sqlite/database.h"

namespace orchard::store::sqlite {

class SqliteReviewStore final : public ReviewStore {
 public:
  SqliteReviewStore(std::shared_ptr<Database> db, const Clock* clock)
      : db_(std::move(db)), clock_(clock) {}

  Result<UpsertCounts> UpsertReviews(int64_t team_id, const std::string& app_id,
                                     std::string_view source,
                                     const std::vector<Review>& reviews) override;
  Result<std::vector<Review>> FindReviews(int64_t team_id, const std::string& app_id,
                                          std::string_view source,
                                          const std::vector<std::string>& source_ids) override;
  Result<bool> HasReview(int64_t team_id, const std::string& app_id, std::string_view source,
                         const std::string& source_id) override;
  Result<std::optional<int64_t>> NewestStored(int64_t team_id, const std::string& app_id,
                                              std::string_view source,
                                              const std::string& country) override;
  Status SetResponse(int64_t team_id, int64_t review_id, const ReviewResponse& response) override;
  Status ClearResponse(int64_t team_id, int64_t review_id) override;
  Result<ReviewDetail> GetReview(int64_t team_id, int64_t review_id) override;
  Result<ReviewPage> ListReviews(const ReviewQuery& query) override;
  Result<ReviewCounts> CountReviews(const ReviewQuery& query) override;
  Result<int64_t> QueueReviewNotifications(int64_t team_id, const std::vector<int64_t>& review_ids,
                                           int64_t now) override;
  Result<ReviewWebhook> PutReviewWebhook(int64_t team_id, const ReviewWebhook& hook) override;
  Result<ReviewWebhook> GetReviewWebhook(int64_t team_id) override;
  Result<bool> DeleteReviewWebhook(int64_t team_id) override;
  Result<std::vector<ClaimedNotification>> ClaimReviewNotifications(int64_t now,
                                                                   int64_t lease_until,
                                                                   int limit) override;
  Status FinishReviewNotification(int64_t review_id, int64_t claim,
                                  const NotificationOutcome& outcome, int64_t now) override;
  Result<NotificationRecord> GetReviewNotification(int64_t team_id, int64_t review_id) override;
  Result<std::map<std::string, int64_t>> CountReviewNotifications(int64_t team_id) override;
  Status PutRatingSnapshots(int64_t team_id,
                            const std::vector<RatingSnapshot>& snapshots) override;
  Result<std::vector<RatingSnapshot>> ListRatingSnapshots(int64_t team_id,
                                                          const std::string& app_id,
                                                          const std::vector<std::string>& countries,
                                                          Date from, Date to) override;
  Result<TrackedApp> TrackApp(int64_t team_id, const TrackedApp& app) override;
  Status UntrackApp(int64_t team_id, const std::string& app_id) override;
  Result<std::vector<TrackedApp>> ListTrackedApps(int64_t team_id) override;

 private:
  std::shared_ptr<Database> db_;
  const Clock* clock_;
};

// The FTS5 query for user text: every whitespace-separated word becomes a quoted string (inner
// quotes doubled), so the text is matched literally and cannot use or break the query syntax.
// "" when the text has no words. Exposed for tests.
std::string FtsLiteralQuery(std::string_view text);

}  // namespace orchard::store::sqlite
