// Review webhooks against a real receiver: a cpp-httplib server on 127.0.0.1 (any free port),
// a real SQLite file, the real libcurl client, and a fake clock. Signatures are checked with
// OpenSSL's HMAC(), independently of the libsodium code that makes them. Expected times are
// worked out by hand from the backoff rule (1 min × 2^(n−1), at most 1 h; 8 attempts).
#include "notify/review_webhooks.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "crypto/key_ring.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "store/sqlite/sqlite_review_store.h"

namespace orchard::notify {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;
using store::NotificationState;

constexpr int64_t kT0 = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kDay = 86'400;

// A webhook receiver on loopback: records every request, answers from a script (then 200).
class Receiver {
 public:
  struct Got {
    std::string body;
    httplib::Headers headers;
    std::string Header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };
  struct Answer {
    int status = 200;
    std::string retry_after;
  };

  Receiver() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      got_.push_back({req.body, req.headers});
      Answer a;
      if (!script_.empty()) {
        a = script_.front();
        script_.pop_front();
      }
      res.status = a.status;
      if (!a.retry_after.empty()) res.set_header("Retry-After", a.retry_after);
      res.set_content(a.status == 200 ? "ok" : "receiver says no", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~Receiver() { Stop(); }
  void Stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int port() const { return port_; }
  void Script(std::vector<Answer> answers) {
    std::lock_guard lock(mu_);
    script_.assign(answers.begin(), answers.end());
  }
  std::vector<Got> got() const {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<Got> got_;
  std::deque<Answer> script_;
};

// HMAC-SHA256 by OpenSSL, hex.
std::string OpenSslHmacHex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", mac[i]);
    out += hex;
  }
  return out;
}

// Checks X-Orchard-Signature as a receiver would (the recipe of review_webhooks.h) and returns
// its t, or -1.
int64_t VerifiedTime(const Receiver::Got& got, std::string_view secret) {
  const std::string sig = got.Header("X-Orchard-Signature");
  const size_t comma = sig.find(',');
  if (sig.rfind("t=", 0) != 0 || comma == std::string::npos ||
      sig.compare(comma + 1, 3, "v1=") != 0) {
    ADD_FAILURE() << "malformed signature header: " << sig;
    return -1;
  }
  const std::string t = sig.substr(2, comma - 2);
  const std::string v1 = sig.substr(comma + 4);
  if (OpenSslHmacHex(secret, t + "." + got.body) != v1) return -1;
  return std::stoll(t);
}

// An HTTP client that delivers, then "crashes" the dispatcher before it records the outcome.
class CrashAfterSend final : public net::HttpClient {
 public:
  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    (void)net::MakeCurlHttpClient()->Send(request);
    throw std::runtime_error("process killed after the receiver got the request");
  }
};

class ReviewWebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("orchard-webhooks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "keys");
    auto ring = crypto::KeyRing::CreateFile(dir_ / "keys" / "master.key");
    ASSERT_TRUE(ring.has_value()) << ring.error().ToString();
    ring_ = std::make_unique<crypto::KeyRing>(std::move(*ring));
    sealer_ = std::make_unique<crypto::Sealer>(ring_.get());
    Open();
    ASSERT_TRUE(db_->Exec("INSERT INTO teams (id, name, created_at) VALUES (1, 'one', 0), "
                          "(2, 'two', 0)")
                    .ok());
    store::CatalogApp app;
    app.apple_id = "111";
    app.name = "Orchard Pro";
    ASSERT_TRUE(meta_->PutCatalogApps(1, {app}, kT0).ok());
  }
  void TearDown() override {
    Close();
    fs::remove_all(dir_);
  }

  // Opens (or reopens, after Close: a "restart") the database file, stores and dispatcher.
  void Open(HttpFactory http = [] { return net::MakeCurlHttpClient(); }) {
    auto db = store::sqlite::Database::Open(dir_ / "orchard.db");
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    reviews_ = std::make_unique<store::sqlite::SqliteReviewStore>(db_, &clock_);
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, &clock_);
    webhooks_ = std::make_unique<ReviewWebhooks>(reviews_.get(), meta_.get(), sealer_.get(),
                                                 std::move(http), &clock_);
  }
  void Close() {
    webhooks_.reset();
    meta_.reset();
    reviews_.reset();
    db_.reset();
  }

  int64_t Now() const { return clock_.NowSeconds(); }
  void SetTime(int64_t t) { clock_.Advance(std::chrono::seconds(t - Now())); }

  // Sets up the webhook; returns the secret shown once.
  std::string SetUpHook(const std::string& url, int max_rating = 5,
                        const std::string& format = "json") {
    WebhookChange c;
    c.url = url;
    c.max_rating = max_rating;
    c.format = format;
    auto saved = webhooks_->Put(1, c);
    EXPECT_TRUE(saved.has_value()) << saved.error().ToString();
    if (!saved.has_value() || !saved->secret) return "";
    return std::string(saved->secret->view());
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

  // Stores reviews of app 111 (team 1) and queues them now, as the review sync does.
  std::vector<int64_t> AddReviews(const std::vector<store::Review>& reviews) {
    auto up = reviews_->UpsertReviews(1, "111", store::kSourceRss, reviews);
    EXPECT_TRUE(up.has_value()) << up.error().ToString();
    if (!up.has_value()) return {};
    auto queued = reviews_->QueueReviewNotifications(1, up->added_ids, Now());
    EXPECT_EQ(queued.value_or(-1), static_cast<int64_t>(reviews.size()));
    return up->added_ids;
  }

  store::NotificationRecord Note(int64_t review_id) {
    auto n = reviews_->GetReviewNotification(1, review_id);
    EXPECT_TRUE(n.has_value()) << n.error().ToString();
    return n.value_or(store::NotificationRecord{});
  }

  RunStats Run() {
    auto stats = webhooks_->RunOnce(Now());
    EXPECT_TRUE(stats.has_value()) << stats.error().ToString();
    return stats.value_or(RunStats{});
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(kT0))};
  fs::path dir_;
  std::unique_ptr<crypto::KeyRing> ring_;
  std::unique_ptr<crypto::Sealer> sealer_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteReviewStore> reviews_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<ReviewWebhooks> webhooks_;
};

TEST(WebhookBackoffTest, DoublesFromOneMinuteUpToAnHour) {
  WebhookOptions o;
  const std::vector<int64_t> expected = {60, 120, 240, 480, 960, 1920, 3600, 3600};
  for (int n = 1; n <= 8; ++n) EXPECT_EQ(BackoffSeconds(n, o), expected[n - 1]) << n;
}

