// The reviews inbox and ratings grammar. Expected values are written out by hand (epoch seconds
// of the days: 2026-03-01 = 1772323200, 2026-03-03 = 1772496000, 2026-03-06 = 1772755200,
// 2026-03-10 = 1773100800, 2026-03-11 = 1773187200).
#include "reports/review_request.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/clock.h"
#include "store/sqlite/sqlite_review_store.h"
#include "store/testing/test_database.h"

namespace orchard::reports {
namespace {

using Params = std::vector<ReportParam>;
constexpr int64_t kMar10 = 1773100800;
constexpr int64_t kDay = 86400;

Date D(const char* iso) { return *Date::ParseIso(iso); }

ReportDefaults Defaults(bool cli = false) {
  ReportDefaults d;
  d.today = D("2026-03-10");
  if (cli) {
    d.format = Format::kTable;
    d.allow_table = true;
  }
  return d;
}

std::string ErrorOf(const Params& params, ReviewAnswer answer = ReviewAnswer::kList) {
  auto r = ParseReviewRequest(params, Defaults(), answer);
  EXPECT_FALSE(r.has_value()) << "accepted: "
                              << (r.has_value() ? NormalizedReviewQuery(*r).dump() : "");
  if (r.has_value()) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

#define EXPECT_HAS(text, needle) \
  EXPECT_NE(std::string(text).find(needle), std::string::npos) << (text)

TEST(ReviewRequestTest, EveryParameterReachesTheQuery) {
  auto r = ParseReviewRequest({{"app", "222, 111,222", ""},
                               {"country", "US,gb", ""},
                               {"rating", "2,1", ""},
                               {"version", "2.0,1.9", ""},
                               {"from", "2026-03-01", ""},
                               {"to", "2026-03-05", ""},
                               {"reply_state", "Outdated", ""},
                               {"unreplied", "", ""},
                               {"q", " crash \"now\" ", ""},
                               {"source", "ASC", ""},
                               {"sort", "-rating", ""},
                               {"limit", "10", ""},
                               {"offset", "20", ""},
                               {"format", "csv", ""}},
                              Defaults());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const store::ReviewQuery& q = r->query;
  EXPECT_EQ(q.team_id, 0) << "the caller sets the team, never a parameter";
  EXPECT_EQ(q.app_ids, (std::vector<std::string>{"111", "222"}));
  EXPECT_EQ(q.countries, (std::vector<std::string>{"gb", "us"}));
  EXPECT_EQ(q.ratings, (std::vector<int>{1, 2}));
  EXPECT_EQ(q.versions, (std::vector<std::string>{"1.9", "2.0"}));
  EXPECT_EQ(q.from, 1772323200);
  EXPECT_EQ(q.until, 1772323200 + 5 * kDay) << "to is inclusive: until the start of 03-06";
  EXPECT_EQ(q.reply_states,
            (std::vector<store::ReplyState>{store::ReplyState::kNone, store::ReplyState::kOutdated}));
  EXPECT_EQ(q.text, "crash \"now\"");
  EXPECT_EQ(q.source, "asc");
  EXPECT_EQ(q.sort, store::ReviewSort::kRatingDesc);
  EXPECT_EQ(q.limit, 10);
  EXPECT_EQ(q.offset, 20);
  EXPECT_EQ(r->format, Format::kCsv);
  EXPECT_EQ(NormalizedReviewQuery(*r).dump(),
            R"({"app":["111","222"],"country":["gb","us"],"rating":[1,2],"version":["1.9","2.0"],)"
            R"("from":"2026-03-01","to":"2026-03-05","reply_state":["none","outdated"],)"
            R"("q":"crash \"now\"","source":"asc","sort":"-rating","limit":10,"offset":20,)"
            R"("format":"csv"})");
}

TEST(ReviewRequestTest, NoParametersMeanTheNewestFiftyOfEverything) {
  auto r = ParseReviewRequest({}, Defaults());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->query.limit, 50);
  EXPECT_EQ(r->query.offset, 0);
  EXPECT_EQ(r->query.from, 0);
  EXPECT_EQ(r->query.until, 0);
  EXPECT_EQ(r->query.sort, store::ReviewSort::kNewest);
  EXPECT_EQ(NormalizedReviewQuery(*r).dump(),
            R"({"app":[],"country":[],"rating":[],"version":[],"from":null,"to":null,)"
            R"("reply_state":[],"q":null,"source":null,"sort":"newest","limit":50,"offset":0,)"
            R"("format":"json"})");
}

TEST(ReviewRequestTest, ShorthandsAddUpAndRelativeDaysCountFromTodayInUtc) {
  auto r = ParseReviewRequest(
      {{"replied", "true", ""}, {"outdated", "1", ""}, {"unreplied", "false", ""},
       {"from", "-7d", ""}, {"to", "today", ""}},
      Defaults());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->query.reply_states,
            (std::vector<store::ReplyState>{store::ReplyState::kPending,
                                            store::ReplyState::kPublished,
                                            store::ReplyState::kOutdated}));
  EXPECT_EQ(r->query.from, 1772496000);  // 2026-03-03
  EXPECT_EQ(r->query.until, 1773187200);  // the end of 2026-03-10
  using namespace std::chrono;
  // 23:30 UTC on 9 March is still the 9th in UTC (it is the 10th in Tokyo, not here).
  FakeClock clock(sys_days(year(2026) / March / 9) + hours(23) + minutes(30));
  EXPECT_EQ(ReviewToday(clock), D("2026-03-09"));
}

