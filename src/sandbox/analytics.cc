// App Analytics report data of the portfolio (apple-apis.md §6.2–6.3), derived from the same
// App Store activity as the Sales reports: first-time downloads, redownloads and updates of an
// app by device and territory are split over sources (search, browse, referrers) and turned
// into downloads, installs and deletions, sessions, crashes and store engagement. Rows that fewer
// than five users contributed are left out, as Apple's privacy threshold does.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "sandbox/generator.h"
#include "sandbox/generator_internal.h"

namespace orchard::sandbox {
namespace {
using namespace internal;

constexpr int kPrivacyThreshold = 5;

struct Source {
  const char* type;
  const char* page;
  double share;
};
constexpr Source kSources[] = {
    {"App Store search", "Product page", 0.55},
    {"App Store browse", "Product page", 0.25},
    {"App referrer", "Store sheet", 0.10},
    {"Web referrer", "Product page", 0.10},
};

// Splits `total` over the sources exactly (largest remainder).
std::array<long, 4> BySource(long total) {
  std::array<long, 4> out{};
  std::array<std::pair<double, int>, 4> rest{};
  long given = 0;
  for (int i = 0; i < 4; ++i) {
    const double exact = static_cast<double>(total) * kSources[i].share;
    out[i] = static_cast<long>(std::floor(exact));
    given += out[i];
    rest[i] = {exact - std::floor(exact), -i};
  }
  std::sort(rest.begin(), rest.end(), std::greater<>());
  for (long i = 0; i < total - given; ++i) ++out[-rest[i % 4].second];
  return out;
}

std::string PlatformVersion(std::string_view device) {
  if (device == "iPad") return "iPadOS 18.2";
  if (device == "Desktop") return "macOS 15.2";
  if (device == "Apple TV") return "tvOS 18.2";
  if (device == "Apple Watch") return "watchOS 11.2";
  return "iOS 18.2";
}
std::string AnalyticsDevice(std::string_view device) { return device == "Desktop" ? "Mac" : std::string(device); }

// An app's App Store activity over some days, by (device, territory).
struct Activity {
  long first_time = 0, pre_order = 0, redownloads = 0, updates = 0;
};

}  // namespace

const std::vector<AnalyticsReportInfo>& AnalyticsReports() {
  static const std::vector<AnalyticsReportInfo> r = {
      {"App Downloads Standard", "COMMERCE",
       "Date\tApp Name\tApp Apple Identifier\tDownload Type\tApp Version\tDevice\tPlatform Version\t"
       "Source Type\tPage Type\tPre-Order\tTerritory\tCounts"},
      {"App Store Installation and Deletion Standard", "APP_USAGE",
       "Date\tApp Name\tApp Apple Identifier\tEvent\tDownload Type\tApp Version\tDevice\tPlatform "
       "Version\tSource Type\tPage Type\tApp Download Date\tTerritory\tCounts\tUnique Devices"},
      {"App Sessions Standard", "APP_USAGE",
       "Date\tApp Name\tApp Apple Identifier\tApp Version\tDevice\tPlatform Version\tSource Type\t"
       "Page Type\tApp Download Date\tTerritory\tSessions\tTotal Session Duration\tUnique Devices"},
      {"App Crashes", "APP_USAGE",
       "Date\tApp Name\tApp Apple Identifier\tApp Version\tDevice\tPlatform Version\tCrashes\tUnique "
       "Devices"},
      {"App Store Discovery and Engagement Standard", "APP_STORE_ENGAGEMENT",
       "Date\tApp Name\tApp Apple Identifier\tEvent\tPage Type\tSource Type\tEngagement Type\tDevice\t"
       "Platform Version\tTerritory\tCounts\tUnique Counts"},
  };
  return r;
}

std::string Portfolio::AnalyticsRows(const std::string& report, const std::string& app_id, Date from,
                                     Date to, Date label, double completeness) const {
  const AppInfo* app = nullptr;
  const auto apps = Apps();
  for (const auto& a : apps) {
    if (a.id == app_id) app = &a;
  }
  if (app == nullptr) return "";
  std::map<std::pair<std::string, std::string>, Activity> activity;  // (device, territory)
  for (Date day = from; day <= to; day = day.AddDays(1)) {
    if (!HasSales(day)) continue;
    ForEachSale(day, 0, [&](const SaleRow& r) {
      if (r.apple_id != app_id || r.units <= 0) return;
      Activity& a = activity[{r.device, r.store->country}];
      const std::string_view pti = r.pti;
      if (pti == r.product->pti_download) {
        (std::string_view(r.order_type) == "Pre-Order" ? a.pre_order : a.first_time) += r.units;
      } else if (pti == r.product->pti_redownload) {
        a.redownloads += r.units;
      } else if (pti == r.product->pti_update) {
        a.updates += r.units;
      }
    });
  }
  // Preliminary figures (an instance processed the next day) are a little short of the final ones.
  auto scaled = [&](long v) { return static_cast<long>(std::floor(static_cast<double>(v) * completeness)); };
  const std::string date = label.Iso();
  const std::string version = VersionOn(label.days() - app->launch.days());
  std::string out;
  auto row = [&](std::initializer_list<std::string_view> fields) {
    bool first = true;
    for (std::string_view f : fields) {
      if (!first) out.push_back('\t');
      first = false;
      out.append(f);
    }
    out.push_back('\n');
  };
  const uint64_t ah = std::hash<std::string>{}(app_id);
  std::map<std::string, std::pair<long, long>> crashes;  // device → (crashes, devices)
  for (const auto& [where, a] : activity) {
    const auto& [device, territory] = where;
    const std::string dev = AnalyticsDevice(device), platform = PlatformVersion(device);
    const uint64_t k = Key({seed_, 40, ah, static_cast<uint64_t>(label.days()), std::hash<std::string>{}(device),
                            std::hash<std::string>{}(territory)});
    if (report == "App Downloads Standard") {
      struct Kind {
        const char* type;
        long count;
        const char* pre_order;
      };
      const long manual = a.updates / 5;
      for (const Kind& kind : {Kind{"First-time download", a.first_time, "No"},
                               Kind{"First-time download", a.pre_order, "Yes"},
                               Kind{"Redownload", a.redownloads, "No"},
                               Kind{"Manual update", manual, "No"},
                               Kind{"Auto-update", a.updates - manual, "No"}}) {
        const auto split = BySource(scaled(kind.count));
        for (int s = 0; s < 4; ++s) {
          if (split[s] < kPrivacyThreshold) continue;
          row({date, app->name, app_id, kind.type, version, dev, platform, kSources[s].type,
               kSources[s].page, kind.pre_order, territory, std::to_string(split[s])});
        }
      }
    } else if (report == "App Store Installation and Deletion Standard") {
      const long installs = scaled(a.first_time + a.pre_order + a.redownloads);
      const long deletes = scaled(Draw(Key({k, 1}), (a.first_time + a.redownloads) * 0.3));
      for (const auto& [event, type, count] :
           {std::tuple<const char*, const char*, long>{"Install", "First-time download", scaled(a.first_time + a.pre_order)},
            std::tuple<const char*, const char*, long>{"Install", "Redownload", scaled(a.redownloads)},
            std::tuple<const char*, const char*, long>{"Delete", "First-time download", deletes}}) {
        const auto split = BySource(count);
        for (int s = 0; s < 4; ++s) {
          if (split[s] < kPrivacyThreshold) continue;
          row({date, app->name, app_id, event, type, version, dev, platform, kSources[s].type,
               kSources[s].page, "", territory, std::to_string(split[s]),
               std::to_string(split[s] - split[s] / 40)});
        }
      }
      (void)installs;
    } else if (report == "App Sessions Standard") {
      // Devices in use: about a dozen for every daily download, opening the app twice or so.
      const long devices = scaled(Draw(Key({k, 2}), (a.first_time + a.redownloads + a.updates) * 6.0));
      const auto split = BySource(devices);
      for (int s = 0; s < 4; ++s) {
        if (split[s] < kPrivacyThreshold) continue;
        const long sessions = split[s] * 2 + Draw(Key({k, 3, static_cast<uint64_t>(s)}), split[s] * 0.4);
        row({date, app->name, app_id, version, dev, platform, kSources[s].type, kSources[s].page, "",
             territory, std::to_string(sessions), std::to_string(sessions * 170 + Draw(Key({k, 4}), sessions * 20.0)),
             std::to_string(split[s])});
      }
    } else if (report == "App Crashes") {
      auto& [count, affected] = crashes[dev];
      const long n = Draw(Key({k, 5}), (a.first_time + a.updates) * 0.02);
      count += n;
      affected += n - n / 4;
    } else if (report == "App Store Discovery and Engagement Standard") {
      const long gets = scaled(a.first_time + a.redownloads);
      const long taps = gets * 2 + Draw(Key({k, 6}), gets * 0.5);
      const long views = taps * 2 + Draw(Key({k, 7}), taps * 0.5);
      const long impressions = views * 8 + Draw(Key({k, 8}), views * 2.0);
      for (const auto& [event, engagement, count] :
           {std::tuple<const char*, const char*, long>{"Impression", "", impressions},
            std::tuple<const char*, const char*, long>{"Page view", "", views},
            std::tuple<const char*, const char*, long>{"Tap", "Get", taps}}) {
        const auto split = BySource(count);
        for (int s = 0; s < 4; ++s) {
          if (split[s] < kPrivacyThreshold) continue;
          row({date, app->name, app_id, event, kSources[s].page, kSources[s].type, engagement, dev,
               platform, territory, std::to_string(split[s]), std::to_string(split[s] - split[s] / 5)});
        }
      }
    }
  }
  for (const auto& [device, c] : crashes) {
    if (c.first < kPrivacyThreshold) continue;
    row({date, app->name, app_id, version, device, PlatformVersion(device == "Mac" ? "Desktop" : device),
         std::to_string(scaled(c.first)), std::to_string(scaled(c.second))});
  }
  return out;
}

}  // namespace orchard::sandbox
