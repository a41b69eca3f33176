// ReviewStore on SQLite. Expected values are worked out by hand from the fixture below.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/clock.h"
#include "store/testing/test_database.h"
#include "store/review_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_review_store.h"

namespace orchard::store {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr int64_t kDay = 86'400;

// The fixture, team 1 (newest first):
//   a1  app 111 rss us ★1 v2.0  now-1d   "Crashes on launch" / "The app crashes every time I open it"
//   a2  app 111 rss gb ★2 v2.0  now-2d   "Too expensive" / "Nice idea but the price is too high"
//   a4  app 111 rss de ★4 v1.9  now-3d   "Sehr gut" / "Schöne App, café approved"
//   b1  app 222 rss us ★2 v3.1  now-5d   "Slow sync" / "Sync is slow"
//   c1  app 111 asc us ★3 (none) now-10d "Okay" / "It is okay"   response published at now-9d
//   a3  app 111 rss us ★5 v1.9  now-40d  "Great app" / "Works great, never crashes"
class ReviewStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenTestDatabase("orchard-reviews", &dir_);
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->Exec("INSERT INTO teams (id, name, created_at) VALUES (1, 'one', 0), "
                          "(2, 'two', 0)")
                    .ok());
    store_ = std::make_unique<sqlite::SqliteReviewStore>(db_, &clock_);
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Review R(const char* id, const char* country, int rating, int64_t updated,
                  const char* title, const char* body, const char* version = "",
                  const char* author = "someone") {
    Review r;
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
  static std::vector<Review> App111Rss() {
    return {R("a1", "us", 1, kNow - 1 * kDay, "Crashes on launch",
              "The app crashes every time I open it", "2.0", "ann"),
            R("a2", "gb", 2, kNow - 2 * kDay, "Too expensive",
              "Nice idea but the price is too high", "2.0", "bob"),
            R("a3", "us", 5, kNow - 40 * kDay, "Great app", "Works great, never crashes", "1.9",
              "cat"),
            R("a4", "de", 4, kNow - 3 * kDay, "Sehr gut", "Schöne App, café approved", "1.9",
              "dan")};
  }

  void Seed() {
    auto a = store_->UpsertReviews(1, "111", kSourceRss, App111Rss());
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    auto b = store_->UpsertReviews(
        1, "222", kSourceRss, {R("b1", "US", 2, kNow - 5 * kDay, "Slow sync", "Sync is slow", "3.1")});
    ASSERT_TRUE(b.has_value()) << b.error().ToString();
    Review c = R("c1", "us", 3, kNow - 10 * kDay, "Okay", "It is okay");
    c.response = ReviewResponse{"resp-c1", "Thanks!", "published", kNow - 9 * kDay};
    auto asc = store_->UpsertReviews(1, "111", kSourceAsc, {c});
    ASSERT_TRUE(asc.has_value()) << asc.error().ToString();
  }

  // Orchard's id of a stored review of team 1.
  int64_t IdOf(const char* source_id) {
    ReviewQuery q;
    q.team_id = 1;
    q.limit = 1000;
    auto page = store_->ListReviews(q);
    EXPECT_TRUE(page.has_value());
    for (const auto& r : page->reviews) {
      if (r.source_id == source_id) return r.id;
    }
    ADD_FAILURE() << "no review " << source_id;
    return 0;
  }

  // The source ids a query lists, in order.
  std::vector<std::string> Ids(ReviewQuery q, int64_t* total = nullptr) {
    if (q.team_id == 0) q.team_id = 1;
    auto page = store_->ListReviews(q);
    EXPECT_TRUE(page.has_value()) << page.error().ToString();
    if (!page.has_value()) return {};
    if (total != nullptr) *total = page->total;
    std::vector<std::string> out;
    for (const auto& r : page->reviews) out.push_back(r.source_id);
    return out;
  }
  std::vector<std::string> Search(const std::string& text) {
    ReviewQuery q;
    q.text = text;
    q.sort = ReviewSort::kOldest;
    return Ids(q);
  }

  using V = std::vector<std::string>;

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(kNow))};
  std::filesystem::path dir_;
  std::shared_ptr<sqlite::Database> db_;
  std::unique_ptr<ReviewStore> store_;
};

TEST_F(ReviewStoreTest, UpsertCountsNewUpdatedAndUnchanged) {
  auto first = store_->UpsertReviews(1, "111", kSourceRss, App111Rss());
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->added, 4);
  EXPECT_EQ(first->updated, 0);
  EXPECT_EQ(first->unchanged, 0);
  EXPECT_EQ(first->added_ids.size(), 4u);

  auto again = store_->UpsertReviews(1, "111", kSourceRss, App111Rss());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, 4);

  auto reviews = App111Rss();
  reviews[0].rating = 3;
  reviews[0].updated_at = kNow;
  reviews[1].author = "bob2";  // a detail change: updated, but no history
  reviews.push_back(R("a5", "fr", 5, kNow, "Super", "Très bien"));
  auto mixed = store_->UpsertReviews(1, "111", kSourceRss, reviews);
  ASSERT_TRUE(mixed.has_value());
  EXPECT_EQ(mixed->added, 1);
  EXPECT_EQ(mixed->updated, 2);
  EXPECT_EQ(mixed->unchanged, 2);
  auto b = store_->GetReview(1, IdOf("a2"));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->review.author, "bob2");
  EXPECT_TRUE(b->history.empty());
}

TEST_F(ReviewStoreTest, StoredFieldsReadBack) {
  Seed();
  auto d = store_->GetReview(1, IdOf("b1"));
  ASSERT_TRUE(d.has_value()) << d.error().ToString();
  const Review& r = d->review;
  EXPECT_EQ(r.app_id, "222");
  EXPECT_EQ(r.source, "rss");
  EXPECT_EQ(r.country, "us");  // stored lower-case
  EXPECT_EQ(r.rating, 2);
  EXPECT_EQ(r.title, "Slow sync");
  EXPECT_EQ(r.body, "Sync is slow");
  EXPECT_EQ(r.author, "someone");
  EXPECT_EQ(r.version, "3.1");
  EXPECT_EQ(r.created_at, kNow - 5 * kDay);  // 0 on input → updated_at
  EXPECT_EQ(r.updated_at, kNow - 5 * kDay);
  EXPECT_EQ(r.first_seen_at, kNow);
  EXPECT_FALSE(r.response.has_value());
  EXPECT_EQ(r.reply_state, ReplyState::kNone);

  auto c = store_->GetReview(1, IdOf("c1"));
  ASSERT_TRUE(c.has_value());
  ASSERT_TRUE(c->review.response.has_value());
  EXPECT_EQ(c->review.response->id, "resp-c1");
  EXPECT_EQ(c->review.response->body, "Thanks!");
  EXPECT_EQ(c->review.response->state, "published");
  EXPECT_EQ(c->review.response->updated_at, kNow - 9 * kDay);
  EXPECT_EQ(c->review.reply_state, ReplyState::kPublished);
}