TEST(WebhookPayloadTest, IsoUtcAndStars) {
  EXPECT_EQ(IsoUtc(kT0), "2023-11-14T22:13:20Z");
  EXPECT_EQ(IsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(IsoUtc(951'782'400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(Stars(2), "★★☆☆☆");
  EXPECT_EQ(Stars(5), "★★★★★");
}

TEST_F(ReviewWebhooksTest, SignedJsonGoesOnlyToReviewsMatchingTheFilter) {
  Receiver receiver;
  const std::string secret = SetUpHook(receiver.url(), /*max_rating=*/2);
  ASSERT_EQ(secret.size(), 6u + 64u);
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  const auto ids = AddReviews({R("r1", "us", 1, kT0 - kDay, "Crashes", "Crashes on launch", "2.0", "ann"),
                               R("r2", "GB", 2, kT0 - 2 * kDay, "Too expensive", "Price is high", "2.0", "bob"),
                               R("r3", "us", 3, kT0 - 3 * kDay, "Okay", "It is okay", "1.9", "cat"),
                               R("r5", "de", 5, kT0 - 4 * kDay, "Super", "Sehr gut", "1.9", "dan")});
  ASSERT_EQ(ids.size(), 4u);

  const RunStats stats = Run();
  EXPECT_EQ(stats.claimed, 4);
  EXPECT_EQ(stats.sent, 2);
  EXPECT_EQ(stats.skipped, 2);
  const auto got = receiver.got();
  ASSERT_EQ(got.size(), 2u);
  std::map<int64_t, Json> by_review;
  for (const auto& g : got) {
    EXPECT_EQ(VerifiedTime(g, secret), kT0) << "signature does not verify: " << g.body;
    EXPECT_EQ(g.Header("Content-Type"), "application/json");
    EXPECT_EQ(g.Header("User-Agent"), "Orchard-Webhook/1");
    Json doc = Json::parse(g.body);
    EXPECT_EQ(g.Header("X-Orchard-Delivery"), doc["delivery"].get<std::string>());
    by_review[doc["review"]["id"].get<int64_t>()] = doc;
  }
  ASSERT_TRUE(by_review.contains(ids[0]));
  ASSERT_TRUE(by_review.contains(ids[1]));
  const Json& one = by_review[ids[0]];
  EXPECT_EQ(one["event"], "review.created");
  EXPECT_EQ(one["delivery"], Note(ids[0]).delivery_id);
  EXPECT_EQ(one["team"]["id"], 1);
  EXPECT_EQ(one["review"]["app"], "111");
  EXPECT_EQ(one["review"]["app_name"], "Orchard Pro");
  EXPECT_EQ(one["review"]["country"], "us");
  EXPECT_EQ(one["review"]["rating"], 1);
  EXPECT_EQ(one["review"]["title"], "Crashes");
  EXPECT_EQ(one["review"]["body"], "Crashes on launch");
  EXPECT_EQ(one["review"]["author"], "ann");
  EXPECT_EQ(one["review"]["version"], "2.0");
  EXPECT_EQ(one["review"]["updated"], "2023-11-13T22:13:20Z");  // kT0 − 1 day
  EXPECT_EQ(by_review[ids[1]]["review"]["country"], "gb");

  EXPECT_EQ(Note(ids[0]).state, NotificationState::kSent);
  EXPECT_EQ(Note(ids[0]).attempts, 1);
  EXPECT_EQ(Note(ids[0]).sent_at, kT0);
  EXPECT_EQ(Note(ids[2]).state, NotificationState::kSkipped);
  EXPECT_EQ(Note(ids[2]).last_error, "rated 3 stars; the webhook wants at most 2");
  EXPECT_EQ(Note(ids[3]).state, NotificationState::kSkipped);
  // Nothing more to send, now or later.
  SetTime(kT0 + kDay);
  EXPECT_EQ(Run().claimed, 0);
  EXPECT_EQ(receiver.got().size(), 2u);
}

TEST_F(ReviewWebhooksTest, CountryAndAppFiltersAndAWebhookSetUpLater) {
  Receiver receiver;
  // Queued before any webhook existed: skipped, not delivered once one is set up.
  const auto early = AddReviews({R("e1", "us", 1, kT0 - kDay, "Early", "Before the hook", "1", "x")});
  SetTime(kT0 + 10);
  WebhookChange c;
  c.url = receiver.url();
  c.countries = {"US"};
  c.app_ids = {"111"};
  ASSERT_TRUE(webhooks_->Put(1, c).has_value());
  const auto later = AddReviews({R("l1", "us", 1, kT0, "Later", "After the hook", "1", "x"),
                                 R("l2", "fr", 1, kT0, "Plus tard", "Pas aux US", "1", "x")});
  auto other_app = reviews_->UpsertReviews(1, "222", store::kSourceRss,
                                           {R("o1", "us", 1, kT0, "Other", "Other app", "1", "x")});
  ASSERT_TRUE(other_app.has_value());
  ASSERT_EQ(*reviews_->QueueReviewNotifications(1, other_app->added_ids, Now()), 1);

  const RunStats stats = Run();
  EXPECT_EQ(stats.sent, 1);
  EXPECT_EQ(stats.skipped, 3);
  ASSERT_EQ(receiver.got().size(), 1u);
  EXPECT_EQ(Json::parse(receiver.got()[0].body)["review"]["id"], later[0]);
  EXPECT_EQ(Note(early[0]).last_error, "the review was found before the webhook was set up");
  EXPECT_EQ(Note(later[1]).last_error, "storefront fr is not among the webhook's countries");
  EXPECT_EQ(Note(other_app->added_ids[0]).last_error, "app 222 is not among the webhook's apps");
}

TEST_F(ReviewWebhooksTest, TwoFailuresThenSuccessIsDeliveredOnceWithBackoff) {
  Receiver receiver;
  receiver.Script({{500, ""}, {500, ""}, {200, ""}});
  const std::string secret = SetUpHook(receiver.url());
  const auto ids = AddReviews({R("r1", "us", 1, kT0, "Crashes", "Crashes on launch", "2.0", "ann")});

  // Attempt 1 at T0 → 500: next at T0 + 60 (1 min × 2^0).
  RunStats s = Run();
  EXPECT_EQ(s.retried, 1);
  auto n = Note(ids[0]);
  EXPECT_EQ(n.state, NotificationState::kQueued);
  EXPECT_EQ(n.attempts, 1);
  EXPECT_EQ(n.not_before, kT0 + 60);
  EXPECT_EQ(n.last_error,
            "127.0.0.1:" + std::to_string(receiver.port()) +
                " answered HTTP 500 Internal Server Error: receiver says no");
  // Not due a second early.
  SetTime(kT0 + 59);
  EXPECT_EQ(Run().claimed, 0);
  // Attempt 2 at T0 + 60 → 500: next at T0 + 60 + 120 (1 min × 2^1).
  SetTime(kT0 + 60);
  EXPECT_EQ(Run().retried, 1);
  EXPECT_EQ(Note(ids[0]).attempts, 2);
  EXPECT_EQ(Note(ids[0]).not_before, kT0 + 180);
  // Attempt 3 at T0 + 180 → 200: sent.
  SetTime(kT0 + 180);
  EXPECT_EQ(Run().sent, 1);
  n = Note(ids[0]);
  EXPECT_EQ(n.state, NotificationState::kSent);
  EXPECT_EQ(n.attempts, 3);
  EXPECT_EQ(n.sent_at, kT0 + 180);
  EXPECT_EQ(n.last_error, "");
  SetTime(kT0 + 100 * kDay);
  EXPECT_EQ(Run().claimed, 0);

  const auto got = receiver.got();
  ASSERT_EQ(got.size(), 3u);
  const std::vector<int64_t> times = {kT0, kT0 + 60, kT0 + 180};
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].Header("X-Orchard-Delivery"), n.delivery_id) << i;
    EXPECT_EQ(VerifiedTime(got[i], secret), times[i]) << i;
  }
}

