// The security promises of the API server (security.md SEC-7 … SEC-11), tested through real HTTP
// on loopback: a temporary SQLite data dir, a fake clock, one sandbox per suite for linking.
//
// The authorization matrix (SEC-9) and the CSRF test (SEC-10) are generated from the router's
// own route table; kExpectedAccess below is the machine-readable matrix they are checked
// against, both ways. Every reply the test client receives is checked for the SEC-11 headers.
#include "server/api_server.h"

#include "core/metrics.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "accounts/account_service.h"
#include "apple/asc/customer_reviews.h"
#include "core/clock.h"
#include "core/config.h"
#include "crypto/base64.h"
#include "crypto/jwt.h"
#include "crypto/key_ring.h"
#include "crypto/password_hash.h"
#include "crypto/sealer.h"
#include "net/http_client.h"
#include "notify/review_webhooks.h"
#include "sandbox/sandbox.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "store/sqlite/sqlite_review_store.h"

namespace orchard::server {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::steady_clock;
using store::Role;

constexpr const char* kPassword = "correct horse battery staple";
constexpr const char* kGeneric500 =
    R"({"error":{"code":"internal","message":"Something went wrong on the server; it has been logged."}})";

// An app of the sandbox's portfolio (seed 11) with customer reviews.
constexpr const char* kReviewApp = "1476097583";

// SEC-9's matrix, machine-readable: who may call each route, by "METHOD pattern". Compared with
// the router's table both ways, so a route cannot be added, removed or loosened unnoticed.
// Roles follow product.md §1: Viewers read everything of their team and change only their own
// things (preferences, password, API tokens, notifications, a "please link" request).
const std::map<std::string, Access>& ExpectedAccess() {
  static const std::map<std::string, Access> kExpectedAccess = {
      {"GET /healthz", Access::kPublic},
      {"GET /metrics", Access::kPublic},
      {"GET /api/v1/openapi.json", Access::kPublic},
      {"GET /api/v1/reports/sales", Access::kViewer},
      {"GET /api/v1/products", Access::kViewer},
      {"POST /api/v1/session", Access::kPublic},
      {"GET /api/v1/session", Access::kUser},
      {"DELETE /api/v1/session", Access::kUser},
      {"PUT /api/v1/session/team", Access::kUser},
      {"GET /api/v1/me", Access::kUser},
      {"PUT /api/v1/me/preferences", Access::kUser},
      {"PUT /api/v1/me/password", Access::kUser},
      {"GET /api/v1/teams", Access::kUser},
      {"POST /api/v1/teams", Access::kUser},
      {"GET /api/v1/routes", Access::kUser},
      {"GET /api/v1/team", Access::kViewer},
      {"GET /api/v1/team/members", Access::kViewer},
      {"POST /api/v1/team/members", Access::kOwner},
      {"PATCH /api/v1/team/members/{user_id}", Access::kOwner},
      {"DELETE /api/v1/team/members/{user_id}", Access::kOwner},
      {"GET /api/v1/tokens", Access::kViewer},
      {"POST /api/v1/tokens", Access::kViewer},
      {"DELETE /api/v1/tokens/{id}", Access::kViewer},
      {"GET /api/v1/notifications", Access::kViewer},
      {"POST /api/v1/notifications/{id}/read", Access::kViewer},
      {"POST /api/v1/link-requests", Access::kViewer},
      {"GET /api/v1/audit", Access::kAdmin},
      {"GET /api/v1/accounts", Access::kViewer},
      {"POST /api/v1/accounts", Access::kAdmin},
      {"GET /api/v1/accounts/{id}", Access::kViewer},
      {"DELETE /api/v1/accounts/{id}", Access::kAdmin},
      {"POST /api/v1/accounts/{id}/refresh", Access::kAdmin},
      {"GET /api/v1/accounts/{id}/health", Access::kViewer},
      {"GET /api/v1/reviews", Access::kViewer},
      {"GET /api/v1/reviews/counts", Access::kViewer},
      {"GET /api/v1/reviews/{id}", Access::kViewer},
      {"PUT /api/v1/reviews/{id}/response", Access::kAdmin},
      {"DELETE /api/v1/reviews/{id}/response", Access::kAdmin},
      {"GET /api/v1/ratings", Access::kViewer},
      {"GET /api/v1/apps/tracked", Access::kViewer},
      {"POST /api/v1/apps/tracked", Access::kAdmin},
      {"DELETE /api/v1/apps/tracked/{app_id}", Access::kAdmin},
      {"GET /api/v1/webhooks/reviews", Access::kAdmin},
      {"PUT /api/v1/webhooks/reviews", Access::kAdmin},
      {"POST /api/v1/webhooks/reviews/test", Access::kAdmin},
      {"DELETE /api/v1/webhooks/reviews", Access::kAdmin},
  };
  return kExpectedAccess;
}

// Routes that only make sense for a cookie session: an API token caller gets a 400 that says so.
bool SessionOnly(const std::string& key) {
  return key == "DELETE /api/v1/session" || key == "PUT /api/v1/session/team";
}

bool RoleAllows(Access access, Role role) {
  switch (access) {
    case Access::kPublic:
    case Access::kUser:
    case Access::kViewer:
      return true;
    case Access::kAdmin:
      return role >= Role::kAdmin;
    case Access::kOwner:
      return role == Role::kOwner;
  }
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Is2xx(int status) { return status >= 200 && status < 300; }

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A reply as the test client received it.
struct Reply {
  int status = 0;  // 0: no answer at all
  std::string body;
  httplib::Headers headers;
  std::chrono::nanoseconds took{0};

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  Json Parsed() const { return Json::parse(body, nullptr, false); }
  std::string Message() const {
    Json j = Parsed();
    if (j.is_object() && j.contains("error") && j["error"].is_object() &&
        j["error"].contains("message")) {
      return j["error"]["message"].get<std::string>();
    }
    return "";
  }
};

// How a request proves who sends it.
struct Auth {
  std::string token;   // Authorization: Bearer …
  std::string cookie;  // the session cookie's value
  std::string csrf;    // X-CSRF-Token, sent when not empty
};

enum class Kind { kToken, kSession };

struct Caller {
  std::string name;          // for messages
  std::optional<Role> role;  // nullopt: anonymous
  int64_t user_id = 0;
  Kind kind = Kind::kToken;
  Auth auth;
};

struct Person {
  int64_t id = 0;
  std::string email;
  std::string token;  // an API token of this person in the team
  int64_t token_id = 0;
};

struct TeamSeed {
  int64_t id = 0;
  std::string name;
  std::string tag;  // "alpha" or "bravo": every name and e-mail of the team contains it
  Person owner, admin, viewer;
  Person target;                // a fourth member (Viewer), the object of member routes
  int64_t spare_token_id = 0;   // an API token of the owner that nobody authenticates with
  int64_t notification_id = 0;  // a notification to the owner
  int64_t account_id = 0;       // a linked asc-key account
  int64_t review_id = 0;        // a review (alpha: the sandbox's, answerable; bravo: from RSS)
  std::string tracked_app;      // an app the team tracks
  const Person& ByRole(Role role) const {
    return role == Role::kOwner ? owner : role == Role::kAdmin ? admin : viewer;
  }
};

using Snapshot = std::map<std::string, std::string>;

// Names of the tables whose rows differ, with their row counts.
std::string SnapshotDiff(const Snapshot& before, const Snapshot& after) {
  std::string out;
  for (const auto& [table, rows] : after) {
    auto it = before.find(table);
    if (it == before.end() || it->second != rows) {
      out += table + " (" +
             (it == before.end() ? "new" : it->second.substr(0, it->second.find('\n'))) + " → " +
             rows.substr(0, rows.find('\n')) + ") ";
    }
  }
  for (const auto& [table, rows] : before) {
    if (!after.contains(table)) out += table + " (dropped) ";
  }
  return out;
}

class ApiServerTest : public ::testing::Test {
 protected:
  // One sandbox and one password hash for the whole suite: argon2id is slow by design.
  static void SetUpTestSuite() {
    auto hash = crypto::HashPassword(Secret(kPassword));
    ASSERT_TRUE(hash.has_value()) << hash.error().ToString();
    password_hash_ = *hash;
    sandbox_dir_ =
        fs::temp_directory_path() / ("orchard-srvtest-sandbox-" + std::to_string(::getpid()));
    fs::remove_all(sandbox_dir_);
    sandbox::SandboxOptions o;
    o.keys_dir = sandbox_dir_;
    o.seed = 11;
    auto s = sandbox::Sandbox::Start(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    sandbox_ = std::move(*s);
    key_ = Json::parse(ReadBytes(sandbox_dir_ / "key.json"));
    key_pem_ = ReadBytes(sandbox_dir_ / key_["key_file"].get<std::string>());
    ads_ = Json::parse(ReadBytes(sandbox_dir_ / "searchads.json"));
    ads_pem_ = ReadBytes(sandbox_dir_ / ads_["private_key_file"].get<std::string>());
  }
  // A client of the sandbox's App Store Connect, owning its HTTP client and token signer.
  static std::shared_ptr<apple::asc::AscClient> SandboxClient(const std::string& issuer,
                                                              const std::string& key_id,
                                                              crypto::Es256PrivateKey key) {
    struct Bundle {
      std::unique_ptr<net::HttpClient> http;
      std::unique_ptr<crypto::AscTokenSigner> signer;
      std::unique_ptr<apple::asc::AscClient> client;
    };
    auto b = std::make_shared<Bundle>();
    b->http = net::MakeCurlHttpClient();
    b->signer = std::make_unique<crypto::AscTokenSigner>(issuer, key_id, std::move(key), &SystemClock());
    auto* signer = b->signer.get();
    b->client = std::make_unique<apple::asc::AscClient>(
        sandbox_->base_url(), [signer] { return signer->Token(); }, b->http.get());
    return std::shared_ptr<apple::asc::AscClient>(b, b->client.get());
  }
  // The id of one of the sandbox's reviews of kReviewApp (read once, with key.json).
  static std::string SandboxReviewId() {
    static std::string id;
    if (!id.empty()) return id;
    auto key = crypto::Es256PrivateKey::FromPem(Secret(key_pem_));
    EXPECT_TRUE(key.has_value());
    if (!key.has_value()) return "no-key";
    auto client = SandboxClient(key_["issuer_id"].get<std::string>(),
                                key_["key_id"].get<std::string>(), std::move(*key));
    apple::asc::ListReviewsOptions options;
    options.limit = 5;
    options.max_pages = 1;
    auto listed = apple::asc::ListCustomerReviews(
        *client, kReviewApp, options, [](const apple::asc::CustomerReviewPage& page) {
          if (!page.reviews.empty() && id.empty()) id = page.reviews.front().id;
          return Result<apple::asc::PageAction>(apple::asc::PageAction::kStop);
        });
    EXPECT_TRUE(listed.has_value()) << listed.error().ToString();
    EXPECT_FALSE(id.empty()) << "the sandbox has no review of " << kReviewApp;
    return id.empty() ? "no-review" : id;
  }

  static void TearDownTestSuite() {
    sandbox_.reset();
    fs::remove_all(sandbox_dir_);
  }

  void SetUp() override {
    ASSERT_FALSE(password_hash_.empty());
    ASSERT_NE(sandbox_, nullptr);
    dir_ = fs::temp_directory_path() /
           ("orchard-srvtest-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    db_path_ = dir_ / "data" / "orchard.db";
    clock_ = std::make_unique<FakeClock>(
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    auto db = store::sqlite::Database::Open(db_path_);
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, clock_.get());
    access_ = std::make_unique<store::sqlite::SqliteAccessStore>(db_, clock_.get());
    facts_ = std::make_unique<store::sqlite::SqliteFactStore>(db_, clock_.get());
    reviews_ = std::make_unique<store::sqlite::SqliteReviewStore>(db_, clock_.get());
    auto ring = crypto::KeyRing::CreateFile(dir_ / "keys" / "master.key");
    ASSERT_TRUE(ring.has_value()) << ring.error().ToString();
    ring_ = std::make_unique<crypto::KeyRing>(std::move(*ring));
    sealer_ = std::make_unique<crypto::Sealer>(ring_.get());
    Config config;
    const std::string base = sandbox_->base_url();
    config.apple.asc_api_url = base;
    config.apple.reporter_url = base;
    config.apple.idmsa_url = base;
    config.apple.web_url = base;
    config.apple.search_ads_url = base;
    config.apple.search_ads_token_url = base + "/auth/oauth2/token";
    config.apple.itunes_url = base;
    service_ = std::make_unique<accounts::AccountService>(
        meta_.get(), access_.get(), sealer_.get(), config, [] { return net::MakeCurlHttpClient(); },
        clock_.get());
    webhooks_ = std::make_unique<notify::ReviewWebhooks>(
        reviews_.get(), meta_.get(), sealer_.get(), [] { return net::MakeCurlHttpClient(); },
        clock_.get());
    StartServer(ServerOptions{});
    SeedTeam("alpha", &a_);
    SeedTeam("bravo", &b_);
  }

  void TearDown() override {
    server_.reset();
    service_.reset();
    webhooks_.reset();
    facts_.reset();
    reviews_.reset();
    access_.reset();
    meta_.reset();
    db_.reset();
    std::string problems;
    for (const auto& p : header_problems_) problems += "\n  " + p;
    EXPECT_TRUE(header_problems_.empty())
        << header_problems_.size() << " problems in the " << replies_
        << " replies of this test (SEC-11):" << problems;
    fs::remove_all(dir_);
  }

  void StartServer(ServerOptions options) {
    server_.reset();
    options.host = "127.0.0.1";
    options.port = 0;
    ServerDeps deps{meta_.get(), access_.get(), service_.get(), clock_.get(), false};
    deps.facts = facts_.get();
    deps.reviews = reviews_.get();
    // As `orchard serve` opens a linked account's key for review responses.
    deps.open_asc = [this](const store::LinkedAccount& a) -> Result<std::shared_ptr<apple::asc::AscClient>> {
      ORCHARD_ASSIGN_OR_RETURN(Secret pem, service_->OpenSecret(a, "secret"));
      ORCHARD_ASSIGN_OR_RETURN(crypto::Es256PrivateKey key, crypto::Es256PrivateKey::FromPem(pem));
      return SandboxClient(a.issuer_id, a.key_id, std::move(key));
    };
    deps.webhooks = webhooks_.get();
    server_ = std::make_unique<ApiServer>(deps, options);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // ---- The HTTP client: every reply is checked for the SEC-11 headers ----

  Reply Send(const std::string& method, const std::string& path, const std::string& body = "",
             const Auth& auth = {}, const httplib::Headers& extra = {}) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(120, 0);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    if (!body.empty()) req.set_header("Content-Type", "application/json");
    if (!auth.token.empty()) req.set_header("Authorization", "Bearer " + auth.token);
    if (!auth.cookie.empty())
      req.set_header("Cookie", std::string(kSessionCookie) + "=" + auth.cookie);
    if (!auth.csrf.empty()) req.set_header(kCsrfHeader, auth.csrf);
    for (const auto& [k, v] : extra) req.set_header(k, v);
    const auto start = steady_clock::now();
    auto res = client.send(req);
    Reply r;
    r.took = steady_clock::now() - start;
    if (!res) {
      ADD_FAILURE() << method << " " << path << ": no answer (" << httplib::to_string(res.error())
                    << ")";
      return r;
    }
    r.status = res->status;
    r.body = res->body;
    r.headers = res->headers;
    CheckHeaders(method + " " + path, path, r);
    return r;
  }

  void CheckHeaders(const std::string& what, const std::string& path, const Reply& r) {
    ++replies_;
    auto problem = [&](const std::string& p) {
      header_problems_.push_back(what + " → " + std::to_string(r.status) + ": " + p);
    };
    if (r.Header("X-Content-Type-Options") != "nosniff")
      problem("no X-Content-Type-Options: nosniff");
    const std::string csp = r.Header("Content-Security-Policy");
    if (csp.find("object-src 'none'") == std::string::npos)
      problem("CSP without object-src 'none'");
    if (csp.find("frame-ancestors 'none'") == std::string::npos)
      problem("CSP without frame-ancestors 'none'");
    if (path.rfind("/api/", 0) == 0 &&
        r.Header("Cache-Control").find("no-store") == std::string::npos) {
      problem("an /api/ reply without Cache-Control: no-store");
    }
    if (r.status >= 500 && r.status != 503 && r.body != kGeneric500)
      problem("a 5xx body that is not the generic one: " + r.body);
    for (const auto& [name, value] : r.headers) {
      if (Lower(name).find("exception") != std::string::npos)
        problem("header " + name + ": " + value);
    }
  }

  // ---- Seeding through the stores (no HTTP, no hashing) ----

  int64_t NewUser(const std::string& email) {
    auto u = access_->CreateUser(email, password_hash_);
    EXPECT_TRUE(u.has_value()) << email << ": " << u.error().ToString();
    return u.has_value() ? u->id : 0;
  }

  void Join(int64_t team_id, int64_t user_id, Role role) {
    Status st = access_->PutMembership(team_id, user_id, role);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  std::pair<int64_t, std::string> IssueToken(int64_t team_id, int64_t user_id,
                                             const std::string& name) {
    const std::string raw = NewOpaqueToken("orc_");
    store::ApiToken t;
    t.token_hash = TokenHash(raw);
    t.prefix = raw.substr(0, 8);
    t.user_id = user_id;
    t.team_id = team_id;
    t.name = name;
    t.created_at = clock_->NowSeconds();
    auto created = access_->CreateToken(t);
    EXPECT_TRUE(created.has_value()) << created.error().ToString();
    return {created.has_value() ? created->id : 0, raw};
  }

  int64_t Notify(int64_t team_id, int64_t user_id, const std::string& message) {
    store::Notification n;
    n.team_id = team_id;
    n.user_id = user_id;
    n.kind = "test";
    n.message = message;
    n.created_at = clock_->NowSeconds();
    auto added = access_->AddNotification(n);
    EXPECT_TRUE(added.has_value()) << added.error().ToString();
    return added.has_value() ? added->id : 0;
  }

  // A session as a login makes one (the login itself is tested where sessions are the subject).
  std::string MintSession(int64_t user_id, int64_t team_id) {
    const std::string cookie = NewOpaqueToken("");
    store::Session s;
    s.id_hash = TokenHash(cookie);
    s.csrf_hash = TokenHash(CsrfTokenFor(cookie));
    s.user_id = user_id;
    s.team_id = team_id;
    s.created_at = clock_->NowSeconds();
    s.last_seen_at = s.created_at;
    s.expires_at = s.created_at + 7 * 86400;
    Status st = access_->CreateSession(s);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return cookie;
  }

  // The CSRF token of a session, the way the dashboard gets it after a reload.
  std::string CsrfOf(const std::string& cookie) {
    Reply r = Send("GET", "/api/v1/session", "", Auth{"", cookie, ""});
    EXPECT_EQ(r.status, 200) << r.body;
    Json j = r.Parsed();
    return j.is_object() && j.contains("csrf_token") ? j["csrf_token"].get<std::string>() : "";
  }

  Auth SessionAuth(int64_t user_id, int64_t team_id) {
    Auth a;
    a.cookie = MintSession(user_id, team_id);
    a.csrf = CsrfOf(a.cookie);
    return a;
  }

  int64_t LinkAccount(int64_t team_id, const std::string& name) {
    accounts::LinkRequest r;
    r.method = accounts::kAscKey;
    r.name = name;
    r.issuer_id = key_["issuer_id"].get<std::string>();
    r.key_id = key_["key_id"].get<std::string>();
    r.vendor_number = key_["vendor_number"].is_string() ? key_["vendor_number"].get<std::string>()
                                                        : key_["vendor_number"].dump();
    r.private_key = Secret(key_pem_);
    auto out = service_->Link(team_id, std::move(r), accounts::Actor{0, "test", ""});
    EXPECT_TRUE(out.has_value()) << out.error().ToString();
    return out.has_value() ? out->account.id : 0;
  }

  // The team's linked account, linked (again) when missing.
  int64_t EnsureAccount(TeamSeed& team) {
    if (team.account_id == 0 || !meta_->GetAccount(team.id, team.account_id).has_value()) {
      team.account_id = LinkAccount(team.id, team.tag + " account " + std::to_string(++seq_));
    }
    return team.account_id;
  }

  void SeedTeam(const std::string& tag, TeamSeed* t) {
    t->tag = tag;
    t->name = tag + " team";
    auto team = access_->CreateTeam(t->name);
    ASSERT_TRUE(team.has_value()) << team.error().ToString();
    t->id = team->id;
    const std::pair<Person*, Role> people[] = {{&t->owner, Role::kOwner},
                                               {&t->admin, Role::kAdmin},
                                               {&t->viewer, Role::kViewer},
                                               {&t->target, Role::kViewer}};
    for (const auto& [p, role] : people) {
      const std::string who = p == &t->target ? "target" : std::string(store::RoleName(role));
      p->email = who + "@" + tag + ".example";
      p->id = NewUser(p->email);
      Join(t->id, p->id, role);
      std::tie(p->token_id, p->token) = IssueToken(t->id, p->id, tag + " " + who + " token");
    }
    t->spare_token_id = IssueToken(t->id, t->owner.id, tag + " spare token").first;
    t->notification_id = Notify(t->id, t->owner.id, tag + " notice");
    // Alpha's review is one of the sandbox's (so a reply to it reaches Apple and succeeds once
    // the app is in the catalog of alpha's account, see ObjectId); bravo's is from the feed.
    store::Review review;
    review.source_id = tag == "alpha" ? SandboxReviewId() : tag + "-feed-review";
    review.country = "us";
    review.rating = 2;
    review.title = tag + " review";
    review.body = tag + " review text";
    review.author = tag + " reviewer";
    review.updated_at = clock_->NowSeconds() - 3600;
    auto stored = reviews_->UpsertReviews(t->id, kReviewApp,
                                          tag == "alpha" ? store::kSourceAsc : store::kSourceRss,
                                          {review});
    ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
    t->review_id = stored->added_ids.at(0);
    t->tracked_app = tag == "alpha" ? "700000001" : "700000002";
    ASSERT_TRUE(reviews_->TrackApp(t->id, store::TrackedApp{t->tracked_app, {"us"}, 0, 0}).has_value());
  }

  // ---- Sign-in through the API ----

  struct SignedIn {
    Reply reply;
    std::string cookie;
    std::string csrf;
  };

  static std::string CookieFrom(const Reply& r) {
    const std::string set = r.Header("Set-Cookie");
    const std::string prefix = std::string(kSessionCookie) + "=";
    if (set.rfind(prefix, 0) != 0) return "";
    return set.substr(prefix.size(), set.find(';') - prefix.size());
  }

  SignedIn Login(const std::string& email, const std::string& password,
                 const httplib::Headers& extra = {}) {
    SignedIn s;
    s.reply = Send("POST", "/api/v1/session", Json{{"email", email}, {"password", password}}.dump(),
                   {}, extra);
    if (s.reply.status == 200) {
      s.cookie = CookieFrom(s.reply);
      s.csrf = s.reply.Parsed().value("csrf_token", "");
    }
    return s;
  }

  // ---- Database views ----

  // Every row of every table, read through a connection of its own, so "nothing changed" can
  // be checked without knowing the schema.
  Snapshot TakeSnapshot() const {
    Snapshot out;
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(db_path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << db_path_;
      sqlite3_close(raw);
      return out;
    }
    std::vector<std::string> tables;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1,
                       &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW)
      tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    for (const auto& table : tables) {
      std::string rows;
      int count = 0;
      sqlite3_prepare_v2(raw, ("SELECT * FROM \"" + table + "\"").c_str(), -1, &st, nullptr);
      while (sqlite3_step(st) == SQLITE_ROW) {
        ++count;
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
          const int type = sqlite3_column_type(st, c);
          const void* bytes = sqlite3_column_blob(st, c);
          const int size = sqlite3_column_bytes(st, c);
          rows += std::to_string(type) + ":" + std::to_string(size) + ":";
          if (bytes != nullptr)
            rows.append(static_cast<const char*>(bytes), static_cast<size_t>(size));
          rows += '|';
        }
        rows += '\n';
      }
      sqlite3_finalize(st);
      out[table] = std::to_string(count) + " rows\n" + rows;
    }
    sqlite3_close(raw);
    return out;
  }

  // Every byte of the data dir (database, -wal, -shm).
  std::string DataDirBytes() const {
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dir_ / "data")) {
      if (entry.is_regular_file()) all += ReadBytes(entry.path());
    }
    return all;
  }

  // ---- The generated tests' building blocks ----

  std::vector<Caller> CallersOfA(Kind kind) {
    std::vector<Caller> out;
    out.push_back(Caller{"anonymous", std::nullopt, 0, kind, {}});
    for (Role role : {Role::kOwner, Role::kAdmin, Role::kViewer}) {
      const Person& p = a_.ByRole(role);
      Caller c{std::string(kind == Kind::kToken ? "token " : "session ") +
                   std::string(store::RoleName(role)),
               role,
               p.id,
               kind,
               {}};
      if (kind == Kind::kToken) c.auth.token = p.token;
      out.push_back(std::move(c));
    }
    for (auto& c : out) EnsureCredential(c);
    return out;
  }

  // Renews a caller's session when a request ended it (logout, password change).
  void EnsureCredential(Caller& c) {
    if (!c.role) return;
    if (c.kind == Kind::kToken) {
      auto t = access_->FindToken(TokenHash(c.auth.token));
      if (!t.has_value() || t->revoked_at != 0)
        c.auth.token = IssueToken(a_.id, c.user_id, "alpha renewed token").second;
      return;
    }
    if (c.auth.cookie.empty() || !access_->FindSession(TokenHash(c.auth.cookie)).has_value()) {
      c.auth = SessionAuth(c.user_id, a_.id);
    }
  }

  // The id a path parameter takes for `caller`: team A's objects are made fresh for every call,
  // so what an earlier DELETE removed does not change what a later call finds; team B's stay.
  int64_t ObjectId(const std::string& pattern, const std::string& param, bool own,
                   const Caller& caller) {
    const int64_t user = caller.user_id != 0 ? caller.user_id : a_.owner.id;
    if (pattern.rfind("/api/v1/team/members/", 0) == 0 && param == "user_id") {
      if (!own) return b_.target.id;
      const int64_t id = NewUser("member-" + std::to_string(++seq_) + "@alpha.example");
      Join(a_.id, id, Role::kViewer);
      return id;
    }
    if (pattern.rfind("/api/v1/tokens/", 0) == 0 && param == "id") {
      return own ? IssueToken(a_.id, user, "alpha fresh token").first : b_.spare_token_id;
    }
    if (pattern.rfind("/api/v1/notifications/", 0) == 0 && param == "id") {
      return own ? Notify(a_.id, user, "alpha fresh notice") : b_.notification_id;
    }
    if (pattern.rfind("/api/v1/accounts/", 0) == 0 && param == "id") {
      return own ? EnsureAccount(a_) : b_.account_id;
    }
    if (pattern.rfind("/api/v1/reviews/", 0) == 0 && param == "id") {
      if (!own) return b_.review_id;
      // The app is in the catalog of alpha's (Admin-key) account: a reply can reach Apple.
      store::CatalogApp app;
      app.apple_id = kReviewApp;
      app.name = "alpha app";
      app.account_id = EnsureAccount(a_);
      EXPECT_TRUE(meta_->PutCatalogApps(a_.id, {app}, clock_->NowSeconds()).ok());
      return a_.review_id;
    }
    if (pattern.rfind("/api/v1/apps/tracked/", 0) == 0 && param == "app_id") {
      if (!own) return std::stoll(b_.tracked_app);
      const std::string fresh = std::to_string(710000000 + ++seq_);
      EXPECT_TRUE(reviews_->TrackApp(a_.id, store::TrackedApp{fresh, {}, 0, 0}).has_value());
      return std::stoll(fresh);
    }
    ADD_FAILURE() << "no test object for {" << param << "} of " << pattern
                  << ": add one to ObjectId";
    return 987654;
  }

  std::string Resolve(const std::string& pattern, bool own, const Caller& caller) {
    std::string path = pattern;
    for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      const size_t close = path.find('}', open);
      const std::string param = path.substr(open + 1, close - open - 1);
      path.replace(open, close - open + 1, std::to_string(ObjectId(pattern, param, own, caller)));
    }
    if (pattern == "/api/v1/ratings") path += std::string("?app=") + kReviewApp;  // required
    return path;
  }