TEST_F(ReviewStoreTest, EditedReviewUpdatesInPlaceAndKeepsHistory) {
  Seed();
  const int64_t id = IdOf("a1");
  clock_.Advance(std::chrono::hours(1));
  auto edit = store_->UpsertReviews(
      1, "111", kSourceRss, {R("a1", "us", 4, kNow, "Fixed", "Works now after the update", "2.1", "ann")});
  ASSERT_TRUE(edit.has_value());
  EXPECT_EQ(edit->updated, 1);
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(store_->UpsertReviews(1, "111", kSourceRss,
                                    {R("a1", "us", 5, kNow + 60, "Fixed!", "Perfect", "2.1", "ann")})
                  .has_value());

  auto d = store_->GetReview(1, id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->review.id, id);  // in place
  EXPECT_EQ(d->review.rating, 5);
  EXPECT_EQ(d->review.title, "Fixed!");
  EXPECT_EQ(d->review.updated_at, kNow + 60);
  EXPECT_EQ(d->review.created_at, kNow - kDay);  // the first version's date
  ASSERT_EQ(d->history.size(), 2u);
  EXPECT_EQ(d->history[0].rating, 1);
  EXPECT_EQ(d->history[0].title, "Crashes on launch");
  EXPECT_EQ(d->history[0].body, "The app crashes every time I open it");
  EXPECT_EQ(d->history[0].version, "2.0");
  EXPECT_EQ(d->history[0].updated_at, kNow - kDay);
  EXPECT_EQ(d->history[0].replaced_at, kNow + 3600);
  EXPECT_EQ(d->history[1].rating, 4);
  EXPECT_EQ(d->history[1].updated_at, kNow);
  EXPECT_EQ(d->history[1].replaced_at, kNow + 7200);

  // The text index follows the edit.
  EXPECT_EQ(Search("crashes"), V{"a3"});
  EXPECT_EQ(Search("perfect"), V{"a1"});
}

TEST_F(ReviewStoreTest, StaleCopyOfAnEditedReviewIsIgnored) {
  Seed();
  ASSERT_TRUE(store_->UpsertReviews(1, "111", kSourceRss, {R("a1", "us", 4, kNow, "New", "new")})
                  .has_value());
  // A cached feed page still carries the first version.
  auto stale = store_->UpsertReviews(1, "111", kSourceRss, {App111Rss()[0]});
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->unchanged, 1);
  EXPECT_EQ(stale->updated, 0);
  auto d = store_->GetReview(1, IdOf("a1"));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->review.title, "New");
  EXPECT_EQ(d->history.size(), 1u);
}

TEST_F(ReviewStoreTest, ReplyStatesPendingPublishedOutdatedNone) {
  Seed();
  const int64_t id = IdOf("a2");  // dated now-2d
  EXPECT_EQ(store_->GetReview(1, id)->review.reply_state, ReplyState::kNone);

  ASSERT_TRUE(store_->SetResponse(1, id, {"", "Sorry!", "pending", kNow}).ok());
  auto d = store_->GetReview(1, id);
  EXPECT_EQ(d->review.reply_state, ReplyState::kPending);
  EXPECT_EQ(d->review.response->body, "Sorry!");

  ASSERT_TRUE(store_->SetResponse(1, id, {"r-9", "Sorry!", "published", kNow + 10}).ok());
  EXPECT_EQ(store_->GetReview(1, id)->review.reply_state, ReplyState::kPublished);

  // The author edits the review after the reply.
  ASSERT_TRUE(store_->UpsertReviews(1, "111", kSourceRss,
                                    {R("a2", "gb", 1, kNow + 20, "Still expensive", "No change")})
                  .has_value());
  d = store_->GetReview(1, id);
  EXPECT_EQ(d->review.reply_state, ReplyState::kOutdated);
  EXPECT_EQ(d->review.response->id, "r-9");  // the edit keeps the response

  // A new reply to the edited review.
  ASSERT_TRUE(store_->SetResponse(1, id, {"r-9", "Noted", "published", kNow + 30}).ok());
  EXPECT_EQ(store_->GetReview(1, id)->review.reply_state, ReplyState::kPublished);

  ASSERT_TRUE(store_->ClearResponse(1, id).ok());
  d = store_->GetReview(1, id);
  EXPECT_EQ(d->review.reply_state, ReplyState::kNone);
  EXPECT_FALSE(d->review.response.has_value());
  EXPECT_EQ(store_->ClearResponse(1, id).code(), Code::kNotFound);

  EXPECT_EQ(store_->SetResponse(1, id, {"", "x", "PUBLISHED", kNow}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->SetResponse(1, 999999, {"", "x", "pending", kNow}).code(), Code::kNotFound);
}

TEST_F(ReviewStoreTest, ResponseFromTheSourceIsStoredWithTheReview) {
  Seed();
  Review c = R("c1", "us", 3, kNow - 10 * kDay, "Okay", "It is okay");
  c.response = ReviewResponse{"resp-c1", "Thanks!", "published", kNow - 9 * kDay};
  auto same = store_->UpsertReviews(1, "111", kSourceAsc, {c});
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->unchanged, 1);
  c.response->body = "Thanks a lot!";
  auto changed = store_->UpsertReviews(1, "111", kSourceAsc, {c});
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(changed->updated, 1);
  auto d = store_->GetReview(1, IdOf("c1"));
  EXPECT_EQ(d->review.response->body, "Thanks a lot!");
  EXPECT_TRUE(d->history.empty());  // the review itself did not change
  // No response on input leaves the stored one alone.
  c.response.reset();
  ASSERT_TRUE(store_->UpsertReviews(1, "111", kSourceAsc, {c}).has_value());
  EXPECT_EQ(store_->GetReview(1, IdOf("c1"))->review.reply_state, ReplyState::kPublished);
}

