// The Search Ads client against the sandbox's Search Ads service (apple-apis.md §7). Expected
// values come from the sandbox's own files (searchads.json, the issued key), its request log and
// its generator, never from the client under test.
#include "apple/searchads/search_ads_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "apple/testing/sandbox_fixture.h"
#include "core/decimal.h"
#include "crypto/base64.h"
#include "sandbox/generator.h"

namespace orchard::apple::searchads {
namespace {

using Json = nlohmann::json;

constexpr const char* kRefusedWords =
    "Apple Search Ads refused the client credentials: check the client id, team id, key id and "
    "that the public key uploaded in Search Ads matches this private key";

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A P-256 key nobody uploaded: what a user who picked the wrong file would have.
std::string FreshKeyPem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (key != nullptr && bio != nullptr &&
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

// The SubjectPublicKeyInfo PEM of a private key PEM, by OpenSSL directly (what Search Ads holds).
std::string PublicPemOf(const std::string& private_pem) {
  BIO* in = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  std::string pem;
  if (key != nullptr && PEM_write_bio_PUBKEY(out, key) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out, &data);
    pem.assign(data, static_cast<size_t>(n));
  }
  BIO_free(in);
  BIO_free(out);
  EVP_PKEY_free(key);
  return pem;
}

int64_t RealNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SearchAdsClientTest : public testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    issued_ = KeysFile("searchads.json");
    pem_ = ReadText(dir_ / issued_["private_key_file"].get<std::string>());
    ASSERT_NE(pem_.find("BEGIN EC PRIVATE KEY"), std::string::npos);
    control_ = std::make_unique<httplib::Client>("127.0.0.1", sandbox_->port());
  }
  void TearDown() override {
    // Closes curl's kept-alive connections first: the sandbox's stop otherwise waits out their
    // keep-alive timeout (5 s a test).
    http_.reset();
    SandboxFixture::TearDown();
  }

  SearchAdsCredentials Credentials(const std::string& pem) const {
    auto key = crypto::Es256PrivateKey::FromPem(Secret(pem));
    EXPECT_TRUE(key.has_value());
    return SearchAdsCredentials{issued_["client_id"], issued_["team_id"], issued_["key_id"],
                                std::move(*key)};
  }
  SearchAdsCredentials Credentials() const { return Credentials(pem_); }
  SearchAdsEndpoints Endpoints() const {
    return {sandbox_->base_url() + "/auth/oauth2/token", sandbox_->base_url()};
  }
  std::unique_ptr<SearchAdsClient> Client(const Clock* clock = &SystemClock()) {
    return std::make_unique<SearchAdsClient>(Credentials(), Endpoints(), http_.get(), clock);
  }
  int64_t OrgId() const { return issued_["org_id"].get<int64_t>(); }

  // The statuses the sandbox answered on `path`, in order, from its request log.
  std::vector<int> Answered(const std::string& path) {
    std::vector<int> out;
    auto res = control_->Get("/_sandbox/requests");
    EXPECT_TRUE(res && res->status == 200);
    if (!res) return out;
    const Json log = Json::parse(res->body);
    for (const Json& e : log) {
      if (e["path"] == path) out.push_back(e["status"].get<int>());
    }
    return out;
  }
  void Control(const std::string& path, const std::string& body = "") {
    auto res = control_->Post(path, body, "application/json");
    ASSERT_TRUE(res && res->status == 200) << path;
  }

  Json issued_;
  std::string pem_;
  std::unique_ptr<httplib::Client> control_;
};

TEST_F(SearchAdsClientTest, ClientSecretCarriesTheSpecsClaimsAndVerifiesWithTheUploadedKey) {
  const int64_t now = RealNow();
  auto secret = MintClientSecret(Credentials(), now, std::chrono::hours(1));
  ASSERT_TRUE(secret.has_value()) << secret.error().ToString();
  const std::string jwt(secret->view());
  const size_t a = jwt.find('.'), b = jwt.rfind('.');
  ASSERT_NE(a, b);
  const Json header = Json::parse(*crypto::Base64UrlDecode(jwt.substr(0, a)));
  const Json claims = Json::parse(*crypto::Base64UrlDecode(jwt.substr(a + 1, b - a - 1)));
  EXPECT_EQ(header, (Json{{"alg", "ES256"}, {"kid", issued_["key_id"]}}));
  EXPECT_EQ(claims, (Json{{"sub", issued_["client_id"]},
                          {"aud", "https://appleid.apple.com"},
                          {"iat", now},
                          {"exp", now + 3600},
                          {"iss", issued_["team_id"]}}));
  auto verified = crypto::VerifyEs256Raw(PublicPemOf(pem_), jwt.substr(0, b),
                                         *crypto::Base64UrlDecode(jwt.substr(b + 1)));
  ASSERT_TRUE(verified.has_value());
  EXPECT_TRUE(*verified);

  // Apple's ceiling: never more than 180 days.
  auto longest = MintClientSecret(Credentials(), now, std::chrono::hours(24 * 400));
  ASSERT_TRUE(longest.has_value());
  const std::string long_jwt(longest->view());
  const Json long_claims = Json::parse(*crypto::Base64UrlDecode(
      long_jwt.substr(long_jwt.find('.') + 1, long_jwt.rfind('.') - long_jwt.find('.') - 1)));
  EXPECT_EQ(long_claims["exp"].get<int64_t>() - long_claims["iat"].get<int64_t>(), 180LL * 86400);
}