TEST(ReviewRequestTest, BadValuesAreRefusedNamingTheParameter) {
  EXPECT_HAS(ErrorOf({{"stars", "1", ""}}), "unknown parameter 'stars'");
  EXPECT_HAS(ErrorOf({{"stars", "1", ""}}), "reply_state");  // lists the known names
  EXPECT_HAS(ErrorOf({{"rating", "1", ""}, {"rating", "2", ""}}), "rating is given more than once");
  EXPECT_HAS(ErrorOf({{"country", " ", ""}}), "country is empty");
  EXPECT_HAS(ErrorOf({{"rating", "6", ""}}), "'6' is not a star rating");
  EXPECT_HAS(ErrorOf({{"rating", "1.5", ""}}), "'1.5' is not a star rating");
  EXPECT_HAS(ErrorOf({{"rating", "1,,2", ""}}), "an empty item");
  EXPECT_HAS(ErrorOf({{"app", "com.example.app", ""}}), "is not an App Store id");
  EXPECT_HAS(ErrorOf({{"country", "usa", ""}}), "'usa' is not a two-letter storefront code");
  EXPECT_HAS(ErrorOf({{"country", "us,qq", ""}}), "'qq' is not an App Store storefront");
  EXPECT_HAS(ErrorOf({{"reply_state", "answered", ""}}), "reply_state: unknown reply state");
  EXPECT_HAS(ErrorOf({{"unreplied", "maybe", ""}}), "unreplied is a flag");
  EXPECT_HAS(ErrorOf({{"source", "web", ""}}), "source: unknown source 'web'");
  EXPECT_HAS(ErrorOf({{"sort", "best", ""}}), "sort: unknown sort 'best'");
  EXPECT_HAS(ErrorOf({{"limit", "0", ""}}), "limit: expected 1–1000");
  EXPECT_HAS(ErrorOf({{"limit", "1001", ""}}), "limit: expected a whole number 0–1000");
  EXPECT_HAS(ErrorOf({{"limit", "ten", ""}}), "got 'ten'");
  EXPECT_HAS(ErrorOf({{"offset", "-1", ""}}), "offset: expected a whole number");
  EXPECT_HAS(ErrorOf({{"from", "last week", ""}}), "from: expected YYYY-MM-DD");
  EXPECT_HAS(ErrorOf({{"from", "2026-03-05", ""}, {"to", "2026-03-01", ""}}),
             "the from day 2026-03-05 is after the to day 2026-03-01");
  EXPECT_HAS(ErrorOf({{"format", "table", ""}}), "format: unknown format 'table' (use json or csv)");
  EXPECT_HAS(ErrorOf({{"limit", "5", ""}}, ReviewAnswer::kCounts), "limit does not apply to counts");
  EXPECT_HAS(ErrorOf({{"sort", "oldest", ""}}, ReviewAnswer::kCounts), "sort does not apply");
  // The CLI's spelling is named, not the grammar's.
  auto cli = ParseReviewRequest({{"q", "", "--search"}}, Defaults(true));
  ASSERT_FALSE(cli.has_value());
  EXPECT_HAS(cli.error().message(), "--search is empty");
  // A table only where the caller can print one.
  auto table = ParseReviewRequest({{"format", "TABLE", "--format"}}, Defaults(true));
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->format, Format::kTable);
}

