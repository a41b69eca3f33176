// The review and ratings syncs against the sandbox (apple-apis.md §4.1, §8.1, §8.4, Part II
// §B.2) into a real SQLite review store: a full sync stores every review the sandbox lists, an
// incremental one reads one page, an author's edit updates in place with its history, new reviews
// are queued for notification (not on the first sync), the public feed per storefront, and the
// ratings snapshot cross-checked against the stored reviews (the sandbox's histogram is the
// ratings of its reviews in that storefront).
#include "sync/review_sync.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "apple/asc/customer_reviews.h"
#include "apple/testing/sandbox_fixture.h"
#include "core/clock.h"
#include "core/secret.h"
#include "crypto/jwt.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "store/sqlite/sqlite_review_store.h"
#include "sync/review_scheduler.h"
#include "store/testing/test_database.h"

namespace orchard::sync {
namespace {

constexpr const char* kApp = "1476097583";

class NoSleep final : public apple::asc::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds) override {}
};

class ReviewSyncTest : public apple::testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    db_ = store::testing::OpenTestDatabase("orchard-review-sync", &db_dir_);
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->Exec("INSERT INTO teams (id, name, created_at) VALUES (1, 'one', 0)").ok());
    reviews_ = std::make_unique<store::sqlite::SqliteReviewStore>(db_, &SystemClock());
    const auto meta = KeysFile("key.json");
    std::ifstream in(dir_ / meta["key_file"].get<std::string>());
    std::stringstream pem;
    pem << in.rdbuf();
    auto key = crypto::Es256PrivateKey::FromPem(Secret(pem.str()));
    ASSERT_TRUE(key.has_value());
    signer_ = std::make_unique<crypto::AscTokenSigner>(meta["issuer_id"].get<std::string>(),
                                                      meta["key_id"].get<std::string>(), std::move(*key),
                                                      &SystemClock());
    asc_ = std::make_unique<apple::asc::AscClient>(sandbox_->base_url(), [this] { return signer_->Token(); },
                                                  http_.get(), apple::asc::RetryPolicy{}, &sleeper_, 3);
    public_ = std::make_unique<apple::pub::PublicStoreClient>(
        apple::pub::PublicEndpoints{sandbox_->base_url(), sandbox_->base_url(), sandbox_->base_url()}, http_.get(),
        std::chrono::milliseconds(0), apple::asc::RetryPolicy{}, &sleeper_);
  }
  void TearDown() override {
    reviews_.reset();
    db_.reset();
    std::filesystem::remove_all(db_dir_);
    SandboxFixture::TearDown();
  }
  void MoveSandboxToday(const std::string& day) {
    net::HttpRequest request;
    request.method = "POST";
    request.url = sandbox_->base_url() + "/_sandbox/today";
    request.headers = {{"Content-Type", "application/json"}};
    request.body = R"({"date":")" + day + R"("})";
    auto r = http_->Send(request);
    ASSERT_TRUE(r.has_value() && r->status == 200);
  }
  // What the sandbox lists for the app now, read page by page through the client.
  int64_t SandboxTotal() {
    int64_t total = -1;
    apple::asc::ListReviewsOptions options;
    options.limit = 1;
    options.max_pages = 1;
    auto listed = apple::asc::ListCustomerReviews(*asc_, kApp, options,
                                                  [&](const apple::asc::CustomerReviewPage& page)
                                                      -> Result<apple::asc::PageAction> {
                                                    total = page.total.value_or(-1);
                                                    return apple::asc::PageAction::kStop;
                                                  });
    EXPECT_TRUE(listed.has_value());
    return total;
  }
  int64_t Stored(const std::string& source, const std::string& country = "") {
    store::ReviewQuery q;
    q.team_id = 1;
    q.source = source;
    if (!country.empty()) q.countries = {country};
    return reviews_->CountReviews(q)->total;
  }
  int64_t QueuedNotifications() {
    auto st = db_->Prepare("SELECT count(*) FROM review_notifications");
    EXPECT_TRUE(st.has_value());
    st->Step();
    return st->Int(0);
  }

  std::filesystem::path db_dir_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteReviewStore> reviews_;
  std::unique_ptr<crypto::AscTokenSigner> signer_;
  std::unique_ptr<apple::asc::AscClient> asc_;
  std::unique_ptr<apple::pub::PublicStoreClient> public_;
  NoSleep sleeper_;
};