TEST_F(ReviewWebhooksTest, TooManyRequestsWaitsForRetryAfter) {
  Receiver receiver;
  receiver.Script({{429, "300"}});
  SetUpHook(receiver.url());
  const auto ids = AddReviews({R("r1", "us", 1, kT0, "t", "b", "1", "a")});
  EXPECT_EQ(Run().retried, 1);
  EXPECT_EQ(Note(ids[0]).not_before, kT0 + 300);  // not the 60 s of the backoff
  SetTime(kT0 + 299);
  EXPECT_EQ(Run().claimed, 0);
  SetTime(kT0 + 300);
  EXPECT_EQ(Run().sent, 1);
}

TEST_F(ReviewWebhooksTest, UnreachableReceiverFailsAfterEightAttempts) {
  int closed_port = 0;
  {
    Receiver gone;
    closed_port = gone.port();
  }  // stopped: nothing listens there any more
  SetUpHook("http://127.0.0.1:" + std::to_string(closed_port) + "/hook");
  const auto ids = AddReviews({R("r1", "us", 1, kT0, "t", "b", "1", "a")});
  // The waits after failures 1…7: 60, 120, 240, 480, 960, 1920, 3600 (capped at 1 h).
  const std::vector<int64_t> waits = {60, 120, 240, 480, 960, 1920, 3600};
  int64_t t = kT0;
  for (int attempt = 1; attempt <= 7; ++attempt) {
    SetTime(t);
    EXPECT_EQ(Run().retried, 1) << attempt;
    const auto n = Note(ids[0]);
    EXPECT_EQ(n.attempts, attempt);
    t += waits[static_cast<size_t>(attempt - 1)];
    EXPECT_EQ(n.not_before, t) << attempt;
  }
  EXPECT_EQ(t, kT0 + 7380);  // 60+120+240+480+960+1920+3600
  SetTime(t);
  EXPECT_EQ(Run().failed, 1);
  const auto n = Note(ids[0]);
  EXPECT_EQ(n.state, NotificationState::kFailed);
  EXPECT_EQ(n.attempts, 8);
  EXPECT_EQ(n.last_error.rfind("gave up after 8 attempts; the last: request to http://127.0.0.1:" +
                                   std::to_string(closed_port) + " failed: ",
                               0),
            0u)
      << n.last_error;
  SetTime(t + 100 * kDay);
  EXPECT_EQ(Run().claimed, 0);
}