// Team 1's reviews (team 2 has one more, never listed for team 1):
//   r1 app 111 asc us ★1 v2.0 2026-03-10T01:00:00Z "Crash, again" — a body with a comma,
//      quotes, a line break and non-ASCII; author Zoë; no response
//   r2 app 111 rss gb ★2 v2.0 2026-03-09T00:00:00Z "Too pricey" / "Nice idea"; no response
//   r3 app 222 rss us ★5 v1.0 2026-03-05T00:00:00Z "Great" / "Works great"; response published
//      2026-03-06T12:00:00Z "Thank you!"
class ReviewRenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::testing::OpenTestDatabase("orchard-review-request", &dir_);
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->Exec("INSERT INTO teams (id, name, created_at) VALUES (1, 'one', 0), "
                          "(2, 'two', 0)")
                    .ok());
    store_ = std::make_unique<store::sqlite::SqliteReviewStore>(db_, &clock_);
    const auto add = [&](int64_t team, const char* app, std::string_view source,
                         store::Review r) {
      auto done = store_->UpsertReviews(team, app, source, {r});
      ASSERT_TRUE(done.has_value()) << done.error().ToString();
      ids_.push_back(done->added_ids.at(0));
    };
    add(1, "111", store::kSourceAsc,
        R("r1", "us", 1, kMar10 + 3600, "Crash, again",
          "It \"crashes\",\nevery time — café", "2.0", "Zoë"));
    add(1, "111", store::kSourceRss, R("r2", "GB", 2, kMar10 - kDay, "Too pricey", "Nice idea",
                                       "2.0", "bob"));
    store::Review r3 = R("r3", "us", 5, kMar10 - 5 * kDay, "Great", "Works great", "1.0", "cat");
    r3.response = store::ReviewResponse{"resp-3", "Thank you!", "published",
                                        kMar10 - 4 * kDay + 12 * 3600};
    add(1, "222", store::kSourceRss, r3);
    add(2, "111", store::kSourceRss, R("x1", "us", 1, kMar10, "other team", "secret", "", "eve"));
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  static store::Review R(const char* id, const char* country, int rating, int64_t updated,
                         const char* title, const char* body, const char* version,
                         const char* author) {
    store::Review r;
    r.source_id = id;
    r.country = country;
    r.rating = rating;
    r.updated_at = updated;
    r.title = title;
    r.body = body;
    r.version = version;
    r.author = author;
    return r;
  }
  ReviewRequest Request(const Params& params, bool cli = false,
                        ReviewAnswer answer = ReviewAnswer::kList) {
    auto r = ParseReviewRequest(params, Defaults(cli), answer);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    ReviewRequest out = r.value_or(ReviewRequest{});
    out.query.team_id = 1;
    return out;
  }
  std::string List(const Params& params, bool cli = false) {
    const ReviewRequest request = Request(params, cli);
    auto page = store_->ListReviews(request.query);
    EXPECT_TRUE(page.has_value()) << page.error().ToString();
    return page.has_value() ? RenderReviews(request, *page) : "";
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(kMar10 + 7200))};
  std::filesystem::path dir_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::ReviewStore> store_;
  std::vector<int64_t> ids_;  // r1, r2, r3, x1
};

TEST_F(ReviewRenderTest, CsvHasTheContractColumnsAndQuotesWhatNeedsIt) {
  const std::string csv = List({{"format", "csv", ""}});
  const std::string i1 = std::to_string(ids_[0]), i2 = std::to_string(ids_[1]),
                    i3 = std::to_string(ids_[2]);
  EXPECT_EQ(csv,
            "id,app,country,rating,title,body,author,version,updated,reply_state\n" + i1 +
                ",111,us,1,\"Crash, again\",\"It \"\"crashes\"\",\nevery time — café\",Zoë,2.0,"
                "2026-03-10T01:00:00Z,none\n" +
                i2 + ",111,gb,2,Too pricey,Nice idea,bob,2.0,2026-03-09T00:00:00Z,none\n" + i3 +
                ",222,us,5,Great,Works great,cat,1.0,2026-03-05T00:00:00Z,published\n");
}