TEST_F(ReviewStoreTest, FiltersByAppSourceCountryRatingVersionAndDates) {
  Seed();
  ReviewQuery q;
  q.app_ids = {"111"};
  EXPECT_EQ(Ids(q), (V{"a1", "a2", "a4", "c1", "a3"}));
  q.app_ids = {"222"};
  EXPECT_EQ(Ids(q), V{"b1"});
  q = {};
  q.source = "asc";
  EXPECT_EQ(Ids(q), V{"c1"});
  q = {};
  q.countries = {"US"};
  EXPECT_EQ(Ids(q), (V{"a1", "b1", "c1", "a3"}));
  q.countries = {"gb", "de"};
  EXPECT_EQ(Ids(q), (V{"a2", "a4"}));
  q = {};
  q.ratings = {1, 2};
  EXPECT_EQ(Ids(q), (V{"a1", "a2", "b1"}));
  q = {};
  q.versions = {"2.0"};
  EXPECT_EQ(Ids(q), (V{"a1", "a2"}));
  q.versions = {""};
  EXPECT_EQ(Ids(q), V{"c1"});
  q = {};
  q.from = kNow - 30 * kDay;
  EXPECT_EQ(Ids(q), (V{"a1", "a2", "a4", "b1", "c1"}));
  q.from = kNow - 4 * kDay;
  q.until = kNow - 2 * kDay;  // exclusive: a2 (exactly now-2d) is out
  EXPECT_EQ(Ids(q), V{"a4"});
  q = {};
  q.app_ids = {"111"};
  q.countries = {"us"};
  q.ratings = {5};
  EXPECT_EQ(Ids(q), V{"a3"});

  q = {};
  q.ratings = {0};
  q.team_id = 1;
  EXPECT_EQ(store_->ListReviews(q).error().code(), Code::kInvalidArgument);
  q = {};
  q.countries = {"usa"};
  q.team_id = 1;
  EXPECT_EQ(store_->ListReviews(q).error().code(), Code::kInvalidArgument);
}

TEST_F(ReviewStoreTest, FiltersByReplyState) {
  Seed();
  // a1 (now-1d) gets a reply dated before it: outdated. a4 gets a pending one.
  ASSERT_TRUE(store_->SetResponse(1, IdOf("a1"), {"", "old", "published", kNow - 2 * kDay}).ok());
  ASSERT_TRUE(store_->SetResponse(1, IdOf("a4"), {"", "hi", "pending", kNow}).ok());
  ReviewQuery q;
  q.reply_states = {ReplyState::kNone};
  EXPECT_EQ(Ids(q), (V{"a2", "b1", "a3"}));
  q.reply_states = {ReplyState::kPending, ReplyState::kPublished};
  EXPECT_EQ(Ids(q), (V{"a4", "c1"}));
  q.reply_states = {ReplyState::kOutdated};
  EXPECT_EQ(Ids(q), V{"a1"});
  q.reply_states = {ReplyState::kPending};
  EXPECT_EQ(Ids(q), V{"a4"});
}

TEST_F(ReviewStoreTest, TriageQueryUnrepliedLowRatingsOfTheLastThirtyDays) {
  Seed();
  ASSERT_TRUE(store_->SetResponse(1, IdOf("b1"), {"", "hi", "published", kNow}).ok());
  ReviewQuery q;
  q.reply_states = {ReplyState::kNone};
  q.ratings = {1, 2};
  q.from = kNow - 30 * kDay;
  int64_t total = 0;
  EXPECT_EQ(Ids(q, &total), (V{"a1", "a2"}));
  EXPECT_EQ(total, 2);
}

TEST_F(ReviewStoreTest, TextSearchMatchesWordsOfTitleAndBody) {
  Seed();
  EXPECT_EQ(Search("crashes"), (V{"a3", "a1"}));
  EXPECT_EQ(Search("CRASHES   launch"), V{"a1"});  // every word, any case
  EXPECT_EQ(Search("app"), (V{"a3", "a4", "a1"}));
  EXPECT_EQ(Search("cafe"), V{"a4"});  // accents folded
  EXPECT_EQ(Search("schone"), V{"a4"});
  EXPECT_EQ(Search("crash"), V{});  // whole words only
  EXPECT_EQ(Search("   "), (V{"a3", "c1", "b1", "a4", "a2", "a1"}));  // no words: no filter

  ReviewQuery q;
  q.text = "slow";
  q.app_ids = {"111"};
  EXPECT_EQ(Ids(q), V{});
}

TEST_F(ReviewStoreTest, TextSearchTakesHostileInputLiterally) {
  Seed();
  // Each of these would be FTS5 syntax (or a syntax error) if passed through.
  EXPECT_EQ(Search("\""), V{});
  EXPECT_EQ(Search("\"crashes"), (V{"a3", "a1"}));  // an unbalanced quote is not a phrase
  EXPECT_EQ(Search("*"), V{});
  EXPECT_EQ(Search("crash*"), V{});                 // not a prefix query
  EXPECT_EQ(Search("NEAR("), V{});
  EXPECT_EQ(Search("NEAR(crashes launch)"), V{});  // the phrase "near crashes", then "launch"
  EXPECT_EQ(Search("crashes OR great"), V{});       // "or" is a word no review has
  EXPECT_EQ(Search("crashes AND"), V{});
  EXPECT_EQ(Search("NOT crashes"), V{});
  EXPECT_EQ(Search("title:great"), V{});            // no column filter: the phrase "title great"
  EXPECT_EQ(Search("-crashes"), (V{"a3", "a1"}));
  EXPECT_EQ(Search("') OR 1=1 --"), V{});

  EXPECT_EQ(sqlite::FtsLiteralQuery(" a \"b\"  c* "), "\"a\" \"\"\"b\"\"\" \"c*\"");
  EXPECT_EQ(sqlite::FtsLiteralQuery(""), "");
}

TEST_F(ReviewStoreTest, PagingKeepsTheTotalAndSortOrders) {
  Seed();
  ReviewQuery q;
  q.limit = 4;
  int64_t total = 0;
  EXPECT_EQ(Ids(q, &total), (V{"a1", "a2", "a4", "b1"}));
  EXPECT_EQ(total, 6);
  q.offset = 4;
  EXPECT_EQ(Ids(q, &total), (V{"c1", "a3"}));
  EXPECT_EQ(total, 6);
  q.offset = 6;
  EXPECT_EQ(Ids(q, &total), V{});
  EXPECT_EQ(total, 6);

  q = {};
  q.sort = ReviewSort::kOldest;
  EXPECT_EQ(Ids(q), (V{"a3", "c1", "b1", "a4", "a2", "a1"}));
  q.sort = ReviewSort::kRatingDesc;  // ties (a2, b1: ★2) newest first
  EXPECT_EQ(Ids(q), (V{"a3", "a4", "c1", "a2", "b1", "a1"}));
  q.sort = ReviewSort::kRatingAsc;
  EXPECT_EQ(Ids(q), (V{"a1", "a2", "b1", "c1", "a4", "a3"}));

  q = {};
  q.team_id = 1;
  q.limit = 0;
  EXPECT_EQ(store_->ListReviews(q).error().code(), Code::kInvalidArgument);
  q.limit = 1001;
  EXPECT_EQ(store_->ListReviews(q).error().code(), Code::kInvalidArgument);
}