TEST_F(SearchAdsClientTest, AuthenticatesAndReadsTheAccessListTheSandboxIssued) {
  auto client = Client();
  ASSERT_TRUE(client->Authenticate().ok());
  auto acls = client->Acls();
  ASSERT_TRUE(acls.has_value()) << acls.error().ToString();
  ASSERT_EQ(acls->size(), 1u);
  const Acl& acl = acls->front();
  // The org of searchads.json and the UserAcl the sandbox serves (search_ads_api.cc).
  EXPECT_EQ(acl.org_id, OrgId());
  EXPECT_EQ(acl.org_name, "Orchard Demo Apps Inc.");
  EXPECT_EQ(acl.parent_org_id, OrgId() - 1);
  EXPECT_EQ(acl.currency, "USD");
  EXPECT_EQ(acl.time_zone, "America/Los_Angeles");
  EXPECT_EQ(acl.payment_model, "PAYG");
  EXPECT_EQ(acl.role_names, std::vector<std::string>{"API Account Read Only"});
  EXPECT_EQ(acl.display_name, "Orchard Demo Apps Inc.");

  auto me = client->GetMe();
  ASSERT_TRUE(me.has_value()) << me.error().ToString();
  EXPECT_EQ(me->user_id, OrgId() + 7);
  EXPECT_EQ(me->parent_org_id, OrgId() - 1);
  // One token for all three calls.
  EXPECT_EQ(Answered("/auth/oauth2/token"), std::vector<int>{200});
  EXPECT_EQ(Answered("/api/v5/acls"), std::vector<int>{200});
}

TEST_F(SearchAdsClientTest, ReusesTheAccessTokenUntilShortlyBeforeItExpires) {
  // The sandbox issues hour-long tokens and checks the client secret's iat and exp against the
  // real clock, so the fake clock starts almost an hour back and catches up with it.
  FakeClock clock(std::chrono::system_clock::now() - std::chrono::seconds(3450));
  auto client = Client(&clock);
  ASSERT_TRUE(client->Acls().has_value());
  ASSERT_TRUE(client->GetMe().has_value());
  ASSERT_TRUE(client->Acls().has_value());
  EXPECT_EQ(Answered("/auth/oauth2/token").size(), 1u);
  clock.Advance(std::chrono::seconds(3200));  // 400 s of validity left: still reused
  ASSERT_TRUE(client->Acls().has_value());
  EXPECT_EQ(Answered("/auth/oauth2/token").size(), 1u);
  clock.Advance(std::chrono::seconds(150));  // 250 s left: renewed before Apple refuses it
  ASSERT_TRUE(client->Acls().has_value());
  EXPECT_EQ(Answered("/auth/oauth2/token"), (std::vector<int>{200, 200}));
  EXPECT_EQ(Answered("/api/v5/acls"), (std::vector<int>{200, 200, 200, 200}));
}

TEST_F(SearchAdsClientTest, RequestsANewTokenOnceWhenAppleExpiresIt) {
  auto client = Client();
  ASSERT_TRUE(client->Acls().has_value());
  Control("/_sandbox/searchads/expire-tokens");
  auto acls = client->Acls();
  ASSERT_TRUE(acls.has_value()) << acls.error().ToString();
  EXPECT_EQ(acls->front().org_id, OrgId());
  EXPECT_EQ(Answered("/auth/oauth2/token"), (std::vector<int>{200, 200}));
  EXPECT_EQ(Answered("/api/v5/acls"), (std::vector<int>{200, 401, 200}));
}