// Exactly once per review across a restart: a receiver that drops repeated delivery ids (as the
// recipe says) processes every review once; a sent notification is never sent again, and one
// left `sending` by a dead process is sent again, with the same delivery id.
TEST_F(ReviewWebhooksTest, RestartNeverResendsSentOnesAndFinishesTheOneLeftSending) {
  Receiver receiver;
  const std::string secret = SetUpHook(receiver.url());
  const auto first = AddReviews({R("r1", "us", 1, kT0, "one", "b", "1", "a"),
                                 R("r2", "us", 2, kT0, "two", "b", "1", "a")});
  EXPECT_EQ(Run().sent, 2);

  // A third review; the process delivers it and dies before recording the answer.
  SetTime(kT0 + 10);
  const auto third = AddReviews({R("r3", "us", 1, kT0 + 5, "three", "b", "1", "a")});
  Close();
  Open([] { return std::make_unique<CrashAfterSend>(); });
  EXPECT_THROW((void)webhooks_->RunOnce(Now()), std::runtime_error);
  ASSERT_EQ(receiver.got().size(), 3u);
  EXPECT_EQ(Note(third[0]).state, NotificationState::kSending);

  // Restart: same file, new stores, new dispatcher.
  Close();
  Open();
  EXPECT_EQ(Run().claimed, 0);  // the dead process's lease (2 min) still runs
  SetTime(kT0 + 10 + 120);
  const RunStats after = Run();
  EXPECT_EQ(after.claimed, 1);
  EXPECT_EQ(after.sent, 1);
  SetTime(kT0 + 30 * kDay);
  Close();
  Open();
  EXPECT_EQ(Run().claimed, 0);

  const auto got = receiver.got();
  ASSERT_EQ(got.size(), 4u);  // r1, r2, r3 (unrecorded), r3 again
  std::map<std::string, int> per_delivery;
  std::set<int64_t> processed;  // what a deduplicating receiver acts on
  for (const auto& g : got) {
    EXPECT_GT(VerifiedTime(g, secret), 0);
    const std::string id = g.Header("X-Orchard-Delivery");
    if (++per_delivery[id] == 1) processed.insert(Json::parse(g.body)["review"]["id"].get<int64_t>());
  }
  EXPECT_EQ(processed, (std::set<int64_t>{first[0], first[1], third[0]}));
  EXPECT_EQ(per_delivery[Note(third[0]).delivery_id], 2);
  EXPECT_EQ(per_delivery[Note(first[0]).delivery_id], 1);
  EXPECT_EQ(per_delivery[Note(first[1]).delivery_id], 1);
  EXPECT_EQ(Note(third[0]).state, NotificationState::kSent);
  EXPECT_EQ(Note(third[0]).attempts, 1);  // the unrecorded attempt is not counted
}