  // A body that succeeds when the caller may call the route, so a missing authorization check
  // would show as a 2xx. Every state-changing route needs an entry.
  std::string BodyFor(const std::string& key) {
    const std::string n = std::to_string(++seq_);
    if (key == "POST /api/v1/session")
      return Json{{"email", a_.owner.email}, {"password", kPassword}}.dump();
    if (key == "PUT /api/v1/session/team") return Json{{"team_id", a_.id}}.dump();
    if (key == "PUT /api/v1/me/preferences") {
      return Json{
          {"currency", "EUR"}, {"time_zone", "Europe/Berlin"}, {"date_format", "DD.MM.YYYY"}}
          .dump();
    }
    if (key == "PUT /api/v1/me/password") {
      return Json{{"current_password", kPassword}, {"new_password", kPassword}}.dump();
    }
    if (key == "POST /api/v1/teams") return Json{{"name", "alpha extra " + n}}.dump();
    if (key == "POST /api/v1/team/members") {
      const std::string email = "joiner-" + n + "@alpha.example";
      NewUser(email);
      return Json{{"email", email}, {"role", "viewer"}}.dump();
    }
    if (key == "PATCH /api/v1/team/members/{user_id}") return Json{{"role", "admin"}}.dump();
    if (key == "POST /api/v1/tokens")
      return Json{{"name", "alpha made token " + n}, {"expires_in_days", 30}}.dump();
    if (key == "POST /api/v1/link-requests")
      return Json{{"message", "please link alpha's account"}}.dump();
    if (key == "POST /api/v1/accounts") {
      // Search Ads (the team's vendor is linked by key already, and a vendor links once): a
      // team links a client once, so an earlier link of it is removed for this one to succeed.
      for (const auto& linked :
           meta_->ListAccounts(a_.id).value_or(std::vector<store::LinkedAccount>{})) {
        if (linked.client_id == ads_["client_id"].get<std::string>()) {
          EXPECT_TRUE(meta_->DeleteAccount(a_.id, linked.id, false).ok());
        }
      }
      return Json{{"method", "search-ads"},
                  {"name", "alpha linked " + n},
                  {"client_id", ads_["client_id"]},
                  {"team_id", ads_["team_id"]},
                  {"key_id", ads_["key_id"]},
                  {"private_key", ads_pem_}}
          .dump();
    }
    if (key == "PUT /api/v1/reviews/{id}/response")
      return Json{{"body", "Thanks for the review! (" + n + ")"}}.dump();
    if (key == "POST /api/v1/apps/tracked") {
      return Json{{"app", "https://apps.apple.com/us/app/some-app/id" + std::to_string(720000000 + seq_)},
                  {"countries", Json::array({"us", "gb"})}}
          .dump();
    }
    if (key == "DELETE /api/v1/reviews/{id}/response" || key == "DELETE /api/v1/apps/tracked/{app_id}")
      return "";
    if (key == "PUT /api/v1/webhooks/reviews") {
      // Nothing listens on the discard port: a test delivery answers "not delivered" at once.
      return Json{{"url", "http://127.0.0.1:9/hook"}, {"max_rating", 2}}.dump();
    }
    if (key == "POST /api/v1/webhooks/reviews/test" || key == "DELETE /api/v1/webhooks/reviews") {
      return "";
    }
    if (key == "DELETE /api/v1/session" || key == "DELETE /api/v1/team/members/{user_id}" ||
        key == "DELETE /api/v1/tokens/{id}" || key == "POST /api/v1/notifications/{id}/read" ||
        key == "DELETE /api/v1/accounts/{id}" || key == "POST /api/v1/accounts/{id}/refresh") {
      return "";
    }
    if (IsStateChanging(key.substr(0, key.find(' ')))) {
      ADD_FAILURE() << "no request body for " << key << ": add one to BodyFor";
    }
    return "";
  }

