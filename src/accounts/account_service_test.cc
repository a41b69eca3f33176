// End-to-end tests of AccountService against the sandbox: every link method (asc-key,
// app-password, apple-id, search-ads) is validated, probed, sealed, renewed and unlinked through
// real HTTP on loopback, with a real SQLite store and a real Sealer. Expected values come from
// the sandbox's credential files, its role rules (reviews.cc, analytics_api.cc,
// finance_reports.cc, sales_reports.cc) and arithmetic here — never from the code under test.
//
// Time: the sandbox verifies JWTs (App Store Connect keys, the Search Ads client secret) and
// hashcash stamps against the machine's wall clock, and ages web sessions and the two-factor
// trust on its steady clock. So the FakeClock starts at the real "now" (a JWT minted on any
// other instant is refused as expired or not yet valid) and the sandbox's today is moved to the
// same day; tests then move both together (AdvanceDays) and use the sandbox's control
// endpoints for what ages on its own clocks (expire-trust, expire-sessions, expire-token).
#include "accounts/account_service.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "apple/reporter/reporter_client.h"
#include "apple/testing/sandbox_fixture.h"
#include "core/clock.h"
#include "core/date.h"
#include "crypto/key_ring.h"
#include "crypto/sealer.h"
#include "net/http_client.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::accounts {
namespace {

using Json = nlohmann::json;
constexpr int64_t kDay = 86400;
const Actor kActor{0, "cli", ""};

// A P-256 key the sandbox never issued (PKCS#8 PEM, like an AuthKey_….p8).
std::string FreshP256Pem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

// The bytes between the BEGIN and END lines of a PEM, base64-decoded (the DER key).
std::string PemDer(const std::string& pem) {
  std::string b64;
  std::istringstream in(pem);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("-----", 0) != 0) b64 += line;
  }
  std::string out(b64.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

// Some 16-byte window of `needle` occurs in `haystack`.
bool SharesA16ByteWindow(const std::string& haystack, const std::string& needle) {
  for (size_t i = 0; i + 16 <= needle.size(); ++i) {
    if (haystack.find(needle.substr(i, 16)) != std::string::npos) return true;
  }
  return false;
}

const Capability* Find(const Capabilities& caps, std::string_view name) {
  for (const auto& c : caps.items) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

class AccountServiceTest : public apple::testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    if (HasFatalFailure()) return;
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    clock_ = std::make_unique<FakeClock>(std::chrono::system_clock::time_point(std::chrono::seconds(now)));
    // Apple's report day: Pacific (UTC-8), the same day the service computes for its probes.
    today_ = Date::FromDays(static_cast<int32_t>((now - 8 * 3600) / kDay));
    ASSERT_NO_FATAL_FAILURE(SetSandboxToday(today_));

    std::filesystem::create_directories(dir_ / "data");
    auto ring = crypto::KeyRing::CreateFile(dir_ / "kek" / "master.key");
    ASSERT_TRUE(ring.has_value()) << ring.error().ToString();
    ring_ = std::make_unique<crypto::KeyRing>(std::move(*ring));
    sealer_ = std::make_unique<crypto::Sealer>(ring_.get());
    auto db = store::sqlite::Database::Open(dir_ / "data" / "orchard.db");
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, clock_.get());
    access_ = std::make_unique<store::sqlite::SqliteAccessStore>(db_, clock_.get());

    auto team = access_->CreateTeam("Acme Apps");
    auto other = access_->CreateTeam("Other Apps");
    ASSERT_TRUE(team.has_value() && other.has_value());
    team_ = team->id;
    other_team_ = other->id;
    owner_ = AddMember("owner@acme.example", store::Role::kOwner);
    admin_ = AddMember("admin@acme.example", store::Role::kAdmin);
    viewer_ = AddMember("viewer@acme.example", store::Role::kViewer);

    const std::string base = sandbox_->base_url();
    config_.apple.asc_api_url = base;
    config_.apple.reporter_url = base;
    config_.apple.idmsa_url = base;
    config_.apple.web_url = base;
    config_.apple.search_ads_url = base;
    config_.apple.search_ads_token_url = base + "/auth/oauth2/token";
    config_.apple.itunes_url = base;
    service_ = MakeService(sealer_.get());
  }

  void TearDown() override {
    service_.reset();
    access_.reset();
    meta_.reset();
    db_.reset();
    SandboxFixture::TearDown();  // the http client before the sandbox, then the files
  }

  std::unique_ptr<AccountService> MakeService(const crypto::Sealer* sealer) {
    return std::make_unique<AccountService>(meta_.get(), access_.get(), sealer, config_,
                                            [] { return net::MakeCurlHttpClient(); }, clock_.get());
  }

  int64_t AddMember(const std::string& email, store::Role role) {
    auto user = access_->CreateUser(email, "$argon2id$not-used-here");
    EXPECT_TRUE(user.has_value());
    if (!user.has_value()) return 0;
    EXPECT_TRUE(access_->PutMembership(team_, user->id, role).ok());
    return user->id;
  }

  // --- the sandbox -------------------------------------------------------------------------
  Json Control(const std::string& method, const std::string& path, const std::string& body = "") {
    net::HttpRequest r;
    r.method = method;
    r.url = sandbox_->base_url() + path;
    r.body = body;
    if (!body.empty()) r.headers = {{"Content-Type", "application/json"}};
    auto res = http_->Send(r);
    EXPECT_TRUE(res.has_value()) << path;
    if (!res.has_value()) return Json();
    EXPECT_EQ(res->status, 200) << method << " " << path << ": " << res->body;
    return Json::parse(res->body, nullptr, false);
  }
  void SetSandboxToday(Date day) {
    const Json answer = Control("POST", "/_sandbox/today", Json{{"date", day.Iso()}}.dump());
    ASSERT_TRUE(answer.is_object());
    ASSERT_EQ(answer.value("today", ""), day.Iso());
  }
  // Moves Orchard's clock and the sandbox's today by the same number of days.
  void AdvanceDays(int days) {
    clock_->Advance(std::chrono::hours(24 * days));
    sandbox_day_ += days;
    ASSERT_NO_FATAL_FAILURE(SetSandboxToday(today_.AddDays(sandbox_day_)));
  }
  std::string TwoFactorCode() { return Control("GET", "/_sandbox/appleid/code").value("code", ""); }
  Json RequestLog() { return Control("GET", "/_sandbox/requests"); }
  // Logged requests whose path equals `path` and whose query contains `needle`.
  int CountRequests(const std::string& path, const std::string& needle = "", int status = 0) {
    int n = 0;
    const Json log = RequestLog();
    for (const auto& e : log) {
      if (e.value("path", "") != path) continue;
      if (!needle.empty() && e.value("query", "").find(needle) == std::string::npos) continue;
      if (status != 0 && e.value("status", 0) != status) continue;
      ++n;
    }
    return n;
  }
  std::string KeysText(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // --- link requests from the sandbox's credential files -----------------------------------
  LinkRequest AscKey(const std::string& json_name) {
    const Json k = KeysFile(json_name);
    LinkRequest r;
    r.method = kAscKey;
    r.issuer_id = k.value("issuer_id", "");
    r.key_id = k.value("key_id", "");
    r.vendor_number = k.value("vendor_number", "");
    r.private_key = Secret(KeysText(k.value("key_file", "")));
    return r;
  }
  LinkRequest AppPassword(const std::string& typed) {
    const Json a = KeysFile("apple-id.json");
    LinkRequest r;
    r.method = kAppPassword;
    r.apple_id = a.value("apple_id", "");
    r.vendor_number = a.value("vendor_number", "");
    r.app_password = Secret(typed);
    return r;
  }
  std::string SandboxAppPassword() { return KeysFile("apple-id.json").value("app_specific_password", ""); }
  LinkRequest AppleId(const std::string& password) {
    LinkRequest r;
    r.method = kAppleId;
    r.apple_id = KeysFile("sub-account.json").value("apple_id", "");
    r.password = Secret(password);
    return r;
  }
  std::string SubAccountPassword() { return KeysFile("sub-account.json").value("password", ""); }
  LinkRequest SearchAds(const std::string& pem) {
    const Json s = KeysFile("searchads.json");
    LinkRequest r;
    r.method = kSearchAds;
    r.client_id = s.value("client_id", "");
    r.ads_team_id = s.value("team_id", "");
    r.key_id = s.value("key_id", "");
    r.private_key = Secret(pem);
    return r;
  }
  std::string SearchAdsPem() { return KeysText(KeysFile("searchads.json").value("private_key_file", "")); }

  // Links the sub-account and completes the two-factor step; returns the account id.
  void LinkActiveAppleId(int64_t* id) {
    auto linked = service_->Link(team_, AppleId(SubAccountPassword()), kActor);
    ASSERT_TRUE(linked.has_value()) << linked.error().ToString();
    ASSERT_TRUE(linked->needs_code);
    auto done = service_->SubmitCode(team_, linked->account.id, TwoFactorCode(), kActor);
    ASSERT_TRUE(done.has_value()) << done.error().ToString();
    ASSERT_EQ(done->account.status, "active");
    *id = linked->account.id;
  }

  // --- the store ---------------------------------------------------------------------------
  void ExpectNothingStored() {
    auto list = meta_->ListAccounts(team_);
    ASSERT_TRUE(list.has_value());
    EXPECT_TRUE(list->empty()) << list->size() << " account(s) stored";
    auto sealed = meta_->CountSealedSecrets();
    ASSERT_TRUE(sealed.has_value());
    EXPECT_EQ(*sealed, 0);
  }
  int64_t SealedCount() {
    auto n = meta_->CountSealedSecrets();
    EXPECT_TRUE(n.has_value());
    return n.value_or(-1);
  }
  store::LinkedAccount Account(int64_t id) {
    auto a = meta_->GetAccount(team_, id);
    EXPECT_TRUE(a.has_value()) << a.error().ToString();
    return a.value_or(store::LinkedAccount{});
  }
  std::string SealedBlob(int64_t id, const std::string& column) {
    auto s = meta_->GetAccountSealed(team_, id, column);
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return s.has_value() ? s->blob : "";
  }
  std::string Opened(int64_t id, const std::string& column) {
    auto s = service_->OpenSecret(Account(id), column);
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return s.has_value() ? std::string(s->view()) : "";
  }
  std::vector<store::Notification> Notifications(int64_t user) {
    auto n = access_->ListNotifications(team_, user);
    EXPECT_TRUE(n.has_value());
    return n.value_or(std::vector<store::Notification>{});
  }
  int AuditCount(const std::string& action, int64_t team = 0) {
    auto events = access_->ListAudit(team == 0 ? team_ : team, 1000);
    EXPECT_TRUE(events.has_value());
    if (!events.has_value()) return -1;
    return static_cast<int>(std::count_if(events->begin(), events->end(),
                                          [&](const store::AuditEvent& e) { return e.action == action; }));
  }
  // Orchard's expiry of a Reporter token that Apple says expires on `day`.
  static int64_t MidnightOf(Date day) { return int64_t{day.days()} * kDay; }

  std::unique_ptr<FakeClock> clock_;
  Date today_;            // the sandbox's today when the test started
  int sandbox_day_ = 0;   // days the sandbox's today has moved since
  std::unique_ptr<crypto::KeyRing> ring_;
  std::unique_ptr<crypto::Sealer> sealer_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteAccessStore> access_;
  int64_t team_ = 0, other_team_ = 0, owner_ = 0, admin_ = 0, viewer_ = 0;
  Config config_;
  std::unique_ptr<AccountService> service_;
};

