// Public store endpoints (apple-apis.md §8.2 legacy RSS, Part II §B): the amp-api token service,
// catalog app resources with rating histograms, chart positions and editorial signals, catalog
// reviews, the Today tab, catalog search and suggestions, and the iTunes ws/charts, viewTop,
// ws/genres and MZStore search endpoints. Charts are hourly: "now" is the sandbox's today at
// the machine clock's UTC hour.
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>

#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

constexpr int64_t kAmpTokenSeconds = 84LL * 86400;
constexpr int kReviewsPerPage = 20;

// X-Apple-Store-Front storefront ids (§B.7).
const std::vector<std::pair<std::string, std::string>>& StorefrontIds() {
  static const std::vector<std::pair<std::string, std::string>> ids = {
      {"US", "143441"}, {"GB", "143444"}, {"DE", "143443"}, {"FR", "143442"}, {"JP", "143462"}, {"CN", "143465"},
      {"CA", "143455"}, {"AU", "143460"}, {"KR", "143466"}, {"IN", "143467"}, {"BR", "143503"}};
  return ids;
}
std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}
bool KnownCountry(const std::string& cc) {
  return std::any_of(Storefronts().begin(), Storefronts().end(),
                     [&](const Storefront& s) { return cc == s.country; });
}
Json AmpError(int status, const std::string& title, const std::string& detail) {
  return {{"errors", Json::array({{{"id", "SANDBOX"}, {"title", title}, {"detail", detail},
                                   {"status", std::to_string(status)}, {"code", std::to_string(status * 100)}}})}};
}

}  // namespace

int64_t Sandbox::Impl::CurrentHour() const {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  return static_cast<int64_t>(P()->today().days()) * 24 + (now / 3600) % 24;
}

std::string Sandbox::Impl::IssueAmpToken() {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string input = B64UrlEncode(R"({"alg":"ES256","typ":"JWT","kid":"U8RTYV5ZDS"})") + "." +
                            B64UrlEncode(Json{{"iss", "7NKZ2VP48Z"}, {"iat", now}, {"exp", now + kAmpTokenSeconds},
                                              {"root_https_origin", Json::array({"apple.com"})}}.dump());
  // A signature by the sandbox's own store key, raw R || S like every ES256 JWS.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string der;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, amp_key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1) {
    der.resize(len);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    der.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  const std::string token = input + "." + B64UrlEncode(der);
  amp_tokens.insert(token);
  return token;
}

bool Sandbox::Impl::AmpAdmitted(const httplib::Request& req, httplib::Response& res) {
  if (InjectedFailure(res)) return false;
  const std::string auth = req.get_header_value("Authorization");
  bool valid = false;
  {
    std::lock_guard lock(mu);
    valid = auth.rfind("Bearer ", 0) == 0 && amp_tokens.contains(auth.substr(7));
  }
  if (!valid) {
    res.status = 401;
    res.set_content(AmpError(401, "Unauthorized", "The developer token is missing, expired or invalid.").dump(),
                    "application/json");
    return false;
  }
  const std::string origin = req.get_header_value("Origin");
  if (origin != "https://apps.apple.com" && origin != "https://apple.com") {
    res.status = 403;
    res.set_content(AmpError(403, "Forbidden", "The token is not valid for this origin.").dump(), "application/json");
    return false;
  }
  return true;
}

