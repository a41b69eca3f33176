#include "sync/review_sync.h"

#include <map>

#include "apple/asc/customer_reviews.h"
#include "core/log.h"

namespace orchard::sync {
namespace {

// A response written this recently may be missing from Apple's listing for a while.
constexpr int64_t kFreshResponseSeconds = 600;

// The country of a review whose territory code Apple sent but Orchard does not know: ISO 3166's
// user-assigned "unknown" code, so the review is kept rather than refused.
constexpr const char* kUnknownCountry = "zz";

bool SameText(const store::Review& a, const store::Review& b) {
  return a.rating == b.rating && a.title == b.title && a.body == b.body;
}

store::ReviewResponse FromApple(const apple::asc::ReviewResponse& r, int64_t now) {
  store::ReviewResponse out;
  out.id = r.id;
  out.body = r.body;
  // An unknown state is shown as pending: not confirmed as published.
  out.state = r.state == apple::asc::ResponseState::kPublished ? "published" : "pending";
  out.updated_at = r.last_modified_unix.value_or(now);
  return out;
}

// Queues the new reviews of a sync for the team's webhook, unless this was the first sync.
Status Notify(store::ReviewStore& reviews, int64_t team_id, bool had_reviews,
              const std::vector<int64_t>& added, int64_t now, ReviewSyncCounts* counts) {
  if (!had_reviews || added.empty()) return Status::Ok();
  ORCHARD_ASSIGN_OR_RETURN(int64_t queued, reviews.QueueReviewNotifications(team_id, added, now));
  counts->notified += queued;
  return Status::Ok();
}

}  // namespace

void ReviewSyncCounts::Add(const ReviewSyncCounts& o) {
  pages += o.pages;
  fetched += o.fetched;
  added += o.added;
  updated += o.updated;
  unchanged += o.unchanged;
  notified += o.notified;
}

std::string ReviewSyncCounts::Describe() const {
  return std::to_string(pages) + " page(s), " + std::to_string(fetched) + " review(s) read: " +
         std::to_string(added) + " new, " + std::to_string(updated) + " updated";
}

Result<ReviewSyncCounts> SyncLinkedReviews(apple::asc::AscClient& client, store::ReviewStore& reviews,
                                           int64_t team_id, const std::string& app_id,
                                           ReviewSyncMode mode, int64_t now) {
  ReviewSyncCounts counts;
  ORCHARD_ASSIGN_OR_RETURN(auto newest, reviews.NewestStored(team_id, app_id, std::string(store::kSourceAsc), ""));
  const bool had_reviews = newest.has_value();
  apple::asc::ListReviewsOptions options;
  std::vector<int64_t> added;
  auto listed = apple::asc::ListCustomerReviews(
      client, app_id, options,
      [&](const apple::asc::CustomerReviewPage& page) -> Result<apple::asc::PageAction> {
        ++counts.pages;
        counts.fetched += static_cast<int64_t>(page.reviews.size());
        std::vector<std::string> ids;
        for (const auto& r : page.reviews) ids.push_back(r.id);
        ORCHARD_ASSIGN_OR_RETURN(auto found, reviews.FindReviews(team_id, app_id, store::kSourceAsc, ids));
        std::map<std::string, const store::Review*> stored;
        for (const auto& r : found) stored[r.source_id] = &r;
        std::vector<store::Review> batch;
        std::vector<int64_t> clear;
        for (const auto& r : page.reviews) {
          store::Review in;
          in.source_id = r.id;
          in.country = r.territory.empty() ? kUnknownCountry : r.territory;
          in.rating = r.rating;
          in.title = r.title;
          in.body = r.body;
          in.author = r.reviewer_nickname;
          in.created_at = r.created_unix;
          in.updated_at = r.created_unix;
          if (r.response) in.response = FromApple(*r.response, now);
          if (auto it = stored.find(r.id); it != stored.end()) {
            const store::Review& old = *it->second;
            if (!SameText(in, old) && in.updated_at <= old.updated_at) {
              // Edited, and Apple kept the date: the edit is dated when first seen.
              in.updated_at = std::max(now, old.updated_at + 1);
            } else if (SameText(in, old) && in.updated_at < old.updated_at) {
              in.updated_at = old.updated_at;  // the edit seen earlier; a response may still change
            }
            in.version = old.version;
            if (!r.response && old.response && old.response->updated_at < now - kFreshResponseSeconds) {
              clear.push_back(old.id);
            }
          }
          batch.push_back(std::move(in));
        }
        ORCHARD_ASSIGN_OR_RETURN(auto upserted, reviews.UpsertReviews(team_id, app_id, store::kSourceAsc, batch));
        counts.added += upserted.added;
        counts.updated += upserted.updated;
        counts.unchanged += upserted.unchanged;
        added.insert(added.end(), upserted.added_ids.begin(), upserted.added_ids.end());
        for (int64_t id : clear) {
          if (Status st = reviews.ClearResponse(team_id, id); st.ok()) ++counts.updated;
        }
        // Newest first: a page that reaches stored reviews reaches everything older too.
        if (mode == ReviewSyncMode::kIncremental && !found.empty()) return apple::asc::PageAction::kStop;
        return apple::asc::PageAction::kContinue;
      });
  // What was stored before an error stays stored, and its new reviews are still news.
  ORCHARD_RETURN_IF_ERROR(Notify(reviews, team_id, had_reviews, added, now, &counts));
  if (!listed.has_value()) {
    return Error(listed.error().WithContext("reviews of app " + app_id));
  }
  return counts;
}

Result<ReviewSyncCounts> SyncPublicReviews(apple::pub::PublicStoreClient& client,
                                           store::ReviewStore& reviews, int64_t team_id,
                                           const std::string& app_id, const std::string& country,
                                           ReviewSyncMode mode, int64_t now) {
  ReviewSyncCounts counts;
  ORCHARD_ASSIGN_OR_RETURN(auto newest, reviews.NewestStored(team_id, app_id, std::string(store::kSourceRss), country));
  const bool had_reviews = newest.has_value();
  std::vector<int64_t> added;
  Status failure;
  for (int number = 1; number <= ingest::kRssMaxPages; ++number) {
    auto page = client.ReviewPage(app_id, country, number);
    if (!page.has_value()) {
      failure = page.error();
      break;
    }
    ++counts.pages;
    counts.fetched += static_cast<int64_t>(page->reviews.size());
    std::vector<store::Review> batch;
    batch.reserve(page->reviews.size());
    for (const auto& r : page->reviews) {
      // Filled in place: moving a Review whose optional response is empty trips GCC 12's
      // -Wmaybe-uninitialized at -O3 (a false positive) in Release builds.
      store::Review& in = batch.emplace_back();
      in.source_id = r.id;
      in.country = r.country;
      in.rating = r.rating;
      in.title = r.title;
      in.body = r.body;
      in.author = r.author;
      in.version = r.version;
      in.updated_at = r.updated_unix;
    }
    if (!batch.empty()) {
      auto upserted = reviews.UpsertReviews(team_id, app_id, store::kSourceRss, batch);
      if (!upserted.has_value()) {
        failure = upserted.error();
        break;
      }
      counts.added += upserted->added;
      counts.updated += upserted->updated;
      counts.unchanged += upserted->unchanged;
      added.insert(added.end(), upserted->added_ids.begin(), upserted->added_ids.end());
      // Most recent first (by last update): an unchanged review means the rest is known.
      if (mode == ReviewSyncMode::kIncremental && upserted->unchanged > 0) break;
    }
    if (!page->has_next) break;
  }
  ORCHARD_RETURN_IF_ERROR(Notify(reviews, team_id, had_reviews, added, now, &counts));
  if (!failure.ok()) return Error(failure.WithContext("public reviews of app " + app_id + " in " + country));
  return counts;
}

Result<RatingsSyncResult> SyncRatings(apple::pub::PublicStoreClient& client, store::ReviewStore& reviews,
                                      int64_t team_id, const std::string& app_id,
                                      const std::vector<std::string>& countries, Date day,
                                      const std::function<bool()>& stop) {
  RatingsSyncResult result;
  std::vector<store::RatingSnapshot> snapshots;
  store::RatingSnapshot world;
  world.app_id = app_id;
  world.country = std::string(store::kWorldwide);
  world.day = day;
  __int128 weighted = 0;
  bool every_histogram = true;
  for (const std::string& country : countries) {
    if (stop && stop()) return Error(Code::kCancelled, "ratings of app " + app_id + ": stopped");
    auto rating = client.Rating(app_id, country);
    if (!rating.has_value()) {
      if (rating.error().code() == Code::kInvalidArgument) return Error(rating.error());
      if (result.first_error.empty()) result.first_error = rating.error().message();
      ++result.failed;
      continue;
    }
    if (!rating->has_value()) {
      ++result.absent;
      continue;
    }
    const ingest::StoreRating& r = **rating;
    store::RatingSnapshot s;
    s.app_id = app_id;
    s.country = country;
    s.day = day;
    s.average_x100 = r.average_x100;
    s.count = r.count;
    s.histogram = r.histogram;
    snapshots.push_back(s);
    world.count += r.count;
    weighted += static_cast<__int128>(r.average_x100) * r.count;
    every_histogram = every_histogram && r.has_histogram;
    for (size_t i = 0; i < 5; ++i) world.histogram[i] += r.histogram[i];
  }
  if (snapshots.empty() && result.failed > 0) {
    return Error(Code::kUnavailable, "ratings of app " + app_id + ": every storefront failed; first: " +
                                         result.first_error);
  }
  if (snapshots.empty()) return result;  // not sold anywhere asked
  if (world.count > 0) {
    world.average_x100 = static_cast<int64_t>((weighted + world.count / 2) / world.count);
  }
  if (!every_histogram) world.histogram = {};
  snapshots.push_back(world);
  ORCHARD_RETURN_IF_ERROR(reviews.PutRatingSnapshots(team_id, snapshots));
  result.storefronts = static_cast<int>(snapshots.size()) - 1;
  return result;
}

}  // namespace orchard::sync