// ---- asc-key ----------------------------------------------------------------------------------

TEST_F(AccountServiceTest, AdminKeyLinksWithEveryCapabilityButAds) {
  const Json k = KeysFile("key.json");
  ASSERT_EQ(k["roles"], Json::array({"ADMIN"}));
  auto out = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  for (const char* name : {"sales", "finance", "reviews_read", "reviews_reply", "usage"}) {
    const Capability* c = Find(out->capabilities, name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_TRUE(c->ok) << name << ": " << c->why;
  }
  const Capability* ads = Find(out->capabilities, "ads");
  ASSERT_NE(ads, nullptr);
  EXPECT_FALSE(ads->ok);
  EXPECT_NE(ads->why.find("search-ads"), std::string::npos) << ads->why;

  const store::LinkedAccount a = Account(out->account.id);
  EXPECT_EQ(a.method, kAscKey);
  EXPECT_EQ(a.status, "active");
  EXPECT_EQ(a.issuer_id, k.value("issuer_id", ""));
  EXPECT_EQ(a.key_id, k.value("key_id", ""));
  EXPECT_EQ(a.vendor_number, k.value("vendor_number", ""));
  EXPECT_EQ(a.capabilities_at, clock_->NowSeconds());
  // What is stored is what the outcome says.
  EXPECT_EQ(Capabilities::FromJson(a.capabilities).ToJson(), out->capabilities.ToJson());
  EXPECT_EQ(SealedCount(), 1);
  EXPECT_EQ(AuditCount("account.link"), 1);
  // Every probe used the key (and nothing else reached Apple without it).
  const Json log = RequestLog();
  ASSERT_FALSE(log.empty());
  for (const auto& e : log) {
    EXPECT_EQ(e.value("kid", ""), k.value("key_id", "")) << e.dump();
  }
}

TEST_F(AccountServiceTest, DeveloperKeyReadsReviewsButNotSalesFinanceRepliesOrUsage) {
  // Sandbox rules: sales ADMIN/FINANCE/SALES/ACCOUNT_HOLDER; finance ADMIN/FINANCE/ACCOUNT_HOLDER;
  // reviews read includes DEVELOPER; replies ADMIN/ACCOUNT_HOLDER/APP_MANAGER/CUSTOMER_SUPPORT;
  // analytics ADMIN/ACCOUNT_HOLDER/SALES/FINANCE.
  ASSERT_EQ(KeysFile("key-developer.json")["roles"], Json::array({"DEVELOPER"}));
  auto out = service_->Link(team_, AscKey("key-developer.json"), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  const Capabilities& caps = out->capabilities;
  ASSERT_NE(Find(caps, "sales"), nullptr);
  EXPECT_FALSE(Find(caps, "sales")->ok);
  EXPECT_NE(Find(caps, "sales")->why.find("Sales, Finance or Admin role"), std::string::npos)
      << Find(caps, "sales")->why;
  ASSERT_NE(Find(caps, "finance"), nullptr);
  EXPECT_FALSE(Find(caps, "finance")->ok);
  EXPECT_NE(Find(caps, "finance")->why.find("Finance or Admin role"), std::string::npos)
      << Find(caps, "finance")->why;
  ASSERT_NE(Find(caps, "reviews_read"), nullptr);
  EXPECT_TRUE(Find(caps, "reviews_read")->ok) << Find(caps, "reviews_read")->why;
  ASSERT_NE(Find(caps, "reviews_reply"), nullptr);
  EXPECT_FALSE(Find(caps, "reviews_reply")->ok);
  EXPECT_NE(Find(caps, "reviews_reply")->why.find("Customer Support"), std::string::npos);
  ASSERT_NE(Find(caps, "usage"), nullptr);
  EXPECT_FALSE(Find(caps, "usage")->ok);
  EXPECT_NE(Find(caps, "usage")->why.find("role"), std::string::npos);
  // The summary the UI shows carries the reasons.
  EXPECT_NE(caps.Summary().find("sales ✗ (the key lacks the Sales, Finance or Admin role"), std::string::npos)
      << caps.Summary();
  EXPECT_EQ(Account(out->account.id).status, "active");
}

TEST_F(AccountServiceTest, SalesKeyReadsSalesAndUsageButNotFinanceOrReplies) {
  ASSERT_EQ(KeysFile("key-sales.json")["roles"], Json::array({"SALES"}));
  auto out = service_->Link(team_, AscKey("key-sales.json"), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  const Capabilities& caps = out->capabilities;
  const std::vector<std::pair<std::string, bool>> expected = {
      {"sales", true},          {"finance", false}, {"reviews_read", true},
      {"reviews_reply", false}, {"usage", true},    {"ads", false}};
  for (const auto& [name, ok] : expected) {
    const Capability* c = Find(caps, name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ(c->ok, ok) << name << ": " << c->why;
    if (!ok) {
      EXPECT_FALSE(c->why.empty()) << name;
    }
  }
}

TEST_F(AccountServiceTest, MalformedKeyFieldsAreRefusedInPlainWordsBeforeAskingApple) {
  struct Case {
    const char* what;
    std::function<void(LinkRequest&)> spoil;
    const char* names;  // the field the message must name
  };
  const std::vector<Case> cases = {
      {"issuer id", [](LinkRequest& r) { r.issuer_id = "not-a-uuid"; }, "issuer_id"},
      {"issuer id, one character short", [](LinkRequest& r) { r.issuer_id.pop_back(); }, "issuer_id"},
      {"key id", [](LinkRequest& r) { r.key_id = "abc"; }, "key_id"},
      {"key id in lower case", [](LinkRequest& r) {
         std::transform(r.key_id.begin(), r.key_id.end(), r.key_id.begin(), ::tolower);
       }, "key_id"},
      {"vendor", [](LinkRequest& r) { r.vendor_number = "85 44"; }, "vendor_number"},
      {"empty vendor", [](LinkRequest& r) { r.vendor_number.clear(); }, "vendor_number"},
      {"a .p8 that is not a key", [](LinkRequest& r) { r.private_key = Secret("hello, I am not a key"); },
       "private_key"},
      {"a PEM that is not an EC key", [](LinkRequest& r) {
         r.private_key = Secret("-----BEGIN PRIVATE KEY-----\nTUlJQ2R3SUJBREFOQmdr\n-----END PRIVATE KEY-----\n");
       }, "private_key"},
  };
  for (const auto& c : cases) {
    LinkRequest r = AscKey("key.json");
    c.spoil(r);
    auto out = service_->Link(team_, std::move(r), kActor);
    ASSERT_FALSE(out.has_value()) << c.what;
    EXPECT_EQ(out.error().code(), Code::kInvalidArgument) << c.what << ": " << out.error().ToString();
    EXPECT_NE(out.error().message().find(c.names), std::string::npos) << c.what << ": " << out.error().message();
    ExpectNothingStored();
  }
  EXPECT_TRUE(RequestLog().empty()) << RequestLog().dump();
  EXPECT_EQ(AuditCount("account.link"), 0);
}

TEST_F(AccountServiceTest, AKeyAppleDoesNotKnowIsRejected) {
  LinkRequest r = AscKey("key.json");
  r.private_key = Secret(FreshP256Pem());  // right issuer and key id, wrong private key
  auto out = service_->Link(team_, std::move(r), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kUnauthenticated) << out.error().ToString();
  EXPECT_NE(out.error().message().find("rejected the key"), std::string::npos) << out.error().message();
  ExpectNothingStored();
  // Apple was asked once: a 401 is not retried (REL-1).
  EXPECT_EQ(CountRequests("/v1/salesReports", "", 401), 1);
  EXPECT_EQ(RequestLog().size(), 1u);
}

TEST_F(AccountServiceTest, ARevokedKeyIsRejected) {
  const std::string kid = KeysFile("key.json").value("key_id", "");
  Control("POST", "/_sandbox/keys/" + kid + "/revoke");
  auto out = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kUnauthenticated) << out.error().ToString();
  EXPECT_NE(out.error().message().find("rejected the key"), std::string::npos) << out.error().message();
  ExpectNothingStored();
}

TEST_F(AccountServiceTest, AWrongVendorNumberIsNamedInPlainWords) {
  LinkRequest r = AscKey("key.json");
  ASSERT_NE(r.vendor_number, "12345678");
  r.vendor_number = "12345678";
  auto out = service_->Link(team_, std::move(r), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kInvalidArgument) << out.error().ToString();
  EXPECT_NE(out.error().message().find("vendor number 12345678"), std::string::npos) << out.error().message();
  EXPECT_EQ(out.error().message().find("PARAMETER_ERROR"), std::string::npos) << out.error().message();
  ExpectNothingStored();
}

TEST_F(AccountServiceTest, LinkingTheSameKeyTwiceIsRefused) {
  auto first = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto second = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), Code::kAlreadyExists) << second.error().ToString();
  EXPECT_EQ(meta_->ListAccounts(team_)->size(), 1u);
  EXPECT_EQ(SealedCount(), 1);
  // Another team may link the same key.
  auto other = service_->Link(other_team_, AscKey("key.json"), kActor);
  EXPECT_TRUE(other.has_value()) << other.error().ToString();
}

TEST_F(AccountServiceTest, AKeyRevokedAfterLinkingNeedsAttentionAndTellsTheManagers) {
  auto out = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  Control("POST", "/_sandbox/keys/" + out->account.key_id + "/revoke");
  // A sync gets 401 from Apple and reports it.
  ASSERT_TRUE(service_
                  ->ReportAppleRefusal(team_, out->account.id,
                                       Status(Code::kUnauthenticated, "NOT_AUTHORIZED (401)"))
                  .ok());
  const store::LinkedAccount a = Account(out->account.id);
  EXPECT_EQ(a.status, "needs_attention");
  EXPECT_NE(a.last_error.find("revoked"), std::string::npos) << a.last_error;
  for (int64_t user : {owner_, admin_}) {
    const auto n = Notifications(user);
    ASSERT_EQ(n.size(), 1u) << "user " << user;
    EXPECT_EQ(n[0].kind, "account_needs_attention");
    EXPECT_NE(n[0].message.find("revoked"), std::string::npos) << n[0].message;
  }
  EXPECT_TRUE(Notifications(viewer_).empty());
  auto health = service_->GetHealth(team_, out->account.id);
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->state, "needs_attention");
  // Refreshing asks Apple again and gets the same answer.
  auto refreshed = service_->Refresh(team_, out->account.id, kActor);
  ASSERT_FALSE(refreshed.has_value());
  EXPECT_EQ(refreshed.error().code(), Code::kUnauthenticated) << refreshed.error().ToString();
  EXPECT_EQ(Account(out->account.id).status, "needs_attention");
}