TEST_F(ReviewSyncTest, LinkedFullThenIncrementalThenEdits) {
  const int64_t now = SystemClock().NowSeconds();
  auto first = SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kIncremental, now);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  const int64_t total = SandboxTotal();
  ASSERT_GT(total, 200);  // more than one page of 200
  EXPECT_EQ(first->added, total);
  EXPECT_EQ(Stored("asc"), total);
  EXPECT_EQ(first->pages, (total + 199) / 200);
  EXPECT_EQ(first->notified, 0);  // the first sync is history, not news
  EXPECT_EQ(QueuedNotifications(), 0);

  // Nothing new: one page, nothing added.
  auto again = SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kIncremental, now);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->pages, 1);
  EXPECT_EQ(again->added, 0);

  // Five days later: the new reviews fit the first page; they are news.
  MoveSandboxToday("2026-03-15");
  const int64_t later_total = SandboxTotal();
  ASSERT_GT(later_total, total);
  auto incremental = SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kIncremental, now + 60);
  ASSERT_TRUE(incremental.has_value()) << incremental.error().ToString();
  EXPECT_EQ(incremental->pages, 1);
  EXPECT_EQ(incremental->added, later_total - total);
  EXPECT_EQ(incremental->notified, later_total - total);
  EXPECT_EQ(QueuedNotifications(), later_total - total);
  EXPECT_EQ(Stored("asc"), later_total);

  // Authors edit older reviews days later (keeping the createdDate): only a full resync reads them;
  // each is updated in place, keeps its id, and its earlier text goes to the history. (With seed
  // 11, reviews stored by now are edited before 30 March.)
  MoveSandboxToday("2026-03-30");
  const int64_t march_total = SandboxTotal();
  auto full = SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kFull, now + 120);
  ASSERT_TRUE(full.has_value()) << full.error().ToString();
  EXPECT_EQ(full->added, march_total - later_total);
  EXPECT_EQ(Stored("asc"), march_total);
  ASSERT_GT(full->updated, 0) << "the sandbox edits about one review in 25 within 20 days";
  store::ReviewQuery q;
  q.team_id = 1;
  q.source = "asc";
  q.from = now + 120;  // edits are dated when first seen
  q.limit = 1000;
  auto edited = reviews_->ListReviews(q);
  ASSERT_TRUE(edited.has_value());
  EXPECT_EQ(edited->total, full->updated);
  for (const auto& r : edited->reviews) {
    auto detail = reviews_->GetReview(1, r.id);
    ASSERT_TRUE(detail.has_value());
    ASSERT_EQ(detail->history.size(), 1u) << r.source_id;
    EXPECT_EQ(r.title.rfind("Update: ", 0), 0u) << r.title;  // the sandbox's edits say so
    EXPECT_NE(detail->history[0].title, r.title);
    EXPECT_LT(r.created_at, r.updated_at);
  }
  // A second full resync changes nothing.
  auto steady = SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kFull, now + 180);
  ASSERT_TRUE(steady.has_value());
  EXPECT_EQ(steady->added + steady->updated, 0);
}