TEST_F(SearchAdsClientTest, AKeyThatWasNotUploadedIsRefusedInPlainWords) {
  const std::string wrong_pem = FreshKeyPem();
  ASSERT_NE(wrong_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  SearchAdsClient client(Credentials(wrong_pem), Endpoints(), http_.get());
  auto acls = client.Acls();
  ASSERT_FALSE(acls.has_value());
  EXPECT_EQ(acls.error().code(), Code::kUnauthenticated);
  EXPECT_EQ(acls.error().message().rfind(kRefusedWords, 0), 0u) << acls.error().message();
  // Neither key nor client secret in the message.
  EXPECT_EQ(acls.error().message().find("eyJ"), std::string::npos);
  EXPECT_EQ(acls.error().message().find("PRIVATE"), std::string::npos);
  EXPECT_EQ(Answered("/auth/oauth2/token"), std::vector<int>{400});
  EXPECT_TRUE(Answered("/api/v5/acls").empty());  // nothing is called without a token
}

TEST_F(SearchAdsClientTest, AWrongClientTeamOrKeyIdIsRefused) {
  for (int field = 0; field < 3; ++field) {
    SearchAdsCredentials credentials = Credentials();
    std::string& id = field == 0   ? credentials.client_id
                      : field == 1 ? credentials.team_id
                                   : credentials.key_id;
    id.back() = id.back() == '0' ? '1' : '0';
    SearchAdsClient client(std::move(credentials), Endpoints(), http_.get());
    const Status st = client.Authenticate();
    EXPECT_EQ(st.code(), Code::kUnauthenticated) << field;
    EXPECT_EQ(st.message().rfind(kRefusedWords, 0), 0u) << st.message();
  }
  EXPECT_EQ(Answered("/auth/oauth2/token"), (std::vector<int>{400, 400, 400}));
}

TEST_F(SearchAdsClientTest, AnOrganizationOutsideTheAccessListIsPermissionDenied) {
  auto client = Client();
  CampaignReportQuery q;
  q.org_id = OrgId() + 1;
  q.start = *Date::ParseIso("2026-03-01");
  q.end = *Date::ParseIso("2026-03-07");
  auto report = client->CampaignReport(q);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), Code::kPermissionDenied);
  EXPECT_NE(report.error().message().find("organization " + std::to_string(OrgId() + 1)),
            std::string::npos)
      << report.error().message();
  EXPECT_EQ(Answered("/api/v5/reports/campaigns"), std::vector<int>{403});
}

TEST_F(SearchAdsClientTest, ServerErrorsAreUnavailableAndPassOver) {
  auto client = Client();
  ASSERT_TRUE(client->Authenticate().ok());
  Control("/_sandbox/faults", R"({"fail_next":{"status":503,"count":1}})");
  auto failed = client->Acls();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), Code::kUnavailable);
  EXPECT_NE(failed.error().message().find("503"), std::string::npos);
  EXPECT_TRUE(client->Acls().has_value());
}

TEST_F(SearchAdsClientTest, ARangeAppleRefusesIsInvalidArgumentInAppleWords) {
  auto client = Client();
  CampaignReportQuery q;
  q.org_id = OrgId();
  q.start = *Date::ParseIso("2025-12-01");  // 99 days: over DAILY's 90
  q.end = *Date::ParseIso("2026-03-09");
  auto report = client->CampaignReport(q);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), Code::kInvalidArgument);
  EXPECT_NE(report.error().message().find("90 days"), std::string::npos)
      << report.error().message();
  q.end = q.start.AddDays(-1);
  EXPECT_EQ(client->CampaignReport(q).error().code(), Code::kInvalidArgument);
}

// (campaign id, country or "", bucket day, hour) → metrics, from the sandbox's generator.
struct Delivery {
  int64_t impressions = 0, taps = 0, tap_installs = 0, view_installs = 0, spend = 0;
  friend bool operator==(const Delivery&, const Delivery&) = default;
};
using Key = std::tuple<int64_t, std::string, std::string, int>;
std::ostream& operator<<(std::ostream& os, const Delivery& d) {
  return os << "{" << d.impressions << " imp, " << d.taps << " taps, " << d.tap_installs << "+"
            << d.view_installs << " installs, " << d.spend << " µ$}";
}