TEST_F(AccountServiceTest, TheStoredKeyIsSealedAndOpensToThePemExactly) {
  const std::string pem = KeysText(KeysFile("key.json").value("key_file", ""));
  ASSERT_GT(pem.size(), 100u);
  auto out = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  const std::string blob = SealedBlob(out->account.id, "secret");
  ASSERT_FALSE(blob.empty());
  EXPECT_EQ(blob.find("PRIVATE KEY"), std::string::npos);
  EXPECT_FALSE(SharesA16ByteWindow(blob, pem));
  const std::string der = PemDer(pem);
  ASSERT_GT(der.size(), 100u);
  EXPECT_FALSE(SharesA16ByteWindow(blob, der));
  EXPECT_EQ(Opened(out->account.id, "secret"), pem);
  // The blob is bound to its row: opened as another row, it fails closed.
  EXPECT_FALSE(sealer_->Open(blob, AccountSealContext(team_, out->account.id + 1, "secret")).has_value());
  EXPECT_FALSE(sealer_->Open(blob, AccountSealContext(other_team_, out->account.id, "secret")).has_value());
  EXPECT_TRUE(sealer_->Open(blob, AccountSealContext(team_, out->account.id, "secret")).has_value());
}

// ---- app-password (Reporter) ------------------------------------------------------------------

