// The reply rules against the sandbox's App Store Connect: accounts are linked through
// AccountService (so their capabilities come from the real probes), reviews are the sandbox's
// own (read with the client, stored through the review store), replies go over HTTP. What is
// expected comes from the sandbox's role rules (reviews.cc: Admin, App Manager and Customer
// Support may reply; key-developer.json is a Developer key) and from reading Apple's side back.
#include "accounts/review_replies.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apple/asc/customer_reviews.h"
#include "core/clock.h"
#include "crypto/es256.h"
#include "crypto/jwt.h"
#include "crypto/key_ring.h"
#include "crypto/sealer.h"
#include "net/http_client.h"
#include "sandbox/sandbox.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "store/sqlite/sqlite_review_store.h"

namespace orchard::accounts {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;
constexpr const char* kApp = "1476097583";  // an app of the sandbox's portfolio with reviews
const Actor kActor{7, "admin@acme.example", "192.0.2.1"};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What an opener hands out: the client with the HTTP client and signer it uses.
struct ClientBundle {
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<crypto::AscTokenSigner> signer;
  std::unique_ptr<apple::asc::AscClient> client;
};

class ReviewRepliesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("orchard-replies-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    sandbox::SandboxOptions o;
    o.keys_dir = dir_ / "sandbox";
    o.seed = 11;  // today: Pacific today, the day the service's probes ask for
    auto s = sandbox::Sandbox::Start(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    sandbox_ = std::move(*s);
    // The sandbox checks JWTs against the wall clock: Orchard's clock starts at the real now.
    clock_ = std::make_unique<FakeClock>(
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    auto ring = crypto::KeyRing::CreateFile(dir_ / "kek" / "master.key");
    ASSERT_TRUE(ring.has_value()) << ring.error().ToString();
    ring_ = std::make_unique<crypto::KeyRing>(std::move(*ring));
    sealer_ = std::make_unique<crypto::Sealer>(ring_.get());
    auto db = store::sqlite::Database::Open(dir_ / "data" / "orchard.db");
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, clock_.get());
    access_ = std::make_unique<store::sqlite::SqliteAccessStore>(db_, clock_.get());
    reviews_ = std::make_unique<store::sqlite::SqliteReviewStore>(db_, clock_.get());
    team_ = access_->CreateTeam("Acme Apps")->id;
    other_team_ = access_->CreateTeam("Other Apps")->id;
    Config config;
    const std::string base = sandbox_->base_url();
    config.apple.asc_api_url = base;
    config.apple.reporter_url = base;
    config.apple.idmsa_url = base;
    config.apple.web_url = base;
    config.apple.itunes_url = base;
    service_ = std::make_unique<AccountService>(meta_.get(), access_.get(), sealer_.get(), config,
                                                [] { return net::MakeCurlHttpClient(); },
                                                clock_.get());
    replies_ = std::make_unique<ReviewReplies>(
        reviews_.get(), meta_.get(), access_.get(),
        [this](const store::LinkedAccount& a) { return Open(a); }, clock_.get());
  }

  void TearDown() override {
    replies_.reset();
    service_.reset();
    reviews_.reset();
    access_.reset();
    meta_.reset();
    db_.reset();
    sandbox_.reset();
    fs::remove_all(dir_);
  }

  // The opener the CLI and the server use, built the same way: the account's sealed key.
  Result<std::shared_ptr<apple::asc::AscClient>> Open(const store::LinkedAccount& account) {
    ++opened_;
    ORCHARD_ASSIGN_OR_RETURN(Secret pem, service_->OpenSecret(account, "secret"));
    ORCHARD_ASSIGN_OR_RETURN(crypto::Es256PrivateKey key, crypto::Es256PrivateKey::FromPem(pem));
    return ClientFrom(account.issuer_id, account.key_id, std::move(key));
  }
  std::shared_ptr<apple::asc::AscClient> ClientFrom(const std::string& issuer,
                                                    const std::string& key_id,
                                                    crypto::Es256PrivateKey key) {
    auto b = std::make_shared<ClientBundle>();
    b->http = net::MakeCurlHttpClient();
    b->signer = std::make_unique<crypto::AscTokenSigner>(issuer, key_id, std::move(key),
                                                         &SystemClock());
    auto* signer = b->signer.get();
    b->client = std::make_unique<apple::asc::AscClient>(
        sandbox_->base_url(), [signer] { return signer->Token(); }, b->http.get());
    return std::shared_ptr<apple::asc::AscClient>(b, b->client.get());
  }
  // A client with one of the sandbox's keys, outside Orchard (to look at Apple's side).
  std::shared_ptr<apple::asc::AscClient> AppleSide(const std::string& key_json = "key.json") {
    const Json k = Json::parse(ReadText(dir_ / "sandbox" / key_json));
    auto key = crypto::Es256PrivateKey::FromPem(
        Secret(ReadText(dir_ / "sandbox" / k["key_file"].get<std::string>())));
    EXPECT_TRUE(key.has_value());
    return ClientFrom(k["issuer_id"].get<std::string>(), k["key_id"].get<std::string>(),
                      std::move(*key));
  }

  int64_t Link(const std::string& key_json, int64_t team) {
    const Json k = Json::parse(ReadText(dir_ / "sandbox" / key_json));
    LinkRequest r;
    r.method = kAscKey;
    r.name = key_json;
    r.issuer_id = k.value("issuer_id", "");
    r.key_id = k.value("key_id", "");
    r.vendor_number = k["vendor_number"].is_string() ? k["vendor_number"].get<std::string>()
                                                     : k["vendor_number"].dump();
    r.private_key = Secret(ReadText(dir_ / "sandbox" / k.value("key_file", "")));
    auto out = service_->Link(team, std::move(r), Actor{0, "test", ""});
    EXPECT_TRUE(out.has_value()) << out.error().ToString();
    return out.has_value() ? out->account.id : 0;
  }
  // An account of another method, stored directly (its secret is never opened here).
  int64_t StoreAccount(const std::string& method) {
    store::LinkedAccount a;
    a.team_id = team_;
    a.method = method;
    a.name = method + " account";
    a.apple_id = "someone-" + method + "@example.com";
    a.vendor_number = "85000001";
    a.capabilities = R"({"reviews_read":{"ok":true},"reviews_reply":{"ok":true}})";
    auto created = meta_->CreateAccount(
        a, [](int64_t) { return Result<store::SealedSecret>(store::SealedSecret{"blob", 1}); });
    EXPECT_TRUE(created.has_value()) << created.error().ToString();
    return created.has_value() ? created->id : 0;
  }
  void PutInCatalog(int64_t team, int64_t account_id) {
    store::CatalogApp app;
    app.apple_id = kApp;
    app.name = "Sandbox App";
    app.account_id = account_id;
    ASSERT_TRUE(meta_->PutCatalogApps(team, {app}, clock_->NowSeconds()).ok());
  }

  // The sandbox's newest reviews of the app, stored for `team` from `source`; Orchard's ids.
  std::vector<int64_t> StoreSandboxReviews(int64_t team, std::string_view source, size_t n = 2) {
    auto apple = AppleSide();
    std::vector<apple::asc::CustomerReview> got;
    apple::asc::ListReviewsOptions options;
    options.max_pages = 1;
    options.limit = 20;
    auto listed = apple::asc::ListCustomerReviews(
        *apple, kApp, options, [&](const apple::asc::CustomerReviewPage& page) {
          got.insert(got.end(), page.reviews.begin(), page.reviews.end());
          return Result<apple::asc::PageAction>(apple::asc::PageAction::kStop);
        });
    EXPECT_TRUE(listed.has_value()) << listed.error().ToString();
    std::vector<store::Review> rows;
    for (const auto& r : got) {
      if (r.response.has_value()) continue;  // start from reviews Apple has no response to
      store::Review s;
      s.source_id = r.id;
      s.country = r.territory;
      s.rating = r.rating;
      s.title = r.title;
      s.body = r.body;
      s.author = r.reviewer_nickname;
      s.updated_at = r.created_unix;
      rows.push_back(s);
      if (rows.size() == n) break;
    }
    EXPECT_EQ(rows.size(), n) << "the sandbox's first page has too few unanswered reviews";
    auto stored = reviews_->UpsertReviews(team, kApp, source, rows);
    EXPECT_TRUE(stored.has_value()) << stored.error().ToString();
    return stored.has_value() ? stored->added_ids : std::vector<int64_t>{};
  }
  std::string SourceId(int64_t team, int64_t review) {
    auto d = reviews_->GetReview(team, review);
    EXPECT_TRUE(d.has_value());
    return d.has_value() ? d->review.source_id : "";
  }
  std::vector<store::AuditEvent> Audit() {
    return access_->ListAudit(team_, 100).value_or(std::vector<store::AuditEvent>{});
  }
  int CountAudit(const std::string& action) {
    int n = 0;
    for (const auto& e : Audit()) n += e.action == action ? 1 : 0;
    return n;
  }

  fs::path dir_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<crypto::KeyRing> ring_;
  std::unique_ptr<crypto::Sealer> sealer_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteAccessStore> access_;
  std::unique_ptr<store::sqlite::SqliteReviewStore> reviews_;
  std::unique_ptr<AccountService> service_;
  std::unique_ptr<ReviewReplies> replies_;
  int64_t team_ = 0, other_team_ = 0;
  int opened_ = 0;
};

TEST_F(ReviewRepliesTest, AReplyIsSentToAppleAndStoredPending) {
  PutInCatalog(team_, Link("key.json", team_));
  const auto ids = StoreSandboxReviews(team_, store::kSourceAsc);
  ASSERT_EQ(ids.size(), 2u);
  const std::string body = "Thanks, Ana — we fixed the crash in 2.1, \"really\".";
  auto replied = replies_->Reply(team_, ids[0], body, kActor);
  ASSERT_TRUE(replied.has_value()) << replied.error().ToString();
  ASSERT_TRUE(replied->review.response.has_value());
  EXPECT_EQ(replied->review.reply_state, store::ReplyState::kPending);
  EXPECT_EQ(replied->review.response->state, "pending");
  EXPECT_EQ(replied->review.response->body, body);
  EXPECT_FALSE(replied->review.response->id.empty());

  // Apple has it, under the id Orchard stored.
  auto at_apple = apple::asc::GetResponse(*AppleSide(), SourceId(team_, ids[0]));
  ASSERT_TRUE(at_apple.has_value()) << at_apple.error().ToString();
  ASSERT_TRUE(at_apple->has_value());
  EXPECT_EQ((*at_apple)->id, replied->review.response->id);
  EXPECT_EQ((*at_apple)->body, body);

  // The other review is untouched; the audit names the review, not the text.
  auto other = reviews_->GetReview(team_, ids[1]);
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(other->review.response.has_value());
  ASSERT_EQ(CountAudit("review.reply"), 1);
  for (const auto& e : Audit()) {
    if (e.action != "review.reply") continue;
    EXPECT_EQ(e.target, "review:" + std::to_string(ids[0]));
    EXPECT_EQ(e.actor, kActor.name);
    EXPECT_EQ(e.user_id, kActor.user_id);
    EXPECT_EQ(e.detail.find("Ana"), std::string::npos) << e.detail;
  }

  // A second reply replaces the first (a review has one response).
  auto again = replies_->Reply(team_, ids[0], "Updated answer", kActor);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->review.response->body, "Updated answer");
  auto replaced = apple::asc::GetResponse(*AppleSide(), SourceId(team_, ids[0]));
  ASSERT_TRUE(replaced.has_value() && replaced->has_value());
  EXPECT_EQ((*replaced)->body, "Updated answer");
}