Json Sandbox::Impl::CatalogApp(const StoreApp& a, const std::string& cc, int64_t hour, bool with_reviews) {
  const std::string upper = Upper(cc);
  const auto histogram = P()->RatingHistogram(a.id, upper);
  long total = 0, weighted = 0;
  for (int i = 0; i < 5; ++i) {
    total += histogram[static_cast<size_t>(i)];
    weighted += histogram[static_cast<size_t>(i)] * (i + 1);
  }
  const double value = total > 0 ? std::round(10.0 * static_cast<double>(weighted) / static_cast<double>(total)) / 10.0 : 0.0;
  const Storefront* store = &Storefronts()[0];
  for (const auto& s : Storefronts()) {
    if (upper == s.country) store = &s;
  }
  const double price = a.price_usd > 0 ? TierPrice(a.price_usd, *store) : 0.0;
  char price_text[48];
  std::snprintf(price_text, sizeof price_text, "%.2f %s", price, store->currency);
  Json attributes = {
      {"name", a.name},
      {"artistName", a.artist},
      {"url", "https://apps.apple.com/" + cc + "/app/id" + a.id},
      {"bundleId", "com.sandbox." + a.id},
      {"genreDisplayName", a.genre_name},
      {"deviceFamilies", a.mac ? Json::array({"mac"}) : a.ipad && !a.iphone ? Json::array({"ipad"}) : Json::array({"iphone", "ipad"})},
      {"isPreorder", false},
      {"userRating", {{"value", value}, {"ratingCount", total},
                      {"ratingCountList", Json::array({histogram[0], histogram[1], histogram[2], histogram[3], histogram[4]})},
                      {"ariaLabelForRating", std::to_string(value).substr(0, 3) + " stars"}}},
      {"contentRatingsBySystem", {{"appsApple", {{"name", "4+"}, {"value", 100}, {"rank", 1}}}}},
      {"platformAttributes",
       {{a.mac ? "osx" : "ios",
         {{"subtitle", a.genre_name + " made simple"},
          {"offers", Json::array({{{"type", price > 0 ? "buy" : "get"}, {"price", price},
                                   {"priceFormatted", price > 0 ? std::string(price_text) : "Free"},
                                   {"currencyCode", store->currency}}})},
          {"minimumOSVersion", "16.0"},
          {"hasInAppPurchases", a.has_iap},
          {"releaseDate", a.launch.Iso()},
          {"seller", a.artist}}}}},
  };
  // The app's position in its primary genre's chart, if it is in the top 200 now.
  const ChartKind kind = a.price_usd > 0 ? ChartKind::kPaid : ChartKind::kFree;
  const ChartDevice device = a.mac ? ChartDevice::kMac : a.iphone ? ChartDevice::kIphone : ChartDevice::kIpad;
  const auto ranking = P()->ChartRanking(upper, a.genre_id, kind, device, hour);
  if (auto it = std::find(ranking.begin(), ranking.end(), a.id); it != ranking.end()) {
    const std::string chart = kind == ChartKind::kPaid ? "top-paid" : "top-free";
    attributes["chartPositions"] = {{"appStore", {{"position", std::to_string(it - ranking.begin() + 1)},
                                                  {"genreName", a.genre_name},
                                                  {"genre", std::stoi(a.genre_id)},
                                                  {"chart", chart},
                                                  {"chartLink", "https://apps.apple.com/" + cc + "/charts/iphone/" + a.genre_id + "?chart=" + chart}}}};
  }
  // Editors' Choice: the portfolio's journal app.
  if (a.ours && a.name == "Snap Journal") {
    attributes["editorialBadgeInfo"] = {{"editorialBadgeType", "editorialPriority"}, {"nameForDisplay", "Editors’ Choice"}};
  }
  // Stories of the last week that feature the app.
  Json related = Json::array();
  const Date today = P()->today();
  for (Date day = today.AddDays(-6); day <= today; day = day.AddDays(1)) {
    for (const Story& s : P()->TodayStories(upper, day)) {
      if (std::find(s.app_ids.begin(), s.app_ids.end(), a.id) == s.app_ids.end()) continue;
      related.push_back({{"id", s.id}, {"type", "editorial-items"}, {"href", "/v1/editorial/" + cc + "/editorial-items/" + s.id},
                         {"attributes", {{"kind", "Story"}, {"label", s.label}, {"editorialNotes", {{"name", s.title}}}}}});
    }
  }
  Json relationships = Json::object();
  relationships["genres"]["data"] = Json::array({Json{{"id", a.genre_id}, {"type", "genres"},
                                                      {"attributes", Json{{"name", a.genre_name}}}}});
  relationships["developer"]["data"] = Json::array({Json{{"id", "1470000001"}, {"type", "developers"}}});
  relationships["related-editorial-items"]["data"] = related;
  if (with_reviews) relationships["reviews"] = {{"href", "/v1/catalog/" + cc + "/apps/" + a.id + "/reviews"}, {"data", Json::array()}};
  return {{"id", a.id}, {"type", "apps"}, {"href", "/v1/catalog/" + cc + "/apps/" + a.id},
          {"attributes", attributes}, {"relationships", relationships}};
}