  // Team B is exactly as seeded: nothing of it was changed by team A's callers.
  void ExpectTeamBUntouched() {
    auto team = access_->GetTeam(b_.id);
    ASSERT_TRUE(team.has_value());
    EXPECT_EQ(team->name, b_.name);
    EXPECT_TRUE(meta_->GetAccount(b_.id, b_.account_id).has_value())
        << "team B's account was unlinked";
    auto tokens = access_->ListTokens(b_.id);
    ASSERT_TRUE(tokens.has_value());
    EXPECT_EQ(tokens->size(), 5u);
    for (const auto& t : *tokens)
      EXPECT_EQ(t.revoked_at, 0) << "team B's token " << t.name << " was revoked";
    auto members = access_->ListMembers(b_.id);
    ASSERT_TRUE(members.has_value());
    std::map<int64_t, Role> roles;
    for (const auto& m : *members) roles[m.user_id] = m.role;
    const std::map<int64_t, Role> seeded = {{b_.owner.id, Role::kOwner},
                                            {b_.admin.id, Role::kAdmin},
                                            {b_.viewer.id, Role::kViewer},
                                            {b_.target.id, Role::kViewer}};
    EXPECT_EQ(roles, seeded) << "team B's members changed";
    auto notes = access_->ListNotifications(b_.id, b_.owner.id);
    ASSERT_TRUE(notes.has_value());
    ASSERT_EQ(notes->size(), 1u);
    EXPECT_EQ(notes->front().read_at, 0) << "team B's notification was marked read";
  }

