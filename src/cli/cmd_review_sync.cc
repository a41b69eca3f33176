// orchard reviews sync: runs the review and ratings syncs of the team now (what `orchard serve`
// does on its schedule): linked apps through App Store Connect, tracked apps through the public
// feed in each chosen storefront, and today's ratings snapshots.
#include "cli/commands.h"
#include "cli/review_sources.h"

namespace orchard::cli {

Status SyncReviews(AppContext& ctx, const ReviewSyncOptions& o, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  if (!o.app.empty()) {
    ORCHARD_ASSIGN_OR_RETURN(auto tracked, ctx.reviews().ListTrackedApps(team));
    ORCHARD_ASSIGN_OR_RETURN(auto catalog, ctx.meta().ListCatalogApps(team));
    const bool known = std::any_of(tracked.begin(), tracked.end(), [&](const auto& t) { return t.app_id == o.app; }) ||
                       std::any_of(catalog.begin(), catalog.end(), [&](const auto& c) { return c.apple_id == o.app; });
    if (!known) {
      return Status(Code::kNotFound, "app " + o.app + " is neither tracked nor in a linked account's catalog; "
                                     "track it first: orchard apps track " + o.app + " --countries all");
    }
  }
  ReviewSources sources(ctx);
  sync::ReviewScheduler scheduler(&ctx.meta(), &ctx.reviews(), sources.public_client(), &ctx.clock(),
                                  sources.SchedulerOptions());
  sync::ReviewScheduler::PassOptions pass;
  pass.force = true;
  pass.full = o.full;
  pass.only_app = o.app;
  ORCHARD_ASSIGN_OR_RETURN(auto summary, scheduler.Tick({team}, pass, nullptr));
  for (const auto& why : summary.skipped) out << "Skipping " << why << ".\n";
  out << "Linked apps (App Store Connect): " << summary.linked.Describe() << ".\n";
  out << "Tracked apps (public feed): " << summary.public_feed.Describe() << ".\n";
  out << "Ratings: today's snapshot of " << summary.ratings_apps << " app(s).\n";
  const int64_t notified = summary.linked.notified + summary.public_feed.notified;
  if (notified > 0) out << notified << " new review(s) queued for the team's webhook.\n";
  for (const auto& e : summary.errors) out << "failed: " << e << "\n";
  if (summary.failed > 0) {
    return Status(Code::kUnavailable, std::to_string(summary.failed) +
                                          " review sync(s) failed (see above); what was stored stays. "
                                          "Run the same command again to retry");
  }
  return Status::Ok();
}

}  // namespace orchard::cli
