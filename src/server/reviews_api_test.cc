// The reviews, ratings and tracked-apps endpoints through real HTTP on loopback, with a
// temporary SQLite data dir and a fake clock. Replies reaching Apple are tested against the
// sandbox in accounts/review_replies_test.cc and in api_server_test.cc's authorization matrix;
// here the opener must never be called (every reply is refused before Apple).
//
// Expected values are worked out by hand from the fixture below.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "server/api_server.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "store/sqlite/sqlite_review_store.h"

namespace orchard::server {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int64_t kMar10 = 1773100800;  // 2026-03-10T00:00:00Z
constexpr int64_t kDay = 86400;

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  Json Parsed() const { return Json::parse(body, nullptr, false); }
  std::string Message() const { return ErrorField("message"); }
  std::string ErrorCode() const { return ErrorField("code"); }
  // A field of {"error":{…}} ("" when absent). Looked up with find(): `j["error"].value(…)` on a
  // const json trips GCC 12's -Wnull-dereference at -O3 (a false positive) in Release builds.
  std::string ErrorField(const char* name) const {
    const Json j = Parsed();
    const auto error = j.is_object() ? j.find("error") : j.end();
    if (error == j.end() || !error->is_object()) return "";
    const auto field = error->find(name);
    return field != error->end() && field->is_string() ? field->get<std::string>() : "";
  }
};