TEST_F(ReviewRepliesTest, ADeveloperKeyGetsAClearRefusalAndNothingIsSent) {
  const int64_t account = Link("key-developer.json", team_);
  PutInCatalog(team_, account);
  const auto ids = StoreSandboxReviews(team_, store::kSourceAsc, 1);
  ASSERT_EQ(ids.size(), 1u);
  auto refused = replies_->Reply(team_, ids[0], "Thanks!", kActor);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), Code::kPermissionDenied);
  const std::string m = refused.error().message();
  EXPECT_NE(m.find("Customer Support, App Manager or Admin"), std::string::npos) << m;
  EXPECT_NE(m.find("account " + std::to_string(account)), std::string::npos) << m;
  EXPECT_EQ(opened_, 0) << "the key was opened although the probe said it cannot reply";
  auto stored = reviews_->GetReview(team_, ids[0]);
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->review.response.has_value());
  auto at_apple = apple::asc::GetResponse(*AppleSide(), SourceId(team_, ids[0]));
  ASSERT_TRUE(at_apple.has_value());
  EXPECT_FALSE(at_apple->has_value());
  EXPECT_EQ(CountAudit("review.reply"), 0);
}

// When Orchard's record of the key's roles is out of date (the probe passed, the role was taken
// away since), Apple's 403 comes back as kPermissionDenied naming the replying roles.
TEST_F(ReviewRepliesTest, ApplesRefusalNamesTheRolesWhenTheProbeWasStale) {
  const int64_t account = Link("key-developer.json", team_);
  auto a = meta_->GetAccount(team_, account);
  ASSERT_TRUE(a.has_value());
  a->capabilities = R"({"reviews_reply":{"ok":true}})";  // as an older probe had it
  ASSERT_TRUE(meta_->UpdateAccount(*a).ok());
  PutInCatalog(team_, account);
  const auto ids = StoreSandboxReviews(team_, store::kSourceAsc, 1);
  ASSERT_EQ(ids.size(), 1u);
  auto refused = replies_->Reply(team_, ids[0], "Thanks!", kActor);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), Code::kPermissionDenied);
  EXPECT_NE(refused.error().message().find("Admin, App Manager or Customer Support"),
            std::string::npos)
      << refused.error().message();
  EXPECT_EQ(opened_, 1);
  EXPECT_FALSE(reviews_->GetReview(team_, ids[0])->review.response.has_value());
}