TEST_F(AccountServiceTest, AppPasswordLinksAsTypedInAnyFormAndReusesTheLiveToken) {
  const std::string password = SandboxAppPassword();  // abcd-efgh-ijkl-mnop form
  ASSERT_EQ(password.size(), 19u);
  std::string upper = password, bare, spaced = password;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  std::copy_if(password.begin(), password.end(), std::back_inserter(bare), [](char c) { return c != '-'; });
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  const std::string last_four = password.substr(15);
  const int64_t expires = MidnightOf(today_.AddDays(180));  // reporter.cc: kTokenDays = 180

  int links = 0;
  for (const std::string& typed : {password, upper, bare, spaced, " " + upper + " "}) {
    auto out = service_->Link(team_, AppPassword(typed), kActor);
    ASSERT_TRUE(out.has_value()) << "typed \"" << typed << "\": " << out.error().ToString();
    ++links;
    const store::LinkedAccount a = Account(out->account.id);
    EXPECT_EQ(a.method, kAppPassword);
    EXPECT_EQ(a.apple_id, KeysFile("apple-id.json").value("apple_id", ""));
    EXPECT_EQ(a.secret_hint, last_four) << typed;
    EXPECT_EQ(a.expires_at, expires) << typed;
    const std::vector<std::pair<std::string, bool>> expected = {
        {"sales", true},          {"finance", true}, {"reviews_read", false},
        {"reviews_reply", false}, {"usage", false},  {"ads", false}};
    for (const auto& [name, ok] : expected) {
      const Capability* c = Find(out->capabilities, name);
      ASSERT_NE(c, nullptr) << name;
      EXPECT_EQ(c->ok, ok) << name << ": " << c->why;
    }
    // The password is stored as Apple shows it; the token sealed next to it.
    EXPECT_EQ(Opened(a.id, "secret"), password) << typed;
    EXPECT_EQ(SealedCount(), 2);
    // One live token, made by the first link and reused by the others (generateToken is two
    // requests: the service request, then its confirmation).
    EXPECT_EQ(CountRequests("/reportservice/sales/v1", "generateToken"), 2) << "after link " << links;
    EXPECT_EQ(CountRequests("/reportservice/sales/v1", "viewToken"), links);
    ASSERT_TRUE(service_->Unlink(team_, a.id, false, kActor).ok());
    EXPECT_EQ(SealedCount(), 0);
  }
}

TEST_F(AccountServiceTest, AppPasswordTokenIsTheOneAppleHolds) {
  auto out = service_->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  // Apple's view of the token, asked independently of the service.
  auto http = net::MakeCurlHttpClient();
  apple::reporter::ReporterClient reporter(sandbox_->base_url(), http.get());
  auto password = apple::reporter::NormalizeAppPassword(SandboxAppPassword());
  ASSERT_TRUE(password.has_value());
  auto view = reporter.ViewToken(out->account.apple_id, *password);
  ASSERT_TRUE(view.has_value() && view->has_value());
  EXPECT_EQ(Opened(out->account.id, "state"), std::string((*view)->token.view()));
  EXPECT_EQ((*view)->expires, today_.AddDays(180));
  EXPECT_EQ(Account(out->account.id).expires_at, MidnightOf((*view)->expires));
}

TEST_F(AccountServiceTest, AppPasswordWrongPasswordIsRefused) {
  std::string wrong = "zzzz-zzzz-zzzz-zzzz";
  ASSERT_NE(wrong, SandboxAppPassword());
  auto out = service_->Link(team_, AppPassword(wrong), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kUnauthenticated) << out.error().ToString();
  EXPECT_NE(out.error().message().find("app-specific password"), std::string::npos) << out.error().message();
  ExpectNothingStored();
  EXPECT_EQ(CountRequests("/reportservice/sales/v1", "generateToken"), 0);
}

TEST_F(AccountServiceTest, AppPasswordMalformedIsRefusedBeforeAskingApple) {
  for (const char* typed : {"abc", "abcd-efgh-ijkl-mno1", "abcd-efgh-ijkl-mnopq", ""}) {
    auto out = service_->Link(team_, AppPassword(typed), kActor);
    ASSERT_FALSE(out.has_value()) << typed;
    EXPECT_EQ(out.error().code(), Code::kInvalidArgument) << typed << ": " << out.error().ToString();
    EXPECT_NE(out.error().message().find("app_password"), std::string::npos) << out.error().message();
  }
  LinkRequest no_at = AppPassword(SandboxAppPassword());
  no_at.apple_id = "reports.orcharddemo.example";
  auto out = service_->Link(team_, std::move(no_at), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kInvalidArgument);
  ExpectNothingStored();
  EXPECT_TRUE(RequestLog().empty()) << RequestLog().dump();
}

TEST_F(AccountServiceTest, AppPasswordWrongVendorNumberIsNamedInPlainWords) {
  LinkRequest r = AppPassword(SandboxAppPassword());
  ASSERT_NE(r.vendor_number, "12345678");
  r.vendor_number = "12345678";
  auto out = service_->Link(team_, std::move(r), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kInvalidArgument) << out.error().ToString();
  EXPECT_NE(out.error().message().find("vendor number 12345678"), std::string::npos) << out.error().message();
  ExpectNothingStored();
}