TEST_F(ReviewStoreTest, CountsByRatingCountryAndVersion) {
  Seed();
  ReviewQuery q;
  q.team_id = 1;
  auto all = store_->CountReviews(q);
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_EQ(all->total, 6);
  EXPECT_EQ(all->by_rating, (std::map<int, int64_t>{{1, 1}, {2, 2}, {3, 1}, {4, 1}, {5, 1}}));
  EXPECT_EQ(all->by_country, (std::map<std::string, int64_t>{{"de", 1}, {"gb", 1}, {"us", 4}}));
  EXPECT_EQ(all->by_version,
            (std::map<std::string, int64_t>{{"", 1}, {"1.9", 2}, {"2.0", 2}, {"3.1", 1}}));

  q.app_ids = {"111"};
  q.text = "crashes";
  auto some = store_->CountReviews(q);
  ASSERT_TRUE(some.has_value());
  EXPECT_EQ(some->total, 2);
  EXPECT_EQ(some->by_rating, (std::map<int, int64_t>{{1, 1}, {5, 1}}));
  EXPECT_EQ(some->by_country, (std::map<std::string, int64_t>{{"us", 2}}));
  EXPECT_EQ(some->by_version, (std::map<std::string, int64_t>{{"1.9", 1}, {"2.0", 1}}));
}

TEST_F(ReviewStoreTest, AnotherTeamSeesNothing) {
  Seed();
  const int64_t id = IdOf("a1");
  ReviewQuery q;
  q.team_id = 2;
  auto page = store_->ListReviews(q);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, 0);
  EXPECT_TRUE(page->reviews.empty());
  q.text = "crashes";
  EXPECT_EQ(store_->ListReviews(q)->total, 0);
  EXPECT_EQ(store_->CountReviews(q)->total, 0);
  EXPECT_EQ(store_->GetReview(2, id).error().code(), Code::kNotFound);
  EXPECT_EQ(store_->SetResponse(2, id, {"", "x", "pending", kNow}).code(), Code::kNotFound);
  EXPECT_EQ(store_->ClearResponse(2, IdOf("c1")).code(), Code::kNotFound);
  EXPECT_FALSE(*store_->HasReview(2, "111", kSourceRss, "a1"));
  EXPECT_FALSE(store_->NewestStored(2, "111", kSourceRss, "")->has_value());

  // The same feed stored by team 2 is its own copy.
  auto mine = store_->UpsertReviews(2, "111", kSourceRss, App111Rss());
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(mine->added, 4);
  ASSERT_TRUE(store_->SetResponse(2, mine->added_ids[0], {"", "x", "pending", kNow}).ok());
  EXPECT_EQ(store_->GetReview(1, id)->review.reply_state, ReplyState::kNone);
  q = {};
  q.team_id = 1;
  EXPECT_EQ(store_->ListReviews(q)->total, 6);
}

TEST_F(ReviewStoreTest, IncrementalSyncHelpers) {
  Seed();
  EXPECT_TRUE(*store_->HasReview(1, "111", kSourceRss, "a1"));
  EXPECT_FALSE(*store_->HasReview(1, "111", kSourceAsc, "a1"));
  EXPECT_FALSE(*store_->HasReview(1, "222", kSourceRss, "a1"));
  EXPECT_EQ(*store_->NewestStored(1, "111", kSourceRss, ""), kNow - kDay);
  EXPECT_EQ(*store_->NewestStored(1, "111", kSourceRss, "GB"), kNow - 2 * kDay);
  EXPECT_EQ(*store_->NewestStored(1, "111", kSourceAsc, ""), kNow - 10 * kDay);
  EXPECT_FALSE(store_->NewestStored(1, "111", kSourceRss, "fr")->has_value());
}

TEST_F(ReviewStoreTest, FindReviewsBySourceIds) {
  Seed();
  auto found = store_->FindReviews(1, "111", kSourceRss, {"a2", "zz", "a4", "b1"});
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  std::vector<std::string> ids;
  for (const auto& r : *found) ids.push_back(r.source_id + "/" + r.title);
  std::sort(ids.begin(), ids.end());
  // b1 belongs to app 222, zz does not exist.
  EXPECT_EQ(ids, (V{"a2/Too expensive", "a4/Sehr gut"}));
  auto asc = store_->FindReviews(1, "111", kSourceAsc, {"c1"});
  ASSERT_TRUE(asc.has_value());
  ASSERT_EQ(asc->size(), 1u);
  ASSERT_TRUE((*asc)[0].response.has_value());
  EXPECT_EQ((*asc)[0].response->id, "resp-c1");
  EXPECT_TRUE(store_->FindReviews(2, "111", kSourceRss, {"a2"})->empty());  // another team's
}

TEST_F(ReviewStoreTest, InvalidReviewRejectsTheWholeBatch) {
  Seed();
  auto batch = App111Rss();
  batch[0].rating = 3;  // an edit of a1
  batch[0].updated_at = kNow;
  batch.push_back(R("a9", "us", 4, kNow, "New", "new"));
  batch.push_back(R("a10", "us", 9, kNow, "Bad", "bad"));
  auto r = store_->UpsertReviews(1, "111", kSourceRss, batch);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find("a10"), std::string::npos) << r.error().message();

  EXPECT_FALSE(*store_->HasReview(1, "111", kSourceRss, "a9"));
  auto a1 = store_->GetReview(1, IdOf("a1"));
  EXPECT_EQ(a1->review.rating, 1);
  EXPECT_TRUE(a1->history.empty());
  int64_t total = 0;
  Ids(ReviewQuery(), &total);
  EXPECT_EQ(total, 6);

  for (Review bad : {R("x", "usa", 3, kNow, "", ""), R("", "us", 3, kNow, "", ""),
                     R("x", "us", 3, 0, "", ""), R("x", "us", 0, kNow, "", "")}) {
    EXPECT_EQ(store_->UpsertReviews(1, "111", kSourceRss, {bad}).error().code(),
              Code::kInvalidArgument);
  }
  Review bad_reply = R("x", "us", 3, kNow, "", "");
  bad_reply.response = ReviewResponse{"", "x", "live", kNow};
  EXPECT_EQ(store_->UpsertReviews(1, "111", kSourceRss, {bad_reply}).error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->UpsertReviews(1, "111", "web", {}).error().code(), Code::kInvalidArgument);
}