TEST_F(ReviewWebhooksTest, SlackPayloadIsAnIncomingWebhookMessageWithEscapedText) {
  Receiver receiver;
  SetUpHook(receiver.url(), 5, "slack");
  AddReviews({R("r2", "gb", 2, kT0 - 2 * kDay, "Too expensive",
                "Nice idea but the price is too high", "2.0", "bob"),
              R("r1", "us", 1, kT0, "<!channel> & friends", "see <https://evil.example|here>", "",
                "eve")});
  EXPECT_EQ(Run().sent, 2);
  const auto got = receiver.got();
  ASSERT_EQ(got.size(), 2u);
  std::map<std::string, Json> by_text;
  for (const auto& g : got) {
    Json doc = Json::parse(g.body);
    ASSERT_TRUE(doc["text"].is_string());
    by_text[doc["text"].get<std::string>().substr(0, 20)] = doc;
  }
  Json plain;
  Json hostile;
  for (auto& [k, v] : by_text) {
    (v["text"].get<std::string>().find("Too expensive") != std::string::npos ? plain : hostile) = v;
  }
  EXPECT_EQ(plain["text"],
            "★★☆☆☆ Too expensive — Orchard Pro (gb)\nNice idea but the price is too high\n"
            "— bob, version 2.0");
  ASSERT_TRUE(plain["blocks"].is_array());
  ASSERT_EQ(plain["blocks"].size(), 2u);
  EXPECT_EQ(plain["blocks"][0]["type"], "section");
  EXPECT_EQ(plain["blocks"][0]["text"]["type"], "mrkdwn");
  EXPECT_EQ(plain["blocks"][0]["text"]["text"],
            "*★★☆☆☆ Too expensive*\nNice idea but the price is too high");
  EXPECT_EQ(plain["blocks"][1]["type"], "context");
  EXPECT_EQ(plain["blocks"][1]["elements"][0]["type"], "mrkdwn");
  EXPECT_EQ(plain["blocks"][1]["elements"][0]["text"],
            "Orchard Pro (gb) — bob, version 2.0 · 2023-11-12T22:13:20Z");
  // Review text cannot ping the channel or make a link.
  EXPECT_EQ(hostile["text"],
            "★☆☆☆☆ &lt;!channel&gt; &amp; friends — Orchard Pro (us)\n"
            "see &lt;https://evil.example|here&gt;\n— eve");
}