TEST_F(ReviewSyncTest, ReplyStatesFollowAppleAndADeletedReplyIsCleared) {
  const int64_t now = SystemClock().NowSeconds();
  ASSERT_TRUE(SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kFull, now).has_value());
  store::ReviewQuery q;
  q.team_id = 1;
  q.limit = 1;
  auto newest = reviews_->ListReviews(q);
  ASSERT_TRUE(newest.has_value() && !newest->reviews.empty());
  const auto review = newest->reviews[0];
  // A reply made in App Store Connect (directly through the API here) appears on the next sync,
  // pending until Apple publishes it.
  auto reply = apple::asc::CreateResponse(*asc_, review.source_id, "Thanks for writing!");
  ASSERT_TRUE(reply.has_value()) << reply.error().ToString();
  ASSERT_TRUE(SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kIncremental, now).has_value());
  auto stored = reviews_->GetReview(1, review.id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->review.reply_state, store::ReplyState::kPending);
  ASSERT_TRUE(stored->review.response.has_value());
  EXPECT_EQ(stored->review.response->body, "Thanks for writing!");
  // Deleted in App Store Connect: cleared once it is older than a few minutes.
  ASSERT_TRUE(apple::asc::DeleteResponse(*asc_, reply->id).ok());
  ASSERT_TRUE(SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kIncremental, now).has_value());
  EXPECT_EQ(reviews_->GetReview(1, review.id)->review.reply_state, store::ReplyState::kPending);
  ASSERT_TRUE(SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kIncremental, now + 3600).has_value());
  EXPECT_EQ(reviews_->GetReview(1, review.id)->review.reply_state, store::ReplyState::kNone);
}

TEST_F(ReviewSyncTest, PublicFeedPerStorefrontThenIncremental) {
  const int64_t now = SystemClock().NowSeconds();
  auto us = SyncPublicReviews(*public_, *reviews_, 1, kApp, "us", ReviewSyncMode::kIncremental, now);
  ASSERT_TRUE(us.has_value()) << us.error().ToString();
  EXPECT_GT(us->added, 50);
  EXPECT_LE(us->added, 500);  // the feed serves at most 10 pages × 50
  EXPECT_EQ(us->added, us->fetched);
  EXPECT_EQ(Stored("rss", "us"), us->added);
  EXPECT_EQ(Stored("rss"), us->added);  // only that storefront
  auto again = SyncPublicReviews(*public_, *reviews_, 1, kApp, "us", ReviewSyncMode::kIncremental, now);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->pages, 1);
  EXPECT_EQ(again->added + again->updated, 0);
  // A storefront the app has no reviews in: an empty feed, nothing stored, no error.
  auto none = SyncPublicReviews(*public_, *reviews_, 1, kApp, "is", ReviewSyncMode::kIncremental, now);
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_EQ(none->added, 0);
}

TEST_F(ReviewSyncTest, RatingsSnapshotMatchesTheStoredReviews) {
  const int64_t now = SystemClock().NowSeconds();
  ASSERT_TRUE(SyncLinkedReviews(*asc_, *reviews_, 1, kApp, ReviewSyncMode::kFull, now).has_value());
  const Date day = *Date::ParseIso("2026-03-10");
  auto r = SyncRatings(*public_, *reviews_, 1, kApp, {"us", "gb", "de"}, day);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->storefronts, 3);
  EXPECT_EQ(r->failed, 0);
  auto snapshots = reviews_->ListRatingSnapshots(1, kApp, {}, day, day);
  ASSERT_TRUE(snapshots.has_value());
  ASSERT_EQ(snapshots->size(), 4u);  // de, gb, us, ww
  std::array<int64_t, 5> world{};
  int64_t world_count = 0;
  for (const auto& s : *snapshots) {
    if (s.country == "ww") continue;
    // The histogram counts the storefront's reviews by rating (the sandbox's definition).
    store::ReviewQuery q;
    q.team_id = 1;
    q.source = "asc";
    q.countries = {s.country};
    auto counts = reviews_->CountReviews(q);
    ASSERT_TRUE(counts.has_value());
    for (int stars = 1; stars <= 5; ++stars) {
      const int64_t expected = counts->by_rating.contains(stars) ? counts->by_rating.at(stars) : 0;
      EXPECT_EQ(s.histogram[static_cast<size_t>(stars - 1)], expected) << s.country << " " << stars;
      world[static_cast<size_t>(stars - 1)] += expected;
    }
    EXPECT_EQ(s.count, counts->total) << s.country;
    world_count += counts->total;
  }
  const auto& ww = snapshots->back();
  ASSERT_EQ(ww.country, "ww");
  EXPECT_EQ(ww.count, world_count);
  EXPECT_EQ(ww.histogram, world);
  // The worldwide average weighs each storefront's (rounded) average by its count.
  int64_t weighted = 0;
  for (const auto& s : *snapshots) {
    if (s.country != "ww") weighted += s.average_x100 * s.count;
  }
  EXPECT_EQ(ww.average_x100, (weighted + world_count / 2) / world_count);
  // A storefront that does not exist: absent, not a failure.
  auto odd = SyncRatings(*public_, *reviews_, 1, kApp, {"us", "qq"}, day.AddDays(1));
  ASSERT_TRUE(odd.has_value()) << odd.error().ToString();
  EXPECT_EQ(odd->storefronts, 1);
  EXPECT_EQ(odd->absent, 1);
}