TEST_F(ReviewStoreTest, FailureInsideTheTransactionRollsBackEveryWrite) {
  Seed();
  // Fault injection: the database refuses the third row of the batch.
  ASSERT_TRUE(db_->Exec("CREATE TEMP TRIGGER refuse_boom BEFORE INSERT ON main.reviews "
                        "WHEN new.title = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END")
                  .ok());
  auto batch = std::vector<Review>{R("a1", "us", 3, kNow, "Edited", "edited words"),
                                   R("a9", "us", 4, kNow, "New", "fresh words"),
                                   R("a10", "us", 4, kNow, "boom", "boom")};
  ASSERT_FALSE(store_->UpsertReviews(1, "111", kSourceRss, batch).has_value());

  auto a1 = store_->GetReview(1, IdOf("a1"));
  EXPECT_EQ(a1->review.title, "Crashes on launch");
  EXPECT_TRUE(a1->history.empty());
  EXPECT_FALSE(*store_->HasReview(1, "111", kSourceRss, "a9"));
  EXPECT_EQ(Search("edited"), V{});
  EXPECT_EQ(Search("fresh"), V{});
  EXPECT_EQ(Search("crashes"), (V{"a3", "a1"}));
  auto integrity = db_->IntegrityOk();
  EXPECT_TRUE(integrity.has_value() && *integrity);
}

TEST_F(ReviewStoreTest, NotificationsAreQueuedOncePerReview) {
  auto up = store_->UpsertReviews(1, "111", kSourceRss, App111Rss());
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(*store_->QueueReviewNotifications(1, up->added_ids, kNow), 4);
  EXPECT_EQ(*store_->QueueReviewNotifications(1, up->added_ids, kNow + 1), 0);
  EXPECT_EQ(*store_->QueueReviewNotifications(2, {up->added_ids[0] + 100}, kNow), 0);
  ASSERT_TRUE(db_->Exec("DELETE FROM review_notifications").ok());
  // Another team cannot queue team 1's reviews.
  EXPECT_EQ(*store_->QueueReviewNotifications(2, up->added_ids, kNow), 0);
}