TEST_F(AccountServiceTest, AppPasswordTokenIsRenewedBeforeDay180) {
  auto out = service_->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  const int64_t id = out->account.id;
  const std::string blob0 = SealedBlob(id, "state");
  const std::string token0 = Opened(id, "state");
  ASSERT_EQ(Account(id).expires_at, MidnightOf(today_.AddDays(180)));

  // Day 100: 80 days left, more than the 30-day renewal margin — nothing to do.
  ASSERT_NO_FATAL_FAILURE(AdvanceDays(100));
  auto quiet = service_->Maintain(team_, id);
  ASSERT_TRUE(quiet.has_value()) << quiet.error().ToString();
  EXPECT_EQ(*quiet, "");
  EXPECT_EQ(Account(id).expires_at, MidnightOf(today_.AddDays(180)));
  EXPECT_EQ(SealedBlob(id, "state"), blob0);
  EXPECT_EQ(CountRequests("/reportservice/sales/v1", "generateToken"), 2);
  EXPECT_EQ(AuditCount("account.renew"), 0);

  // Day 151: 29 days left — renewed, to 180 days after the new today.
  ASSERT_NO_FATAL_FAILURE(AdvanceDays(51));
  auto renewed = service_->Maintain(team_, id);
  ASSERT_TRUE(renewed.has_value()) << renewed.error().ToString();
  EXPECT_NE(*renewed, "");
  const store::LinkedAccount a = Account(id);
  EXPECT_EQ(a.expires_at, MidnightOf(today_.AddDays(151 + 180)));
  EXPECT_EQ(a.status, "active");
  EXPECT_NE(SealedBlob(id, "state"), blob0);
  const std::string token1 = Opened(id, "state");
  EXPECT_NE(token1, token0);
  EXPECT_EQ(AuditCount("account.renew"), 1);
  EXPECT_EQ(CountRequests("/reportservice/sales/v1", "generateToken"), 4);
  // The next day's care has nothing to do.
  auto again = service_->Maintain(team_, id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, "");
  // The new token downloads reports.
  auto http = net::MakeCurlHttpClient();
  apple::reporter::ReporterClient reporter(sandbox_->base_url(), http.get());
  const Date day = today_.AddDays(151 - 2);
  char ymd[9];
  std::snprintf(ymd, sizeof ymd, "%04d%02u%02u", day.year(), day.month(), day.day());
  auto report = reporter.GetSalesReport(a.apple_id, Secret(token1), a.vendor_number, "Sales",
                                        "Summary", "Daily", ymd);
  EXPECT_TRUE(report.has_value()) << report.error().ToString();
}

TEST_F(AccountServiceTest, AnExpiredReporterTokenIsRenewedWhenUsed) {
  auto out = service_->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  const std::string token0 = Opened(out->account.id, "state");
  Control("POST", "/_sandbox/reporter/expire-token");

  auto token = service_->ReporterToken(Account(out->account.id));
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_NE(std::string(token->view()), token0);
  auto http = net::MakeCurlHttpClient();
  apple::reporter::ReporterClient reporter(sandbox_->base_url(), http.get());
  const Date day = today_.AddDays(-2);
  char ymd[9];
  std::snprintf(ymd, sizeof ymd, "%04d%02u%02u", day.year(), day.month(), day.day());
  auto report = reporter.GetSalesReport(out->account.apple_id, *token, out->account.vendor_number,
                                        "Sales", "Summary", "Daily", ymd);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->availability, apple::asc::ReportAvailability::kData);
  // The renewed token is the stored one, with Apple's new expiry.
  EXPECT_EQ(Opened(out->account.id, "state"), std::string(token->view()));
  EXPECT_EQ(Account(out->account.id).expires_at, MidnightOf(today_.AddDays(180)));
  // And it is handed out again without another renewal.
  auto again = service_->ReporterToken(Account(out->account.id));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(std::string(again->view()), std::string(token->view()));
  EXPECT_EQ(CountRequests("/reportservice/sales/v1", "generateToken"), 4);
}

TEST_F(AccountServiceTest, ATokenAnotherToolGeneratedIsAdoptedNotReplaced) {
  auto out = service_->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  // Another tool of the team generates a token with the same password: Apple drops Orchard's.
  auto http = net::MakeCurlHttpClient();
  apple::reporter::ReporterClient reporter(sandbox_->base_url(), http.get());
  auto password = apple::reporter::NormalizeAppPassword(SandboxAppPassword());
  ASSERT_TRUE(password.has_value());
  auto theirs = reporter.GenerateToken(out->account.apple_id, *password);
  ASSERT_TRUE(theirs.has_value()) << theirs.error().ToString();
  ASSERT_NE(std::string(theirs->token.view()), Opened(out->account.id, "state"));
  const int generated = CountRequests("/reportservice/sales/v1", "generateToken");

  auto token = service_->ReporterToken(Account(out->account.id));
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(std::string(token->view()), std::string(theirs->token.view()));
  EXPECT_EQ(CountRequests("/reportservice/sales/v1", "generateToken"), generated);  // theirs lives on
  EXPECT_EQ(Opened(out->account.id, "state"), std::string(theirs->token.view()));
  EXPECT_EQ(Account(out->account.id).expires_at, MidnightOf(theirs->expires));
}

TEST_F(AccountServiceTest, ARevokedAppPasswordNeedsAttentionWhenTheTokenIsDue) {
  // The sandbox has no control to revoke an app-specific password; from Orchard's side a
  // revoked password is a stored password Apple no longer accepts, so the test seals one.
  auto out = service_->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  const int64_t id = out->account.id;
  const std::string revoked = "qqqq-qqqq-qqqq-qqqq";
  ASSERT_NE(revoked, SandboxAppPassword());
  ASSERT_TRUE(meta_
                  ->PutAccountSealed(team_, id, "secret",
                                     [&](int64_t row) -> Result<store::SealedSecret> {
                                       ORCHARD_ASSIGN_OR_RETURN(
                                           std::string blob,
                                           sealer_->Seal(revoked, AccountSealContext(team_, row, "secret")));
                                       return store::SealedSecret{blob, ring_->current_version()};
                                     })
                  .ok());
  ASSERT_NO_FATAL_FAILURE(AdvanceDays(151));
  auto care = service_->Maintain(team_, id);
  ASSERT_FALSE(care.has_value());
  EXPECT_EQ(care.error().code(), Code::kUnauthenticated) << care.error().ToString();
  const store::LinkedAccount a = Account(id);
  EXPECT_EQ(a.status, "needs_attention");
  EXPECT_NE(a.last_error.find("app-specific password"), std::string::npos) << a.last_error;
  for (int64_t user : {owner_, admin_}) {
    const auto n = Notifications(user);
    ASSERT_EQ(n.size(), 1u) << "user " << user;
    EXPECT_EQ(n[0].kind, "account_needs_attention");
  }
  EXPECT_TRUE(Notifications(viewer_).empty());
  // The old token is kept until it expires: still usable meanwhile.
  EXPECT_EQ(a.expires_at, MidnightOf(today_.AddDays(180)));
}

// ---- apple-id (sub-account, two-factor) -------------------------------------------------------