// Team alpha:
//   a1 app 111 asc us ★1 v2.0 2026-03-10T01:00:00Z "Crashes, always" / "Crashes on launch, \"always\""
//   a2 app 111 rss gb ★2 v2.0 2026-03-09T00:00:00Z "Pricey" / "Too expensive"
//   a3 app 222 rss us ★5 v1.0 2026-03-05T00:00:00Z "Great" / "Love it"; response published
//   rating snapshots of app 111: us 2026-03-01 (4.10, 20: 2,1,1,4,12) and 2026-03-02
//   (4.25, 24), ww 2026-03-02 (3.99, 100)
// Team bravo: b1 app 111 rss us ★1 "bravo secret" — never visible to alpha.
class ReviewsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("orchard-reviews-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto db = store::sqlite::Database::Open(dir_ / "orchard.db");
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, &clock_);
    access_ = std::make_unique<store::sqlite::SqliteAccessStore>(db_, &clock_);
    reviews_ = std::make_unique<store::sqlite::SqliteReviewStore>(db_, &clock_);
    alpha_ = access_->CreateTeam("alpha team")->id;
    bravo_ = access_->CreateTeam("bravo team")->id;
    viewer_ = Member(alpha_, "viewer@alpha.example", store::Role::kViewer);
    admin_ = Member(alpha_, "admin@alpha.example", store::Role::kAdmin);
    bravo_admin_ = Member(bravo_, "admin@bravo.example", store::Role::kAdmin);

    a1_ = Add(alpha_, "111", store::kSourceAsc,
              R("a1", "us", 1, kMar10 + 3600, "Crashes, always", "Crashes on launch, \"always\"",
                "2.0"));
    a2_ = Add(alpha_, "111", store::kSourceRss,
              R("a2", "gb", 2, kMar10 - kDay, "Pricey", "Too expensive", "2.0"));
    store::Review a3 = R("a3", "us", 5, kMar10 - 5 * kDay, "Great", "Love it", "1.0");
    a3.response = store::ReviewResponse{"r3", "Thanks!", "published", kMar10 - 4 * kDay};
    a3_ = Add(alpha_, "222", store::kSourceRss, a3);
    b1_ = Add(bravo_, "111", store::kSourceRss,
              R("b1", "us", 1, kMar10, "bravo secret", "bravo only", "2.0"));
    store::RatingSnapshot s;
    s.app_id = "111";
    s.country = "us";
    s.day = *Date::ParseIso("2026-03-01");
    s.average_x100 = 410;
    s.count = 20;
    s.histogram = {2, 1, 1, 4, 12};
    store::RatingSnapshot s2 = s;
    s2.day = *Date::ParseIso("2026-03-02");
    s2.average_x100 = 425;
    s2.count = 24;
    s2.histogram = {2, 1, 1, 5, 15};
    store::RatingSnapshot w = s2;
    w.country = "ww";
    w.average_x100 = 399;
    w.count = 100;
    w.histogram = {10, 5, 10, 20, 55};
    ASSERT_TRUE(reviews_->PutRatingSnapshots(alpha_, {s, s2, w}).ok());
    store::RatingSnapshot other = s;
    other.average_x100 = 100;
    ASSERT_TRUE(reviews_->PutRatingSnapshots(bravo_, {other}).ok());
    StartServer(false);
  }

  void TearDown() override {
    server_.reset();
    reviews_.reset();
    access_.reset();
    meta_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  void StartServer(bool sealed) {
    server_.reset();
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    ServerDeps deps{meta_.get(), access_.get(), nullptr, &clock_, sealed};
    deps.reviews = reviews_.get();
    deps.open_asc = [this](const store::LinkedAccount&)
        -> Result<std::shared_ptr<apple::asc::AscClient>> {
      ++opened_;
      return Error(Code::kUnavailable, "no Apple in this test");
    };
    server_ = std::make_unique<ApiServer>(deps, options);
    ASSERT_TRUE(server_->Start().ok());
  }

  static store::Review R(const char* id, const char* country, int rating, int64_t updated,
                         const char* title, const char* body, const char* version) {
    store::Review r;
    r.source_id = id;
    r.country = country;
    r.rating = rating;
    r.updated_at = updated;
    r.title = title;
    r.body = body;
    r.version = version;
    r.author = "someone";
    return r;
  }
  int64_t Add(int64_t team, const char* app, std::string_view source, const store::Review& r) {
    auto done = reviews_->UpsertReviews(team, app, source, {r});
    EXPECT_TRUE(done.has_value()) << done.error().ToString();
    return done.has_value() ? done->added_ids.at(0) : 0;
  }

  std::string Member(int64_t team, const std::string& email, store::Role role) {
    auto user = access_->CreateUser(email, "$argon2id$unused");
    EXPECT_TRUE(user.has_value()) << user.error().ToString();
    EXPECT_TRUE(access_->PutMembership(team, user->id, role).ok());
    const std::string raw = NewOpaqueToken("orc_");
    store::ApiToken t;
    t.token_hash = TokenHash(raw);
    t.prefix = raw.substr(0, 8);
    t.user_id = user->id;
    t.team_id = team;
    t.name = email;
    t.created_at = clock_.NowSeconds();
    EXPECT_TRUE(access_->CreateToken(t).has_value());
    return raw;
  }

  Reply Send(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = "") {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(60, 0);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    if (!body.empty()) req.set_header("Content-Type", "application/json");
    req.set_header("Authorization", "Bearer " + token);
    auto res = client.send(req);
    Reply r;
    if (!res) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return r;
    }
    r.status = res->status;
    r.body = res->body;
    r.headers = res->headers;
    return r;
  }
  Reply Get(const std::string& path, const std::string& token) { return Send("GET", path, token); }
  std::vector<int64_t> Ids(const Reply& r) {
    std::vector<int64_t> out;
    const Json j = r.Parsed();
    EXPECT_TRUE(j.is_object() && j.contains("reviews")) << r.status << " " << r.body;
    if (!j.is_object() || !j.contains("reviews")) return out;
    for (const auto& item : j["reviews"]) out.push_back(item["id"].get<int64_t>());
    return out;
  }

  fs::path dir_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(kMar10 + 7200))};
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteAccessStore> access_;
  std::unique_ptr<store::sqlite::SqliteReviewStore> reviews_;
  std::unique_ptr<ApiServer> server_;
  int64_t alpha_ = 0, bravo_ = 0;
  std::string viewer_, admin_, bravo_admin_;
  int64_t a1_ = 0, a2_ = 0, a3_ = 0, b1_ = 0;
  int opened_ = 0;
};

using V = std::vector<int64_t>;