TEST_F(ReviewStoreTest, RatingSnapshotsUpsertPerDayAndListOverTime) {
  const Date d1 = *Date::ParseIso("2024-03-01");
  const Date d2 = d1.AddDays(1);
  std::vector<RatingSnapshot> put = {
      {"111", "US", d1, 450, 10, {1, 0, 1, 2, 6}},
      {"111", "us", d2, 455, 11, {1, 0, 1, 2, 7}},
      {"111", std::string(kWorldwide), d1, 430, 100, {5, 5, 10, 20, 60}},
      {"222", "us", d1, 300, 1, {0, 0, 1, 0, 0}},
  };
  ASSERT_TRUE(store_->PutRatingSnapshots(1, put).ok());
  // A second snapshot of the same day replaces the first.
  ASSERT_TRUE(store_->PutRatingSnapshots(1, {{"111", "us", d1, 460, 12, {1, 0, 1, 2, 8}}}).ok());

  auto all = store_->ListRatingSnapshots(1, "111", {}, d1, d2);
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].country, "us");
  EXPECT_EQ((*all)[0].day, d1);
  EXPECT_EQ((*all)[0].average_x100, 460);
  EXPECT_EQ((*all)[0].count, 12);
  EXPECT_EQ((*all)[0].histogram, (std::array<int64_t, 5>{1, 0, 1, 2, 8}));
  EXPECT_EQ((*all)[1].day, d2);
  EXPECT_EQ((*all)[1].average_x100, 455);
  EXPECT_EQ((*all)[2].country, "ww");
  EXPECT_EQ((*all)[2].count, 100);

  auto ww = store_->ListRatingSnapshots(1, "111", {std::string(kWorldwide)}, d1, d2);
  ASSERT_EQ(ww->size(), 1u);
  EXPECT_EQ((*ww)[0].histogram[4], 60);
  auto second_day = store_->ListRatingSnapshots(1, "111", {"us"}, d2, d2);
  ASSERT_EQ(second_day->size(), 1u);
  EXPECT_EQ((*second_day)[0].count, 11);
  EXPECT_TRUE(store_->ListRatingSnapshots(2, "111", {}, d1, d2)->empty());

  EXPECT_EQ(store_->PutRatingSnapshots(1, {{"111", "usa", d1, 100, 1, {}}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->PutRatingSnapshots(1, {{"111", "us", d1, 501, 1, {}}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->PutRatingSnapshots(1, {{"111", "us", d1, 100, -1, {}}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->ListRatingSnapshots(1, "111", {"us"}, d1, d1)->front().average_x100, 460);
}

TEST_F(ReviewStoreTest, TrackedAppsAddChangeListRemove) {
  auto t = store_->TrackApp(1, {"284882215", {"US", "gb", "us"}, 0, 0});
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_EQ(t->countries, (V{"gb", "us"}));
  EXPECT_EQ(t->created_at, kNow);

  clock_.Advance(std::chrono::hours(1));
  auto all = store_->TrackApp(1, {"284882215", {}, 7, 0});
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->countries.empty());  // every storefront
  EXPECT_EQ(all->account_id, 7);
  EXPECT_EQ(all->created_at, kNow);  // kept

  ASSERT_TRUE(store_->TrackApp(1, {"100", {"fr"}, 0, 0}).has_value());
  auto list = store_->ListTrackedApps(1);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].app_id, "100");
  EXPECT_EQ((*list)[0].countries, V{"fr"});
  EXPECT_EQ((*list)[1].app_id, "284882215");

  EXPECT_TRUE(store_->ListTrackedApps(2)->empty());
  EXPECT_EQ(store_->UntrackApp(2, "100").code(), Code::kNotFound);
  ASSERT_TRUE(store_->UntrackApp(1, "100").ok());
  EXPECT_EQ(store_->UntrackApp(1, "100").code(), Code::kNotFound);
  EXPECT_EQ(store_->ListTrackedApps(1)->size(), 1u);

  EXPECT_EQ(store_->TrackApp(1, {"id123", {}, 0, 0}).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->TrackApp(1, {"123", {"usa"}, 0, 0}).error().code(), Code::kInvalidArgument);
}

// ---- The review webhook and the notification queue (migration 6) ----

TEST_F(ReviewStoreTest, WebhookIsCreatedWithASecretUpdatedWithoutOneAndDeleted) {
  ReviewWebhook h;
  h.url = "https://hooks.example/orchard";
  h.format = "slack";
  h.max_rating = 2;
  h.countries = {"US", "gb", "us"};
  h.app_ids = {"222", "111"};
  // A new webhook needs its sealed secret.
  EXPECT_EQ(store_->PutReviewWebhook(1, h).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->GetReviewWebhook(1).error().code(), Code::kNotFound);

  h.secret_blob = std::string("\x00sealed\xff", 8);
  h.secret_key_version = 3;
  auto made = store_->PutReviewWebhook(1, h);
  ASSERT_TRUE(made.has_value()) << made.error().ToString();
  EXPECT_EQ(made->countries, (V{"gb", "us"}));  // lower-cased, sorted, once each
  EXPECT_EQ(made->app_ids, (V{"111", "222"}));
  EXPECT_EQ(made->created_at, kNow);
  EXPECT_EQ(made->secret_blob, h.secret_blob);

  // An update without a secret keeps the stored one and the creation time.
  clock_.Advance(std::chrono::seconds(60));
  ReviewWebhook change;
  change.url = "https://hooks.example/v2";
  change.enabled = false;
  auto updated = store_->PutReviewWebhook(1, change);
  ASSERT_TRUE(updated.has_value()) << updated.error().ToString();
  EXPECT_EQ(updated->url, "https://hooks.example/v2");
  EXPECT_EQ(updated->format, "json");
  EXPECT_EQ(updated->max_rating, 5);
  EXPECT_TRUE(updated->countries.empty());
  EXPECT_TRUE(updated->app_ids.empty());
  EXPECT_FALSE(updated->enabled);
  EXPECT_EQ(updated->secret_blob, h.secret_blob);
  EXPECT_EQ(updated->secret_key_version, 3u);
  EXPECT_EQ(updated->created_at, kNow);
  EXPECT_EQ(updated->updated_at, kNow + 60);

  // Another team sees nothing and cannot delete it.
  EXPECT_EQ(store_->GetReviewWebhook(2).error().code(), Code::kNotFound);
  EXPECT_FALSE(*store_->DeleteReviewWebhook(2));
  EXPECT_TRUE(store_->GetReviewWebhook(1).has_value());

  ReviewWebhook bad = h;
  bad.format = "xml";
  EXPECT_EQ(store_->PutReviewWebhook(1, bad).error().code(), Code::kInvalidArgument);
  bad = h;
  bad.max_rating = 0;
  EXPECT_EQ(store_->PutReviewWebhook(1, bad).error().code(), Code::kInvalidArgument);
  bad = h;
  bad.countries = {"usa"};
  EXPECT_EQ(store_->PutReviewWebhook(1, bad).error().code(), Code::kInvalidArgument);
  bad = h;
  bad.url = "";
  EXPECT_EQ(store_->PutReviewWebhook(1, bad).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->GetReviewWebhook(1)->url, "https://hooks.example/v2");  // nothing changed

  EXPECT_TRUE(*store_->DeleteReviewWebhook(1));
  EXPECT_FALSE(*store_->DeleteReviewWebhook(1));
  EXPECT_EQ(store_->GetReviewWebhook(1).error().code(), Code::kNotFound);
}

TEST_F(ReviewStoreTest, NotificationsAreClaimedOnceAndFinishedByTheirClaim) {
  Seed();
  const int64_t a1 = IdOf("a1"), a2 = IdOf("a2"), b1 = IdOf("b1");
  // Queued at different times: claims go oldest first.
  ASSERT_EQ(*store_->QueueReviewNotifications(1, {b1}, kNow - 30), 1);
  ASSERT_EQ(*store_->QueueReviewNotifications(1, {a1, a2}, kNow - 20), 2);

  auto first = store_->ClaimReviewNotifications(kNow, kNow + 120, 2);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].review.id, b1);
  EXPECT_EQ((*first)[0].review.title, "Slow sync");
  EXPECT_EQ((*first)[0].team_id, 1);
  EXPECT_EQ((*first)[0].attempts, 0);
  EXPECT_EQ((*first)[0].created_at, kNow - 30);
  EXPECT_EQ((*first)[0].delivery_id.size(), 32u);
  EXPECT_EQ((*first)[1].review.id, a1);  // a1 before a2: same time, lower id
  EXPECT_NE((*first)[0].delivery_id, (*first)[1].delivery_id);
  // Claimed ones are not claimed again while their lease lasts.
  auto second = store_->ClaimReviewNotifications(kNow, kNow + 120, 10);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].review.id, a2);
  EXPECT_TRUE(store_->ClaimReviewNotifications(kNow + 119, kNow + 200, 10)->empty());

  // b1: sent. a1: a retry at now+60. a2: skipped (no attempt counted).
  ASSERT_TRUE(store_->FinishReviewNotification(b1, (*first)[0].claim,
                                               {NotificationState::kSent, 0, ""}, kNow + 1)
                  .ok());
  ASSERT_TRUE(store_->FinishReviewNotification(
                        a1, (*first)[1].claim,
                        {NotificationState::kQueued, kNow + 60, "the receiver answered 500"},
                        kNow + 1)
                  .ok());
  ASSERT_TRUE(store_->FinishReviewNotification(
                        a2, (*second)[0].claim,
                        {NotificationState::kSkipped, 0, "rated 2, above the filter"}, kNow + 1)
                  .ok());
  // A finished claim cannot finish again.
  EXPECT_EQ(store_->FinishReviewNotification(b1, (*first)[0].claim,
                                             {NotificationState::kQueued, kNow, "x"}, kNow + 2)
                .code(),
            Code::kAborted);

  auto sent = store_->GetReviewNotification(1, b1);
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->state, NotificationState::kSent);
  EXPECT_EQ(sent->attempts, 1);
  EXPECT_EQ(sent->sent_at, kNow + 1);
  EXPECT_EQ(sent->delivery_id, (*first)[0].delivery_id);
  auto retry = store_->GetReviewNotification(1, a1);
  EXPECT_EQ(retry->state, NotificationState::kQueued);
  EXPECT_EQ(retry->attempts, 1);
  EXPECT_EQ(retry->not_before, kNow + 60);
  EXPECT_EQ(retry->last_error, "the receiver answered 500");
  auto skipped = store_->GetReviewNotification(1, a2);
  EXPECT_EQ(skipped->state, NotificationState::kSkipped);
  EXPECT_EQ(skipped->attempts, 0);
  EXPECT_EQ(skipped->last_error, "rated 2, above the filter");
  EXPECT_EQ(store_->GetReviewNotification(2, b1).error().code(), Code::kNotFound);

  // The retry is due at now+60, not before; it keeps its delivery id.
  EXPECT_TRUE(store_->ClaimReviewNotifications(kNow + 59, kNow + 180, 10)->empty());
  auto again = store_->ClaimReviewNotifications(kNow + 60, kNow + 180, 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].review.id, a1);
  EXPECT_EQ((*again)[0].attempts, 1);
  EXPECT_EQ((*again)[0].delivery_id, retry->delivery_id);
  ASSERT_TRUE(store_->FinishReviewNotification(a1, (*again)[0].claim,
                                               {NotificationState::kFailed, 0, "gave up"},
                                               kNow + 61)
                  .ok());
  EXPECT_EQ(store_->GetReviewNotification(1, a1)->attempts, 2);
  EXPECT_EQ(store_->GetReviewNotification(1, a1)->state, NotificationState::kFailed);
  EXPECT_EQ(*store_->CountReviewNotifications(1),
            (std::map<std::string, int64_t>{{"failed", 1}, {"sent", 1}, {"skipped", 1}}));
  EXPECT_TRUE(store_->CountReviewNotifications(2)->empty());
  // Nothing finished is ever claimed again.
  EXPECT_TRUE(store_->ClaimReviewNotifications(kNow + 86400, kNow + 86500, 10)->empty());
}