TEST_F(ReviewRenderTest, JsonIsOneDocumentWithTheNormalizedQueryAndEachResponse) {
  const std::string json = List({{"app", "222,111", ""}, {"limit", "2", ""}});
  const auto doc = nlohmann::json::parse(json);
  EXPECT_EQ(doc["query"]["app"], nlohmann::json::array({"111", "222"}));
  EXPECT_EQ(doc["total"], 3);
  EXPECT_EQ(doc["limit"], 2);
  EXPECT_EQ(doc["offset"], 0);
  ASSERT_EQ(doc["reviews"].size(), 2u);
  const auto& first = doc["reviews"][0];
  EXPECT_EQ(first["id"], ids_[0]);
  EXPECT_EQ(first["app"], "111");
  EXPECT_EQ(first["country"], "us");
  EXPECT_EQ(first["rating"], 1);
  EXPECT_EQ(first["title"], "Crash, again");
  EXPECT_EQ(first["body"], "It \"crashes\",\nevery time — café");
  EXPECT_EQ(first["author"], "Zoë");
  EXPECT_EQ(first["version"], "2.0");
  EXPECT_EQ(first["updated"], "2026-03-10T01:00:00Z");
  EXPECT_EQ(first["reply_state"], "none");
  EXPECT_EQ(first["source"], "asc");
  EXPECT_TRUE(first["response"].is_null());

  const std::string page2 = List({{"offset", "2", ""}});
  const auto doc2 = nlohmann::json::parse(page2);
  ASSERT_EQ(doc2["reviews"].size(), 1u);
  EXPECT_EQ(doc2["reviews"][0]["response"],
            (nlohmann::json{{"body", "Thank you!"},
                            {"state", "published"},
                            {"updated", "2026-03-06T12:00:00Z"}}));
  EXPECT_EQ(json.back(), '\n');
}

TEST_F(ReviewRenderTest, FiltersReachTheStoreAndOtherTeamsStayOut) {
  const auto ids_of = [&](const Params& params) {
    std::vector<int64_t> out;
    const auto doc = nlohmann::json::parse(List(params));
    for (const auto& r : doc["reviews"]) out.push_back(r["id"]);
    return out;
  };
  EXPECT_EQ(ids_of({{"unreplied", "", ""}, {"rating", "1,2", ""}}),
            (std::vector<int64_t>{ids_[0], ids_[1]}));
  EXPECT_EQ(ids_of({{"replied", "", ""}}), (std::vector<int64_t>{ids_[2]}));
  EXPECT_EQ(ids_of({{"country", "GB", ""}}), (std::vector<int64_t>{ids_[1]}));
  EXPECT_EQ(ids_of({{"from", "2026-03-09", ""}, {"to", "2026-03-09", ""}}),
            (std::vector<int64_t>{ids_[1]}));
  EXPECT_EQ(ids_of({{"to", "2026-03-09", ""}, {"sort", "oldest", ""}}),
            (std::vector<int64_t>{ids_[2], ids_[1]}));
  EXPECT_EQ(ids_of({{"q", "CAFE", ""}}), (std::vector<int64_t>{ids_[0]}));
  EXPECT_EQ(ids_of({{"source", "rss", ""}, {"sort", "-rating", ""}}),
            (std::vector<int64_t>{ids_[2], ids_[1]}));
  EXPECT_EQ(ids_of({{"version", "1.0", ""}}), (std::vector<int64_t>{ids_[2]}));
  EXPECT_EQ(ids_of({{"q", "secret", ""}}), (std::vector<int64_t>{}));
}