std::map<Key, Delivery> Expected(Date start, Date end, bool by_country, Date (*bucket)(Date)) {
  const sandbox::Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  const auto campaigns = portfolio.SearchAdsCampaigns();
  std::map<Key, Delivery> out;
  for (Date day = start; day <= end; day = day.AddDays(1)) {
    for (const sandbox::AdDayRow& r : portfolio.SearchAdsDay(day)) {
      if (r.impressions == 0) continue;
      Delivery& d =
          out[{campaigns[r.campaign].id, by_country ? r.country : "", bucket(day).Iso(), -1}];
      d.impressions += r.impressions;
      d.taps += r.taps;
      d.tap_installs += r.tap_new + r.tap_re;
      d.view_installs += r.view_new + r.view_re;
      d.spend += r.spend_cents * (kMoneyScale / 100);
    }
  }
  return out;
}

std::map<Key, Delivery> Actual(const std::vector<CampaignReportRow>& rows, bool sum_hours) {
  std::map<Key, Delivery> out;
  for (const CampaignReportRow& r : rows) {
    EXPECT_EQ(r.currency, "USD");
    EXPECT_EQ(r.total_installs, r.tap_installs + r.view_installs);
    Delivery& d = out[{r.campaign_id, r.country_or_region, r.date.Iso(), sum_hours ? -1 : r.hour}];
    d.impressions += r.impressions;
    d.taps += r.taps;
    d.tap_installs += r.tap_installs;
    d.view_installs += r.view_installs;
    d.spend += r.spend;
  }
  return out;
}

TEST_F(SearchAdsClientTest, DailyReportByCountryMatchesTheSandboxsDeliveryAcrossPages) {
  auto client = Client();
  CampaignReportQuery q;
  q.org_id = OrgId();
  q.start = *Date::ParseIso("2026-02-01");
  q.end = *Date::ParseIso("2026-03-09");
  q.granularity = Granularity::kDaily;
  q.by_country = true;
  q.page_size = 4;
  auto report = client->CampaignReport(q);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const auto expected = Expected(q.start, q.end, true, [](Date d) { return d; });
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(Actual(*report, false), expected);

  // Totals and names, against the generator too.
  Delivery total_expected, total_actual;
  for (const auto& [key, d] : expected) {
    total_expected.impressions += d.impressions;
    total_expected.spend += d.spend;
  }
  const sandbox::Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  const auto campaigns = portfolio.SearchAdsCampaigns();
  for (const CampaignReportRow& r : *report) {
    total_actual.impressions += r.impressions;
    total_actual.spend += r.spend;
    auto c = std::find_if(campaigns.begin(), campaigns.end(),
                          [&](const sandbox::AdCampaign& x) { return x.id == r.campaign_id; });
    ASSERT_NE(c, campaigns.end());
    EXPECT_EQ(r.campaign_name, c->name);
    EXPECT_EQ(std::to_string(r.adam_id), c->adam_id);
    EXPECT_EQ(r.hour, -1);
  }
  EXPECT_EQ(total_actual.impressions, total_expected.impressions);
  EXPECT_EQ(total_actual.spend, total_expected.spend);
  // More rows than a page: the client read them all.
  EXPECT_GT(Answered("/api/v5/reports/campaigns").size(), 1u);
}

TEST_F(SearchAdsClientTest, WeeklyAndHourlyReportsAddUpToTheSandboxsDelivery) {
  auto client = Client();
  CampaignReportQuery weekly;
  weekly.org_id = OrgId();
  weekly.start = *Date::ParseIso("2026-01-05");  // a Monday, nine weeks
  weekly.end = *Date::ParseIso("2026-03-08");
  weekly.granularity = Granularity::kWeekly;
  auto weeks = client->CampaignReport(weekly);
  ASSERT_TRUE(weeks.has_value()) << weeks.error().ToString();
  EXPECT_EQ(Actual(*weeks, false),
            Expected(weekly.start, weekly.end, false, [](Date d) { return d.StartOfWeek(); }));

  CampaignReportQuery hourly;
  hourly.org_id = OrgId();
  hourly.start = *Date::ParseIso("2026-03-08");
  hourly.end = *Date::ParseIso("2026-03-09");
  hourly.granularity = Granularity::kHourly;
  auto hours = client->CampaignReport(hourly);
  ASSERT_TRUE(hours.has_value()) << hours.error().ToString();
  ASSERT_FALSE(hours->empty());
  for (const CampaignReportRow& r : *hours) {
    EXPECT_TRUE(r.hour >= 0 && r.hour <= 23) << r.hour;
  }
  EXPECT_EQ(Actual(*hours, /*sum_hours=*/true),
            Expected(hourly.start, hourly.end, false, [](Date d) { return d; }));
}

}  // namespace
}  // namespace orchard::apple::searchads