TEST_F(ReviewStoreTest, AnAbandonedClaimIsClaimedAgainAfterItsLeaseAndTheOldClaimCannotFinish) {
  Seed();
  const int64_t a1 = IdOf("a1");
  ASSERT_EQ(*store_->QueueReviewNotifications(1, {a1}, kNow), 1);
  auto dead = store_->ClaimReviewNotifications(kNow, kNow + 120, 10);
  ASSERT_EQ(dead->size(), 1u);
  // The sender died: nothing is finished. Before the lease ends nobody takes it…
  EXPECT_TRUE(store_->ClaimReviewNotifications(kNow + 119, kNow + 239, 10)->empty());
  // …and at its end it is claimed again, with the same delivery id.
  auto next = store_->ClaimReviewNotifications(kNow + 120, kNow + 240, 10);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].delivery_id, (*dead)[0].delivery_id);
  EXPECT_NE((*next)[0].claim, (*dead)[0].claim);
  ASSERT_TRUE(store_->FinishReviewNotification(a1, (*next)[0].claim,
                                               {NotificationState::kSent, 0, ""}, kNow + 121)
                  .ok());
  // The first sender wakes up and reports a failure: it no longer holds the claim, and the
  // recorded delivery stands.
  EXPECT_EQ(store_->FinishReviewNotification(a1, (*dead)[0].claim,
                                             {NotificationState::kQueued, kNow + 180, "timeout"},
                                             kNow + 130)
                .code(),
            Code::kAborted);
  EXPECT_EQ(store_->GetReviewNotification(1, a1)->state, NotificationState::kSent);
  EXPECT_EQ(store_->ClaimReviewNotifications(kNow, kNow + 1, 0).error().code(),
            Code::kInvalidArgument);
}

// A data dir of schema 5 with queued notifications: migration 6 rebuilds the queue and keeps
// every row, giving each a delivery id of its own.
TEST(ReviewStoreMigrationTest, SchemaFiveQueueSurvivesMigrationSix) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("orchard-reviews-v5-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // The schema-5 file, built by hand: migrations 1–5 only.
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "o.db").c_str(), &raw), SQLITE_OK);
    std::string v5;
    for (size_t i = 0; i < 5; ++i) v5 += std::string(sqlite::Migrations()[i]);
    v5 +=
        "INSERT INTO teams (id, name, created_at) VALUES (1, 'one', 0);"
        "INSERT INTO reviews (id, team_id, app_id, source, source_id, country, rating, title, "
        "body, author, version, created_at, updated_at, first_seen_at) VALUES "
        "(10, 1, '111', 'rss', 'x1', 'us', 1, 't', 'b', 'a', '', 5, 5, 5),"
        "(11, 1, '111', 'rss', 'x2', 'us', 2, 't', 'b', 'a', '', 6, 6, 6);"
        "INSERT INTO review_notifications (review_id, team_id, state, attempts, not_before, "
        "created_at, sent_at, last_error) VALUES (10, 1, 'sent', 1, 0, 7, 8, ''),"
        "(11, 1, 'queued', 2, 900, 7, 0, 'HTTP 500');"
        "PRAGMA user_version=5;";
    ASSERT_EQ(sqlite3_exec(raw, v5.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  auto db = sqlite::Database::Open(dir / "o.db");
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  EXPECT_EQ((*db)->SchemaVersion(), static_cast<int>(sqlite::Migrations().size()));
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1000)));
  sqlite::SqliteReviewStore store(*db, &clock);
  auto sent = store.GetReviewNotification(1, 10);
  ASSERT_TRUE(sent.has_value()) << sent.error().ToString();
  EXPECT_EQ(sent->state, NotificationState::kSent);
  EXPECT_EQ(sent->sent_at, 8);
  auto queued = store.GetReviewNotification(1, 11);
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->state, NotificationState::kQueued);
  EXPECT_EQ(queued->attempts, 2);
  EXPECT_EQ(queued->not_before, 900);
  EXPECT_EQ(queued->last_error, "HTTP 500");
  EXPECT_EQ(sent->delivery_id.size(), 32u);
  EXPECT_EQ(queued->delivery_id.size(), 32u);
  EXPECT_NE(sent->delivery_id, queued->delivery_id);
  auto claimed = store.ClaimReviewNotifications(1000, 1100, 10);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].review.id, 11);
  db->reset();
  std::filesystem::remove_all(dir);
}