// The schedule of `orchard serve` for a tracked app: each storefront at once while nothing is
// stored, then only in its own slot of the public interval; ratings once a day.
TEST_F(ReviewSyncTest, SchedulerRunsPublicFeedsInTheirSlotsAndRatingsDaily) {
  store::sqlite::SqliteMetaStore meta(db_, &SystemClock());
  store::TrackedApp app;
  app.app_id = kApp;
  app.countries = {"gb", "us"};
  ASSERT_TRUE(reviews_->TrackApp(1, app).has_value());
  // 2026-03-10 12:00 UTC (04:00 in Los Angeles).
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1773144000)));
  ReviewSchedulerOptions options;
  options.public_interval = std::chrono::hours(6);
  ReviewScheduler scheduler(&meta, reviews_.get(), public_.get(), &clock, options);
  const int64_t interval = 6 * 3600;

  auto first = scheduler.Tick({1}, {}, nullptr);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->failed, 0);
  EXPECT_GT(first->public_feed.added, 0);
  EXPECT_EQ(first->public_feed.added, Stored("rss"));
  EXPECT_EQ(first->ratings_apps, 1);
  const int64_t sent = public_->requests_sent();

  // A minute later nothing is due: no request at all.
  clock.Advance(std::chrono::minutes(1));
  auto idle = scheduler.Tick({1}, {}, nullptr);
  ASSERT_TRUE(idle.has_value());
  EXPECT_EQ(idle->public_feed.pages, 0);
  EXPECT_EQ(idle->ratings_apps, 0);
  EXPECT_EQ(public_->requests_sent(), sent);

  // Each storefront comes back in its own slot: just after the earlier slot, only that one runs.
  const int64_t start = clock.NowSeconds();
  const int64_t gb = scheduler.PublicSlot(1, kApp, "gb"), us = scheduler.PublicSlot(1, kApp, "us");
  ASSERT_NE(gb, us);
  auto next_run = [&](int64_t slot) { return start + ((slot - start % interval) % interval + interval) % interval; };
  const int64_t first_due = std::min(next_run(gb), next_run(us));
  const int64_t second_due = std::max(next_run(gb), next_run(us));
  clock.Advance(std::chrono::seconds(first_due - start));
  auto one = scheduler.Tick({1}, {}, nullptr);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->public_feed.pages, 1);  // one storefront, one page (nothing new)
  clock.Advance(std::chrono::seconds(second_due - first_due));
  auto other = scheduler.Tick({1}, {}, nullptr);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->public_feed.pages, 1);
  EXPECT_EQ(other->ratings_apps, 0);  // at most 10:00 in Los Angeles: the same day, no new snapshot

  // Slots spread over the interval.
  std::set<int64_t> slots;
  for (int i = 0; i < 50; ++i) {
    const int64_t slot = scheduler.PublicSlot(1, std::to_string(1000 + i), "us");
    EXPECT_GE(slot, 0);
    EXPECT_LT(slot, interval);
    slots.insert(slot / 3600);
  }
  EXPECT_EQ(slots.size(), 6u);  // every hour of the six has some
}

}  // namespace
}  // namespace orchard::sync
