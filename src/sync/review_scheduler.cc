#include "sync/review_scheduler.h"

#include <set>

#include "core/log.h"
#include "core/territory.h"
#include "sync/catalog_sync.h"

namespace orchard::sync {
namespace {

// A failed ratings pass waits this long before the next try (not every scheduler tick).
constexpr int64_t kRatingsRetrySeconds = 3600;

// FNV-1a: a stable hash (std::hash may differ between builds), so slots survive a restart.
uint64_t Fnv1a(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

int64_t ReviewScheduler::PublicSlot(int64_t team_id, const std::string& app_id,
                                    const std::string& country) const {
  const int64_t interval = std::chrono::duration_cast<std::chrono::seconds>(options_.public_interval).count();
  const std::string key = std::to_string(team_id) + "/" + app_id + "/" + country;
  return static_cast<int64_t>(Fnv1a(key) % static_cast<uint64_t>(std::max<int64_t>(interval, 1)));
}

bool ReviewScheduler::Due(const std::string& key, int64_t now) const {
  auto it = next_.find(key);
  return it == next_.end() || it->second <= now;
}

Result<ReviewPassSummary> ReviewScheduler::Tick(const std::vector<int64_t>& team_ids, const PassOptions& pass,
                                                const std::function<bool()>& stop) {
  ReviewPassSummary summary;
  const int64_t now = clock_->NowSeconds();
  int minute = 0;
  const Date today = Date::At(clock_->Now(), options_.time_zone, &minute);
  const int64_t linked_every = std::chrono::duration_cast<std::chrono::seconds>(options_.linked_interval).count();
  const int64_t public_every = std::chrono::duration_cast<std::chrono::seconds>(options_.public_interval).count();
  auto fail = [&](const std::string& what, const Status& st) {
    ++summary.failed;
    summary.errors.push_back(what + ": " + st.message());
    ORCHARD_LOG_WARN("{}: {}", what, st.message());
  };
  auto wanted = [&](const std::string& app) { return pass.only_app.empty() || pass.only_app == app; };

  for (int64_t team : team_ids) {
    ORCHARD_ASSIGN_OR_RETURN(auto accounts, meta_->ListAccounts(team));
    ORCHARD_ASSIGN_OR_RETURN(auto catalog, meta_->ListCatalogApps(team));
    ORCHARD_ASSIGN_OR_RETURN(auto tracked, reviews_->ListTrackedApps(team));
    std::set<std::string> linked_apps;
    const std::string team_key = std::to_string(team) + "/";

    // Linked apps through App Store Connect.
    for (const auto& account : accounts) {
      if (!options_.open_asc) break;
      auto client = options_.open_asc(account);
      if (!client.has_value()) {
        if (client.error().code() == Code::kFailedPrecondition) {
          summary.skipped.push_back(client.error().message());
        } else {
          fail("account " + std::to_string(account.id) + " (" + account.name + ")", client.error());
        }
        continue;
      }
      auto apps_of = [&] {
        std::vector<std::string> apps;
        for (const auto& app : catalog) {
          if (app.account_id == account.id && wanted(app.apple_id)) apps.push_back(app.apple_id);
        }
        return apps;
      };
      std::vector<std::string> apps = apps_of();
      const std::string catalog_key = "catalog/" + team_key + std::to_string(account.id);
      if (apps.empty() && catalog_day_[catalog_key] < static_cast<int32_t>(today.days())) {
        // An account the Sales sync does not read (a key without a sales role) has no catalog
        // yet: read it here, once a day at most.
        catalog_day_[catalog_key] = static_cast<int32_t>(today.days());
        auto read = SyncAppCatalog(**client, *meta_, account, *clock_);
        if (!read.has_value()) {
          fail("app catalog of account " + std::to_string(account.id), read.error());
          continue;
        }
        ORCHARD_ASSIGN_OR_RETURN(catalog, meta_->ListCatalogApps(team));
        apps = apps_of();
      }
      if (apps.empty()) continue;
      for (const auto& app : apps) linked_apps.insert(app);
      for (const auto& app : apps) {
        if (stop && stop()) return summary;
        const std::string key = "linked/" + team_key + app;
        // The daily full resync belongs to the schedule; a forced pass does what it is told.
        const bool full = pass.full || (!pass.force && minute >= options_.full_resync_hour * 60 &&
                                        full_day_[key] < static_cast<int32_t>(today.days()));
        if (!pass.force && !full && !Due(key, now)) continue;
        auto counts = SyncLinkedReviews(**client, *reviews_, team, app,
                                        full ? ReviewSyncMode::kFull : ReviewSyncMode::kIncremental, now);
        next_[key] = now + linked_every;
        if (!counts.has_value()) {
          fail("reviews of app " + app + " (account " + std::to_string(account.id) + ")", counts.error());
          if (counts.error().code() == Code::kUnauthenticated) {
            if (options_.on_refusal) options_.on_refusal(account, counts.error());
            break;  // the key is refused: its other apps would be too
          }
          continue;
        }
        if (full) full_day_[key] = static_cast<int32_t>(today.days());
        summary.linked.Add(*counts);
      }
    }

    // Tracked apps through the public feed, one storefront at a time in its slot.
    for (const auto& app : tracked) {
      if (!wanted(app.app_id) || linked_apps.contains(app.app_id) || public_ == nullptr) continue;
      const auto& countries = app.countries.empty() ? TerritoryAlpha2List() : app.countries;
      for (const auto& country : countries) {
        if (stop && stop()) return summary;
        const std::string key = "public/" + team_key + app.app_id + "/" + country;
        if (!pass.force) {
          if (!next_.contains(key)) {
            // Nothing stored yet: now. Otherwise wait for the pair's slot in the interval.
            ORCHARD_ASSIGN_OR_RETURN(auto newest, reviews_->NewestStored(team, app.app_id,
                                                                         std::string(store::kSourceRss), country));
            if (newest.has_value()) {
              const int64_t slot = PublicSlot(team, app.app_id, country);
              next_[key] = now + ((slot - now % public_every) % public_every + public_every) % public_every;
            }
          }
          if (!Due(key, now)) continue;
        }
        auto counts = SyncPublicReviews(*public_, *reviews_, team, app.app_id, country,
                                        pass.full ? ReviewSyncMode::kFull : ReviewSyncMode::kIncremental, now);
        const int64_t slot = PublicSlot(team, app.app_id, country);
        next_[key] = now + ((slot - now % public_every) % public_every + public_every) % public_every;
        if (next_[key] <= now) next_[key] += public_every;
        if (!counts.has_value()) {
          fail("public reviews of app " + app.app_id + " in " + country, counts.error());
          continue;
        }
        summary.public_feed.Add(*counts);
      }
    }

    // Ratings: one snapshot a day per app, tracked apps in their storefronts, linked ones in all.
    std::map<std::string, std::vector<std::string>> ratings_apps;
    for (const auto& app : tracked) {
      if (wanted(app.app_id)) ratings_apps[app.app_id] = app.countries.empty() ? TerritoryAlpha2List() : app.countries;
    }
    for (const auto& app : linked_apps) {
      if (!ratings_apps.contains(app)) ratings_apps[app] = TerritoryAlpha2List();
    }
    if (public_ == nullptr) ratings_apps.clear();
    for (const auto& [app, countries] : ratings_apps) {
      if (stop && stop()) return summary;
      const std::string key = "ratings/" + team_key + app;
      const int32_t day = static_cast<int32_t>(today.days());
      if (!pass.force) {
        if (ratings_day_[key] >= day || !Due(key, now)) continue;
        // After a restart: today's snapshot may be stored already.
        ORCHARD_ASSIGN_OR_RETURN(auto stored, reviews_->ListRatingSnapshots(team, app, {std::string(store::kWorldwide)},
                                                                            today, today));
        if (!stored.empty()) {
          ratings_day_[key] = day;
          continue;
        }
      }
      auto result = SyncRatings(*public_, *reviews_, team, app, countries, today, stop);
      if (!result.has_value() && result.error().code() == Code::kCancelled) return summary;
      if (!result.has_value()) {
        next_[key] = now + kRatingsRetrySeconds;
        fail("ratings of app " + app, result.error());
        continue;
      }
      ratings_day_[key] = day;
      if (result->storefronts > 0) ++summary.ratings_apps;
      if (result->failed > 0) {
        summary.errors.push_back("ratings of app " + app + ": " + std::to_string(result->failed) +
                                 " storefront(s) failed; first: " + result->first_error);
      }
    }
  }
  return summary;
}

}  // namespace orchard::sync