TEST_F(ReviewRepliesTest, UnreplyDeletesAtAppleAndClearsTheStoredResponse) {
  PutInCatalog(team_, Link("key.json", team_));
  const auto ids = StoreSandboxReviews(team_, store::kSourceAsc);
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(replies_->Reply(team_, ids[0], "Thanks!", kActor).has_value());
  auto out = replies_->Unreply(team_, ids[0], kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  EXPECT_TRUE(out->deleted_at_apple);
  EXPECT_FALSE(out->review.review.response.has_value());
  EXPECT_EQ(out->review.review.reply_state, store::ReplyState::kNone);
  auto at_apple = apple::asc::GetResponse(*AppleSide(), SourceId(team_, ids[0]));
  ASSERT_TRUE(at_apple.has_value());
  EXPECT_FALSE(at_apple->has_value());
  EXPECT_EQ(CountAudit("review.unreply"), 1);

  // A response Orchard knows without Apple's id (made in App Store Connect, or the id was lost):
  // Apple is asked for it, then it is deleted there and here.
  auto made = apple::asc::CreateResponse(*AppleSide(), SourceId(team_, ids[1]), "From ASC");
  ASSERT_TRUE(made.has_value()) << made.error().ToString();
  ASSERT_TRUE(reviews_->SetResponse(team_, ids[1], {"", "From ASC", "pending", 1}).ok());
  auto by_lookup = replies_->Unreply(team_, ids[1], kActor);
  ASSERT_TRUE(by_lookup.has_value()) << by_lookup.error().ToString();
  EXPECT_TRUE(by_lookup->deleted_at_apple);
  EXPECT_FALSE(by_lookup->review.review.response.has_value());
  auto gone = apple::asc::GetResponse(*AppleSide(), SourceId(team_, ids[1]));
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
}

TEST_F(ReviewRepliesTest, AResponseAppleNoLongerHasIsStillCleared) {
  PutInCatalog(team_, Link("key.json", team_));
  const auto ids = StoreSandboxReviews(team_, store::kSourceAsc, 1);
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(replies_->Reply(team_, ids[0], "Thanks!", kActor).has_value());
  const std::string response_id = reviews_->GetReview(team_, ids[0])->review.response->id;
  ASSERT_TRUE(apple::asc::DeleteResponse(*AppleSide(), response_id).ok());  // deleted in ASC
  auto out = replies_->Unreply(team_, ids[0], kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  EXPECT_FALSE(out->deleted_at_apple);
  EXPECT_FALSE(out->review.review.response.has_value());
  // Nothing stored, nothing at Apple: unreplying again is not an error and changes nothing.
  auto twice = replies_->Unreply(team_, ids[0], kActor);
  ASSERT_TRUE(twice.has_value()) << twice.error().ToString();
  EXPECT_FALSE(twice->deleted_at_apple);
  EXPECT_EQ(CountAudit("review.unreply"), 1);
}

TEST_F(ReviewRepliesTest, PublicFeedReviewsAndOtherMethodsAreRefusedInPlainWords) {
  const auto rss = StoreSandboxReviews(team_, store::kSourceRss, 1);
  ASSERT_EQ(rss.size(), 1u);
  auto feed = replies_->Reply(team_, rss[0], "Thanks!", kActor);
  ASSERT_FALSE(feed.has_value());
  EXPECT_EQ(feed.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(feed.error().message().find("public App Store feed"), std::string::npos)
      << feed.error().message();
  EXPECT_NE(feed.error().message().find("API key"), std::string::npos) << feed.error().message();

  const auto asc = StoreSandboxReviews(team_, store::kSourceAsc, 1);
  ASSERT_EQ(asc.size(), 1u);
  auto no_account = replies_->Reply(team_, asc[0], "Thanks!", kActor);
  ASSERT_FALSE(no_account.has_value());
  EXPECT_EQ(no_account.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(no_account.error().message().find("not in the catalog"), std::string::npos)
      << no_account.error().message();

  PutInCatalog(team_, StoreAccount(kAppPassword));
  auto password = replies_->Reply(team_, asc[0], "Thanks!", kActor);
  ASSERT_FALSE(password.has_value());
  EXPECT_EQ(password.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(password.error().message().find("app-specific password"), std::string::npos)
      << password.error().message();

  PutInCatalog(team_, StoreAccount(kAppleId));
  auto web = replies_->Unreply(team_, asc[0], kActor);
  ASSERT_FALSE(web.has_value());
  EXPECT_EQ(web.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(web.error().message().find("not built yet"), std::string::npos)
      << web.error().message();
  EXPECT_EQ(opened_, 0);
}

TEST_F(ReviewRepliesTest, EmptyAndOverlongBodiesAndOtherTeamsReviewsAreRefused) {
  PutInCatalog(team_, Link("key.json", team_));
  const auto ids = StoreSandboxReviews(team_, store::kSourceAsc, 1);
  ASSERT_EQ(ids.size(), 1u);
  auto empty = replies_->Reply(team_, ids[0], " \n\t", kActor);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), Code::kInvalidArgument);
  // 5,971 characters of two bytes each: over Apple's limit by one character.
  std::string longest;
  for (int i = 0; i < 5971; ++i) longest += "é";
  auto overlong = replies_->Reply(team_, ids[0], longest, kActor);
  ASSERT_FALSE(overlong.has_value());
  EXPECT_EQ(overlong.error().code(), Code::kInvalidArgument);
  EXPECT_NE(overlong.error().message().find("5971 characters"), std::string::npos)
      << overlong.error().message();
  auto cross = replies_->Reply(other_team_, ids[0], "Thanks!", kActor);
  ASSERT_FALSE(cross.has_value());
  EXPECT_EQ(cross.error().code(), Code::kNotFound);
  auto cross_delete = replies_->Unreply(other_team_, ids[0], kActor);
  ASSERT_FALSE(cross_delete.has_value());
  EXPECT_EQ(cross_delete.error().code(), Code::kNotFound);
  EXPECT_EQ(opened_, 0);
}

}  // namespace
}  // namespace orchard::accounts