TEST_F(ReviewsApiTest, TheInboxListsOnlyTheTeamsReviewsWithFilters) {
  EXPECT_EQ(Ids(Get("/api/v1/reviews", viewer_)), (V{a1_, a2_, a3_}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?unreplied&rating=1,2", viewer_)), (V{a1_, a2_}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?replied=true", viewer_)), (V{a3_}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?app=111&country=GB", viewer_)), (V{a2_}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?q=crashes", viewer_)), (V{a1_}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?q=bravo", viewer_)), (V{}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?from=2026-03-05&to=2026-03-09&sort=oldest", viewer_)),
            (V{a3_, a2_}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?sort=-rating&limit=1&offset=1", viewer_)), (V{a2_}));
  EXPECT_EQ(Ids(Get("/api/v1/reviews?from=-1d", viewer_)), (V{a1_, a2_}));  // since 03-09
  EXPECT_EQ(Ids(Get("/api/v1/reviews", bravo_admin_)), (V{b1_}));

  const Reply page = Get("/api/v1/reviews?limit=2", viewer_);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("Content-Type").rfind("application/json", 0), 0u) << page.Header("Content-Type");
  const Json doc = page.Parsed();
  EXPECT_EQ(doc["total"], 3);
  EXPECT_EQ(doc["limit"], 2);
  EXPECT_EQ(doc["query"]["limit"], 2);
  EXPECT_EQ(doc["reviews"][0]["updated"], "2026-03-10T01:00:00Z");
  EXPECT_EQ(doc["reviews"][0]["source"], "asc");
  EXPECT_EQ(page.body.find("bravo"), std::string::npos);
}

TEST_F(ReviewsApiTest, CsvIsTheContractColumnsAsAnAttachment) {
  const Reply r = Get("/api/v1/reviews?app=111&format=csv", viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.Header("Content-Disposition"), "attachment; filename=\"reviews.csv\"");
  EXPECT_EQ(r.body, "id,app,country,rating,title,body,author,version,updated,reply_state\n" +
                        std::to_string(a1_) +
                        ",111,us,1,\"Crashes, always\",\"Crashes on launch, \"\"always\"\"\","
                        "someone,2.0,2026-03-10T01:00:00Z,none\n" +
                        std::to_string(a2_) +
                        ",111,gb,2,Pricey,Too expensive,someone,2.0,2026-03-09T00:00:00Z,none\n");
}

TEST_F(ReviewsApiTest, BadParametersAre400sNamingTheParameter) {
  for (const auto& [path, needle] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/reviews?stars=1", "unknown parameter 'stars'"},
           {"/api/v1/reviews?rating=7", "rating: '7' is not a star rating"},
           {"/api/v1/reviews?limit=5000", "limit"},
           {"/api/v1/reviews?format=table", "format: unknown format 'table'"},
           {"/api/v1/reviews?reply_state=maybe", "reply_state"},
           {"/api/v1/reviews/counts?limit=5", "limit does not apply to counts"},
           {"/api/v1/ratings", "app is required"},
           {"/api/v1/ratings?app=111&country=xyz", "country: 'xyz'"}}) {
    const Reply r = Get(path, viewer_);
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid_argument") << path;
    EXPECT_NE(r.Message().find(needle), std::string::npos) << path << ": " << r.Message();
  }
}