// A text search pages either from the team's date index or from the text's matches, whichever
// reads less (sqlite_review_store.cc); both must give the same pages. Here a common word (80 of
// team 1's 120 reviews, every other pair sharing a second) pages from the date index, a rare one
// (2 reviews) from the matches; team 2 holds the common word too, in rows between team 1's.
TEST_F(ReviewStoreTest, TextSearchPagesAndCountsOnlyTheTeamsMatches) {
  // Team 1's review i: updated kNow - (i / 2) hours, rating 1 + i % 5, "battery" unless
  // i % 3 == 2, "kaleidoscope" for i = 7 and 50. No digits in any text: team 1's id is 1.
  auto team1 = [](int from, int to) {
    std::vector<Review> out;
    for (int i = from; i < to; ++i) {
      std::string body = i % 3 == 2 ? "works fine" : "the battery drains";
      if (i == 7 || i == 50) body += " like a kaleidoscope";
      out.push_back(R(("t1-" + std::to_string(i)).c_str(), "us", 1 + i % 5,
                      kNow - (i / 2) * 3600, "Review", body.c_str()));
    }
    return out;
  };
  std::vector<Review> team2;
  for (int i = 0; i < 60; ++i) {
    team2.push_back(R(("t2-" + std::to_string(i)).c_str(), "gb", 3, kNow - i * 60, "Battery",
                      "battery battery"));
  }
  ASSERT_TRUE(store_->UpsertReviews(1, "111", kSourceRss, team1(0, 60)).has_value());
  ASSERT_TRUE(store_->UpsertReviews(2, "111", kSourceRss, team2).has_value());
  ASSERT_TRUE(store_->UpsertReviews(1, "111", kSourceRss, team1(60, 120)).has_value());

  // Expected, from the fixture's rule: team 1's ids are in i order, so newest first is i / 2
  // ascending, then i descending within a second.
  auto expected = [](auto keep, bool newest) {
    std::vector<int> is;
    for (int i = 0; i < 120; ++i) {
      if (keep(i)) is.push_back(i);
    }
    std::sort(is.begin(), is.end(), [](int a, int b) {
      return a / 2 != b / 2 ? a / 2 < b / 2 : a > b;
    });
    if (!newest) std::reverse(is.begin(), is.end());
    V out;
    for (int i : is) out.push_back("t1-" + std::to_string(i));
    return out;
  };
  const V battery_newest = expected([](int i) { return i % 3 != 2; }, true);
  const V battery_oldest = expected([](int i) { return i % 3 != 2; }, false);
  ASSERT_EQ(battery_newest.size(), 80u);
  for (ReviewSort sort : {ReviewSort::kNewest, ReviewSort::kOldest}) {
    const V& all = sort == ReviewSort::kNewest ? battery_newest : battery_oldest;
    for (int limit : {1, 7, 50}) {
      for (int64_t offset : {0, 5, 79, 80}) {
        ReviewQuery q;
        q.text = "BATTERY";
        q.sort = sort;
        q.limit = limit;
        q.offset = offset;
        int64_t total = 0;
        const size_t first = std::min<size_t>(static_cast<size_t>(offset), all.size());
        const size_t last = std::min<size_t>(first + static_cast<size_t>(limit), all.size());
        EXPECT_EQ(Ids(q, &total), V(all.begin() + static_cast<std::ptrdiff_t>(first),
                                    all.begin() + static_cast<std::ptrdiff_t>(last)))
            << "limit " << limit << " offset " << offset;
        EXPECT_EQ(total, 80);
      }
    }
  }
  ReviewQuery rare;
  rare.text = "kaleidoscope";
  int64_t total = 0;
  EXPECT_EQ(Ids(rare, &total), (V{"t1-7", "t1-50"}));
  EXPECT_EQ(total, 2);

  // With another filter the total is counted over the rows: ★1 is i % 5 == 0, and of those
  // the ones with "battery": i = 0, 15, 30, … (i % 15 == 0) and i = 10, 25, … (i % 15 == 10).
  ReviewQuery one_star;
  one_star.text = "battery";
  one_star.ratings = {1};
  one_star.limit = 3;
  EXPECT_EQ(Ids(one_star, &total), (V{"t1-0", "t1-10", "t1-15"}));
  EXPECT_EQ(total, 16);
  auto counts = store_->CountReviews([] {
    ReviewQuery q;
    q.team_id = 1;
    q.text = "battery";
    return q;
  }());
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->total, 80);
  EXPECT_EQ(counts->by_rating, (std::map<int, int64_t>{{1, 16}, {2, 16}, {3, 16}, {4, 16}, {5, 16}}));

  // Team 2 sees its own 60 and nothing of team 1's.
  ReviewQuery theirs;
  theirs.team_id = 2;
  theirs.text = "battery";
  theirs.limit = 2;
  EXPECT_EQ(Ids(theirs, &total), (V{"t2-0", "t2-1"}));
  EXPECT_EQ(total, 60);
  theirs.text = "kaleidoscope";
  EXPECT_EQ(Ids(theirs, &total), V{});
  EXPECT_EQ(total, 0);

  // The team's token in the index is not text: "1" and "2" are in no title or body.
  EXPECT_EQ(Search("1"), V{});
  theirs.text = "2";
  EXPECT_EQ(Ids(theirs, &total), V{});
  EXPECT_EQ(total, 0);
}

// Reviews stored before the text index held the team (schema 5) are found after the upgrade,
// each by its own team only, and reviews stored after it too.
TEST(ReviewStoreMigrationTest, ReindexesReviewsStoredBeforeTheTeamColumn) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("orchard-reviews-v5-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "o.db").c_str(), &raw), SQLITE_OK);
    std::string v5;
    for (size_t i = 0; i < 5; ++i) v5 += std::string(sqlite::Migrations()[i]);
    v5 += "INSERT INTO teams (id, name, created_at) VALUES (1, 'one', 0), (2, 'two', 0);"
          "INSERT INTO reviews (team_id, app_id, source, source_id, country, rating, title, "
          "body, created_at, updated_at, first_seen_at) VALUES "
          "(1, '111', 'rss', 'a', 'us', 1, 'Crashes', 'on launch', 10, 10, 10),"
          "(2, '111', 'rss', 'b', 'us', 2, 'Slow', 'crashes sometimes', 20, 20, 20),"
          "(1, '111', 'rss', 'c', 'us', 5, 'Great', 'no problems', 30, 30, 30);"
          "PRAGMA user_version=5;";
    ASSERT_EQ(sqlite3_exec(raw, v5.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  auto db = sqlite::Database::Open(dir / "o.db");
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  FakeClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(kNow))};
  sqlite::SqliteReviewStore store(*db, &clock);
  auto found = [&](int64_t team, const char* text) {
    ReviewQuery q;
    q.team_id = team;
    q.text = text;
    auto page = store.ListReviews(q);
    EXPECT_TRUE(page.has_value()) << page.error().ToString();
    std::vector<std::string> ids;
    if (!page) return ids;
    for (const auto& r : page->reviews) ids.push_back(r.source_id);
    ids.push_back("total " + std::to_string(page->total));
    return ids;
  };
  EXPECT_EQ(found(1, "crashes"), (std::vector<std::string>{"a", "total 1"}));
  EXPECT_EQ(found(2, "crashes"), (std::vector<std::string>{"b", "total 1"}));
  EXPECT_EQ(found(1, "problems"), (std::vector<std::string>{"c", "total 1"}));

  // Written after the upgrade: indexed by the new triggers, edits included.
  Review d;
  d.source_id = "d";
  d.country = "us";
  d.rating = 2;
  d.title = "Crashes";
  d.body = "again";
  d.updated_at = 40;
  ASSERT_TRUE(store.UpsertReviews(1, "111", kSourceRss, {d}).has_value());
  EXPECT_EQ(found(1, "crashes"), (std::vector<std::string>{"d", "a", "total 2"}));
  d.title = "Fixed";
  d.updated_at = 50;
  ASSERT_TRUE(store.UpsertReviews(1, "111", kSourceRss, {d}).has_value());
  EXPECT_EQ(found(1, "crashes"), (std::vector<std::string>{"a", "total 1"}));
  EXPECT_EQ(found(1, "fixed"), (std::vector<std::string>{"d", "total 1"}));
  db->reset();
  std::filesystem::remove_all(dir);
}

TEST(ReplyStateNameTest, RoundTrips) {
  for (ReplyState s : {ReplyState::kNone, ReplyState::kPending, ReplyState::kPublished,
                       ReplyState::kOutdated}) {
    EXPECT_EQ(*ParseReplyState(ReplyStateName(s)), s);
  }
  EXPECT_EQ(ParseReplyState("replied").error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace orchard::store