  struct MatrixResult {
    int requests = 0;
    int cross_team_successes = 0;
    std::vector<std::string> failures;
  };

  // Every route × every caller of team A × {A's ids, B's ids}.
  MatrixResult RunMatrix(Kind kind) {
    MatrixResult out;
    std::vector<Caller> callers = CallersOfA(kind);
    for (const Route& route : server_->router().routes()) {
      const std::string key = route.method + " " + route.pattern;
      auto expected = ExpectedAccess().find(key);
      if (expected == ExpectedAccess().end()) continue;  // reported by RouteTableMatchesTheMatrix
      const Access access = expected->second;
      const bool has_ids = route.pattern.find('{') != std::string::npos;
      for (Caller& caller : callers) {
        for (const bool own : {true, false}) {
          if (!own && !has_ids) continue;
          EnsureCredential(caller);
          const std::string path = Resolve(route.pattern, own, caller);
          const std::string body = BodyFor(key);
          const Reply r = Send(route.method, path, body, caller.auth);
          ++out.requests;
          const std::string what = caller.name + " " + route.method + " " + path + " (" + key +
                                   ", " + (own ? "team A's ids" : "team B's ids") + ") → " +
                                   std::to_string(r.status) + " " + r.body.substr(0, 200);
          std::string expect;
          bool ok = false;
          if (!caller.role) {
            expect = access == Access::kPublic ? "2xx" : "401";
            ok = access == Access::kPublic ? Is2xx(r.status) : r.status == 401;
          } else if (!RoleAllows(access, *caller.role)) {
            expect = "403";
            ok = r.status == 403;
          } else if (!own) {
            expect = "404";
            ok = r.status == 404;
          } else if (kind == Kind::kToken && SessionOnly(key)) {
            expect = "400";
            ok = r.status == 400;
          } else {
            expect = "2xx";
            ok = Is2xx(r.status);
          }
          if (!ok) out.failures.push_back(what + ", expected " + expect);
          if (!own && Is2xx(r.status)) {
            ++out.cross_team_successes;
            out.failures.push_back("CROSS-TEAM SUCCESS: " + what);
          }
          if (Lower(r.body).find(b_.tag) != std::string::npos) {
            ++out.cross_team_successes;
            out.failures.push_back("CROSS-TEAM DATA in the answer: " + what);
          }
        }
      }
    }
    return out;
  }

  static inline std::string password_hash_;
  static inline fs::path sandbox_dir_;
  static inline std::unique_ptr<sandbox::Sandbox> sandbox_;
  static inline Json key_;
  static inline std::string key_pem_;
  static inline Json ads_;  // searchads.json: what POST /api/v1/accounts links
  static inline std::string ads_pem_;

  fs::path dir_;
  fs::path db_path_;
  std::unique_ptr<FakeClock> clock_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteAccessStore> access_;
  std::unique_ptr<store::sqlite::SqliteFactStore> facts_;
  std::unique_ptr<store::sqlite::SqliteReviewStore> reviews_;
  std::unique_ptr<notify::ReviewWebhooks> webhooks_;
  std::unique_ptr<crypto::KeyRing> ring_;
  std::unique_ptr<crypto::Sealer> sealer_;
  std::unique_ptr<accounts::AccountService> service_;
  std::unique_ptr<ApiServer> server_;
  TeamSeed a_, b_;
  int seq_ = 0;
  int replies_ = 0;
  std::vector<std::string> header_problems_;
};

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

// ---- SEC-9: authorization ----

TEST_F(ApiServerTest, RouteTableMatchesTheMatrix) {
  std::set<std::string> in_router;
  for (const Route& route : server_->router().routes()) {
    const std::string key = route.method + " " + route.pattern;
    EXPECT_TRUE(in_router.insert(key).second) << key << " is routed twice";
    auto expected = ExpectedAccess().find(key);
    if (expected == ExpectedAccess().end()) {
      ADD_FAILURE() << key << " (" << AccessName(route.access)
                    << ") is missing from the test's matrix (kExpectedAccess): add it with the "
                       "access it should have";
      continue;
    }
    EXPECT_EQ(AccessName(route.access), AccessName(expected->second)) << key;
  }
  for (const auto& [key, access] : ExpectedAccess()) {
    EXPECT_TRUE(in_router.contains(key)) << key << " is in the matrix but not routed";
  }
}

TEST_F(ApiServerTest, AuthorizationMatrixWithApiTokensHasNoCrossTeamSuccess) {
  EnsureAccount(a_);
  EnsureAccount(b_);
  MatrixResult m = RunMatrix(Kind::kToken);
  EXPECT_GT(m.requests, 100);
  EXPECT_EQ(m.cross_team_successes, 0);
  EXPECT_TRUE(m.failures.empty()) << m.failures.size() << " of " << m.requests
                                  << " requests:" << Joined(m.failures);
  ExpectTeamBUntouched();
}

TEST_F(ApiServerTest, AuthorizationMatrixWithSessionsHasNoCrossTeamSuccess) {
  EnsureAccount(a_);
  EnsureAccount(b_);
  MatrixResult m = RunMatrix(Kind::kSession);
  EXPECT_GT(m.requests, 100);
  EXPECT_EQ(m.cross_team_successes, 0);
  EXPECT_TRUE(m.failures.empty()) << m.failures.size() << " of " << m.requests
                                  << " requests:" << Joined(m.failures);
  ExpectTeamBUntouched();
}

// A user in both teams (Viewer of A, Owner of B) acting in A: B's objects are 404 and A's rules
// apply; only after switching the session to B does B's account answer.
TEST_F(ApiServerTest, MemberOfBothTeamsReachesTeamBOnlyBySwitchingToIt) {
  const int64_t b_account = EnsureAccount(b_);
  const int64_t both = NewUser("both@alpha.example");
  Join(a_.id, both, Role::kViewer);
  Join(b_.id, both, Role::kOwner);
  const std::string token_a = IssueToken(a_.id, both, "alpha both token").second;
  const std::string account_path = "/api/v1/accounts/" + std::to_string(b_account);

  EXPECT_EQ(Send("GET", account_path, "", Auth{token_a, "", ""}).status, 404);
  EXPECT_EQ(Send("GET", account_path + "/health", "", Auth{token_a, "", ""}).status, 404);
  EXPECT_EQ(Send("DELETE", account_path, "", Auth{token_a, "", ""}).status, 403);
  EXPECT_EQ(Send("DELETE", "/api/v1/team/members/" + std::to_string(b_.target.id), "",
                 Auth{token_a, "", ""})
                .status,
            403);
  const Reply tokens = Send("GET", "/api/v1/tokens", "", Auth{token_a, "", ""});
  EXPECT_EQ(tokens.status, 200);
  EXPECT_EQ(Lower(tokens.body).find("bravo"), std::string::npos) << tokens.body;

  Auth session = SessionAuth(both, a_.id);
  EXPECT_EQ(Send("GET", account_path, "", session).status, 404);
  EXPECT_EQ(Send("DELETE", account_path, "", session).status, 403);
  // A team the user is not a member of cannot be switched to.
  Auth outsider = SessionAuth(a_.owner.id, a_.id);
  EXPECT_EQ(Send("PUT", "/api/v1/session/team", Json{{"team_id", b_.id}}.dump(), outsider).status,
            404);
  EXPECT_EQ(Send("GET", "/api/v1/team", "", outsider).Parsed().value("name", ""), a_.name);
  // The positive control: switched to B, the same session reaches B's account.
  EXPECT_EQ(Send("PUT", "/api/v1/session/team", Json{{"team_id", b_.id}}.dump(), session).status,
            200);
  EXPECT_EQ(Send("GET", account_path, "", session).status, 200);
  EXPECT_TRUE(meta_->GetAccount(b_.id, b_account).has_value());
}