TEST_F(ReviewsApiTest, CountsByRatingCountryAndVersion) {
  const Reply r = Get("/api/v1/reviews/counts?app=111,222", viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = r.Parsed();
  EXPECT_EQ(doc["total"], 3);
  EXPECT_EQ(doc["by_rating"], (Json{{"1", 1}, {"2", 1}, {"3", 0}, {"4", 0}, {"5", 1}}));
  EXPECT_EQ(doc["by_country"], (Json{{"gb", 1}, {"us", 2}}));
  EXPECT_EQ(doc["by_version"], (Json{{"1.0", 1}, {"2.0", 2}}));
  EXPECT_EQ(Get("/api/v1/reviews/counts", bravo_admin_).Parsed()["total"], 1);
}

TEST_F(ReviewsApiTest, OneReviewWithItsHistoryAndAnotherTeamsIdIs404) {
  ASSERT_TRUE(reviews_->UpsertReviews(alpha_, "111", store::kSourceRss,
                                      {R("a2", "gb", 3, kMar10, "Better", "Fair price now", "2.1")})
                  .has_value());
  const Reply r = Get("/api/v1/reviews/" + std::to_string(a2_), viewer_);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = r.Parsed();
  EXPECT_EQ(doc["rating"], 3);
  EXPECT_EQ(doc["title"], "Better");
  ASSERT_EQ(doc["history"].size(), 1u);
  EXPECT_EQ(doc["history"][0]["title"], "Pricey");
  EXPECT_EQ(doc["history"][0]["rating"], 2);

  const Reply response = Get("/api/v1/reviews/" + std::to_string(a3_), viewer_);
  EXPECT_EQ(response.Parsed()["response"]["body"], "Thanks!");
  EXPECT_EQ(response.Parsed()["reply_state"], "published");

  for (const std::string& path : {"/api/v1/reviews/" + std::to_string(b1_),
                                  std::string("/api/v1/reviews/abc"),
                                  std::string("/api/v1/reviews/99999")}) {
    const Reply other = Get(path, viewer_);
    EXPECT_EQ(other.status, 404) << path << ": " << other.body;
    EXPECT_EQ(other.body.find("bravo"), std::string::npos);
  }
}

TEST_F(ReviewsApiTest, RepliesNeedAnAdminABodyAndAnAnswerableReview) {
  const std::string a1 = "/api/v1/reviews/" + std::to_string(a1_) + "/response";
  const std::string a2 = "/api/v1/reviews/" + std::to_string(a2_) + "/response";
  const std::string b1 = "/api/v1/reviews/" + std::to_string(b1_) + "/response";
  const std::string body = Json{{"body", "Thanks for the review!"}}.dump();

  EXPECT_EQ(Send("PUT", a1, viewer_, body).status, 403);
  EXPECT_EQ(Send("DELETE", a1, viewer_).status, 403);
  EXPECT_EQ(Send("PUT", b1, admin_, body).status, 404);
  EXPECT_EQ(Send("DELETE", b1, admin_).status, 404);

  Reply empty = Send("PUT", a1, admin_, Json{{"body", "  "}}.dump());
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_NE(empty.Message().find("body is empty"), std::string::npos) << empty.body;
  EXPECT_EQ(Send("PUT", a1, admin_, "{}").status, 400);
  Reply unknown = Send("PUT", a1, admin_, Json{{"text", "hi"}}.dump());
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.Message().find("unknown field text"), std::string::npos) << unknown.body;
  EXPECT_EQ(Send("PUT", a1, admin_, "not json").status, 400);

  // A review from the public feed cannot be answered.
  Reply feed = Send("PUT", a2, admin_, body);
  EXPECT_EQ(feed.status, 409) << feed.body;
  EXPECT_NE(feed.Message().find("public App Store feed"), std::string::npos) << feed.body;
  // An App Store Connect review of an app no linked account has.
  Reply orphan = Send("PUT", a1, admin_, body);
  EXPECT_EQ(orphan.status, 409) << orphan.body;
  EXPECT_NE(orphan.Message().find("not in the catalog"), std::string::npos) << orphan.body;
  EXPECT_EQ(opened_, 0);
  EXPECT_FALSE(reviews_->GetReview(alpha_, a1_)->review.response.has_value());
}

TEST_F(ReviewsApiTest, ASealedServerSaysWhyItCannotReply) {
  StartServer(/*sealed=*/true);
  const std::string a1 = "/api/v1/reviews/" + std::to_string(a1_) + "/response";
  Reply r = Send("PUT", a1, admin_, Json{{"body", "Thanks"}}.dump());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.Message().find("sealed"), std::string::npos) << r.body;
  EXPECT_EQ(Send("DELETE", a1, admin_).status, 503);
  EXPECT_EQ(Get("/api/v1/reviews", viewer_).status, 200) << "reading works while sealed";
  EXPECT_EQ(opened_, 0);
}

