// Apple ID web sign-in against the sandbox (apple-apis.md Part II §A), driven the way a client
// drives it: widget key, hashcash, SRP (the client side computed here, independently of the
// sandbox's server side), the two-factor code from the "trusted device", trust, olympus and iris.
#include <gtest/gtest.h>
#include <algorithm>
#include <set>
#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "sandbox/generator.h"
#include "sandbox/sandbox.h"

namespace orchard::sandbox {
namespace {

using Json = nlohmann::json;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::string H(const std::string& data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}
std::string B64(const std::string& s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                 reinterpret_cast<const unsigned char*>(s.data()),
                                                 static_cast<int>(s.size()))));
  return out;
}
std::string Unb64(const std::string& s) {
  std::string out(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  size_t pad = 0;
  while (pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// The client side of §A.5–A.6 with OpenSSL big numbers.
struct SrpClient {
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM *n = nullptr, *g = BN_new(), *a = BN_new(), *A = BN_new();
  SrpClient() {
    BN_hex2bn(&n,
              "AC6BDB41324A9A9BF166DE5E1389582FAF72B6651987EE07FC3192943DB56050A37329CBB4A099ED8193E0757767A13D"
              "D52312AB4B03310DCD7F48A9DA04FD50E8083969EDB767B0CF6095179A163AB3661A05FBD5FAAAE82918A9962F0B93B8"
              "55F97993EC975EEAA80D740ADBF4FF747359D041D5C33EA71D281E446B14773BCA97B43A23FB801676BD207A436C6481"
              "F1D2B9078717461A5B9D32E688F87748544523B524B0D57D5EA77A2775D2ECFA032CFBDBF52FB3786160279004E57AE6"
              "AF874E7303CE53299CCC041C7BC308D82A5698F3A8D0C38271AE35F8E9DBFBB694B5C803D89F7AE435DE236D525F5475"
              "9B65E372FCD68EF20FA7111F9E4AFF73");
    BN_set_word(g, 2);
    BN_rand(a, 2048, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    BN_mod_exp(A, g, a, n, ctx);
  }
  ~SrpClient() {
    for (BIGNUM* b : {n, g, a, A}) BN_free(b);
    BN_CTX_free(ctx);
  }
  static std::string Bytes(const BIGNUM* b, int pad = 0) {
    std::string out(static_cast<size_t>(pad ? pad : BN_num_bytes(b)), '\0');
    if (pad) {
      BN_bn2binpad(b, reinterpret_cast<unsigned char*>(out.data()), pad);
    } else {
      BN_bn2bin(b, reinterpret_cast<unsigned char*>(out.data()));
    }
    return out;
  }
  static BIGNUM* Num(const std::string& s) {
    return BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()), nullptr);
  }
  std::string PublicA() const { return Bytes(A); }
  // m1, m2 for the init answer.
  std::pair<std::string, std::string> Proofs(const std::string& account, const std::string& password,
                                             const Json& init) {
    const std::string salt = Unb64(init["salt"]), B = Unb64(init["b"]);
    std::string p = H(password);
    if (init["protocol"] == "s2k_fo") {
      std::ostringstream hex;
      for (unsigned char c : p) hex << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
      p = hex.str();
    }
    unsigned char key[32];
    PKCS5_PBKDF2_HMAC(p.data(), static_cast<int>(p.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), init["iteration"].get<int>(), EVP_sha256(), 32, key);
    BIGNUM* x = Num(H(salt + H(":" + std::string(reinterpret_cast<char*>(key), 32))));
    BIGNUM* k = Num(H(Bytes(n, 256) + Bytes(g, 256)));
    BIGNUM* b = Num(B);
    BIGNUM* u = Num(H(Bytes(A, 256) + Bytes(b, 256)));
    // S = (B - k g^x)^(a + u x) mod N
    BIGNUM *gx = BN_new(), *kgx = BN_new(), *base = BN_new(), *ux = BN_new(), *e = BN_new(), *S = BN_new();
    BN_mod_exp(gx, g, x, n, ctx);
    BN_mod_mul(kgx, k, gx, n, ctx);
    BN_mod_sub(base, b, kgx, n, ctx);
    BN_mul(ux, u, x, ctx);
    BN_add(e, a, ux);
    BN_mod_exp(S, base, e, n, ctx);
    const std::string K = H(Bytes(S));
    std::string hng = H(Bytes(n));
    const std::string hg = H(Bytes(g, 256));
    for (size_t i = 0; i < hng.size(); ++i) hng[i] = static_cast<char>(hng[i] ^ hg[i]);
    const std::string m1 = H(hng + H(account) + salt + PublicA() + B + K);
    const std::string m2 = H(PublicA() + m1 + K);
    for (BIGNUM* v : {x, k, b, u, gx, kgx, base, ux, e, S}) BN_free(v);
    return {m1, m2};
  }
};

// 1:<bits>:<YYYYMMDDHHMMSS>:<challenge>::<counter>, the smallest counter whose SHA-1 starts with
// `bits` zero bits.
std::string Hashcash(int bits, const std::string& challenge) {
  char date[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y%m%d%H%M%S", std::gmtime(&now));
  for (int counter = 0;; ++counter) {
    const std::string stamp = "1:" + std::to_string(bits) + ":" + date + ":" + challenge + "::" + std::to_string(counter);
    unsigned char md[20];
    unsigned int len = 0;
    EVP_Digest(stamp.data(), stamp.size(), md, &len, EVP_sha1(), nullptr);
    bool ok = true;
    for (int i = 0; i < bits && ok; ++i) ok = !(md[i / 8] & (0x80 >> (i % 8)));
    if (ok) return stamp;
  }
}

class AppleIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("orchard-appleid-" + std::to_string(::getpid()));
    SandboxOptions o;
    o.keys_dir = dir_;
    o.seed = 11;
    o.today = *Date::ParseIso("2026-03-10");
    o.web_session_seconds = SessionSeconds();
    auto s = Sandbox::Start(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    sandbox_ = std::move(*s);
    account_ = Json::parse(ReadAll(dir_ / "sub-account.json"));
    key_ = Json::parse(ReadAll(dir_ / "key.json"));
  }
  void TearDown() override {
    sandbox_.reset();
    std::filesystem::remove_all(dir_);
  }
  virtual int64_t SessionSeconds() const { return 30LL * 86400; }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", sandbox_->port());
    c.set_read_timeout(60, 0);
    return c;
  }
  // Keeps the cookies a response sets (name=value, quotes kept as sent).
  void Keep(const httplib::Result& r) {
    for (size_t i = 0; i < r->get_header_value_count("Set-Cookie"); ++i) {
      const std::string c = r->get_header_value("Set-Cookie", i);
      const std::string pair = c.substr(0, c.find(';'));
      jar_[pair.substr(0, pair.find('='))] = pair.substr(pair.find('=') + 1);
    }
  }
  std::string CookieHeader() const {
    std::string out;
    for (const auto& [k, v] : jar_) out += (out.empty() ? "" : "; ") + k + "=" + v;
    return out;
  }
  httplib::Headers Idmsa() const {
    httplib::Headers h = {{"X-Apple-Widget-Key", widget_}, {"Accept", "application/json"},
                          {"X-Requested-With", "XMLHttpRequest"}};
    if (!session_id_.empty()) {
      h.emplace("X-Apple-ID-Session-Id", session_id_);
      h.emplace("scnt", scnt_);
    }
    if (!jar_.empty()) h.emplace("Cookie", CookieHeader());
    return h;
  }
  void Track(const httplib::Result& r) {
    if (r->has_header("scnt")) scnt_ = r->get_header_value("scnt");
    if (r->has_header("X-Apple-ID-Session-Id")) session_id_ = r->get_header_value("X-Apple-ID-Session-Id");
    Keep(r);
  }
  // Steps 1–5 of §A.0; returns the status of signin/complete.
  int SignIn(const std::string& password, bool good_stamp = true) {
    auto c = Client();
    auto config = c.Get("/olympus/v1/app/config?hostname=itunesconnect.apple.com");
    widget_ = Json::parse(config->body)["authServiceKey"];
    auto puzzle = c.Get(("/appleauth/auth/signin?widgetKey=" + widget_).c_str());
    const int bits = std::stoi(puzzle->get_header_value("X-Apple-HC-Bits"));
    const std::string challenge = puzzle->get_header_value("X-Apple-HC-Challenge");
    SrpClient srp;
    const std::string account = account_["apple_id"];
    auto init = c.Post("/appleauth/auth/signin/init", Idmsa(),
                       Json{{"a", B64(srp.PublicA())}, {"accountName", account},
                            {"protocols", Json::array({"s2k", "s2k_fo"})}}.dump(),
                       "application/json");
    EXPECT_EQ(init->status, 200) << init->body;
    const Json answer = Json::parse(init->body);
    EXPECT_EQ(Unb64(answer["salt"]).size(), 16u);
    const auto [m1, m2] = srp.Proofs(account, password, answer);
    httplib::Headers h = Idmsa();
    h.emplace("X-Apple-HC", good_stamp ? Hashcash(bits, challenge) : "1:11:20200101000000:" + challenge + "::0");
    auto complete = c.Post("/appleauth/auth/signin/complete?isRememberMeEnabled=false", h,
                           Json{{"accountName", account}, {"c", answer["c"]}, {"m1", B64(m1)},
                                {"m2", B64(m2)}, {"rememberMe", false}}.dump(),
                           "application/json");
    Track(complete);
    last_body_ = complete->body;
    return complete->status;
  }
  httplib::Result Iris(const std::string& path, bool csrf = true) {
    auto c = Client();
    httplib::Headers h = {{"Cookie", CookieHeader()}, {"Accept", "application/vnd.api+json, application/json"}};
    if (csrf) h.emplace("x-csrf-itc", "[asc-ui]");
    return c.Get(path.c_str(), h);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Sandbox> sandbox_;
  Json account_, key_;
  std::string widget_, scnt_, session_id_, last_body_;
  std::map<std::string, std::string> jar_;
};

TEST_F(AppleIdTest, SignInWithTwoFactorCodeTrustAndAWebSessionForIris) {
  ASSERT_EQ(SignIn(account_["password"]), 409) << last_body_;
  EXPECT_EQ(Json::parse(last_body_)["authType"], "hsa2");
  ASSERT_FALSE(session_id_.empty());
  auto c = Client();
  // The second-factor options, then a wrong and the right code.
  auto options = c.Get("/appleauth/auth", Idmsa());
  ASSERT_EQ(options->status, 200) << options->body;
  Track(options);
  EXPECT_EQ(Json::parse(options->body)["trustedPhoneNumbers"][0]["lastTwoDigits"], "42");
  EXPECT_EQ(Json::parse(options->body)["securityCode"]["length"], 6);
  auto stale = c.Get("/appleauth/auth", {{"X-Apple-Widget-Key", widget_}, {"X-Apple-ID-Session-Id", session_id_},
                                         {"scnt", "an-old-scnt"}});
  EXPECT_EQ(stale->status, 401) << "scnt must be the newest";
  auto resend = c.Put("/appleauth/auth/verify/trusteddevice/securitycode", Idmsa(), "", "application/json");
  EXPECT_EQ(resend->status, 202);
  Track(resend);
  const std::string code = Json::parse(c.Get("/_sandbox/appleid/code")->body)["code"];
  ASSERT_EQ(code.size(), 6u);
  const std::string wrong_code = code == "000000" ? "111111" : "000000";
  auto wrong = c.Post("/appleauth/auth/verify/trusteddevice/securitycode", Idmsa(),
                      Json{{"securityCode", {{"code", wrong_code}}}}.dump(), "application/json");
  EXPECT_EQ(wrong->status, 400);
  EXPECT_EQ(Json::parse(wrong->body)["serviceErrors"][0]["code"], "-21669");
  Track(wrong);
  auto right = c.Post("/appleauth/auth/verify/trusteddevice/securitycode", Idmsa(),
                      Json{{"securityCode", {{"code", code}}}}.dump(), "application/json");
  EXPECT_EQ(right->status, 204) << right->body;
  Track(right);
  EXPECT_TRUE(jar_.contains("myacinfo"));
  auto trust = c.Get("/appleauth/auth/2sv/trust", Idmsa());
  EXPECT_EQ(trust->status, 204);
  Track(trust);
  std::string des;
  for (const auto& [name, value] : jar_) {
    if (name.rfind("DES", 0) == 0) des = name;
  }
  ASSERT_EQ(des.size(), 36u) << "DES + 33 hex";
  EXPECT_NE(trust->get_header_value("Set-Cookie", 1).find("Max-Age=2592000"), std::string::npos);

  // Olympus: the team behind the session; its publicProviderId is the API's issuer id.
  auto session = c.Get("/olympus/v1/session", {{"Cookie", CookieHeader()}});
  ASSERT_EQ(session->status, 200) << session->body;
  Keep(session);
  const Json olympus = Json::parse(session->body);
  EXPECT_EQ(olympus["provider"]["publicProviderId"], key_["issuer_id"]);
  EXPECT_EQ(olympus["user"]["emailAddress"], account_["apple_id"]);
  ASSERT_TRUE(jar_.contains("dqsid"));

  // iris: the reviews, with the cookies and x-csrf-itc.
  auto reviews = Iris("/iris/v1/apps/1476097583/customerReviews?limit=5&sort=-createdDate");
  ASSERT_EQ(reviews->status, 200) << reviews->body;
  const Json page = Json::parse(reviews->body);
  EXPECT_EQ(page["data"].size(), 5u);
  EXPECT_NE(page["links"]["next"].get<std::string>().find("/iris/v1/apps/1476097583/customerReviews"), std::string::npos);
  EXPECT_EQ(Iris("/iris/v1/apps/1476097583/customerReviews", false)->status, 403);
  // The same reviews as the official API.
  const Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  EXPECT_EQ(page["data"][0]["id"], portfolio.Reviews("1476097583")[0].id);
  // A reply through the web session (the sub-account has Customer Support).
  const std::string review = page["data"][0]["id"];
  auto reply = c.Post("/iris/v1/customerReviewResponses",
                      {{"Cookie", CookieHeader()}, {"x-csrf-itc", "[asc-ui]"}},
                      Json{{"data", {{"type", "customerReviewResponses"},
                                     {"attributes", {{"responseBody", "Thanks for the review!"}}},
                                     {"relationships", {{"review", {{"data", {{"type", "customerReviews"}, {"id", review}}}}}}}}}}.dump(),
                      "application/json");
  EXPECT_EQ(reply->status, 201) << reply->body;

  // A new sign-in from this trusted browser needs no code.
  session_id_.clear();
  ASSERT_EQ(SignIn(account_["password"]), 200) << last_body_;
  // Sessions end: olympus and iris answer 401, and the DES trust still skips the code.
  ASSERT_EQ(c.Post("/_sandbox/appleid/expire-sessions", "", "application/json")->status, 200);
  EXPECT_EQ(c.Get("/olympus/v1/session", {{"Cookie", CookieHeader()}})->status, 401);
  EXPECT_EQ(Iris("/iris/v1/apps/1476097583/customerReviews")->status, 401);
  EXPECT_EQ(SignIn(account_["password"]), 200);
  // When the trust expires, the code is asked for again.
  ASSERT_EQ(c.Post("/_sandbox/appleid/expire-trust", "", "application/json")->status, 200);
  session_id_.clear();
  EXPECT_EQ(SignIn(account_["password"]), 409);
}

// Part II §A.12.2–A.12.4: the web session's report sources, each with its CSRF convention,
// answering by the sub-account's roles (CUSTOMER_SUPPORT + SALES: sales and analytics, no
// payments), with the figures of the day's Sales report.
TEST_F(AppleIdTest, WebReportSourcesFollowTheSubAccountsRoles) {
  ASSERT_EQ(SignIn(account_["password"]), 409) << last_body_;
  auto c = Client();
  Track(c.Get("/appleauth/auth", Idmsa()));
  const std::string code = Json::parse(c.Get("/_sandbox/appleid/code")->body)["code"];
  auto right = c.Post("/appleauth/auth/verify/trusteddevice/securitycode", Idmsa(),
                      Json{{"securityCode", {{"code", code}}}}.dump(), "application/json");
  ASSERT_EQ(right->status, 204) << right->body;
  Track(right);
  auto session = c.Get("/olympus/v1/session", {{"Cookie", CookieHeader()}});
  ASSERT_EQ(session->status, 200);
  Keep(session);
  const int64_t provider = Json::parse(session->body)["provider"]["providerId"];

  // The CSRF guard hands out a token only when asked with fetch-csrf-token: 1.
  EXPECT_EQ(c.Post("/trends/gsf/owasp/csrf-guard.js", {{"Cookie", CookieHeader()}}, "", "text/plain")->status, 400);
  auto guard = c.Post("/trends/gsf/owasp/csrf-guard.js", {{"Cookie", CookieHeader()}, {"fetch-csrf-token", "1"}}, "",
                      "text/plain");
  ASSERT_EQ(guard->status, 200);
  const std::string token = guard->get_header_value("csrf");
  ASSERT_FALSE(token.empty());
  EXPECT_NE(guard->body.find(token), std::string::npos);

  // One week of units from Sales and Trends: first-time downloads (§2.6) summed from the
  // sandbox's own daily reports, parsed here by header name.
  const Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  auto downloads = [&](Date day, const std::string& app) {
    static const std::set<std::string> kDownloads = {"1", "1F", "1T", "F1", "1E", "1EP", "1EU", "1-B", "F1-B"};
    std::istringstream in(portfolio.SalesSummaryDailyTsv(day));
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    std::istringstream hs(line);
    for (std::string h; std::getline(hs, h, '\t');) header.push_back(h);
    auto at = [&](const char* name) { return std::find(header.begin(), header.end(), name) - header.begin(); };
    const auto units = at("Units"), type = at("Product Type Identifier"), id = at("Apple Identifier");
    int64_t n = 0;
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::istringstream ls(line);
      for (std::string cell; std::getline(ls, cell, '\t');) cells.push_back(cell);
      if (kDownloads.contains(cells[type]) && (app.empty() || cells[id] == app)) n += std::stoll(cells[units]);
    }
    return n;
  };
  const std::string path =
      "/trends/gsf/salesTrendsApp/businessareas/InternetServices/subjectareas/iTunes/vcubes/700/timeseries";
  const std::string body =
      Json{{"measures", Json::array({{{"key", "units_utc"}}})},
           {"interval", {{"key", "day"}, {"startDate", "2026-03-01T00:00:00.000Z"}, {"endDate", "2026-03-07T00:00:00.000Z"}}}}
          .dump();
  httplib::Headers trends = {{"Cookie", CookieHeader()}, {"x-requested-with", "OWASP CSRFGuard Project"}};
  EXPECT_EQ(c.Post(path.c_str(), trends, body, "text/plain")->status, 403) << "no csrf header";
  trends.emplace("csrf", token);
  auto series = c.Post(path.c_str(), trends, body, "text/plain");
  ASSERT_EQ(series->status, 200) << series->body;
  const Json result = Json::parse(series->body);
  const Json& data = result["result"][0]["data"];
  ASSERT_EQ(data.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    const Date day = Date::ParseIso("2026-03-01")->AddDays(static_cast<int32_t>(i));
    EXPECT_EQ(data[i]["day"], day.Iso() + "T00:00:00.000Z");
    EXPECT_EQ(data[i]["units_utc"].get<int64_t>(), downloads(day, "")) << day.Iso();
  }

  // App Analytics: the same units for one app, X-Requested-By required.
  const std::string analytics =
      Json{{"adamId", Json::array({"1476097583"})}, {"measures", Json::array({"units"})}, {"frequency", "DAY"},
           {"startTime", "2026-03-01T00:00:00Z"}, {"endTime", "2026-03-03T00:00:00Z"}}
          .dump();
  EXPECT_EQ(c.Post("/analytics/api/v1/data/time-series", {{"Cookie", CookieHeader()}}, analytics, "application/json")
                ->status,
            400);
  auto usage = c.Post("/analytics/api/v1/data/time-series",
                      {{"Cookie", CookieHeader()}, {"X-Requested-By", "dev.apple.com"}}, analytics, "application/json");
  ASSERT_EQ(usage->status, 200) << usage->body;
  const Json u = Json::parse(usage->body);
  int64_t expected = 0;
  for (int i = 0; i < 3; ++i) expected += downloads(Date::ParseIso("2026-03-01")->AddDays(i), "1476097583");
  EXPECT_EQ(u["results"][0]["totals"]["value"].get<double>(), static_cast<double>(expected));
  EXPECT_EQ(u["results"][0]["data"].size(), 3u);

  // Payments need the Finance role, which the sub-account lacks; x-csrf-itc: itc first.
  const std::string payments = "/WebObjects/iTunesConnect.woa/ra/paymentConsolidation/providers/" +
                               std::to_string(provider) + "/sapVendorNumbers";
  EXPECT_EQ(c.Get(payments.c_str(), {{"Cookie", CookieHeader()}})->status, 403);
  auto refused = c.Get(payments.c_str(), {{"Cookie", CookieHeader()}, {"x-csrf-itc", "itc"}});
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(Json::parse(refused->body)["statusCode"], "ERROR");
  // Without a session, nothing.
  EXPECT_EQ(c.Post(path.c_str(), {{"x-requested-with", "OWASP CSRFGuard Project"}, {"csrf", token}}, body, "text/plain")
                ->status,
            401);
}

TEST_F(AppleIdTest, WrongPasswordsBadStampsAndLockout) {
  EXPECT_EQ(SignIn(account_["password"], /*good_stamp=*/false), 400) << "a stale hashcash stamp";
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(SignIn("not-the-password"), 401);
    EXPECT_EQ(Json::parse(last_body_)["serviceErrors"][0]["code"], "-20101");
  }
  EXPECT_EQ(SignIn("not-the-password"), 401);
  // Locked now: even the right password is refused.
  EXPECT_EQ(SignIn(account_["password"]), 403);
  EXPECT_EQ(Json::parse(last_body_)["serviceErrors"][0]["code"], "-20209");
  // Without the widget key, idmsa refuses.
  auto c = Client();
  EXPECT_EQ(c.Post("/appleauth/auth/signin/init", "{}", "application/json")->status, 401);
}

class ShortSessionTest : public AppleIdTest {
 protected:
  int64_t SessionSeconds() const override { return 1; }
};

TEST_F(ShortSessionTest, AWebSessionEndsAfterItsConfiguredLifetime) {
  ASSERT_EQ(SignIn(account_["password"]), 409);
  auto c = Client();
  const std::string code = Json::parse(c.Get("/_sandbox/appleid/code")->body)["code"];
  auto right = c.Post("/appleauth/auth/verify/trusteddevice/securitycode", Idmsa(),
                      Json{{"securityCode", {{"code", code}}}}.dump(), "application/json");
  ASSERT_EQ(right->status, 204);
  Track(right);
  EXPECT_EQ(c.Get("/olympus/v1/session", {{"Cookie", CookieHeader()}})->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(c.Get("/olympus/v1/session", {{"Cookie", CookieHeader()}})->status, 401);
}

}  // namespace
}  // namespace orchard::sandbox