// ---- SEC-10: CSRF ----

TEST_F(ApiServerTest, EveryStateChangingRouteRefusesCrossSiteRequestsWithoutChangingState) {
  EnsureAccount(a_);
  EnsureAccount(b_);
  SignedIn login = Login(a_.owner.email, kPassword);
  ASSERT_EQ(login.reply.status, 200) << login.reply.body;
  ASSERT_FALSE(login.csrf.empty());
  EXPECT_EQ(CsrfOf(login.cookie), login.csrf)
      << "GET /api/v1/session must hand out the same CSRF token";
  Caller owner{"session owner", Role::kOwner, a_.owner.id, Kind::kSession,
               Auth{"", login.cookie, login.csrf}};
  Caller other{"session viewer", Role::kViewer, a_.viewer.id, Kind::kSession, {}};
  const std::string same_origin = "http://127.0.0.1:" + std::to_string(server_->port());

  int routes = 0;
  for (const Route& route : server_->router().routes()) {
    if (!IsStateChanging(route.method)) continue;
    ++routes;
    const std::string key = route.method + " " + route.pattern;
    EnsureCredential(owner);
    EnsureCredential(other);
    const std::string path = Resolve(route.pattern, true, owner);
    const std::string body = BodyFor(key);
    const std::string cookie = owner.auth.cookie;
    const std::string csrf = owner.auth.csrf;
    // Warm up: the first use of a credential may record it as used; that is not the request's
    // doing.
    Send("GET", "/api/v1/session", "", owner.auth);
    struct Forgery {
      std::string name;
      Auth auth;
      httplib::Headers headers;
    };
    const std::vector<Forgery> forgeries = {
        {"no X-CSRF-Token", Auth{"", cookie, ""}, {}},
        {"another session's X-CSRF-Token", Auth{"", cookie, other.auth.csrf}, {}},
        {"a made-up X-CSRF-Token", Auth{"", cookie, CsrfTokenFor(NewOpaqueToken(""))}, {}},
        {"Origin: http://evil.example",
         Auth{"", cookie, csrf},
         {{"Origin", "http://evil.example"}}},
        {"Origin: null", Auth{"", cookie, csrf}, {{"Origin", "null"}}},
        {"Sec-Fetch-Site: cross-site", Auth{"", cookie, csrf}, {{"Sec-Fetch-Site", "cross-site"}}},
        {"Sec-Fetch-Site: same-site", Auth{"", cookie, csrf}, {{"Sec-Fetch-Site", "same-site"}}},
    };
    for (const Forgery& f : forgeries) {
      const Snapshot before = TakeSnapshot();
      const Reply r = Send(route.method, path, body, f.auth, f.headers);
      EXPECT_EQ(r.status, 403) << key << " with " << f.name << ": " << r.body;
      EXPECT_EQ(SnapshotDiff(before, TakeSnapshot()), "")
          << key << " with " << f.name << " changed state";
    }
    const Reply right = Send(route.method, path, body, owner.auth,
                             {{"Origin", same_origin}, {"Sec-Fetch-Site", "same-origin"}});
    EXPECT_NE(right.status, 403) << key << " with the right token: " << right.body;
    EXPECT_TRUE(Is2xx(right.status))
        << key << " with the right token: " << right.status << " " << right.body;
  }
  EXPECT_GE(routes, 15);

  // Login CSRF: a cross-site page cannot sign the browser in either.
  for (const httplib::Headers& h : {httplib::Headers{{"Origin", "http://evil.example"}},
                                    httplib::Headers{{"Sec-Fetch-Site", "cross-site"}}}) {
    const Snapshot before = TakeSnapshot();
    EXPECT_EQ(Login(a_.owner.email, kPassword, h).reply.status, 403);
    EXPECT_EQ(SnapshotDiff(before, TakeSnapshot()), "");
  }
}

TEST_F(ApiServerTest, NoGetRouteChangesState) {
  EnsureAccount(a_);
  EnsureAccount(b_);
  std::vector<Caller> callers = CallersOfA(Kind::kToken);
  for (Caller& c : CallersOfA(Kind::kSession)) {
    if (c.role) callers.push_back(std::move(c));
  }
  struct Call {
    const Caller* caller;
    std::string path;
  };
  std::vector<Call> calls;
  for (const Route& route : server_->router().routes()) {
    if (route.method != "GET") continue;
    for (const Caller& c : callers) {
      calls.push_back({&c, Resolve(route.pattern, true, c)});
      if (route.pattern.find('{') != std::string::npos)
        calls.push_back({&c, Resolve(route.pattern, false, c)});
    }
  }
  for (const Caller& c : callers) Send("GET", "/api/v1/session", "", c.auth);  // first use recorded
  const Snapshot before = TakeSnapshot();
  int ok = 0;
  for (const Call& call : calls)
    ok += Is2xx(Send("GET", call.path, "", call.caller->auth).status) ? 1 : 0;
  EXPECT_GT(ok, 50);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot()), "") << "a GET changed the database";
}

// ---- SEC-11: headers and generic errors ----

TEST_F(ApiServerTest, EveryAnswerCarriesTheSecurityHeaders) {
  const Auth viewer{a_.viewer.token, "", ""};
  struct Probe {
    std::string method, path, body;
    Auth auth;
    int status;
  };
  const std::vector<Probe> probes = {
      {"GET", "/healthz", "", {}, 200},
      {"GET", "/api/v1/me", "", {}, 401},
      {"GET", "/api/v1/me", "", Auth{"orc_not-a-token", "", ""}, 401},
      {"GET", "/api/v1/me", "", viewer, 200},
      {"GET", "/api/v1/audit", "", viewer, 403},
      {"GET", "/api/v1/nothing-here", "", viewer, 404},
      {"GET", "/", "", {}, 404},
      {"PATCH", "/api/v1/me", "{}", viewer, 405},
      {"POST", "/api/v1/tokens", "{not json", viewer, 400},
      {"POST",
       "/api/v1/session",
       Json{{"email", "x@alpha.example"}, {"password", "wrong password"}}.dump(),
       {},
       401},
  };
  for (const Probe& p : probes) {
    const Reply r = Send(p.method, p.path, p.body, p.auth);
    EXPECT_EQ(r.status, p.status) << p.method << " " << p.path << ": " << r.body;
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << p.path;
    EXPECT_NE(r.Header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos)
        << p.path;
  }
  EXPECT_EQ(header_problems_.size(), 0u);
}

void ExpectGeneric500(const Reply& r, const std::string& what, const fs::path& dir) {
  EXPECT_EQ(r.status, 500) << what << ": " << r.body;
  EXPECT_EQ(r.body, kGeneric500) << what;
  std::string everything = Lower(r.body);
  for (const auto& [k, v] : r.headers) {
    if (Lower(k) != "content-type") everything += "\n" + Lower(k) + ": " + Lower(v);
  }
  const std::vector<std::string> leaks = {
      "sqlite", "sql",   "/tmp",       "no such table", "prepare",
      "json",   "utf-8", "type_error", "exception",     Lower(dir.string())};
  for (const std::string& leak : leaks) {
    EXPECT_EQ(everything.find(leak), std::string::npos)
        << what << " leaks \"" << leak << "\": " << everything;
  }
}

TEST_F(ApiServerTest, AStoreFailureIsAGeneric500) {
  const Auth viewer{a_.viewer.token, "", ""};
  ASSERT_EQ(Send("GET", "/api/v1/notifications", "", viewer).status, 200);
  {
    auto lock = db_->lock();
    ASSERT_TRUE(db_->Exec("DROP TABLE notifications").ok());
  }
  ExpectGeneric500(Send("GET", "/api/v1/notifications", "", viewer),
                   "GET /api/v1/notifications without its table", dir_);
  ExpectGeneric500(Send("POST", "/api/v1/link-requests", "{}", viewer),
                   "POST /api/v1/link-requests without the table", dir_);
}

TEST_F(ApiServerTest, AThrowingHandlerIsAGeneric500) {
  // A token name that is not UTF-8 (written past the API) makes the JSON writer throw.
  IssueToken(a_.id, a_.owner.id, "bad \xff\xfe name");
  ExpectGeneric500(Send("GET", "/api/v1/tokens", "", Auth{a_.owner.token, "", ""}),
                   "GET /api/v1/tokens", dir_);
}

// Bytes that are not UTF-8 in the path or a header reach the error messages that quote them.
TEST_F(ApiServerTest, NonUtf8InThePathOrOriginStillGetsAGenericAnswer) {
  const Auth owner{a_.owner.token, "", ""};
  for (const std::string& path : {std::string("/api/v1/%FF%FE"), std::string("/api/v1/me/%C3")}) {
    const Reply r = Send("GET", path, "", owner);
    EXPECT_TRUE(r.status == 404 || r.status == 500) << path << " → " << r.status;
    if (r.status == 500) {
      ExpectGeneric500(r, "GET " + path, dir_);
    }
  }
  const Reply patch = Send("PATCH", "/api/v1/team/members/%FF", "{}", owner);
  EXPECT_TRUE(patch.status == 404 || patch.status == 405 || patch.status == 500) << patch.status;
  const Reply origin =
      Send("POST", "/api/v1/tokens", "{}", owner, {{"Origin", "http://\xff\xfe.example"}});
  EXPECT_EQ(origin.status, 403) << origin.body;
}

// ---- SEC-7: login throttling ----

