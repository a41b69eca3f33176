// Public store data (apple-apis.md §8): the customer reviews RSS feed (§8.1), no login.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

Json Label(const std::string& value) { return Json{{"label", value}}; }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// GET /{cc}/rss/customerreviews/page={1..10}/id={appId}/sortby={mostrecent|mosthelpful}/json,
// segments in any order, keys and the sort value case-insensitive. 50 entries a page, ten pages
// at most, newest first (or most helpful first). The quirks of §8.1 are reproduced on purpose:
// page 1 starts with an app-metadata entry that has no `im:rating`, a page with one review has
// `entry` as an object, and an empty page has no `entry` at all.
void Sandbox::Impl::ReviewsRss(const httplib::Request& req, httplib::Response& res) {
  const std::string cc = req.matches[1];
  int page = 1;
  std::string app_id, sort = "mostrecent";
  std::stringstream segments(std::string(req.matches[2]));
  for (std::string segment; std::getline(segments, segment, '/');) {
    const size_t eq = segment.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = Lower(segment.substr(0, eq)), value = segment.substr(eq + 1);
    if (key == "page") {
      page =
          std::all_of(value.begin(), value.end(), ::isdigit) && !value.empty() && value.size() < 4
              ? std::stoi(value)
              : 0;
    } else if (key == "id") {
      app_id = value;
    } else if (key == "sortby") {
      sort = Lower(value);
    }
  }
  if (app_id.empty() || !std::all_of(app_id.begin(), app_id.end(), ::isdigit) ||
      (sort != "mostrecent" && sort != "mosthelpful") || page < 1) {
    res.status = 400;
    res.set_content("Bad request: expected page=1..10/id=<app id>/sortby=mostrecent|mosthelpful",
                    "text/plain");
    return;
  }
  const std::string CC = [&] {
    std::string u = cc;
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  }();
  std::vector<const ReviewInfo*> reviews;
  for (const auto& r : ReviewsOf(app_id)) {
    if (Alpha2Of(r.territory) == CC) reviews.push_back(&r);
  }
  auto votes = [](const ReviewInfo* r) {
    return static_cast<int>(std::hash<std::string>{}(r->rss_id) % 40);
  };
  if (sort == "mosthelpful") {
    std::stable_sort(reviews.begin(), reviews.end(),
                     [&](const ReviewInfo* a, const ReviewInfo* b) { return votes(a) > votes(b); });
  } else {
    // Most recent by last update: an edited review moves up to the day of its edit.
    auto updated = [](const ReviewInfo* r) { return r->edited ? r->edited_epoch : r->created_epoch; };
    std::stable_sort(reviews.begin(), reviews.end(),
                     [&](const ReviewInfo* a, const ReviewInfo* b) { return updated(a) > updated(b); });
  }
  if (reviews.size() > 500) reviews.resize(500);  // ten pages of fifty, the newest
  const size_t pages = std::max<size_t>(1, (reviews.size() + 49) / 50);
  const std::string base = "http://" + req.get_header_value("Host");
  auto page_url = [&](size_t p) {
    return base + "/" + cc + "/rss/customerreviews/page=" + std::to_string(p) + "/id=" + app_id +
           "/sortby=" + sort + "/json";
  };

  Json entries = Json::array();
  if (page == 1) {
    for (const auto& app : P()->Apps()) {
      if (app.id != app_id) continue;
      entries.push_back(
          {{"im:name", Label(app.name)},
           {"im:price",
            {{"label", "Get"}, {"attributes", {{"amount", "0.00000"}, {"currency", "USD"}}}}},
           {"im:image", Json::array({{{"label", "https://is1.example/100x100bb.png"},
                                      {"attributes", {{"height", "100"}}}}})},
           {"category", {{"attributes", {{"im:id", "6012"}, {"label", "Lifestyle"}}}}},
           {"id",
            {{"label", "https://apps.apple.com/" + cc + "/app/id" + app_id},
             {"attributes", {{"im:id", app_id}, {"im:bundleId", app.bundle_id}}}}}});
    }
  }
  for (size_t i = static_cast<size_t>(page - 1) * 50;
       i < reviews.size() && i < static_cast<size_t>(page) * 50; ++i) {
    const ReviewInfo& r = *reviews[i];
    const int sum = votes(&r);
    entries.push_back(
        {{"author",
          {{"uri", Label("https://itunes.apple.com/" + cc + "/reviews/id" + r.rss_id.substr(0, 9))},
           {"name", Label(r.nickname)},
           {"label", ""}}},
         {"updated", Label(r.edited ? r.edited_date : r.created)},
         {"im:rating", Label(std::to_string(r.rating))},
         {"im:version", Label(r.version)},
         {"id", Label(r.rss_id)},
         {"title", Label(r.title)},
         {"content", {{"label", r.body}, {"attributes", {{"type", "text"}}}}},
         {"link",
          {{"attributes",
            {{"rel", "related"},
             {"href", "https://itunes.apple.com/" + cc + "/review?id=" + app_id +
                          "&type=Purple%20Software"}}}}},
         {"im:voteSum", Label(std::to_string(sum))},
         {"im:contentType", {{"attributes", {{"term", "Application"}, {"label", "Application"}}}}},
         {"im:voteCount", Label(std::to_string(sum + sum / 3))}});
  }
  Json feed = {
      {"author",
       {{"name", Label("iTunes Store")},
        {"uri", Label("http://www.apple.com/" + cc + "/itunes/")}}},
      {"updated", Label(reviews.empty() ? Rfc3339Utc(0) : reviews.front()->created)},
      {"rights", Label("Copyright 2008 Apple Inc.")},
      {"title", Label("iTunes Store: Customer Reviews")},
      {"icon", Label("http://itunes.apple.com/favicon.ico")},
      {"link",
       Json::array(
           {{{"attributes",
              {{"rel", "alternate"},
               {"type", "text/html"},
               {"href", "https://apps.apple.com/" + cc + "/app/id" + app_id}}}},
            {{"attributes", {{"rel", "self"}, {"href", page_url(static_cast<size_t>(page))}}}},
            {{"attributes", {{"rel", "first"}, {"href", page_url(1)}}}},
            {{"attributes", {{"rel", "last"}, {"href", page_url(pages)}}}},
            {{"attributes", {{"rel", "previous"}, {"href", page_url(std::max(1, page - 1))}}}},
            {{"attributes",
              {{"rel", "next"},
               {"href", page_url(std::min(pages, static_cast<size_t>(page) + 1))}}}}})},
      {"id", Label(page_url(static_cast<size_t>(page)))}};
  if (entries.size() == 1) {
    feed["entry"] = entries[0];  // one entry: an object, not an array
  } else if (!entries.empty()) {
    feed["entry"] = entries;  // none: no "entry" key at all
  }
  res.status = 200;
  res.set_content(Json{{"feed", feed}}.dump(), "application/json; charset=utf-8");
}

}  // namespace orchard::sandbox