TEST_F(AccountServiceTest, AppleIdWaitsForTheCodeThenSignsIn) {
  const std::string password = SubAccountPassword();
  auto linked = service_->Link(team_, AppleId(password), kActor);
  ASSERT_TRUE(linked.has_value()) << linked.error().ToString();
  EXPECT_TRUE(linked->needs_code);
  const int64_t id = linked->account.id;
  {
    const store::LinkedAccount a = Account(id);
    EXPECT_EQ(a.status, "pending");
    EXPECT_EQ(a.issuer_id, "");
    EXPECT_EQ(a.expires_at, 0);
    EXPECT_TRUE(Capabilities::FromJson(a.capabilities).items.empty()) << a.capabilities;
    // The password and the sealed two-factor state, nothing else.
    EXPECT_EQ(SealedCount(), 2);
    EXPECT_EQ(Opened(id, "secret"), password);
    const std::string state = Opened(id, "state");
    EXPECT_EQ(state.find(password), std::string::npos);
    EXPECT_FALSE(SharesA16ByteWindow(SealedBlob(id, "state"), state));
    auto health = service_->GetHealth(team_, id);
    ASSERT_TRUE(health.has_value());
    EXPECT_EQ(health->state, "pending");
  }
  const std::string code = TwoFactorCode();
  ASSERT_EQ(code.size(), 6u);
  auto done = service_->SubmitCode(team_, id, code, kActor);
  ASSERT_TRUE(done.has_value()) << done.error().ToString();
  EXPECT_FALSE(done->needs_code);
  const store::LinkedAccount a = Account(id);
  EXPECT_EQ(a.status, "active");
  EXPECT_EQ(a.issuer_id, KeysFile("key.json").value("issuer_id", ""));
  EXPECT_EQ(a.expires_at, clock_->NowSeconds() + 30 * kDay);
  const Capabilities caps = Capabilities::FromJson(a.capabilities);
  ASSERT_NE(Find(caps, "reviews_read"), nullptr);
  EXPECT_TRUE(Find(caps, "reviews_read")->ok) << Find(caps, "reviews_read")->why;
  ASSERT_NE(Find(caps, "reviews_reply"), nullptr);  // the sub-account has CUSTOMER_SUPPORT
  EXPECT_TRUE(Find(caps, "reviews_reply")->ok) << Find(caps, "reviews_reply")->why;
  EXPECT_EQ(KeysFile("sub-account.json")["roles"], Json::array({"CUSTOMER_SUPPORT", "SALES"}));
  // apple-apis.md §5: Sales reaches Sales and Trends and App Analytics, not payments.
  ASSERT_NE(Find(caps, "sales"), nullptr);
  EXPECT_TRUE(Find(caps, "sales")->ok) << Find(caps, "sales")->why;
  ASSERT_NE(Find(caps, "usage"), nullptr);
  EXPECT_TRUE(Find(caps, "usage")->ok) << Find(caps, "usage")->why;
  ASSERT_NE(Find(caps, "finance"), nullptr);
  EXPECT_FALSE(Find(caps, "finance")->ok);
  EXPECT_NE(Find(caps, "finance")->why.find("Finance role"), std::string::npos);
  // The probes went through the web session's own sources, with their CSRF conventions.
  EXPECT_EQ(CountRequests("/trends/gsf/owasp/csrf-guard.js", "", 200), 1);
  EXPECT_EQ(CountRequests("/analytics/api/v1/data/time-series", "", 200), 1);
  EXPECT_EQ(AuditCount("account.two_factor"), 1);
  auto health = service_->GetHealth(team_, id);
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->state, "active");
  EXPECT_EQ(health->refresh_due_at, a.expires_at - 5 * kDay);
}

TEST_F(AccountServiceTest, AppleIdWrongCodeKeepsTheStepOpen) {
  auto linked = service_->Link(team_, AppleId(SubAccountPassword()), kActor);
  ASSERT_TRUE(linked.has_value()) << linked.error().ToString();
  const std::string code = TwoFactorCode();
  const std::string wrong = code == "123456" ? "654321" : "123456";
  auto bad = service_->SubmitCode(team_, linked->account.id, wrong, kActor);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument) << bad.error().ToString();
  EXPECT_EQ(Account(linked->account.id).status, "pending");
  auto malformed = service_->SubmitCode(team_, linked->account.id, "12a456", kActor);
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().code(), Code::kInvalidArgument);
  // The right code still completes the step.
  auto good = service_->SubmitCode(team_, linked->account.id, code, kActor);
  ASSERT_TRUE(good.has_value()) << good.error().ToString();
  EXPECT_EQ(Account(linked->account.id).status, "active");
}

TEST_F(AccountServiceTest, AppleIdCodeAfterElevenMinutesHasExpired) {
  auto linked = service_->Link(team_, AppleId(SubAccountPassword()), kActor);
  ASSERT_TRUE(linked.has_value()) << linked.error().ToString();
  clock_->Advance(std::chrono::minutes(11));
  auto late = service_->SubmitCode(team_, linked->account.id, TwoFactorCode(), kActor);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code(), Code::kDeadlineExceeded) << late.error().ToString();
  EXPECT_NE(late.error().message().find("expired"), std::string::npos) << late.error().message();
  EXPECT_EQ(Account(linked->account.id).status, "pending");
  // Nothing was sent to Apple for it.
  EXPECT_EQ(CountRequests("/appleauth/auth/verify/trusteddevice/securitycode"), 0);
}

TEST_F(AccountServiceTest, AppleIdWrongPasswordLeavesNothing) {
  auto out = service_->Link(team_, AppleId(SubAccountPassword() + "x"), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kUnauthenticated) << out.error().ToString();
  EXPECT_NE(out.error().message().find(KeysFile("sub-account.json").value("apple_id", "")), std::string::npos);
  ExpectNothingStored();
  EXPECT_EQ(CountRequests("/appleauth/auth/signin/complete", "", 401), 1);
}

TEST_F(AccountServiceTest, OneSignInOfAnAppleIdAtATime) {
  int64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(LinkActiveAppleId(&id));
  const size_t before = RequestLog().size();
  // Slow Apple down so the first sign-in is still going when the second arrives (after signing
  // in it probes /iris three times, 500 ms each).
  Control("POST", "/_sandbox/faults", R"({"latency_ms":500})");
  Result<LinkOutcome> first = Error(Code::kUnknown, "not run");
  std::thread signing_in([&] { first = service_->Refresh(team_, id, kActor); });
  for (int i = 0; i < 1000 && RequestLog().size() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto second = service_->Refresh(team_, id, kActor);
  const store::LinkedAccount during = Account(id);
  signing_in.join();
  Control("POST", "/_sandbox/faults/clear");

  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), Code::kAborted) << second.error().ToString();
  EXPECT_NE(second.error().message().find("already in progress"), std::string::npos)
      << second.error().message();
  // The refused sign-in leaves the account as it was: it is not the account's fault.
  EXPECT_EQ(during.status, "active");
  EXPECT_EQ(during.last_error, "");
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(Account(id).status, "active");
  // Once the first is done, the next sign-in goes ahead.
  auto later = service_->Refresh(team_, id, kActor);
  EXPECT_TRUE(later.has_value()) << later.error().ToString();
}