TEST_F(ReviewsApiTest, RatingsPerStorefrontAndWorldwide) {
  const Reply csv = Get("/api/v1/ratings?app=111&format=csv", viewer_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("Content-Disposition"), "attachment; filename=\"ratings-111.csv\"");
  EXPECT_EQ(csv.body,
            "app,country,day,average,count,one_star,two_star,three_star,four_star,five_star\n"
            "111,us,2026-03-01,4.10,20,2,1,1,4,12\n"
            "111,us,2026-03-02,4.25,24,2,1,1,5,15\n"
            "111,ww,2026-03-02,3.99,100,10,5,10,20,55\n");
  const Reply ww = Get("/api/v1/ratings?app=111&country=WW&from=2026-03-02&to=2026-03-02", viewer_);
  ASSERT_EQ(ww.status, 200) << ww.body;
  EXPECT_NE(ww.body.find(R"("rows":[{"app":"111","country":"ww","day":"2026-03-02","average":3.99,)"),
            std::string::npos)
      << ww.body;
  const Json doc = ww.Parsed();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["rows"].size(), 1u);
  EXPECT_EQ(Get("/api/v1/ratings?app=111&from=2026-03-02", bravo_admin_).Parsed()["rows"].size(),
            0u);
}

TEST_F(ReviewsApiTest, TrackingAppsByIdOrUrl) {
  const std::string url = "https://apps.apple.com/us/app/some-game/id555000111?l=en";
  EXPECT_EQ(Send("POST", "/api/v1/apps/tracked", viewer_, Json{{"app", url}}.dump()).status, 403);
  Reply created = Send("POST", "/api/v1/apps/tracked", admin_,
                       Json{{"app", url}, {"countries", Json::array({"US", "gb"})}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Parsed()["app"], "555000111");
  EXPECT_EQ(created.Parsed()["countries"], Json::array({"gb", "us"}));
  EXPECT_EQ(created.Parsed()["all_countries"], false);
  Reply changed = Send("POST", "/api/v1/apps/tracked", admin_,
                       Json{{"app", "555000111"}, {"countries", "all"}}.dump());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Parsed()["all_countries"], true);

  for (const Json& bad : {Json{{"app", "https://example.com/app/id1"}},
                          Json{{"app", "555"}, {"countries", Json::array()}},
                          Json{{"app", "555"}, {"countries", Json::array({"usa"})}},
                          Json{{"app", "555"}, {"countries", 3}},
                          Json{{"app", "555"}, {"storefronts", "all"}}, Json::object()}) {
    Reply r = Send("POST", "/api/v1/apps/tracked", admin_, bad.dump());
    EXPECT_EQ(r.status, 400) << bad.dump() << ": " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid_argument") << bad.dump();
  }

  Reply list = Get("/api/v1/apps/tracked", viewer_);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Parsed()["apps"].size(), 1u);
  EXPECT_EQ(list.Parsed()["apps"][0]["app"], "555000111");
  EXPECT_EQ(Get("/api/v1/apps/tracked", bravo_admin_).Parsed()["apps"].size(), 0u);

  EXPECT_EQ(Send("DELETE", "/api/v1/apps/tracked/555000111", viewer_).status, 403);
  EXPECT_EQ(Send("DELETE", "/api/v1/apps/tracked/555000111", bravo_admin_).status, 404);
  EXPECT_EQ(Send("DELETE", "/api/v1/apps/tracked/555000111", admin_).status, 200);
  EXPECT_EQ(Send("DELETE", "/api/v1/apps/tracked/555000111", admin_).status, 404);
  EXPECT_EQ(Send("DELETE", "/api/v1/apps/tracked/not-an-id", admin_).status, 404);

  int tracks = 0;
  for (const auto& e : access_->ListAudit(alpha_, 50).value_or(std::vector<store::AuditEvent>{})) {
    tracks += e.action == "app.track" || e.action == "app.untrack" ? 1 : 0;
  }
  EXPECT_EQ(tracks, 3);  // two tracks (one a change of storefronts), one untrack
}

}  // namespace
}  // namespace orchard::server