// How many argon2id checks ran (crypto::VerifyPassword counts them): which paths pay for a
// hash is observable without timing anything.
double PasswordChecks() { return metrics::Registry::Global().Value("orchard_password_checks_total"); }

TEST_F(ApiServerTest, UnknownUserAndWrongPasswordLookTheSame) {
  for (int i = 0; i < 2; ++i) {
    const double before = PasswordChecks();
    const SignedIn wrong = Login(a_.owner.email, "not the password");
    const double after_wrong = PasswordChecks();
    const SignedIn unknown = Login("nobody@alpha.example", "not the password");
    EXPECT_EQ(wrong.reply.status, 401);
    EXPECT_EQ(wrong.reply.status, unknown.reply.status);
    EXPECT_EQ(wrong.reply.body, unknown.reply.body);
    EXPECT_EQ(wrong.reply.Header("Set-Cookie"), unknown.reply.Header("Set-Cookie"));
    // An unknown e-mail is checked against a dummy hash: it costs one argon2id check, as a
    // wrong password does.
    EXPECT_EQ(after_wrong - before, 1);
    EXPECT_EQ(PasswordChecks() - after_wrong, 1);
  }
}

TEST_F(ApiServerTest, FiveWrongPasswordsThrottleTheAccountWithoutHashing) {
  const double start = PasswordChecks();
  for (int i = 0; i < 5; ++i) {
    const SignedIn s = Login(a_.owner.email, "wrong password " + std::to_string(i));
    EXPECT_EQ(s.reply.status, 401) << i;
  }
  EXPECT_EQ(PasswordChecks() - start, 5);  // each wrong password was checked
  const double throttled = PasswordChecks();
  int64_t retry_after = 0;
  for (int i = 0; i < 5; ++i) {
    const SignedIn s = Login(a_.owner.email, kPassword);  // even the right password
    EXPECT_EQ(s.reply.status, 429) << s.reply.body;
    EXPECT_TRUE(s.cookie.empty());
    retry_after = std::atoll(s.reply.Header("Retry-After").c_str());
    EXPECT_GT(retry_after, 0);
    EXPECT_LE(retry_after, 900);
  }
  // No hashing: a refusal is answered before any argon2id check.
  EXPECT_EQ(PasswordChecks() - throttled, 0);
  // Per account: another account from the same address still signs in.
  EXPECT_EQ(Login(a_.admin.email, kPassword).reply.status, 200);
  // The window passes on the clock.
  clock_->Advance(std::chrono::seconds(retry_after - 1));
  EXPECT_EQ(Login(a_.owner.email, kPassword).reply.status, 429);
  clock_->Advance(std::chrono::seconds(1));
  const SignedIn back = Login(a_.owner.email, kPassword);
  EXPECT_EQ(back.reply.status, 200) << back.reply.body;
  EXPECT_FALSE(back.cookie.empty());
}

TEST_F(ApiServerTest, TwentyFailuresFromOneAddressThrottleEveryAccount) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(
        Login("guess-" + std::to_string(i) + "@alpha.example", "not the password").reply.status,
        401)
        << i;
  }
  const SignedIn owner = Login(a_.owner.email, kPassword);
  EXPECT_EQ(owner.reply.status, 429) << owner.reply.body;
  EXPECT_FALSE(owner.reply.Header("Retry-After").empty());
  EXPECT_EQ(Login("guess-new@alpha.example", "not the password").reply.status, 429);
  clock_->Advance(std::chrono::seconds(901));
  EXPECT_EQ(Login(a_.owner.email, kPassword).reply.status, 200);
}

// ---- SEC-8: sessions and tokens ----

TEST_F(ApiServerTest, SessionCookieIsHttpOnlyStrictAndSecureOnlyWhenAsked) {
  SignedIn plain = Login(a_.owner.email, kPassword);
  ASSERT_EQ(plain.reply.status, 200);
  const std::string cookie = plain.reply.Header("Set-Cookie");
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << cookie;

  ServerOptions secure;
  secure.secure_cookies = true;
  StartServer(secure);
  SignedIn tls = Login(a_.owner.email, kPassword);
  ASSERT_EQ(tls.reply.status, 200);
  const std::string secure_cookie = tls.reply.Header("Set-Cookie");
  EXPECT_NE(secure_cookie.find("; Secure"), std::string::npos) << secure_cookie;
  EXPECT_NE(secure_cookie.find("; HttpOnly"), std::string::npos) << secure_cookie;
  const Reply out = Send("DELETE", "/api/v1/session", "", Auth{"", tls.cookie, tls.csrf});
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(out.Header("Set-Cookie").find("; Secure"), std::string::npos)
      << out.Header("Set-Cookie");
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos)
      << out.Header("Set-Cookie");
}

// The built dashboard is served beside the API: files, the app's own URLs as index.html, and
// every answer with the security headers (CheckHeaders); the API keeps its JSON 404s.
TEST_F(ApiServerTest, ServesTheDashboardBesideTheApi) {
  EXPECT_EQ(Send("GET", "/").status, 404);  // no web root: API only
  const fs::path web = dir_ / "web";
  fs::create_directories(web / "assets");
  std::ofstream(web / "index.html") << "<!doctype html><title>Orchard</title>";
  std::ofstream(web / "assets" / "index-1a2b.js") << "export {};";
  ServerOptions options;
  options.web_root = web.string();
  StartServer(options);
  for (const char* path : {"/", "/sales?range=7d&group_by=date", "/accounts/link/asc-key"}) {
    const Reply page = Send("GET", path);
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body, "<!doctype html><title>Orchard</title>") << path;
    EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(page.Header("Cache-Control"), "no-cache") << path;
  }
  const Reply js = Send("GET", "/assets/index-1a2b.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "export {};");
  EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");
  const Reply api = Send("GET", "/api/v1/no/such/route");
  EXPECT_EQ(api.status, 404);
  EXPECT_NE(api.body.find("\"not_found\""), std::string::npos) << api.body;
  EXPECT_EQ(Send("GET", "/assets/missing.js").status, 404);
  EXPECT_EQ(Send("GET", "/../orchard.db").status, 404);
  EXPECT_EQ(Send("POST", "/sales", "{}").status, 404);  // pages are GET only
  // A web root without index.html is refused at start, in words.
  ServerOptions broken;
  broken.web_root = (dir_ / "nothing").string();
  server_.reset();
  ServerDeps deps{meta_.get(), access_.get(), service_.get(), clock_.get(), false};
  ApiServer refused(deps, broken);
  Status st = refused.Start();
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_NE(st.message().find("index.html"), std::string::npos) << st.ToString();
  StartServer(ServerOptions{});
}

// An account's next sync is the scheduler's next daily run ([sync] daily_hour), or now when it
// is due (never synced, or not yet today after the hour).
TEST_F(ApiServerTest, AccountHealthSaysWhenTheNextSyncIs) {
  const int64_t account = EnsureAccount(a_);
  ServerOptions options;
  options.sync_time_zone = "UTC";
  options.sync_daily_minute = 8 * 60;
  StartServer(options);
  const Auth auth{a_.viewer.token, "", ""};
  const std::string path = "/api/v1/accounts/" + std::to_string(account) + "/health";
  const int64_t now = clock_->NowSeconds();
  // UTC arithmetic by hand: today's 08:00 and tomorrow's.
  const int64_t today_eight = now - now % 86400 + 8 * 3600;
  auto next = [&] {
    const Reply r = Send("GET", path, "", auth);
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false).value("next_sync_at", int64_t{-1});
  };
  ASSERT_EQ(meta_->GetAccount(a_.id, account)->last_sync_at, 0);
  EXPECT_EQ(next(), now);  // never synced: the backfill starts at the scheduler's next look
  ASSERT_TRUE(meta_->UpdateAccountHealth(a_.id, account, "active", "", 0, now).ok());
  if (now < today_eight) {
    EXPECT_EQ(next(), today_eight);
  } else {
    EXPECT_EQ(next(), today_eight + 86400);  // synced since today's run
  }
  ASSERT_TRUE(meta_->UpdateAccountHealth(a_.id, account, "active", "", 0, today_eight - 86400).ok());
  EXPECT_EQ(next(), now < today_eight ? today_eight : now);  // yesterday's: due today
  // The list carries it too; without the scheduler (--no-sync) there is none.
  const Reply list = Send("GET", "/api/v1/accounts", "", auth);
  EXPECT_NE(list.body.find("\"next_sync_at\""), std::string::npos);
  EXPECT_NE(list.body.find("\"sync_note\":\"\""), std::string::npos) << list.body;
  // Without the backfill of new accounts, a never-synced one waits for the daily run.
  options.sync_backfill_new_accounts = false;
  StartServer(options);
  const int64_t never_synced = EnsureAccount(b_);
  ASSERT_EQ(meta_->GetAccount(b_.id, never_synced)->last_sync_at, 0);
  const Reply waits = Send("GET", "/api/v1/accounts/" + std::to_string(never_synced) + "/health", "",
                           Auth{b_.viewer.token, "", ""});
  EXPECT_EQ(nlohmann::json::parse(waits.body, nullptr, false).value("next_sync_at", int64_t{-1}),
            now < today_eight ? today_eight : now)  // its daily routine has not run today
      << waits.body;
  // An account the Sales scheduler passes by (a key without Sales access) has none, and says why.
  store::LinkedAccount fresh = *meta_->GetAccount(a_.id, account);
  fresh.capabilities = R"({"sales":{"ok":false,"why":"the key has the Developer role"}})";
  ASSERT_TRUE(meta_->UpdateAccount(fresh).ok());
  const Reply health = Send("GET", path, "", auth);
  const auto doc = nlohmann::json::parse(health.body, nullptr, false);
  EXPECT_EQ(doc.value("next_sync_at", int64_t{-1}), 0) << health.body;
  EXPECT_NE(doc.value("sync_note", std::string()).find("Developer role"), std::string::npos) << health.body;
  StartServer(ServerOptions{});
  EXPECT_EQ(next(), 0);
}