namespace orchard::sandbox {

// A software result of the iTunes Search API (§8.4) for one storefront; the ratings are those
// of the reviews the sandbox has for that storefront, so every source agrees.
Json Sandbox::Impl::SoftwareResult(const AppInfo& app, const std::string& country) {
  const Storefront* store = &Storefronts()[0];
  for (const auto& s : Storefronts()) {
    if (country == s.country) store = &s;
  }
  const double price = app.price_usd > 0 ? TierPrice(app.price_usd, *store) : 0.0;
  double sum = 0;
  int count = 0;
  for (const auto& r : ReviewsOf(app.id)) {
    if (Alpha2Of(r.territory) == store->country) {
      sum += r.rating;
      ++count;
    }
  }
  const std::string version = VersionOn(P()->today().days() - 1 - app.launch.days());
  char price_text[32];
  std::snprintf(price_text, sizeof price_text, "%.2f %s", price, store->currency);
  const std::string cc = Lower(store->country);
  return Json{{"wrapperType", "software"},
              {"kind", app.platform == "MAC_OS" ? "mac-software" : "software"},
              {"trackId", std::stoll(app.id)},
              {"trackName", app.name},
              {"trackCensoredName", app.name},
              {"bundleId", app.bundle_id},
              {"trackViewUrl", "https://apps.apple.com/" + cc + "/app/id" + app.id},
              {"artistId", 1470000001},
              {"artistName", "Orchard Demo Apps Inc."},
              {"sellerName", "Orchard Demo Apps Inc."},
              {"price", price},
              {"formattedPrice", price > 0 ? std::string(price_text) : "Free"},
              {"currency", store->currency},
              {"genres", Json::array({app.category})},
              {"genreIds", Json::array({"6012"})},
              {"primaryGenreId", 6012},
              {"primaryGenreName", app.category},
              {"averageUserRating", count > 0 ? sum / count : 0.0},
              {"userRatingCount", count},
              {"averageUserRatingForCurrentVersion", count > 0 ? sum / count : 0.0},
              {"userRatingCountForCurrentVersion", count},
              {"version", version},
              {"releaseDate", app.launch.Iso() + "T07:00:00Z"},
              {"currentVersionReleaseDate", P()->today().AddDays(-3).Iso() + "T07:00:00Z"},
              {"minimumOsVersion", app.platform == "MAC_OS" ? "12.0" : "16.0"},
              {"fileSizeBytes", "48213504"},
              {"contentAdvisoryRating", "4+"},
              {"trackContentRating", "4+"},
              {"advisories", Json::array()},
              {"features", Json::array({"iosUniversal"})},
              {"supportedDevices", Json::array({"iPhone15-iPhone15", "iPadPro11M4-iPadPro11M4"})},
              {"languageCodesISO2A", Json::array({"EN", "DE", "FR", "ES", "JA", "PT"})},
              {"artworkUrl100", "https://is1.example/" + app.id + "/100x100bb.jpg"}};
}

// GET /lookup?id=1,2|bundleId=…&country=cc and GET /search?term=…&country=cc&entity=…&limit=…
void Sandbox::Impl::ItunesSearch(const httplib::Request& req, httplib::Response& res, bool lookup) {
  const std::string country = [&] {
    std::string c = req.has_param("country") ? req.get_param_value("country") : "us";
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return c;
  }();
  size_t limit = 50;
  if (req.has_param("limit")) {
    const std::string v = req.get_param_value("limit");
    limit = !v.empty() && v.size() < 5 && std::all_of(v.begin(), v.end(), ::isdigit) ? std::stoul(v)
                                                                                     : 0;
    limit = std::clamp<size_t>(limit, 1, 200);
  }
  const auto ids = ListParam(req, "id");
  const auto bundles = ListParam(req, "bundleId");
  const std::string term = Lower(req.get_param_value("term"));
  const std::string entity = req.has_param("entity") ? req.get_param_value("entity") : "software";
  Json results = Json::array();
  for (const auto& app : P()->Apps()) {
    if (results.size() >= limit) break;
    if (lookup) {
      if (!ids.contains(app.id) && !bundles.contains(app.bundle_id)) continue;
    } else {
      if (term.empty() || Lower(app.name).find(term) == std::string::npos) continue;
      if (entity == "macSoftware" ? app.platform != "MAC_OS" : app.platform == "MAC_OS") continue;
    }
    results.push_back(SoftwareResult(app, country));
  }
  res.status = 200;
  res.set_content(Json{{"resultCount", results.size()}, {"results", results}}.dump(),
                  "text/javascript; charset=utf-8");
}

}  // namespace orchard::sandbox