TEST_F(ReviewRenderTest, TheTableFitsATerminalAndSaysWhereTheNextPageIs) {
  const std::string table = List({{"limit", "2", ""}}, /*cli=*/true);
  EXPECT_EQ(table.substr(0, table.find('\n')).find("id"), 0u);
  EXPECT_HAS(table, "It \"crashes\", every time — café");  // the line break as a space
  EXPECT_EQ(table.find("crashes\",\n"), std::string::npos);
  EXPECT_HAS(table, "2 of 3 reviews (next page: --offset 2)\n");
  // Long text is shortened to 60 characters (59 and an ellipsis), never inside a character.
  std::string body;
  for (int i = 0; i < 70; ++i) body += "é";
  ASSERT_TRUE(store_->UpsertReviews(1, "333", store::kSourceRss,
                                    {R("long", "de", 3, kMar10 - 20 * kDay, "t", body.c_str(),
                                       "", "a")})
                  .has_value());
  const std::string shortened = List({{"app", "333", ""}}, true);
  std::string expected;
  for (int i = 0; i < 59; ++i) expected += "é";
  EXPECT_HAS(shortened, expected + "…");
  EXPECT_EQ(shortened.find(expected + "é"), std::string::npos);
}

TEST_F(ReviewRenderTest, CountsByRatingCountryAndVersion) {
  const ReviewRequest request = Request({}, false, ReviewAnswer::kCounts);
  auto counts = store_->CountReviews(request.query);
  ASSERT_TRUE(counts.has_value()) << counts.error().ToString();
  EXPECT_EQ(RenderReviewCounts(request, *counts),
            R"({"query":{"app":[],"country":[],"rating":[],"version":[],"from":null,"to":null,)"
            R"("reply_state":[],"q":null,"source":null,"format":"json"},"total":3,)"
            R"("by_rating":{"1":1,"2":1,"3":0,"4":0,"5":1},"by_country":{"gb":1,"us":2},)"
            R"("by_version":{"1.0":1,"2.0":2}})"
            "\n");
  ReviewRequest csv = Request({{"format", "csv", ""}, {"app", "111", ""}}, false,
                              ReviewAnswer::kCounts);
  auto app111 = store_->CountReviews(csv.query);
  ASSERT_TRUE(app111.has_value());
  EXPECT_EQ(RenderReviewCounts(csv, *app111),
            "dimension,value,count\ntotal,,2\nrating,1,1\nrating,2,1\nrating,3,0\nrating,4,0\n"
            "rating,5,0\ncountry,gb,1\ncountry,us,1\nversion,2.0,2\n");
}

TEST_F(ReviewRenderTest, ShowCarriesTheHistoryOfAnEditedReview) {
  // The author edits r2 a day later: rating 2 → 4, new text.
  ASSERT_TRUE(store_->UpsertReviews(1, "111", store::kSourceRss,
                                    {R("r2", "gb", 4, kMar10, "Worth it", "Changed my mind",
                                       "2.1", "bob")})
                  .has_value());
  auto detail = store_->GetReview(1, ids_[1]);
  ASSERT_TRUE(detail.has_value());
  const auto doc = ReviewDetailJson(*detail);
  EXPECT_EQ(doc["rating"], 4);
  EXPECT_EQ(doc["updated"], "2026-03-10T00:00:00Z");
  EXPECT_EQ(doc["created"], "2026-03-09T00:00:00Z");
  ASSERT_EQ(doc["history"].size(), 1u);
  EXPECT_EQ(doc["history"][0]["rating"], 2);
  EXPECT_EQ(doc["history"][0]["title"], "Too pricey");
  EXPECT_EQ(doc["history"][0]["updated"], "2026-03-09T00:00:00Z");
  const std::string text = RenderReviewDetailText(*detail);
  EXPECT_HAS(text, "Worth it\nChanged my mind\n");
  EXPECT_HAS(text, "Earlier versions (oldest first):\n- 2026-03-09T00:00:00Z rating 2, version 2.0");
  EXPECT_HAS(text, "No response yet.");
}

