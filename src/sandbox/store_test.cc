// The public store simulation: charts that move hour by hour, and the endpoints that show them
// (ws/charts, viewTop, legacy RSS, amp-api catalog with histograms and chart positions, reviews,
// Today, search), checked against each other and against the portfolio's own reviews.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "crypto/base64.h"
#include "sandbox/generator.h"
#include "sandbox/sandbox.h"

namespace orchard::sandbox {
namespace {

using Json = nlohmann::json;
const Date kToday = *Date::ParseIso("2026-03-10");

int64_t HourNow() {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  return static_cast<int64_t>(kToday.days()) * 24 + (now / 3600) % 24;
}

TEST(StoreMarketTest, ChartsAreTwoHundredDeepFilteredAndMoveHourByHour) {
  Portfolio p(11, kToday);
  std::map<std::string, StoreApp> apps;
  for (auto& a : p.StoreApps()) apps[a.id] = a;
  const int64_t noon = static_cast<int64_t>(kToday.days()) * 24 + 12;
  const auto free_now = p.ChartRanking("US", "36", ChartKind::kFree, ChartDevice::kIphone, noon);
  const auto free_next = p.ChartRanking("US", "36", ChartKind::kFree, ChartDevice::kIphone, noon + 1);
  const auto free_tomorrow = p.ChartRanking("US", "36", ChartKind::kFree, ChartDevice::kIphone, noon + 24);
  ASSERT_EQ(free_now.size(), 200u);
  EXPECT_EQ(std::set<std::string>(free_now.begin(), free_now.end()).size(), 200u);
  EXPECT_NE(free_now, free_next) << "charts move within the day";
  const std::set<std::string> now_set(free_now.begin(), free_now.end());
  size_t common = 0;
  for (const auto& id : free_next) common += now_set.contains(id);
  EXPECT_GT(common, 180u) << "an hour moves a chart a little";
  EXPECT_NE(free_now, free_tomorrow);
  EXPECT_EQ(free_now, Portfolio(11, kToday).ChartRanking("US", "36", ChartKind::kFree, ChartDevice::kIphone, noon));
  EXPECT_NE(free_now, p.ChartRanking("DE", "36", ChartKind::kFree, ChartDevice::kIphone, noon));
  for (const auto& id : free_now) EXPECT_EQ(apps[id].price_usd, 0) << id;
  for (const auto& id : p.ChartRanking("US", "36", ChartKind::kPaid, ChartDevice::kIphone, noon)) EXPECT_GT(apps[id].price_usd, 0);
  for (const auto& id : p.ChartRanking("US", "6014", ChartKind::kFree, ChartDevice::kIphone, noon)) EXPECT_EQ(apps[id].genre_id, "6014");
  for (const auto& id : p.ChartRanking("US", "36", ChartKind::kFree, ChartDevice::kMac, noon)) EXPECT_TRUE(apps[id].mac);
  // The portfolio's big free apps chart, and so does its paid Mac app among paid Mac apps.
  const auto games = p.ChartRanking("US", "6014", ChartKind::kFree, ChartDevice::kIphone, noon);
  EXPECT_NE(std::find(games.begin(), games.end(), "1650007788"), games.end()) << "Word Quest in Games";
  EXPECT_FALSE(p.ChartRanking("US", "36", ChartKind::kGrossing, ChartDevice::kIpad, noon).empty());
}

TEST(StoreMarketTest, SearchFindsAppsByNameAndGenreAndRankingsMoveDaily) {
  Portfolio p(11, kToday);
  const auto journal = p.SearchRanking("US", "journal", kToday);
  ASSERT_FALSE(journal.empty());
  EXPECT_NE(std::find(journal.begin(), journal.end(), "1476097583"), journal.end());
  EXPECT_TRUE(p.SearchRanking("US", "", kToday).empty());
  const auto puzzle_today = p.SearchRanking("US", "puzzle", kToday);
  const auto puzzle_later = p.SearchRanking("US", "puzzle", kToday.AddDays(-3));
  ASSERT_GT(puzzle_today.size(), 10u);
  EXPECT_NE(puzzle_today, puzzle_later);
}

class StoreApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("orchard-store-" + std::to_string(::getpid()));
    SandboxOptions o;
    o.keys_dir = dir_;
    o.seed = 11;
    o.today = kToday;
    auto s = Sandbox::Start(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    sandbox_ = std::move(*s);
  }
  void TearDown() override {
    sandbox_.reset();
    std::filesystem::remove_all(dir_);
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", sandbox_->port());
    c.set_read_timeout(120, 0);
    return c;
  }
  std::string Token() {
    auto r = Client().Get("/apiToken?clientClass=apple&clientId=appstore&os=macOS");
    EXPECT_EQ(r->status, 200);
    return Json::parse(r->body)["token"];
  }
  httplib::Result Amp(const std::string& path, const std::string& token, const std::string& origin = "https://apps.apple.com") {
    return Client().Get(path.c_str(), {{"Authorization", "Bearer " + token}, {"Origin", origin}});
  }
  // Runs `fetch` until the sandbox's hour did not change during it (charts are hourly).
  template <typename F>
  auto AtOneHour(F fetch) {
    for (;;) {
      const int64_t before = HourNow();
      auto result = fetch(before);
      if (HourNow() == before) return result;
    }
  }
  std::filesystem::path dir_;
  std::unique_ptr<Sandbox> sandbox_;
};

TEST_F(StoreApiTest, ChartEndpointsAgreeWithTheHourlyRanking) {
  const Portfolio p(11, kToday);
  auto [ws, viewtop, rss, expected] = AtOneHour([&](int64_t hour) {
    auto c = Client();
    return std::make_tuple(Json::parse(c.Get("/WebObjects/MZStoreServices.woa/ws/charts?cc=us&g=36&name=FreeApplications&limit=200")->body),
                           Json::parse(c.Get("/WebObjects/MZStore.woa/wa/viewTop?genreId=36&popId=27",
                                             {{"X-Apple-Store-Front", "143441-1,29"}})->body),
                           Json::parse(c.Get("/us/rss/topfreeapplications/limit=100/genre=6014/json")->body),
                           std::make_pair(p.ChartRanking("US", "36", ChartKind::kFree, ChartDevice::kIphone, hour),
                                          p.ChartRanking("US", "6014", ChartKind::kFree, ChartDevice::kIphone, hour)));
  });
  EXPECT_EQ(ws["resultIds"].get<std::vector<std::string>>(), expected.first);
  const Json& selected = viewtop["pageData"]["segmentedControl"]["segments"][0]["pageData"]["selectedChart"];
  EXPECT_EQ(selected["popId"], 27);
  EXPECT_EQ(selected["adamIds"].get<std::vector<std::string>>(), expected.first);
  EXPECT_EQ(viewtop["pageData"]["topCharts"].size(), 3u);
  std::vector<std::string> rss_ids;
  for (const auto& e : rss["feed"]["entry"]) {
    rss_ids.push_back(e["id"]["attributes"]["im:id"]);
    EXPECT_EQ(e["category"]["attributes"]["im:id"], "6014");
    EXPECT_TRUE(e["im:name"].contains("label"));
  }
  std::vector<std::string> top100(expected.second.begin(), expected.second.begin() + std::min<size_t>(100, expected.second.size()));
  EXPECT_EQ(rss_ids, top100);
  auto c = Client();
  EXPECT_EQ(c.Get("/WebObjects/MZStoreServices.woa/ws/charts?cc=us&g=36&name=FreeApplications&limit=201")->status, 400);
  EXPECT_EQ(c.Get("/WebObjects/MZStoreServices.woa/ws/charts?cc=us&name=NoSuchChart")->status, 400);
  EXPECT_EQ(c.Get("/WebObjects/MZStore.woa/wa/viewTop?genreId=36&popId=27")->status, 400) << "no storefront header";
  auto ipad = Json::parse(c.Get("/WebObjects/MZStore.woa/wa/viewTop?genreId=36&popId=44", {{"X-Apple-Store-Front", "143441-1,30"}})->body);
  EXPECT_EQ(ipad["pageData"]["segmentedControl"]["segments"][0]["pageData"]["selectedChart"]["popId"], 44);
  const Json genres = Json::parse(c.Get("/WebObjects/MZStoreServices.woa/ws/genres?id=36&cc=us")->body);
  EXPECT_EQ(genres["36"]["subgenres"]["6014"]["subgenres"]["7019"]["name"], "Word");
}

TEST_F(StoreApiTest, CatalogNeedsTheDeveloperTokenAndShowsHistogramsPositionsAndReviews) {
  const std::string token = Token();
  // The token: ES256 with Apple's key id, 84 days, for apple.com origins.
  const auto dot = token.find('.');
  const Json header = Json::parse(*crypto::Base64UrlDecode(token.substr(0, dot)));
  const Json payload = Json::parse(*crypto::Base64UrlDecode(token.substr(dot + 1, token.find('.', dot + 1) - dot - 1)));
  EXPECT_EQ(header["kid"], "U8RTYV5ZDS");
  EXPECT_EQ(payload["exp"].get<int64_t>() - payload["iat"].get<int64_t>(), 84 * 86400);
  EXPECT_EQ(Amp("/v1/catalog/us/apps/1476097583", "not-a-token")->status, 401);
  EXPECT_EQ(Amp("/v1/catalog/us/apps/1476097583", token, "https://example.com")->status, 403);

  auto r = Amp("/v1/catalog/us/apps/1476097583?platform=web&l=en-US", token);
  ASSERT_EQ(r->status, 200) << r->body;
  const Json app = Json::parse(r->body)["data"][0];
  EXPECT_EQ(app["id"], "1476097583");
  const Json& rating = app["attributes"]["userRating"];
  // The histogram counts the app's US reviews by stars (1★ first).
  const Portfolio p(11, kToday);
  std::vector<long> stars(5, 0);
  for (const auto& review : p.Reviews("1476097583")) {
    if (review.territory == "USA") ++stars[static_cast<size_t>(review.rating - 1)];
  }
  EXPECT_EQ(rating["ratingCountList"].get<std::vector<long>>(), stars);
  EXPECT_EQ(rating["ratingCount"], stars[0] + stars[1] + stars[2] + stars[3] + stars[4]);
  // …and agrees with the iTunes lookup.
  const Json lookup = Json::parse(Client().Get("/lookup?id=1476097583&country=us")->body)["results"][0];
  EXPECT_EQ(lookup["userRatingCount"], rating["ratingCount"]);
  EXPECT_EQ(app["attributes"]["editorialBadgeInfo"]["nameForDisplay"], "Editors’ Choice");
  if (app["attributes"].contains("chartPositions")) {
    const int position = std::stoi(app["attributes"]["chartPositions"]["appStore"]["position"].get<std::string>());
    EXPECT_GE(position, 1);
    EXPECT_LE(position, 200);
  }
  // Reviews: 20 a page through `next`; edited ones say so.
  std::set<std::string> ids;
  int edited = 0;
  std::string next = "/v1/catalog/us/apps/1476097583/reviews?l=en-US&offset=0&limit=20";
  while (!next.empty()) {
    const Json page = Json::parse(Amp(next, token)->body);
    EXPECT_LE(page["data"].size(), 20u);
    for (const auto& rv : page["data"]) {
      ids.insert(rv["id"]);
      if (rv["attributes"]["isEdited"].get<bool>()) {
        ++edited;
        EXPECT_EQ(rv["attributes"]["title"].get<std::string>().rfind("Update: ", 0), 0u);
      }
    }
    next = page.value("next", "");
  }
  EXPECT_EQ(static_cast<long>(ids.size()), rating["ratingCount"].get<long>());
  EXPECT_GT(edited, 0);
  EXPECT_EQ(Amp("/v1/catalog/us/apps/1476097583/reviews?limit=50", token)->status, 400);
  // Batch form.
  EXPECT_EQ(Json::parse(Amp("/v1/catalog/us/apps?ids=1476097583,1650007788", token)->body)["data"].size(), 2u);
  // A rotated token stops working.
  ASSERT_EQ(Client().Post("/_sandbox/amp/rotate-token", "", "application/json")->status, 200);
  EXPECT_EQ(Amp("/v1/catalog/us/apps/1476097583", token)->status, 401);
}

TEST_F(StoreApiTest, TodayStoriesSearchAndSuggestions) {
  const std::string token = Token();
  const Json today = Json::parse(Amp("/v1/editorial/us/today?l=en-US&platform=iphone", token)->body);
  ASSERT_EQ(today["results"]["data"].size(), 7u);
  EXPECT_EQ(today["results"]["data"][0]["date"].get<std::string>().substr(0, 10), "2026-03-10");
  std::map<std::string, std::string> featured;  // app → story
  for (const auto& day : today["results"]["data"]) {
    EXPECT_EQ(day["contents"].size(), 3u);
    for (const auto& story : day["contents"]) {
      EXPECT_NE(story["attributes"]["url"].get<std::string>().find("/story/id"), std::string::npos);
      for (const auto& a : story["relationships"]["card-contents"]["data"]) featured[a["id"]] = story["id"];
    }
  }
  ASSERT_FALSE(featured.empty());
  // An app featured this week lists the story among its related editorial items.
  const auto& [app_id, story_id] = *featured.begin();
  const Json app = Json::parse(Amp("/v1/catalog/us/apps/" + app_id, token)->body)["data"][0];
  bool listed = false;
  for (const auto& s : app["relationships"]["related-editorial-items"]["data"]) listed |= s["id"] == story_id;
  EXPECT_TRUE(listed) << app_id;

  const Json search = Json::parse(Amp("/v1/catalog/us/search?types=apps&platform=iphone&term=journal&limit=10", token)->body);
  std::vector<std::string> amp_ids;
  for (const auto& a : search["results"]["apps"]["data"]) amp_ids.push_back(a["id"]);
  EXPECT_NE(std::find(amp_ids.begin(), amp_ids.end(), "1476097583"), amp_ids.end());
  const Json bubbles = Json::parse(Client().Get("/WebObjects/MZStore.woa/wa/search?clientApplication=Software&media=software&term=journal",
                                                {{"X-Apple-Store-Front", "143441,24 t:native"}})->body);
  std::vector<std::string> mz_ids;
  for (const auto& a : bubbles["bubbles"][0]["results"]) mz_ids.push_back(a["id"]);
  ASSERT_GE(mz_ids.size(), amp_ids.size());
  EXPECT_EQ(std::vector<std::string>(mz_ids.begin(), mz_ids.begin() + static_cast<long>(amp_ids.size())), amp_ids);
  const Json hints = Json::parse(Amp("/v1/catalog/us/search/suggestions?term=wor&kinds=terms", token)->body);
  ASSERT_FALSE(hints["results"]["suggestions"].empty());
  EXPECT_EQ(hints["results"]["suggestions"][0]["displayTerm"].get<std::string>().rfind("wor", 0), 0u);
}

}  // namespace
}  // namespace orchard::sandbox