namespace orchard::sandbox {

// GET /api/v2/{cc}/apps/{top-free|top-paid}/{limit}/apps.json (§8.2, the v2 RSS builder): the
// day's chart of the storefront, our portfolio's apps among 300 other apps whose order moves a
// little every day. Strict where apple-apis.md is unsure: only limits 10, 25, 50 and 100.
void Sandbox::Impl::TopChartV2(const httplib::Request& req, httplib::Response& res) {
  const std::string cc = req.matches[1], feed = req.matches[2], limit_text = req.matches[3];
  const int limit = std::atoi(limit_text.c_str());
  if ((feed != "top-free" && feed != "top-paid") ||
      (limit != 10 && limit != 25 && limit != 50 && limit != 100)) {
    res.status = 404;
    res.set_content("Not Found", "text/plain");
    return;
  }
  const bool paid = feed == "top-paid";
  const Date today = P()->today();
  struct Entry {
    std::string id, name, artist, genre_id, genre, release;
    double score;
  };
  std::vector<Entry> entries;
  auto noise = [&](uint64_t who) {
    // A deterministic daily wobble, so apps move without history.
    uint64_t x = who * 0x9E3779B97F4A7C15ull ^
                 static_cast<uint64_t>(today.days()) * 0xBF58476D1CE4E5B9ull ^ options.seed;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 29;
    return 0.75 + 0.5 * static_cast<double>(x >> 11) / 9007199254740992.0;
  };
  static const char* kGenres[][2] = {{"6014", "Games"},         {"6012", "Lifestyle"},
                                     {"6007", "Productivity"},  {"6013", "Health & Fitness"},
                                     {"6016", "Entertainment"}, {"6017", "Education"}};
  for (int i = 0; i < 300; ++i) {
    if ((i % 4 == 0) != paid) continue;  // a quarter of the field are paid apps
    const auto& g = kGenres[i % 6];
    entries.push_back({std::to_string(1100000000 + i * 7919), "Top App " + std::to_string(i + 1),
                       "Studio " + std::to_string(i % 37 + 1), g[0], g[1],
                       "2023-0" + std::to_string(i % 9 + 1) + "-15",
                       std::pow(i + 1.0, -0.8) * noise(static_cast<uint64_t>(i))});
  }
  for (const auto& app : P()->Apps()) {
    if ((app.price_usd > 0) != paid || app.platform == "MAC_OS") continue;
    // Our apps chart around the middle of the field, moving with the same wobble.
    const double score =
        std::pow(25.0 + static_cast<double>(std::hash<std::string>{}(app.id) % 60), -0.8) *
        noise(std::stoull(app.id));
    entries.push_back({app.id, app.name, "Orchard Demo Apps Inc.", "6012", app.category,
                       app.launch.Iso(), score});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.score > b.score; });
  if (entries.size() > static_cast<size_t>(limit)) entries.resize(static_cast<size_t>(limit));
  const std::string base = "http://" + req.get_header_value("Host");
  Json results = Json::array();
  for (const auto& e : entries) {
    results.push_back(
        {{"artistName", e.artist},
         {"id", e.id},
         {"name", e.name},
         {"releaseDate", e.release},
         {"kind", "apps"},
         {"artistId", "1071376679"},
         {"artistUrl", "https://apps.apple.com/" + cc + "/developer/id1071376679"},
         {"artworkUrl100", "https://is1.example/" + e.id + "/100x100bb.png"},
         {"genres",
          Json::array({{{"genreId", e.genre_id},
                        {"name", e.genre},
                        {"url", "https://itunes.apple.com/" + cc + "/genre/id" + e.genre_id}}})},
         {"url", "https://apps.apple.com/" + cc + "/app/id" + e.id}});
  }
  const std::string self = base + req.path;
  Json doc = {{"feed",
               {{"title", paid ? "Top Paid Apps" : "Top Free Apps"},
                {"id", self},
                {"author", {{"name", "Apple"}, {"url", "https://www.apple.com/"}}},
                {"links", Json::array({{{"self", self}}})},
                {"copyright", "Copyright © 2026 Apple Inc. All rights reserved."},
                {"country", cc},
                {"icon", "https://www.apple.com/favicon.ico"},
                {"updated", Rfc3339Utc(static_cast<int64_t>(today.days()) * 86400 + 8 * 3600)},
                {"results", results}}}};
  res.status = 200;
  res.set_content(doc.dump(), "application/json");
}

}  // namespace orchard::sandbox