TEST_F(ApiServerTest, IdleSessionsEnd) {
  SignedIn s = Login(a_.owner.email, kPassword);
  ASSERT_EQ(s.reply.status, 200);
  const Auth auth{"", s.cookie, ""};
  clock_->Advance(std::chrono::hours(11));
  EXPECT_EQ(Send("GET", "/api/v1/me", "", auth).status, 200);  // use moves the idle deadline
  clock_->Advance(std::chrono::hours(11));
  EXPECT_EQ(Send("GET", "/api/v1/me", "", auth).status, 200);
  clock_->Advance(std::chrono::hours(12));
  const Reply idle = Send("GET", "/api/v1/me", "", auth);
  EXPECT_EQ(idle.status, 401) << idle.body;
  EXPECT_NE(idle.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  clock_->Advance(-std::chrono::hours(1));  // even back within the window: it stays ended
  EXPECT_EQ(Send("GET", "/api/v1/me", "", auth).status, 401);
}

TEST_F(ApiServerTest, ActiveSessionsEndAtTheAbsoluteTimeout) {
  SignedIn s = Login(a_.owner.email, kPassword);
  ASSERT_EQ(s.reply.status, 200);
  const Auth auth{"", s.cookie, ""};
  const int64_t expires = s.reply.Parsed().value("expires_at", int64_t{0});
  EXPECT_EQ(expires, clock_->NowSeconds() + 7 * 86400);
  int answered = 0;
  while (clock_->NowSeconds() + 11 * 3600 < expires) {
    clock_->Advance(std::chrono::hours(11));
    EXPECT_EQ(Send("GET", "/api/v1/me", "", auth).status, 200) << "after " << answered;
    ++answered;
  }
  EXPECT_EQ(answered, 15);
  clock_->Advance(std::chrono::seconds(expires - clock_->NowSeconds()));
  EXPECT_EQ(Send("GET", "/api/v1/me", "", auth).status, 401);
}

TEST_F(ApiServerTest, LogoutEndsTheSession) {
  SignedIn s = Login(a_.owner.email, kPassword);
  ASSERT_EQ(s.reply.status, 200);
  const Auth auth{"", s.cookie, s.csrf};
  EXPECT_EQ(Send("GET", "/api/v1/me", "", auth).status, 200);
  const Reply out = Send("DELETE", "/api/v1/session", "", auth);
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", auth).status, 401);
  EXPECT_EQ(Send("PUT", "/api/v1/me/preferences", R"({"currency":"EUR"})", auth).status, 401);
}

TEST_F(ApiServerTest, PasswordChangeEndsEverySessionOfTheUser) {
  SignedIn first = Login(a_.owner.email, kPassword);
  SignedIn second = Login(a_.owner.email, kPassword);
  SignedIn viewer = Login(a_.viewer.email, kPassword);
  ASSERT_EQ(first.reply.status, 200);
  ASSERT_EQ(second.reply.status, 200);
  ASSERT_EQ(viewer.reply.status, 200);
  // A wrong current password changes nothing.
  EXPECT_EQ(
      Send("PUT", "/api/v1/me/password",
           Json{{"current_password", "not it at all"}, {"new_password", "a new passphrase"}}.dump(),
           Auth{"", first.cookie, first.csrf})
          .status,
      403);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", Auth{"", first.cookie, ""}).status, 200);
  const Reply changed =
      Send("PUT", "/api/v1/me/password",
           Json{{"current_password", kPassword}, {"new_password", "a new passphrase"}}.dump(),
           Auth{"", first.cookie, first.csrf});
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Send("GET", "/api/v1/me", "", Auth{"", first.cookie, ""}).status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", Auth{"", second.cookie, ""}).status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", Auth{"", viewer.cookie, ""}).status, 200);
  // Whoever held the old password may have made a token: the user's tokens end too.
  EXPECT_EQ(Send("GET", "/api/v1/team", "", Auth{a_.owner.token, "", ""}).status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/team", "", Auth{a_.viewer.token, "", ""}).status, 200);
  EXPECT_EQ(Login(a_.owner.email, kPassword).reply.status, 401);
  EXPECT_EQ(Login(a_.owner.email, "a new passphrase").reply.status, 200);
}

// A short-lived token cannot mint a longer-lived one.
TEST_F(ApiServerTest, ATokenCannotOutliveTheTokenThatMadeIt) {
  SignedIn owner = Login(a_.owner.email, kPassword);
  ASSERT_EQ(owner.reply.status, 200);
  const Reply made = Send("POST", "/api/v1/tokens", Json{{"name", "one day"}, {"expires_in_days", 1}}.dump(),
                          Auth{"", owner.cookie, owner.csrf});
  ASSERT_EQ(made.status, 201) << made.body;
  const Json day_token = Json::parse(made.body);
  const int64_t limit = day_token["expires_at"];
  EXPECT_EQ(limit, clock_->NowSeconds() + 86400);
  for (const Json& body : {Json{{"name", "forever"}}, Json{{"name", "a year"}, {"expires_in_days", 365}}}) {
    const Reply child = Send("POST", "/api/v1/tokens", body.dump(), Auth{day_token["token"], "", ""});
    ASSERT_EQ(child.status, 201) << child.body;
    EXPECT_EQ(Json::parse(child.body)["expires_at"].get<int64_t>(), limit) << body.dump();
  }
}

// Users are server-wide: a team's Owner adds existing users only, and sets no passwords.
TEST_F(ApiServerTest, AnOwnerAddsExistingUsersOnlyAndSetsNoPassword) {
  const Auth owner{a_.owner.token, "", ""};
  const Reply unknown = Send("POST", "/api/v1/team/members",
                             Json{{"email", "newcomer@victim.example"}, {"role", "admin"}}.dump(), owner);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.body.find("orchard user add"), std::string::npos);
  EXPECT_FALSE(access_->FindUserByEmail("newcomer@victim.example").has_value());
  const Reply with_password =
      Send("POST", "/api/v1/team/members",
           Json{{"email", b_.admin.email}, {"role", "viewer"}, {"password", "chosen by alpha"}}.dump(), owner);
  EXPECT_EQ(with_password.status, 400) << with_password.body;
  EXPECT_FALSE(access_->GetMembership(a_.id, b_.admin.id).has_value());
  const Reply added =
      Send("POST", "/api/v1/team/members", Json{{"email", b_.admin.email}, {"role", "viewer"}}.dump(), owner);
  EXPECT_EQ(added.status, 201) << added.body;
  // Their password is still their own.
  EXPECT_EQ(Login(b_.admin.email, kPassword).reply.status, 200);
}