TEST(RatingsRequestTest, ParsesAndRendersWithTwoDecimals) {
  auto r = ParseRatingsRequest({{"app", "111", ""},
                                {"country", "WW,us", ""},
                                {"from", "2026-03-01", ""},
                                {"to", "-1d", ""},
                                {"format", "csv", ""}},
                               Defaults());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->countries, (std::vector<std::string>{"us", "ww"}));
  EXPECT_EQ(NormalizedRatingsQuery(*r).dump(),
            R"({"app":"111","country":["us","ww"],"from":"2026-03-01","to":"2026-03-09",)"
            R"("format":"csv"})");
  store::RatingSnapshot s;
  s.app_id = "111";
  s.country = "us";
  s.day = D("2026-03-02");
  s.average_x100 = 460;
  s.count = 10;
  s.histogram = {1, 0, 2, 3, 4};
  store::RatingSnapshot w = s;
  w.country = "ww";
  w.average_x100 = 467;
  w.count = 3;
  w.histogram = {0, 0, 0, 1, 2};
  EXPECT_EQ(RenderRatings(*r, {s, w}),
            "app,country,day,average,count,one_star,two_star,three_star,four_star,five_star\n"
            "111,us,2026-03-02,4.60,10,1,0,2,3,4\n"
            "111,ww,2026-03-02,4.67,3,0,0,0,1,2\n");
  r->format = Format::kJson;
  const std::string json = RenderRatings(*r, {s});
  EXPECT_HAS(json, R"("rows":[{"app":"111","country":"us","day":"2026-03-02","average":4.60,)"
                   R"("count":10,"one_star":1,"two_star":0,"three_star":2,"four_star":3,)"
                   R"("five_star":4}]})");
  EXPECT_TRUE(nlohmann::json::parse(json, nullptr, false).is_object());

  auto missing = ParseRatingsRequest({{"country", "us", ""}}, Defaults());
  ASSERT_FALSE(missing.has_value());
  EXPECT_HAS(missing.error().message(), "app is required");
  auto two = ParseRatingsRequest({{"app", "1,2", ""}}, Defaults());
  ASSERT_FALSE(two.has_value());
  EXPECT_HAS(two.error().message(), "one app at a time");
  auto unknown = ParseRatingsRequest({{"app", "1", ""}, {"rating", "1", ""}}, Defaults());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_HAS(unknown.error().message(), "unknown parameter 'rating'");
}

TEST(AppRefTest, IdsAndAppStoreUrls) {
  EXPECT_EQ(*ParseAppRef("123456789"), "123456789");
  EXPECT_EQ(*ParseAppRef(" id123456789 "), "123456789");
  EXPECT_EQ(*ParseAppRef("https://apps.apple.com/us/app/some-name/id123456789"), "123456789");
  EXPECT_EQ(*ParseAppRef("https://apps.apple.com/gb/app/name/id987?l=en&mt=8"), "987");
  EXPECT_EQ(*ParseAppRef("HTTPS://Apps.Apple.com/app/id55#reviews"), "55");
  EXPECT_EQ(*ParseAppRef("https://itunes.apple.com/us/app/id42?mt=8"), "42");
  for (const char* bad : {"", "com.example.app", "id", "12a", "https://example.com/app/id123",
                          "ftp://apps.apple.com/us/app/id1", "https://apps.apple.com/us/app/name",
                          "https://apps.apple.com.evil.example/app/id1", "apps.apple.com/app/id1"}) {
    auto r = ParseAppRef(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r.has_value()) {
      EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
      EXPECT_HAS(r.error().message(), "App Store id");
    }
  }
}

TEST(AppRefTest, StorefrontsAreAllOrKnownCodes) {
  EXPECT_EQ(*ParseStorefronts("all", "--countries"), std::vector<std::string>{});
  EXPECT_EQ(*ParseStorefronts("ALL", "--countries"), std::vector<std::string>{});
  EXPECT_EQ(*ParseStorefronts("US, gb,us", "--countries"), (std::vector<std::string>{"gb", "us"}));
  auto bad = ParseStorefronts("us,qq", "--countries");
  ASSERT_FALSE(bad.has_value());
  EXPECT_HAS(bad.error().message(), "--countries: 'qq' is not an App Store storefront");
  EXPECT_FALSE(ParseStorefronts("", "--countries").has_value());
  EXPECT_FALSE(ParseStorefronts("ww", "--countries").has_value()) << "worldwide is no storefront";
}

}  // namespace
}  // namespace orchard::reports