TEST_F(AccountServiceTest, AppleIdTrustAgesToRefreshDueThenNeedsRefresh) {
  int64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(LinkActiveAppleId(&id));
  const int64_t expires = Account(id).expires_at;
  ASSERT_EQ(expires, clock_->NowSeconds() + 30 * kDay);
  auto state = [&] {
    auto h = service_->GetHealth(team_, id);
    EXPECT_TRUE(h.has_value());
    return h.has_value() ? h->state : "";
  };

  ASSERT_NO_FATAL_FAILURE(AdvanceDays(24));
  EXPECT_EQ(state(), "active");
  auto care = service_->Maintain(team_, id);
  ASSERT_TRUE(care.has_value());
  EXPECT_EQ(*care, "");
  EXPECT_TRUE(Notifications(owner_).empty());

  ASSERT_NO_FATAL_FAILURE(AdvanceDays(1));  // day 25
  EXPECT_EQ(state(), "refresh_due");
  care = service_->Maintain(team_, id);
  ASSERT_TRUE(care.has_value());
  EXPECT_NE(*care, "");
  EXPECT_EQ(Account(id).status, "refresh_due");
  for (int64_t user : {owner_, admin_}) {
    const auto n = Notifications(user);
    ASSERT_EQ(n.size(), 1u) << "user " << user;
    EXPECT_EQ(n[0].kind, "account_refresh_due");
  }
  EXPECT_TRUE(Notifications(viewer_).empty());
  care = service_->Maintain(team_, id);  // said once, not every day
  ASSERT_TRUE(care.has_value());
  EXPECT_EQ(*care, "");
  EXPECT_EQ(Notifications(owner_).size(), 1u);

  ASSERT_NO_FATAL_FAILURE(AdvanceDays(5));  // day 30: the trust has ended
  ASSERT_EQ(clock_->NowSeconds(), expires);
  EXPECT_EQ(state(), "needs_refresh");
  care = service_->Maintain(team_, id);
  ASSERT_TRUE(care.has_value());
  EXPECT_EQ(Account(id).status, "needs_refresh");
  EXPECT_EQ(Notifications(owner_).size(), 2u);
  EXPECT_EQ(Notifications(admin_).size(), 2u);
  EXPECT_EQ(Notifications(owner_)[0].kind, "account_needs_refresh");

  // Apple's side of the trust has ended too: a refresh needs a new code.
  Control("POST", "/_sandbox/appleid/expire-trust");
  auto refresh = service_->Refresh(team_, id, kActor);
  ASSERT_TRUE(refresh.has_value()) << refresh.error().ToString();
  EXPECT_TRUE(refresh->needs_code);
  EXPECT_EQ(Account(id).status, "pending");
  const std::string code = TwoFactorCode();
  auto done = service_->SubmitCode(team_, id, code, kActor);
  ASSERT_TRUE(done.has_value()) << done.error().ToString();
  const store::LinkedAccount a = Account(id);
  EXPECT_EQ(a.status, "active");
  EXPECT_EQ(a.expires_at, clock_->NowSeconds() + 30 * kDay);
  EXPECT_EQ(a.expires_at, expires + 30 * kDay);
  EXPECT_EQ(state(), "active");
}

// A refresh once it is due asks for a code even though Apple's trust still lasts: a silent
// sign-in could not extend the trust, and extending it is why the user was asked to refresh.
TEST_F(AccountServiceTest, ARefreshWhenDueAsksForACodeAndStartsANewTrust) {
  int64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(LinkActiveAppleId(&id));
  const int64_t expires = Account(id).expires_at;
  ASSERT_NO_FATAL_FAILURE(AdvanceDays(26));
  ASSERT_TRUE(service_->Maintain(team_, id).has_value());
  ASSERT_EQ(Account(id).status, "refresh_due");
  const int codes_before = CountRequests("/appleauth/auth/signin/complete", "", 409);
  auto refresh = service_->Refresh(team_, id, kActor);
  ASSERT_TRUE(refresh.has_value()) << refresh.error().ToString();
  EXPECT_TRUE(refresh->needs_code);
  EXPECT_EQ(CountRequests("/appleauth/auth/signin/complete", "", 409), codes_before + 1);
  auto done = service_->SubmitCode(team_, id, TwoFactorCode(), kActor);
  ASSERT_TRUE(done.has_value()) << done.error().ToString();
  const store::LinkedAccount a = Account(id);
  EXPECT_EQ(a.status, "active");
  EXPECT_EQ(a.expires_at, expires + 26 * kDay);  // 30 days from now, now = link + 26 days
  auto health = service_->GetHealth(team_, id);
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->state, "active");
}

TEST_F(AccountServiceTest, AnExpiredWebSessionIsRenewedSilentlyWhileTheTrustLasts) {
  int64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(LinkActiveAppleId(&id));
  const int64_t expires = Account(id).expires_at;
  const std::string code = TwoFactorCode();
  const int complete_409 = CountRequests("/appleauth/auth/signin/complete", "", 409);
  ASSERT_EQ(complete_409, 1);
  ASSERT_NO_FATAL_FAILURE(AdvanceDays(3));
  Control("POST", "/_sandbox/appleid/expire-sessions");

  auto refresh = service_->Refresh(team_, id, kActor);
  ASSERT_TRUE(refresh.has_value()) << refresh.error().ToString();
  EXPECT_FALSE(refresh->needs_code);
  const store::LinkedAccount a = Account(id);
  EXPECT_EQ(a.status, "active");
  EXPECT_EQ(a.expires_at, expires);  // a silent sign-in does not extend Apple's trust
  // Apple let the trusted browser in without sending a code.
  EXPECT_EQ(CountRequests("/appleauth/auth/signin/complete", "", 409), 1);
  EXPECT_EQ(CountRequests("/appleauth/auth/signin/complete", "", 200), 1);
  EXPECT_EQ(CountRequests("/appleauth/auth/verify/trusteddevice/securitycode"), 1);  // the link's
  EXPECT_EQ(TwoFactorCode(), code);
  // The renewed session works.
  EXPECT_TRUE(Capabilities::FromJson(a.capabilities).Has("reviews_read"));
  EXPECT_EQ(a.last_used_at, clock_->NowSeconds());
}

// The scheduler's care keeps the web session alive: an expired session is found with olympus
// and renewed by signing in again, without a code while the trust lasts.
TEST_F(AccountServiceTest, MaintainRenewsAnExpiredWebSessionWithoutACode) {
  int64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(LinkActiveAppleId(&id));
  ASSERT_NO_FATAL_FAILURE(AdvanceDays(2));
  auto quiet = service_->Maintain(team_, id);  // a live session: nothing to say
  ASSERT_TRUE(quiet.has_value()) << quiet.error().ToString();
  EXPECT_EQ(*quiet, "");
  const int signed_in = CountRequests("/appleauth/auth/signin/complete", "", 200);
  Control("POST", "/_sandbox/appleid/expire-sessions");
  auto care = service_->Maintain(team_, id);
  ASSERT_TRUE(care.has_value()) << care.error().ToString();
  EXPECT_NE(care->find("renewed the web session"), std::string::npos) << *care;
  EXPECT_EQ(CountRequests("/appleauth/auth/signin/complete", "", 200), signed_in + 1);
  EXPECT_EQ(CountRequests("/appleauth/auth/signin/complete", "", 409), 1);  // only the link's code
  EXPECT_EQ(Account(id).status, "active");
  // Once Apple's trust is gone too, the care cannot renew it silently: needs refresh, told.
  Control("POST", "/_sandbox/appleid/expire-sessions");
  Control("POST", "/_sandbox/appleid/expire-trust");
  care = service_->Maintain(team_, id);
  ASSERT_TRUE(care.has_value()) << care.error().ToString();
  EXPECT_EQ(Account(id).status, "needs_refresh");
  EXPECT_EQ(Notifications(owner_).size(), 1u);
}

