// Review and ratings syncs (issue 6): customer reviews of linked apps through the App Store
// Connect API, public reviews of tracked apps through the RSS feed, and daily ratings snapshots
// from the store's public sources. Each call syncs one unit (an app, an app in one storefront)
// into the ReviewStore; the scheduler (review_scheduler.h) decides what is due.
//
// Incremental by id and date: both sources list newest first, so a sync stops at the first page
// that reaches a review already stored (ASC) or unchanged (RSS, whose order is by last update, so
// an author's edit comes back to the top); a full resync reads everything the source serves.
// Every page is stored all or nothing before the next one is fetched, so an error loses nothing
// already stored and the next run resumes. New reviews are queued for notification, except on an
// app's (or a storefront's) first sync, which is history rather than news.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "apple/asc/asc_client.h"
#include "apple/public/public_store.h"
#include "core/date.h"
#include "core/status.h"
#include "store/review_store.h"

namespace orchard::sync {

enum class ReviewSyncMode { kIncremental, kFull };

struct ReviewSyncCounts {
  int pages = 0;            // pages fetched
  int64_t fetched = 0;      // reviews read from the source
  int64_t added = 0;        // new reviews stored
  int64_t updated = 0;      // stored reviews that changed (edits, responses)
  int64_t unchanged = 0;
  int64_t notified = 0;     // new reviews queued for the team's webhook
  void Add(const ReviewSyncCounts& other);
  // "3 pages, 412 reviews: 12 new, 2 updated"
  std::string Describe() const;
};

// One app's customer reviews through the App Store Connect API (all territories, 200 a page,
// following links.next). An edited review keeps its id; when Apple keeps its createdDate too, the
// edit is dated when Orchard first sees it (so it rises in the inbox and marks an earlier reply
// outdated). A response Apple no longer has (deleted in App Store Connect) is cleared, unless it
// was written in the last 10 minutes (Apple may not list it yet). Errors are the client's
// (customer_reviews.h); pages stored before the error stay.
Result<ReviewSyncCounts> SyncLinkedReviews(apple::asc::AscClient& client, store::ReviewStore& reviews,
                                           int64_t team_id, const std::string& app_id,
                                           ReviewSyncMode mode, int64_t now);

// One storefront of an app through the public RSS feed (up to 10 pages × 50).
Result<ReviewSyncCounts> SyncPublicReviews(apple::pub::PublicStoreClient& client,
                                           store::ReviewStore& reviews, int64_t team_id,
                                           const std::string& app_id, const std::string& country,
                                           ReviewSyncMode mode, int64_t now);

struct RatingsSyncResult {
  int storefronts = 0;  // storefronts with a snapshot stored
  int absent = 0;       // storefronts where the app is not sold
  int failed = 0;       // storefronts whose sources both failed (tried again next time)
  std::string first_error;
};

// The day's ratings snapshot of an app in each of `countries` (lower-case alpha-2) and the
// worldwide one (country "ww"): the ratings counts summed, the average weighted by each
// storefront's count, the histogram summed when every storefront gave one (else zeros: a
// snapshot with count > 0 and an all-zero histogram has no breakdown). Stored in one call, so a
// day's snapshot is complete or absent; a storefront that failed is left out and counted. Fails
// only when every storefront failed.
// `stop` (optional) is asked between storefronts; when it says stop, nothing is stored and the
// result is kCancelled (a shutdown must not wait for every storefront).
Result<RatingsSyncResult> SyncRatings(apple::pub::PublicStoreClient& client, store::ReviewStore& reviews,
                                      int64_t team_id, const std::string& app_id,
                                      const std::vector<std::string>& countries, Date day,
                                      const std::function<bool()>& stop = nullptr);

}  // namespace orchard::sync