TEST_F(ReviewWebhooksTest, ConfigurationRulesSecretShownOnceRotationAndSealedStorage) {
  Receiver receiver;
  WebhookChange c;
  for (const char* bad : {"http://hooks.example/x", "ftp://127.0.0.1/x", "hooks.example", ""}) {
    c.url = bad;
    EXPECT_EQ(webhooks_->Put(1, c).error().code(), Code::kInvalidArgument) << bad;
  }
  c.url = "https://hooks.example/x";
  c.format = "xml";
  EXPECT_EQ(webhooks_->Put(1, c).error().code(), Code::kInvalidArgument);
  c.format = "json";
  c.max_rating = 6;
  EXPECT_EQ(webhooks_->Put(1, c).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(webhooks_->Get(1).error().code(), Code::kNotFound);

  c.max_rating = 2;
  c.url = receiver.url();
  auto created = webhooks_->Put(1, c);
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_TRUE(created->created);
  ASSERT_TRUE(created->secret.has_value());
  const std::string first_secret(created->secret->view());
  EXPECT_TRUE(created->hook.secret_blob.empty());
  // An update keeps the secret and does not show it again.
  c.max_rating = 1;
  auto updated = webhooks_->Put(1, c);
  ASSERT_TRUE(updated.has_value());
  EXPECT_FALSE(updated->created);
  EXPECT_FALSE(updated->secret.has_value());
  EXPECT_EQ(webhooks_->Get(1)->max_rating, 1);
  EXPECT_TRUE(webhooks_->Get(1)->secret_blob.empty());
  EXPECT_EQ(webhooks_->Get(2).error().code(), Code::kNotFound);

  // The test delivery is signed with the current secret.
  auto test = webhooks_->SendTest(1);
  ASSERT_TRUE(test.has_value()) << test.error().ToString();
  EXPECT_TRUE(test->delivered);
  EXPECT_EQ(test->status, 200);
  ASSERT_EQ(receiver.got().size(), 1u);
  EXPECT_EQ(VerifiedTime(receiver.got()[0], first_secret), kT0);
  EXPECT_EQ(Json::parse(receiver.got()[0].body)["event"], "review.test");
  EXPECT_EQ(webhooks_->SendTest(2).error().code(), Code::kNotFound);

  // Rotation: a new secret, shown once; the old one no longer verifies.
  c.rotate_secret = true;
  auto rotated = webhooks_->Put(1, c);
  ASSERT_TRUE(rotated.has_value() && rotated->secret.has_value());
  const std::string second_secret(rotated->secret->view());
  EXPECT_NE(second_secret, first_secret);
  ASSERT_TRUE(webhooks_->SendTest(1).has_value());
  ASSERT_EQ(receiver.got().size(), 2u);
  EXPECT_EQ(VerifiedTime(receiver.got()[1], first_secret), -1);
  EXPECT_EQ(VerifiedTime(receiver.got()[1], second_secret), kT0);

  // The database file holds the secret only sealed.
  Close();
  for (const char* name : {"orchard.db", "orchard.db-wal"}) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(second_secret), std::string::npos) << name;
    EXPECT_EQ(bytes.str().find(second_secret.substr(6)), std::string::npos) << name;
  }
  Open();

  // Sealed (no master key): the configuration reads, but nothing is signed or stored.
  ReviewWebhooks sealed(reviews_.get(), meta_.get(), nullptr,
                        [] { return net::MakeCurlHttpClient(); }, &clock_);
  EXPECT_TRUE(sealed.Get(1).has_value());
  EXPECT_EQ(sealed.Put(1, c).error().code(), Code::kFailedPrecondition);
  EXPECT_EQ(sealed.RunOnce(Now()).error().code(), Code::kFailedPrecondition);
  EXPECT_EQ(sealed.SendTest(1).error().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(*sealed.Remove(1));
  EXPECT_EQ(webhooks_->Get(1).error().code(), Code::kNotFound);
}

TEST_F(ReviewWebhooksTest, ATurnedOffWebhookSkipsAndATestReportsTheReceiversRefusal) {
  Receiver receiver;
  WebhookChange c;
  c.url = receiver.url();
  c.enabled = false;
  ASSERT_TRUE(webhooks_->Put(1, c).has_value());
  const auto ids = AddReviews({R("r1", "us", 1, kT0, "t", "b", "1", "a")});
  EXPECT_EQ(Run().skipped, 1);
  EXPECT_EQ(Note(ids[0]).last_error, "the webhook is turned off");
  EXPECT_TRUE(receiver.got().empty());
  receiver.Script({{403, ""}});
  auto test = webhooks_->SendTest(1);
  ASSERT_TRUE(test.has_value());
  EXPECT_FALSE(test->delivered);
  EXPECT_EQ(test->status, 403);
  EXPECT_EQ(test->error, "127.0.0.1:" + std::to_string(receiver.port()) +
                             " answered HTTP 403 Forbidden: receiver says no");
}

}  // namespace
}  // namespace orchard::notify