TEST_F(ApiServerTest, RemovingAMemberEndsTheirSessionAndTokensInThatTeam) {
  SignedIn viewer = Login(a_.viewer.email, kPassword);
  ASSERT_EQ(viewer.reply.status, 200);
  const Auth session{"", viewer.cookie, viewer.csrf};
  const Auth token{a_.viewer.token, "", ""};
  EXPECT_EQ(Send("GET", "/api/v1/team", "", session).status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/team", "", token).status, 200);
  const Reply removed = Send("DELETE", "/api/v1/team/members/" + std::to_string(a_.viewer.id), "",
                             Auth{a_.owner.token, "", ""});
  ASSERT_EQ(removed.status, 200) << removed.body;
  for (const char* path : {"/api/v1/team", "/api/v1/accounts", "/api/v1/notifications"}) {
    const Reply s = Send("GET", path, "", session);
    EXPECT_TRUE(s.status == 401 || s.status == 403) << path << " by session: " << s.status;
    EXPECT_EQ(Send("GET", path, "", token).status, 401) << path << " by token";
  }
  // Revoked for good: re-adding the member does not bring the old token back.
  ASSERT_EQ(access_->PutMembership(a_.id, a_.viewer.id, Role::kViewer).ok(), true);
  EXPECT_EQ(Send("GET", "/api/v1/team", "", token).status, 401);
}

TEST_F(ApiServerTest, RevokedTokensAreRefused) {
  const Auth owner{a_.owner.token, "", ""};
  const Reply made = Send("POST", "/api/v1/tokens", R"({"name":"ci"})", owner);
  ASSERT_EQ(made.status, 201) << made.body;
  const Json j = made.Parsed();
  const std::string token = j.value("token", "");
  const int64_t id = j.value("id", int64_t{0});
  EXPECT_EQ(Send("GET", "/api/v1/team", "", Auth{token, "", ""}).status, 200);
  // Shown once: no list carries it.
  const Reply listed = Send("GET", "/api/v1/tokens", "", owner);
  EXPECT_EQ(listed.body.find(token), std::string::npos);
  EXPECT_EQ(Send("DELETE", "/api/v1/tokens/" + std::to_string(id), "", owner).status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/team", "", Auth{token, "", ""}).status, 401);
  // An expired one too.
  const Reply short_lived =
      Send("POST", "/api/v1/tokens", R"({"name":"day","expires_in_days":1})", owner);
  ASSERT_EQ(short_lived.status, 201);
  const std::string day_token = short_lived.Parsed().value("token", "");
  EXPECT_EQ(Send("GET", "/api/v1/team", "", Auth{day_token, "", ""}).status, 200);
  clock_->Advance(std::chrono::hours(24));
  EXPECT_EQ(Send("GET", "/api/v1/team", "", Auth{day_token, "", ""}).status, 401);
}

TEST_F(ApiServerTest, SessionsCsrfTokensAndApiTokensAreStoredOnlyAsHashes) {
  SignedIn s = Login(a_.owner.email, kPassword);
  ASSERT_EQ(s.reply.status, 200);
  const Reply made =
      Send("POST", "/api/v1/tokens", R"({"name":"scan"})", Auth{"", s.cookie, s.csrf});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string api_token = made.Parsed().value("token", "");
  std::vector<std::string> secrets = {s.cookie, s.csrf, api_token, api_token.substr(4)};
  for (const std::string& text : {s.cookie, s.csrf, api_token.substr(4)}) {
    auto raw = crypto::Base64UrlDecode(text);
    ASSERT_TRUE(raw.has_value()) << text;
    secrets.push_back(*raw);
  }
  const std::string bytes = DataDirBytes();
  ASSERT_GT(bytes.size(), 4096u);
  ASSERT_NE(bytes.find(a_.owner.email), std::string::npos)
      << "the scan sees the database's contents";
  for (const std::string& secret : secrets) {
    EXPECT_EQ(bytes.find(secret), std::string::npos)
        << "a raw credential is stored in the data dir";
  }
}

TEST_F(ApiServerTest, SessionIdsCsrfTokensAndApiTokensCarryAtLeast128RandomBits) {
  std::set<std::string> seen;
  auto expect_random = [&](const std::string& what, const std::string& text) {
    auto raw = crypto::Base64UrlDecode(text);
    ASSERT_TRUE(raw.has_value()) << what << " is not base64url: " << text;
    EXPECT_GE(raw->size(), 16u) << what;
    EXPECT_TRUE(seen.insert(*raw).second) << what << " repeats";
  };
  for (int i = 0; i < 2; ++i) {
    SignedIn s = Login(a_.owner.email, kPassword);
    ASSERT_EQ(s.reply.status, 200);
    expect_random("the session cookie", s.cookie);
    expect_random("the CSRF token", s.csrf);
    const Reply made =
        Send("POST", "/api/v1/tokens", R"({"name":"entropy"})", Auth{"", s.cookie, s.csrf});
    ASSERT_EQ(made.status, 201);
    const std::string token = made.Parsed().value("token", "");
    ASSERT_EQ(token.rfind("orc_", 0), 0u) << token;
    expect_random("the API token", token.substr(4));
  }
}

// ---- The last Owner, and Viewers asking for a link ----

TEST_F(ApiServerTest, TheLastOwnerCanBeNeitherRemovedNorDemoted) {
  const Auth owner{a_.owner.token, "", ""};
  const std::string self = "/api/v1/team/members/" + std::to_string(a_.owner.id);
  const Reply remove = Send("DELETE", self, "", owner);
  EXPECT_EQ(remove.status, 409) << remove.body;
  EXPECT_NE(remove.Message().find("last Owner"), std::string::npos) << remove.body;
  const Reply demote = Send("PATCH", self, R"({"role":"admin"})", owner);
  EXPECT_EQ(demote.status, 409) << demote.body;
  EXPECT_NE(demote.Message().find("last Owner"), std::string::npos) << demote.body;
  EXPECT_EQ(access_->GetMembership(a_.id, a_.owner.id)->role, Role::kOwner);
  // With a second Owner, the first may step down.
  EXPECT_EQ(Send("PATCH", "/api/v1/team/members/" + std::to_string(a_.admin.id),
                 R"({"role":"owner"})", owner)
                .status,
            200);
  EXPECT_EQ(Send("PATCH", self, R"({"role":"admin"})", owner).status, 200);
  // … and now the other one is the last.
  const Reply last = Send("DELETE", "/api/v1/team/members/" + std::to_string(a_.admin.id), "",
                          Auth{a_.admin.token, "", ""});
  EXPECT_EQ(last.status, 409) << last.body;
}

TEST_F(ApiServerTest, AViewerIsToldWhoCanLinkAndCanAskThem) {
  const Auth viewer{a_.viewer.token, "", ""};
  const Reply refused = Send("POST", "/api/v1/accounts", BodyFor("POST /api/v1/accounts"), viewer);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.Message().find(a_.owner.email), std::string::npos) << refused.body;
  EXPECT_NE(refused.Message().find(a_.admin.email), std::string::npos) << refused.body;
  EXPECT_EQ(refused.Message().find(a_.target.email), std::string::npos)
      << "Viewers cannot link: " << refused.body;
  EXPECT_TRUE(meta_->ListAccounts(a_.id)->empty());

  const Reply asked =
      Send("POST", "/api/v1/link-requests", R"({"message":"the new app's sales"})", viewer);
  EXPECT_EQ(asked.status, 202) << asked.body;
  for (const Person* manager : {&a_.owner, &a_.admin}) {
    const Reply list = Send("GET", "/api/v1/notifications", "", Auth{manager->token, "", ""});
    ASSERT_EQ(list.status, 200);
    const Json j = list.Parsed();
    int found = 0;
    for (const auto& n : j.at("notifications")) {
      if (n.value("kind", "") != "link_request") continue;
      ++found;
      EXPECT_EQ(n.value("from", ""), a_.viewer.email);
      EXPECT_NE(n.value("message", "").find("the new app's sales"), std::string::npos) << n.dump();
    }
    EXPECT_EQ(found, 1) << manager->email << ": " << list.body;
  }
  // Nobody else is told: not the asker, not the other Viewer, not team B.
  for (const Person* other : {&a_.viewer, &a_.target, &b_.owner}) {
    const Reply list = Send("GET", "/api/v1/notifications", "", Auth{other->token, "", ""});
    EXPECT_EQ(list.body.find("link_request"), std::string::npos)
        << other->email << ": " << list.body;
  }
}

// ---- The new-review webhook (routes_webhooks.cc) ----

// Admins only; the secret is in the answer that creates or rotates it and nowhere else (not in a
// later GET, not in the audit log); another team sees and removes nothing of it.
TEST_F(ApiServerTest, ReviewWebhookIsAdminOnlyShowsItsSecretOnceAndStaysInItsTeam) {
  // A receiver on loopback for the test delivery.
  httplib::Server receiver;
  std::mutex mu;
  std::vector<httplib::Headers> got;
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    got.push_back(req.headers);
    res.set_content("ok", "text/plain");
  });
  const int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  for (int i = 0; i < 5000 && !receiver.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  const Auth admin{a_.admin.token, "", ""};
  const Auth viewer{a_.viewer.token, "", ""};
  const Auth b_admin{b_.admin.token, "", ""};
  const std::string path = "/api/v1/webhooks/reviews";

  EXPECT_EQ(Send("GET", path, "", viewer).status, 403);
  EXPECT_EQ(Send("PUT", path, Json{{"url", url}}.dump(), viewer).status, 403);
  EXPECT_EQ(Send("POST", path + "/test", "", viewer).status, 403);
  EXPECT_EQ(Send("DELETE", path, "", viewer).status, 403);
  const Reply none = Send("GET", path, "", admin);
  EXPECT_EQ(none.status, 200);
  EXPECT_TRUE(none.Parsed()["webhook"].is_null()) << none.body;
  EXPECT_EQ(Send("POST", path + "/test", "", admin).status, 404);

  // Bad input is refused in words and stores nothing.
  const Reply plain_http = Send("PUT", path, Json{{"url", "http://hooks.example/x"}}.dump(), admin);
  EXPECT_EQ(plain_http.status, 400);
  EXPECT_NE(plain_http.Message().find("loopback"), std::string::npos) << plain_http.body;
  EXPECT_EQ(Send("PUT", path, Json{{"url", url}, {"secret", "mine"}}.dump(), admin).status, 400);
  EXPECT_EQ(Send("PUT", path, Json{{"url", url}, {"max_rating", 9}}.dump(), admin).status, 400);
  EXPECT_TRUE(Send("GET", path, "", admin).Parsed()["webhook"].is_null());

  const Reply created = Send(
      "PUT", path,
      Json{{"url", url}, {"format", "slack"}, {"max_rating", 2}, {"countries", {"us", "GB"}}}.dump(),
      admin);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret = created.Parsed().value("secret", "");
  ASSERT_EQ(secret.size(), 70u) << created.body;
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(created.Parsed()["webhook"]["countries"], Json({"gb", "us"}));

  const Reply shown = Send("GET", path, "", admin);
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(shown.Parsed()["webhook"]["format"], "slack");
  EXPECT_EQ(shown.Parsed()["webhook"]["max_rating"], 2);
  EXPECT_EQ(shown.body.find(secret.substr(6)), std::string::npos);
  EXPECT_FALSE(shown.Parsed()["webhook"].contains("secret"));

  // An update keeps the secret and does not show it; a rotation shows the new one once.
  const Reply updated = Send("PUT", path, Json{{"url", url}, {"max_rating", 1}}.dump(), admin);
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_FALSE(updated.Parsed().contains("secret"));
  const Reply rotated = Send("PUT", path, Json{{"url", url}, {"rotate_secret", true}}.dump(), admin);
  EXPECT_EQ(rotated.status, 200) << rotated.body;
  const std::string second = rotated.Parsed().value("secret", "");
  EXPECT_EQ(second.size(), 70u);
  EXPECT_NE(second, secret);

  const Reply test = Send("POST", path + "/test", "", admin);
  EXPECT_EQ(test.status, 200) << test.body;
  EXPECT_EQ(test.Parsed()["delivered"], true) << test.body;
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].find("X-Orchard-Signature")->second.rfind("t=", 0), 0u);
  }

  // Another team: nothing to see, nothing to remove.
  const Reply other = Send("GET", path, "", b_admin);
  EXPECT_EQ(other.status, 200);
  EXPECT_TRUE(other.Parsed()["webhook"].is_null()) << other.body;
  EXPECT_EQ(Send("POST", path + "/test", "", b_admin).status, 404);
  EXPECT_EQ(Send("DELETE", path, "", b_admin).Parsed()["removed"], false);
  EXPECT_FALSE(Send("GET", path, "", admin).Parsed()["webhook"].is_null());

  // The audit log records the changes, never the secrets.
  const Reply audit = Send("GET", "/api/v1/audit", "", Auth{a_.owner.token, "", ""});
  EXPECT_NE(audit.body.find("webhook.create"), std::string::npos) << audit.body;
  EXPECT_EQ(audit.body.find(secret.substr(6)), std::string::npos);
  EXPECT_EQ(audit.body.find(second.substr(6)), std::string::npos);

  EXPECT_EQ(Send("DELETE", path, "", admin).Parsed()["removed"], true);
  EXPECT_TRUE(Send("GET", path, "", admin).Parsed()["webhook"].is_null());
  receiver.stop();
  serving.join();
}

// ---- Lifecycle ----

// cpp-httplib's stop() does nothing until the accept loop runs, so a Stop() right after Start()
// used to wait forever on the server thread (a test's TearDown, or SIGTERM just after start).
TEST_F(ApiServerTest, StoppingRightAfterStartingDoesNotHang) {
  ApiServer* server = server_.get();
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread cycles([server, done] {
    for (int i = 0; i < 200; ++i) {
      server->Stop();
      if (!server->Start().ok()) break;
    }
    server->Stop();
    done->set_value();
  });
  if (finished.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "Stop() right after Start() hangs";
    cycles.detach();  // stuck in join(): leave it, and the server, to the process exit
    (void)server_.release();
    return;
  }
  cycles.join();
  ASSERT_TRUE(server_->Start().ok());
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace orchard::server