// ---- search-ads -------------------------------------------------------------------------------

TEST_F(AccountServiceTest, SearchAdsLinksWithAdsOnly) {
  auto out = service_->Link(team_, SearchAds(SearchAdsPem()), kActor);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  for (const auto& c : out->capabilities.items) {
    EXPECT_EQ(c.ok, c.name == "ads") << c.name << ": " << c.why;
  }
  EXPECT_TRUE(out->capabilities.Has("ads"));
  EXPECT_EQ(out->capabilities.items.size(), 6u);
  const Json s = KeysFile("searchads.json");
  const store::LinkedAccount a = Account(out->account.id);
  EXPECT_EQ(a.method, kSearchAds);
  EXPECT_EQ(a.client_id, s.value("client_id", ""));
  EXPECT_EQ(a.ads_team_id, s.value("team_id", ""));
  EXPECT_EQ(a.key_id, s.value("key_id", ""));
  EXPECT_NE(out->message.find(std::to_string(s.value("org_id", int64_t{0}))), std::string::npos)
      << out->message;
  EXPECT_EQ(Opened(a.id, "secret"), SearchAdsPem());
  EXPECT_EQ(SealedCount(), 1);
}

TEST_F(AccountServiceTest, SearchAdsWrongKeyIsRefused) {
  auto out = service_->Link(team_, SearchAds(FreshP256Pem()), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kUnauthenticated) << out.error().ToString();
  ExpectNothingStored();
}

TEST_F(AccountServiceTest, SearchAdsMalformedClientIdIsRefused) {
  LinkRequest r = SearchAds(SearchAdsPem());
  r.client_id = "not-a-client-id";
  auto out = service_->Link(team_, std::move(r), kActor);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kInvalidArgument) << out.error().ToString();
  EXPECT_NE(out.error().message().find("client_id"), std::string::npos) << out.error().message();
  ExpectNothingStored();
  EXPECT_TRUE(RequestLog().empty());
}

// ---- unlink, teams, sealed --------------------------------------------------------------------

TEST_F(AccountServiceTest, UnlinkErasesTheSecretsAtOnce) {
  auto key = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  ASSERT_EQ(SealedCount(), 1);  // the .p8
  // The same vendor through a second method would count its sales twice: refused, by name.
  auto twice = service_->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code(), Code::kAlreadyExists);
  EXPECT_NE(twice.error().message().find(KeysFile("apple-id.json").value("vendor_number", "")), std::string::npos);
  EXPECT_NE(twice.error().message().find("account " + std::to_string(key->account.id)), std::string::npos);
  EXPECT_EQ(SealedCount(), 1);

  ASSERT_TRUE(service_->Unlink(team_, key->account.id, false, kActor).ok());
  EXPECT_EQ(SealedCount(), 0);
  EXPECT_EQ(meta_->GetAccountSealed(team_, key->account.id, "secret").error().code(), Code::kNotFound);
  EXPECT_EQ(AuditCount("account.unlink"), 1);
  auto again = service_->Unlink(team_, key->account.id, false, kActor);
  EXPECT_EQ(again.code(), Code::kNotFound);

  // Now the vendor is free: the app-specific password links, and unlinking it erases both
  // its sealed values (the password and the Reporter token).
  auto reporter = service_->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_TRUE(reporter.has_value()) << reporter.error().ToString();
  ASSERT_EQ(SealedCount(), 2);
  ASSERT_TRUE(service_->Unlink(team_, reporter->account.id, false, kActor).ok());
  EXPECT_EQ(SealedCount(), 0);
  for (const char* column : {"secret", "state"}) {
    auto gone = meta_->GetAccountSealed(team_, reporter->account.id, column);
    ASSERT_FALSE(gone.has_value()) << column;
    EXPECT_EQ(gone.error().code(), Code::kNotFound) << column;
  }
  EXPECT_EQ(meta_->GetAccount(team_, reporter->account.id).error().code(), Code::kNotFound);
  EXPECT_EQ(AuditCount("account.unlink"), 2);
}

TEST_F(AccountServiceTest, AnotherTeamsAccountIsNotFound) {
  auto linked = service_->Link(team_, AppleId(SubAccountPassword()), kActor);
  ASSERT_TRUE(linked.has_value()) << linked.error().ToString();
  const int64_t id = linked->account.id;
  const std::string code = TwoFactorCode();

  auto health = service_->GetHealth(other_team_, id);
  ASSERT_FALSE(health.has_value());
  EXPECT_EQ(health.error().code(), Code::kNotFound);
  auto refresh = service_->Refresh(other_team_, id, kActor);
  ASSERT_FALSE(refresh.has_value());
  EXPECT_EQ(refresh.error().code(), Code::kNotFound);
  auto submit = service_->SubmitCode(other_team_, id, code, kActor);
  ASSERT_FALSE(submit.has_value());
  EXPECT_EQ(submit.error().code(), Code::kNotFound);
  EXPECT_EQ(service_->Unlink(other_team_, id, false, kActor).code(), Code::kNotFound);
  auto care = service_->Maintain(other_team_, id);
  ASSERT_FALSE(care.has_value());
  EXPECT_EQ(care.error().code(), Code::kNotFound);
  EXPECT_EQ(service_->ReportAppleRefusal(other_team_, id, Status(Code::kUnauthenticated, "401")).code(),
            Code::kNotFound);

  // Untouched: still pending in its own team, and the code still completes it there.
  EXPECT_EQ(SealedCount(), 2);
  EXPECT_EQ(Account(id).status, "pending");
  EXPECT_EQ(AuditCount("account.unlink", other_team_), 0);
  auto done = service_->SubmitCode(team_, id, code, kActor);
  ASSERT_TRUE(done.has_value()) << done.error().ToString();
}

TEST_F(AccountServiceTest, ASealedServiceRefusesSecretsButReportsHealth) {
  auto key = service_->Link(team_, AscKey("key.json"), kActor);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  auto sealed = MakeService(nullptr);
  const size_t requests = RequestLog().size();

  auto link = sealed->Link(team_, AppPassword(SandboxAppPassword()), kActor);
  ASSERT_FALSE(link.has_value());
  EXPECT_EQ(link.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(link.error().message().find("sealed"), std::string::npos) << link.error().message();
  auto refresh = sealed->Refresh(team_, key->account.id, kActor);
  ASSERT_FALSE(refresh.has_value());
  EXPECT_EQ(refresh.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(refresh.error().message().find("sealed"), std::string::npos) << refresh.error().message();
  auto open = sealed->OpenSecret(Account(key->account.id), "secret");
  ASSERT_FALSE(open.has_value());
  EXPECT_EQ(open.error().code(), Code::kFailedPrecondition);

  auto health = sealed->GetHealth(team_, key->account.id);
  ASSERT_TRUE(health.has_value()) << health.error().ToString();
  EXPECT_EQ(health->state, "active");
  EXPECT_TRUE(health->capabilities.Has("sales"));
  // Nothing reached Apple, nothing changed.
  EXPECT_EQ(RequestLog().size(), requests);
  EXPECT_EQ(meta_->ListAccounts(team_)->size(), 1u);
  EXPECT_EQ(Account(key->account.id).status, "active");
}

}  // namespace
}  // namespace orchard::accounts