void Sandbox::Impl::StoreRoutes() {
  auto logged = [this](auto handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      handler(req, res);
      Log(req, res);
    };
  };
  auto find_app = [this](const std::string& id) -> std::optional<StoreApp> {
    for (auto& a : P()->StoreApps()) {
      if (a.id == id) return a;
    }
    return std::nullopt;
  };
  auto not_found = [](httplib::Response& res) {
    res.status = 404;
    res.set_content(AmpError(404, "Resource Not Found", "The requested resource was not found.").dump(), "application/json");
  };

  // B.0: the anonymous developer token.
  server.Get("/apiToken", logged([this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("clientId") != "appstore") {
      res.status = 400;
      res.set_content(R"({"error":"unknown client"})", "application/json");
      return;
    }
    std::lock_guard lock(mu);
    res.set_content(Json{{"token", IssueAmpToken()}}.dump(), "application/json");
  }));
  server.Get(R"(/v1/catalog/([a-zA-Z]{2})/apps/([0-9]+))",
             logged([this, find_app, not_found](const httplib::Request& req, httplib::Response& res) {
               if (!AmpAdmitted(req, res)) return;
               std::string cc = req.matches[1];
               std::transform(cc.begin(), cc.end(), cc.begin(), ::tolower);
               const auto app = find_app(req.matches[2]);
               if (!KnownCountry(Upper(cc)) || !app) return not_found(res);
               res.set_content(Json{{"data", Json::array({CatalogApp(*app, cc, CurrentHour(), true)})}}.dump(),
                               "application/json");
             }));
  server.Get(R"(/v1/catalog/([a-zA-Z]{2})/apps)", logged([this, find_app, not_found](const httplib::Request& req,
                                                                                  httplib::Response& res) {
    if (!AmpAdmitted(req, res)) return;
    std::string cc = req.matches[1];
    std::transform(cc.begin(), cc.end(), cc.begin(), ::tolower);
    if (!KnownCountry(Upper(cc)) || !req.has_param("ids")) return not_found(res);
    Json data = Json::array();
    std::string ids = req.get_param_value("ids");
    size_t start = 0;
    while (start <= ids.size()) {
      size_t comma = ids.find(',', start);
      if (comma == std::string::npos) comma = ids.size();
      if (auto app = find_app(ids.substr(start, comma - start))) data.push_back(CatalogApp(*app, cc, CurrentHour(), false));
      start = comma + 1;
    }
    res.set_content(Json{{"data", data}}.dump(), "application/json");
  }));
  // Catalog reviews, 20 a page, `next` a relative URL with the offset (§B.3).
  server.Get(R"(/v1/catalog/([a-zA-Z]{2})/apps/([0-9]+)/reviews)",
             logged([this, find_app, not_found](const httplib::Request& req, httplib::Response& res) {
               if (!AmpAdmitted(req, res)) return;
               std::string cc = req.matches[1];
               std::transform(cc.begin(), cc.end(), cc.begin(), ::tolower);
               const std::string id = req.matches[2];
               if (!KnownCountry(Upper(cc)) || !find_app(id)) return not_found(res);
               const std::string offset_text = req.has_param("offset") ? req.get_param_value("offset") : "0";
               const std::string limit_text = req.has_param("limit") ? req.get_param_value("limit") : "20";
               auto number = [](const std::string& s) {
                 return !s.empty() && s.size() < 7 && std::all_of(s.begin(), s.end(), ::isdigit) ? std::stoi(s) : -1;
               };
               const int offset = number(offset_text), limit = number(limit_text);
               if (offset < 0 || limit < 1 || limit > kReviewsPerPage) {
                 res.status = 400;
                 res.set_content(AmpError(400, "Invalid Parameter Value", "limit is 1 to 20; offset is a number.").dump(),
                                 "application/json");
                 return;
               }
               std::vector<const ReviewInfo*> mine;
               for (const auto& r : ReviewsOf(id)) {
                 if (Alpha2Of(r.territory) == Upper(cc)) mine.push_back(&r);
               }
               Json data = Json::array();
               for (size_t i = static_cast<size_t>(offset); i < mine.size() && i < static_cast<size_t>(offset + limit); ++i) {
                 const ReviewInfo& r = *mine[i];
                 Json attributes = {{"date", Rfc3339Utc(r.edited ? r.edited_epoch : r.created_epoch)},
                                    {"rating", r.rating},
                                    {"title", r.title},
                                    {"review", r.body},
                                    {"userName", r.nickname},
                                    {"isEdited", r.edited}};
                 {
                   std::lock_guard lock(mu);
                   if (auto it = responses.find(r.id); it != responses.end()) {
                     attributes["developerResponse"] = {{"id", it->second.id}, {"body", it->second.body},
                                                        {"modified", it->second.last_modified}};
                   }
                 }
                 data.push_back({{"id", r.rss_id}, {"type", "user-reviews"}, {"attributes", attributes}});
               }
               Json doc = {{"data", data}};
               if (static_cast<size_t>(offset + limit) < mine.size()) {
                 doc["next"] = "/v1/catalog/" + cc + "/apps/" + id + "/reviews?l=en-US&offset=" +
                               std::to_string(offset + limit) + "&limit=" + std::to_string(limit);
               }
               res.set_content(doc.dump(), "application/json");
             }));
  // B.4.1: the Today tab, a day per element, newest first.
  server.Get(R"(/v1/editorial/([a-zA-Z]{2})/today)", logged([this, not_found](const httplib::Request& req,
                                                                              httplib::Response& res) {
    if (!AmpAdmitted(req, res)) return;
    std::string cc = req.matches[1];
    std::transform(cc.begin(), cc.end(), cc.begin(), ::tolower);
    if (!KnownCountry(Upper(cc))) return not_found(res);
    Json days = Json::array();
    for (int back = 0; back < 7; ++back) {
      const Date day = P()->today().AddDays(-back);
      Json contents = Json::array();
      for (const Story& s : P()->TodayStories(Upper(cc), day)) {
        contents.push_back({{"id", s.id},
                            {"type", "editorial-items"},
                            {"href", "/v1/editorial/" + cc + "/editorial-items/" + s.id},
                            {"attributes", {{"url", "https://apps.apple.com/" + cc + "/story/id" + s.id},
                                            {"kind", "Story"},
                                            {"label", s.label},
                                            {"editorialNotes", {{"name", s.title}}},
                                            {"editorialArtwork", {{"generalCard", {{"url", "https://is1.example/" + s.id + "/{w}x{h}{c}.{f}"}}}}}}},
                            {"relationships", {{"card-contents", {{"data", [&] {
                              Json apps = Json::array();
                              for (const auto& id : s.app_ids) apps.push_back({{"id", id}, {"type", "apps"}});
                              return apps;
                            }()}}}}}});
      }
      days.push_back({{"date", day.Iso() + "T07:00:00Z"}, {"contents", contents}});
    }
    res.set_content(Json{{"results", {{"data", days}}}}.dump(), "application/json");
  }));
  // B.6.3: catalog search, ranked; B.6.5: suggestions.
  server.Get(R"(/v1/catalog/([a-zA-Z]{2})/search)", logged([this, find_app, not_found](const httplib::Request& req,
                                                                                     httplib::Response& res) {
    if (!AmpAdmitted(req, res)) return;
    std::string cc = req.matches[1];
    std::transform(cc.begin(), cc.end(), cc.begin(), ::tolower);
    if (!KnownCountry(Upper(cc))) return not_found(res);
    const std::string term = req.get_param_value("term");
    const int limit = req.has_param("limit") ? std::clamp(std::atoi(req.get_param_value("limit").c_str()), 1, 25) : 25;
    const int offset = std::max(0, std::atoi(req.get_param_value("offset").c_str()));
    const auto ranking = P()->SearchRanking(Upper(cc), term, P()->today());
    Json data = Json::array();
    for (size_t i = static_cast<size_t>(offset); i < ranking.size() && i < static_cast<size_t>(offset + limit); ++i) {
      if (auto app = find_app(ranking[i])) {
        Json item = CatalogApp(*app, cc, CurrentHour(), false);
        item.erase("relationships");
        data.push_back(item);
      }
    }
    Json apps = {{"href", "/v1/catalog/" + cc + "/search?term=" + Encode(term) + "&types=apps"}, {"data", data}};
    if (static_cast<size_t>(offset + limit) < ranking.size()) {
      apps["next"] = "/v1/catalog/" + cc + "/search?term=" + Encode(term) + "&types=apps&offset=" +
                     std::to_string(offset + limit) + "&limit=" + std::to_string(limit);
    }
    res.set_content(Json{{"results", {{"apps", apps}}}, {"meta", {{"results", {{"order", {"apps"}}, {"rawOrder", {"apps"}}}}}}}.dump(),
                    "application/json");
  }));
  server.Get(R"(/v1/catalog/([a-zA-Z]{2})/search/suggestions)", logged([this](const httplib::Request& req,
                                                                               httplib::Response& res) {
    if (!AmpAdmitted(req, res)) return;
    static const char* kTerms[] = {"journal", "journal app", "journaling", "word game", "word puzzle", "words with friends",
                                   "fitness", "fitness tracker", "fit pulse", "maps", "maps offline", "trail maps",
                                   "sketch", "sketchbook", "pixel art", "photo editor", "planner", "puzzle"};
    std::string prefix = req.get_param_value("term");
    std::transform(prefix.begin(), prefix.end(), prefix.begin(), ::tolower);
    Json suggestions = Json::array();
    for (const char* t : kTerms) {
      if (!prefix.empty() && std::string_view(t).rfind(prefix, 0) == 0 && suggestions.size() < 10) {
        suggestions.push_back({{"kind", "terms"}, {"displayTerm", t}, {"source", "sandbox"}});
      }
    }
    res.set_content(Json{{"results", {{"suggestions", suggestions}}}}.dump(), "application/json");
  }));
  // B.5 a: ws/charts → resultIds, up to 200.
  server.Get("/WebObjects/MZStoreServices.woa/ws/charts", logged([this](const httplib::Request& req, httplib::Response& res) {
    struct Name {
      const char* name;
      ChartKind kind;
      ChartDevice device;
    };
    static const Name kNames[] = {
        {"FreeApplications", ChartKind::kFree, ChartDevice::kIphone},   {"FreeAppsV2", ChartKind::kFree, ChartDevice::kIphone},
        {"PaidApplications", ChartKind::kPaid, ChartDevice::kIphone},   {"AppsByRevenue", ChartKind::kGrossing, ChartDevice::kIphone},
        {"FreeIpadApplications", ChartKind::kFree, ChartDevice::kIpad}, {"PaidIpadApplications", ChartKind::kPaid, ChartDevice::kIpad},
        {"IpadAppsByRevenue", ChartKind::kGrossing, ChartDevice::kIpad}, {"FreeMacAppsV2", ChartKind::kFree, ChartDevice::kMac},
        {"PaidMacAppsV2", ChartKind::kPaid, ChartDevice::kMac},         {"MacAppsByRevenueV2", ChartKind::kGrossing, ChartDevice::kMac}};
    const std::string cc = Upper(req.get_param_value("cc")), name = req.get_param_value("name");
    const Name* found = nullptr;
    for (const auto& n : kNames) {
      if (name == n.name) found = &n;
    }
    const int limit = req.has_param("limit") ? std::atoi(req.get_param_value("limit").c_str()) : 200;
    if (found == nullptr || !KnownCountry(cc) || limit < 1 || limit > 200) {
      res.status = 400;
      res.set_content(R"({"errorMessage":"Invalid chart request"})", "application/json");
      return;
    }
    const std::string genre = req.has_param("g") ? req.get_param_value("g") : "36";
    auto ids = P()->ChartRanking(cc, genre, found->kind, found->device, CurrentHour());
    if (ids.size() > static_cast<size_t>(limit)) ids.resize(static_cast<size_t>(limit));
    res.set_content(Json{{"resultIds", ids}}.dump(), "application/json");
  }));
  // B.5 b: viewTop by popId, storefront from X-Apple-Store-Front.
  server.Get("/WebObjects/MZStore.woa/wa/viewTop", logged([this](const httplib::Request& req, httplib::Response& res) {
    const std::string front = req.get_header_value("X-Apple-Store-Front");
    std::string cc;
    for (const auto& [country, id] : StorefrontIds()) {
      if (front.rfind(id, 0) == 0) cc = country;
    }
    if (cc.empty()) {
      res.status = 400;
      res.set_content("Missing or unknown X-Apple-Store-Front\n", "text/plain");
      return;
    }
    struct Pop {
      int id;
      const char* title;
      ChartKind kind;
      ChartDevice device;
    };
    static const Pop kPops[] = {{27, "Top Free iPhone Apps", ChartKind::kFree, ChartDevice::kIphone},
                                {30, "Top Paid iPhone Apps", ChartKind::kPaid, ChartDevice::kIphone},
                                {38, "Top Grossing iPhone Apps", ChartKind::kGrossing, ChartDevice::kIphone},
                                {44, "Top Free iPad Apps", ChartKind::kFree, ChartDevice::kIpad},
                                {45, "Top Paid iPad Apps", ChartKind::kPaid, ChartDevice::kIpad},
                                {46, "Top Grossing iPad Apps", ChartKind::kGrossing, ChartDevice::kIpad}};
    const std::string genre = req.has_param("genreId") ? req.get_param_value("genreId") : "36";
    const int pop = std::atoi(req.get_param_value("popId").c_str());
    const bool ipad = front.find(",30") != std::string::npos;
    Json charts = Json::array();
    Json selected;
    for (const auto& p : kPops) {
      if ((p.device == ChartDevice::kIpad) != ipad) continue;
      const Json chart = {{"title", p.title}, {"popId", p.id},
                          {"adamIds", P()->ChartRanking(cc, genre, p.kind, p.device, CurrentHour())}};
      charts.push_back(chart);
      if (p.id == pop) selected = chart;
    }
    if (selected.is_null()) {
      res.status = 400;
      res.set_content("Unknown popId for this platform\n", "text/plain");
      return;
    }
    res.set_content(Json{{"pageData", {{"segmentedControl", {{"segments", Json::array({{{"pageData", {{"selectedChart", selected}}}}})}}},
                                       {"topCharts", charts}}}}.dump(),
                    "application/json");
  }));
  server.Get("/WebObjects/MZStoreServices.woa/ws/genres", logged([](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("id") && req.get_param_value("id") != "36") {
      res.status = 404;
      res.set_content("{}", "application/json");
      return;
    }
    Json subgenres = Json::object();
    for (const auto& [id, name] : StoreGenres()) {
      Json g = {{"id", id}, {"name", name}};
      if (id == "6014") g["subgenres"] = {{"7019", {{"id", "7019"}, {"name", "Word"}}}};
      subgenres[id] = g;
    }
    res.set_content(Json{{"36", {{"id", "36"}, {"name", "App Store"}, {"subgenres", subgenres}}}}.dump(), "application/json");
  }));
  // B.6.2: MZStore search → bubbles[0].results[].id.
  server.Get("/WebObjects/MZStore.woa/wa/search", logged([this](const httplib::Request& req, httplib::Response& res) {
    const std::string front = req.get_header_value("X-Apple-Store-Front");
    std::string cc;
    for (const auto& [country, id] : StorefrontIds()) {
      if (front.rfind(id, 0) == 0) cc = country;
    }
    if (cc.empty() || req.get_param_value("media") != "software") {
      res.status = 400;
      res.set_content("Invalid search\n", "text/plain");
      return;
    }
    Json results = Json::array();
    for (const auto& id : P()->SearchRanking(cc, req.get_param_value("term"), P()->today())) {
      results.push_back({{"id", id}, {"entity", "software"}});
    }
    res.set_content(Json{{"bubbles", Json::array({{{"name", "software"}, {"results", results}}})}}.dump(), "application/json");
  }));
  // §8.2 legacy RSS: /{cc}/rss/{collection}/limit={n}[/genre={g}]/json
  server.Get(R"(/([a-z]{2})/rss/((?:top|new)[a-z]+)/limit=([0-9]+)(?:/genre=([0-9]+))?/json)",
             logged([this, find_app](const httplib::Request& req, httplib::Response& res) {
               struct Collection {
                 const char* name;
                 ChartKind kind;
                 ChartDevice device;
               };
               static const Collection kCollections[] = {
                   {"topfreeapplications", ChartKind::kFree, ChartDevice::kIphone},
                   {"toppaidapplications", ChartKind::kPaid, ChartDevice::kIphone},
                   {"topgrossingapplications", ChartKind::kGrossing, ChartDevice::kIphone},
                   {"topfreeipadapplications", ChartKind::kFree, ChartDevice::kIpad},
                   {"toppaidipadapplications", ChartKind::kPaid, ChartDevice::kIpad},
                   {"topgrossingipadapplications", ChartKind::kGrossing, ChartDevice::kIpad},
                   {"topfreemacapps", ChartKind::kFree, ChartDevice::kMac},
                   {"toppaidmacapps", ChartKind::kPaid, ChartDevice::kMac},
                   {"topgrossingmacapps", ChartKind::kGrossing, ChartDevice::kMac}};
               const std::string cc = req.matches[1], name = req.matches[2];
               const int limit = std::atoi(std::string(req.matches[3]).substr(0, 4).c_str());
               const std::string genre = req.matches[4].length() > 0 ? std::string(req.matches[4]) : "36";
               const Collection* found = nullptr;
               for (const auto& c : kCollections) {
                 if (name == c.name) found = &c;
               }
               if (found == nullptr || !KnownCountry(Upper(cc)) || limit < 1 || limit > 200) {
                 res.status = 400;
                 res.set_content("Invalid feed\n", "text/plain");
                 return;
               }
               auto ids = P()->ChartRanking(Upper(cc), genre, found->kind, found->device, CurrentHour());
               if (ids.size() > static_cast<size_t>(limit)) ids.resize(static_cast<size_t>(limit));
               auto label = [](const std::string& v) { return Json{{"label", v}}; };
               Json entries = Json::array();
               for (const auto& id : ids) {
                 const auto app = find_app(id);
                 if (!app) continue;
                 const std::string url = "https://apps.apple.com/" + cc + "/app/id" + id;
                 char amount[32];
                 std::snprintf(amount, sizeof amount, "%.5f", app->price_usd);
                 entries.push_back(
                     {{"im:name", label(app->name)},
                      {"im:image", Json::array({{{"label", "https://is1.example/" + id + "/53x53bb.png"}, {"attributes", {{"height", "53"}}}},
                                                {{"label", "https://is1.example/" + id + "/100x100bb.png"}, {"attributes", {{"height", "100"}}}}})},
                      {"summary", label(app->name + " for " + app->genre_name)},
                      {"im:price", {{"label", app->price_usd > 0 ? "$" + std::string(amount).substr(0, std::string(amount).size() - 3) : "Get"},
                                    {"attributes", {{"amount", amount}, {"currency", "USD"}}}}},
                      {"im:contentType", {{"attributes", {{"term", "Application"}, {"label", "Application"}}}}},
                      {"rights", label("© " + app->artist)},
                      {"title", label(app->name + " - " + app->artist)},
                      {"link", {{"attributes", {{"rel", "alternate"}, {"type", "text/html"}, {"href", url}}}}},
                      {"id", {{"label", url}, {"attributes", {{"im:id", id}, {"im:bundleId", "com.sandbox." + id}}}}},
                      {"im:artist", {{"label", app->artist}, {"attributes", {{"href", "https://apps.apple.com/" + cc + "/developer/id1470000001"}}}}},
                      {"category", {{"attributes", {{"im:id", app->genre_id}, {"term", app->genre_name},
                                                    {"scheme", "https://apps.apple.com/" + cc + "/genre/id" + app->genre_id},
                                                    {"label", app->genre_name}}}}},
                      {"im:releaseDate", {{"label", app->launch.Iso() + "T00:00:00-07:00"}, {"attributes", {{"label", app->launch.Iso()}}}}}});
               }
               const std::string self = "http://" + req.get_header_value("Host") + req.path;
               res.set_content(Json{{"feed", {{"author", {{"name", label("iTunes Store")}, {"uri", label("http://www.apple.com/itunes/")}}},
                                              {"entry", entries},
                                              {"updated", label(Rfc3339Utc(CurrentHour() * 3600))},
                                              {"rights", label("Copyright 2008 Apple Inc.")},
                                              {"title", label("iTunes Store: Top Apps")},
                                              {"icon", label("http://itunes.apple.com/favicon.ico")},
                                              {"link", Json::array({{{"attributes", {{"rel", "self"}, {"href", self}}}}})},
                                              {"id", label(self)}}}}.dump(),
                               "application/json");
             }));
}

}  // namespace orchard::sandbox
