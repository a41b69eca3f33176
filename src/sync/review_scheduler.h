// ReviewScheduler: what review and ratings syncs are due, for `orchard serve` (every pass) and
// `orchard reviews sync` (everything now). Issue 6, part 8; security.md REL-1.
//
// - Linked apps (the app catalog of an API-key account): their customer reviews every
//   `linked_interval`, incrementally; once a day, from `full_resync_hour` in the agreement's time
//   zone, a full resync (edits that keep their date are only found by reading everything).
// - Tracked apps: their public reviews per chosen storefront every `public_interval`. Each
//   (app, storefront) gets its own slot inside the interval (a hash of the pair), so the requests
//   spread over the period instead of bursting when the period starts; a storefront with nothing
//   stored yet goes at once. The public client paces every request on top of that. A tracked app
//   that is also linked is read through App Store Connect only (the feed's reviews carry other ids
//   and would show twice).
// - Ratings: a snapshot per day of every tracked and every linked app, in the tracked app's
//   storefronts (every storefront for a linked app).
// - App Store Connect requests go through the account's AscClient, so its key budget and retry
//   rules (REL-1) apply; a 401 tells `on_refusal`; an account that failed waits for the next slot.
// Schedule state is in memory: after a restart the linked syncs run once (one page each) and the
// public ones take their slots again. Thread-compatible: one thread calls Tick.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apple/asc/asc_client.h"
#include "apple/public/public_store.h"
#include "core/clock.h"
#include "store/meta_store.h"
#include "store/review_store.h"
#include "sync/review_sync.h"

namespace orchard::sync {

struct ReviewSchedulerOptions {
  std::string time_zone = "America/Los_Angeles";
  std::chrono::minutes linked_interval{60};
  std::chrono::hours public_interval{6};
  int full_resync_hour = 4;
  // The App Store Connect client of an account, kept by the caller. kFailedPrecondition: the
  // account has no reviews source (another link method, or its key cannot read reviews): skipped.
  std::function<Result<apple::asc::AscClient*>(const store::LinkedAccount&)> open_asc;
  // Told when Apple refuses an account's key (401).
  std::function<void(const store::LinkedAccount&, const Status&)> on_refusal;
};

struct ReviewPassSummary {
  ReviewSyncCounts linked;
  ReviewSyncCounts public_feed;
  int ratings_apps = 0;     // apps whose ratings snapshot was stored
  int failed = 0;           // units that failed (tried again at their next slot)
  std::vector<std::string> errors;  // plain words, one per failed unit
  std::vector<std::string> skipped; // accounts without a reviews source, and why
};

class ReviewScheduler {
 public:
  ReviewScheduler(store::MetaStore* meta, store::ReviewStore* reviews,
                  apple::pub::PublicStoreClient* public_client, const Clock* clock,
                  ReviewSchedulerOptions options)
      : meta_(meta), reviews_(reviews), public_(public_client), clock_(clock), options_(std::move(options)) {}

  struct PassOptions {
    bool force = false;        // everything now, whatever is due (`orchard reviews sync`); no
                               // daily full resync unless `full`
    bool full = false;         // linked apps: a full resync
    std::string only_app;      // "" = every app
  };
  // One pass over the teams' linked and tracked apps. Stops between units when stop() says so.
  Result<ReviewPassSummary> Tick(const std::vector<int64_t>& team_ids, const PassOptions& pass,
                                 const std::function<bool()>& stop);

  // The slot of a public (app, storefront) pair: seconds into each interval (for tests).
  int64_t PublicSlot(int64_t team_id, const std::string& app_id, const std::string& country) const;

 private:
  bool Due(const std::string& key, int64_t now) const;

  store::MetaStore* meta_;
  store::ReviewStore* reviews_;
  apple::pub::PublicStoreClient* public_;
  const Clock* clock_;
  ReviewSchedulerOptions options_;
  std::map<std::string, int64_t> next_;       // unit → not before (unix seconds)
  std::map<std::string, int32_t> full_day_;   // linked app → local day of its last full resync
  std::map<std::string, int32_t> ratings_day_;  // app → local day of its last snapshot
  std::map<std::string, int32_t> catalog_day_;  // account → local day its catalog was read here
};

}  // namespace orchard::sync
