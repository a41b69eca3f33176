// The public App Store around the portfolio (apple-apis.md §8.2–8.3, Part II §B): a field of
// competitor apps in the portfolio's genres, hourly top charts per storefront, genre, chart and
// device in which every app moves, keyword search rankings, rating histograms and the Today
// tab's stories. Everything is a function of (seed, storefront, day, hour), so rank histories
// are reproducible.
#include <algorithm>
#include <cmath>
#include <map>

#include "sandbox/generator.h"
#include "sandbox/generator_internal.h"

namespace orchard::sandbox {
namespace {
using namespace internal;

constexpr int kCompetitors = 640;
constexpr size_t kChartDepth = 200;

struct Genre {
  const char* id;
  const char* name;
};
constexpr Genre kGenres[] = {{"6014", "Games"},        {"6012", "Lifestyle"},          {"6007", "Productivity"},
                             {"6013", "Health & Fitness"}, {"6010", "Navigation"},     {"6027", "Graphics & Design"},
                             {"6016", "Entertainment"}, {"6017", "Education"},          {"6008", "Photo & Video"},
                             {"6002", "Utilities"}};
constexpr const char* kNameWords[] = {"Pocket", "Daily",  "Bright", "Quick", "Zen",   "Pixel", "Cloud", "Smart",
                                      "Happy",  "Swift",  "Magic",  "Tiny",  "Super", "Nova",  "Echo",  "Lumen"};
constexpr const char* kNameNouns[] = {"Notes",  "Puzzle", "Tracker", "Camera", "Planner", "Quest", "Coach", "Maps",
                                      "Sketch", "Words",  "Budget",  "Timer",  "Recipes", "Music", "Tiles", "Garden"};

std::string GenreOfCategory(const std::string& category) {
  for (const auto& g : kGenres) {
    if (category == g.name) return g.id;
  }
  return "6012";
}

// A smooth multiplicative wobble: a random level per day, interpolated over the hours.
double Wobble(uint64_t seed, uint64_t who, int64_t hour) {
  const int64_t day = hour / 24;
  const double t = static_cast<double>(hour % 24) / 24.0;
  const double a = Unit(Key({seed, 21, who, static_cast<uint64_t>(day)}));
  const double b = Unit(Key({seed, 21, who, static_cast<uint64_t>(day + 1)}));
  const double h = Unit(Key({seed, 22, who, static_cast<uint64_t>(hour)}));
  return (0.7 + 0.6 * (a + (b - a) * t)) * (0.97 + 0.06 * h);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> StoreGenres() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& g : kGenres) out.emplace_back(g.id, g.name);
  return out;
}

std::vector<StoreApp> Portfolio::StoreApps() const {
  std::vector<StoreApp> out;
  for (const AppInfo& app : Apps()) {
    StoreApp s;
    s.id = app.id;
    s.name = app.name;
    s.artist = "Orchard Demo Apps Inc.";
    s.genre_id = GenreOfCategory(app.category);
    s.genre_name = app.category;
    s.price_usd = app.price_usd;
    s.ours = true;
    s.launch = app.launch;
    for (int pi = 0; pi < kProductCount; ++pi) {
      const Product& p = kProducts[pi];
      if (p.kind == Kind::kApp && app.id == p.apple_id) {
        s.base = p.base;
        const std::string_view devices = p.devices;
        s.iphone = devices.find("iPhone") != std::string_view::npos;
        s.ipad = devices.find("iPad") != std::string_view::npos;
        s.mac = devices == "Desktop";
        for (int qi = 0; qi < kProductCount; ++qi) {
          if (kProducts[qi].app == pi && qi != pi) s.has_iap = true;
        }
      }
    }
    if (s.base == 0) {  // a copy of `scale`
      s.base = 100;
      s.iphone = s.ipad = true;
    }
    out.push_back(std::move(s));
  }
  for (int i = 0; i < kCompetitors; ++i) {
    const uint64_t k = Key({seed_, 23, static_cast<uint64_t>(i)});
    StoreApp s;
    s.id = std::to_string(1100000000 + static_cast<int64_t>(i) * 7919);
    s.name = std::string(kNameWords[k % 16]) + " " + kNameNouns[(k >> 8) % 16] + (i >= 256 ? " " + std::to_string(i / 256 + 1) : "");
    s.artist = "Studio " + std::to_string((k >> 16) % 97 + 1);
    const Genre& g = kGenres[(k >> 24) % std::size(kGenres)];
    s.genre_id = g.id;
    s.genre_name = g.name;
    s.price_usd = Unit(Key({k, 1})) < 0.25 ? std::vector<double>{0.99, 1.99, 2.99, 4.99, 9.99}[(k >> 32) % 5] : 0;
    // Popularity falls off like real charts: a few huge apps, a long tail.
    s.base = (s.price_usd > 0 ? 3000.0 : 20000.0) * std::pow(1.0 + i / 4.0, -0.9) * (0.6 + 0.8 * Unit(Key({k, 2})));
    s.mac = Unit(Key({k, 3})) < 0.12;
    s.iphone = !s.mac;
    s.ipad = !s.mac && Unit(Key({k, 4})) < 0.8;
    s.has_iap = s.price_usd == 0 && Unit(Key({k, 5})) < 0.6;
    s.rating_mean = 3.6 + 1.3 * Unit(Key({k, 6}));
    s.launch = Date::FromYmd(2015 + static_cast<int>((k >> 40) % 10), 1 + static_cast<unsigned>((k >> 44) % 12), 15);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> Portfolio::ChartRanking(const std::string& country, const std::string& genre_id,
                                                 ChartKind kind, ChartDevice device, int64_t hour) const {
  const Date day = Date::FromDays(static_cast<int32_t>(hour / 24));
  size_t si = 0;
  for (size_t i = 0; i < Storefronts().size(); ++i) {
    if (country == Storefronts()[i].country) si = i;
  }
  const uint64_t ch = std::hash<std::string>{}(country);
  std::vector<std::pair<double, std::string>> scored;
  for (const StoreApp& a : StoreApps()) {
    if (a.launch > day) continue;
    if (device == ChartDevice::kMac ? !a.mac : device == ChartDevice::kIpad ? !a.ipad : !a.iphone) continue;
    const bool in_genre = genre_id == "36" || genre_id == a.genre_id || (genre_id == "7019" && a.name.find("Word") != std::string::npos);
    if (!in_genre) continue;
    if (kind == ChartKind::kFree && a.price_usd > 0) continue;
    if (kind == ChartKind::kPaid && a.price_usd == 0) continue;
    const uint64_t who = std::hash<std::string>{}(a.id);
    double score = a.base;
    if (a.ours) score *= DemandFactor(day, day.days() - a.launch.days()) * StorefrontShare(si) / StorefrontShare(0);
    if (kind == ChartKind::kGrossing) score *= (a.price_usd > 0 ? a.price_usd : 0.0) + (a.has_iap ? 1.5 : 0.0);
    // Tastes differ a little from storefront to storefront.
    score *= 0.8 + 0.4 * Unit(Key({seed_, 24, who, ch})) ;
    score *= Wobble(seed_ ^ ch, who, hour);
    if (score > 0) scored.emplace_back(score, a.id);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < kChartDepth; ++i) out.push_back(scored[i].second);
  return out;
}

std::vector<std::string> Portfolio::SearchRanking(const std::string& country, const std::string& term, Date day) const {
  std::string lower = term;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  std::vector<std::string> words;
  size_t start = 0;
  while (start < lower.size()) {
    size_t end = lower.find(' ', start);
    if (end == std::string::npos) end = lower.size();
    if (end > start) words.push_back(lower.substr(start, end - start));
    start = end + 1;
  }
  if (words.empty()) return {};
  const uint64_t ch = std::hash<std::string>{}(country), th = std::hash<std::string>{}(lower);
  std::vector<std::pair<double, std::string>> scored;
  for (const StoreApp& a : StoreApps()) {
    if (a.launch > day) continue;
    std::string text = a.name + " " + a.genre_name;
    std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    int hits = 0;
    for (const auto& w : words) {
      // A word matches a word of the name or genre, or is a prefix of one ("journ" → "journal").
      if (text.find(w) != std::string::npos) ++hits;
    }
    if (hits == 0) continue;
    const uint64_t who = std::hash<std::string>{}(a.id);
    const double relevance = static_cast<double>(hits) / static_cast<double>(words.size());
    const double score = relevance * relevance * std::log(10.0 + a.base) *
                         (0.85 + 0.3 * Unit(Key({seed_, 25, who, ch, th, static_cast<uint64_t>(day.days())})));
    scored.emplace_back(score, a.id);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<std::string> out;
  for (const auto& [s, id] : scored) out.push_back(id);
  return out;
}

std::array<long, 5> Portfolio::RatingHistogram(const std::string& app_id, const std::string& country) const {
  std::array<long, 5> out{};
  for (const AppInfo& app : Apps()) {
    if (app.id != app_id) continue;
    // The portfolio's own apps: the ratings of their reviews in that storefront.
    for (const ReviewInfo& r : Reviews(app_id)) {
      if (Alpha2Of(r.territory) == country) ++out[static_cast<size_t>(r.rating - 1)];
    }
    return out;
  }
  for (const StoreApp& a : StoreApps()) {
    if (a.id != app_id) continue;
    const uint64_t k = Key({seed_, 26, std::hash<std::string>{}(a.id), std::hash<std::string>{}(country)});
    const double total = a.base * 3.0 * (0.5 + Unit(k));
    // Mass around the mean: shares of 1..5 stars.
    const double m = a.rating_mean;
    const double shares[5] = {std::max(0.02, (5 - m) * 0.12), std::max(0.01, (5 - m) * 0.06),
                              std::max(0.02, (5 - m) * 0.1), 0.2, 0.0};
    double rest = 1.0;
    for (int i = 0; i < 4; ++i) rest -= shares[i];
    for (int i = 0; i < 5; ++i) out[static_cast<size_t>(i)] = std::lround(total * (i == 4 ? std::max(rest, 0.05) : shares[i]));
    return out;
  }
  return out;
}

std::vector<Story> Portfolio::TodayStories(const std::string& country, Date day) const {
  // Three stories a day; now and then one features a portfolio app.
  std::vector<Story> out;
  const auto apps = StoreApps();
  static constexpr const char* kLabels[] = {"APP OF THE DAY", "GAME OF THE DAY", "MEET THE DEVELOPER", "THE DAILY LIST"};
  static constexpr const char* kTitles[] = {"Make Every Day Count", "A Puzzle a Day", "Built With Care",
                                            "Apps to Start the Year", "Sketch Anywhere", "Walk More"};
  for (int i = 0; i < 3; ++i) {
    const uint64_t k = Key({seed_, 27, std::hash<std::string>{}(country), static_cast<uint64_t>(day.days()),
                            static_cast<uint64_t>(i)});
    Story s;
    s.id = std::to_string(1500000000 + static_cast<int64_t>(k % 400000000));
    s.label = kLabels[(k >> 8) % 4];
    s.title = kTitles[(k >> 16) % 6];
    s.date = day;
    // Portfolio apps are featured one story in fifteen; the rest go to the field's top apps.
    size_t pick = Unit(Key({k, 1})) < 1.0 / 15 ? (k >> 24) % 6 : 6 + (k >> 24) % 60;
    pick = std::min(pick, apps.size() - 1);
    if (apps[pick].launch <= day) s.app_ids.push_back(apps[pick].id);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace orchard::sandbox
