#include "sandbox/sandbox.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <openssl/evp.h>
#include <zlib.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "crypto/base64.h"
#include "crypto/es256.h"
#include "sandbox/generator.h"

namespace orchard::sandbox {
namespace {

using Json = nlohmann::json;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override { StartWith(3600); }
  void TearDown() override {
    sandbox_.reset();
    std::filesystem::remove_all(dir_);
  }
  void StartWith(int rate_limit) {
    sandbox_.reset();
    dir_ = std::filesystem::temp_directory_path() / ("orchard-sandbox-" + std::to_string(::getpid()));
    SandboxOptions o;
    o.keys_dir = dir_;
    o.seed = 11;
    o.today = *Date::ParseIso("2026-03-10");
    o.rate_limit_per_hour = rate_limit;
    auto s = Sandbox::Start(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    sandbox_ = std::move(*s);
    key_ = Json::parse(ReadFile(dir_ / "key.json"));
    developer_ = Json::parse(ReadFile(dir_ / "key-developer.json"));
  }

  // A token built by hand so each claim can be bent.
  std::string Token(const Json& key, Json header_patch = Json::object(), Json payload_patch = Json::object(), bool der = false) {
    Json header = {{"alg", "ES256"}, {"kid", key["key_id"]}, {"typ", "JWT"}};
    Json payload = {{"iss", key["issuer_id"]}, {"iat", Now()}, {"exp", Now() + 1000},
                    {"aud", "appstoreconnect-v1"}};
    header.merge_patch(header_patch);
    payload.merge_patch(payload_patch);
    const std::string input = crypto::Base64UrlEncode(header.dump()) + "." +
                              crypto::Base64UrlEncode(payload.dump());
    auto pk = crypto::Es256PrivateKey::FromPem(Secret(ReadFile(dir_ / key["key_file"].get<std::string>())));
    std::string sig = *pk->SignRaw(input);
    if (der) sig = std::string("\x30\x44\x02\x20", 4) + sig.substr(0, 32) + std::string("\x02\x20", 2) + sig.substr(32);
    return input + "." + crypto::Base64UrlEncode(sig);
  }

  httplib::Result Get(const std::string& path, const std::string& token) {
    httplib::Client c("127.0.0.1", sandbox_->port());
    // A yearly report sums 365 generated days: slow under sanitizers on a loaded machine.
    c.set_read_timeout(120, 0);
    return c.Get(path.c_str(), {{"Authorization", "Bearer " + token}});
  }
  std::string SalesPath(const std::string& date, const std::string& extra = "") {
    return "/v1/salesReports?filter%5Bfrequency%5D=DAILY&filter%5BreportType%5D=SALES"
           "&filter%5BreportSubType%5D=SUMMARY&filter%5BvendorNumber%5D=" +
           key_["vendor_number"].get<std::string>() + "&filter%5BreportDate%5D=" + date +
           "&filter%5Bversion%5D=1_0" + extra;
  }
  static Json FirstError(const httplib::Result& r) { return Json::parse(r->body)["errors"][0]; }

  std::filesystem::path dir_;
  std::unique_ptr<Sandbox> sandbox_;
  Json key_, developer_;
};

TEST_F(SandboxTest, ServesADailySalesReportAsGzipWithApplesColumns) {
  auto r = Get(SalesPath("2026-03-01"), Token(key_));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/a-gzip");
  ASSERT_GE(r->body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(r->body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(r->body[1]), 0x8b);
  EXPECT_EQ(r->body, GzipBytes(Portfolio(11, *Date::ParseIso("2026-03-10"))
                                   .SalesSummaryDailyTsv(*Date::ParseIso("2026-03-01"))));
  const std::string rate = r->get_header_value("X-Rate-Limit");
  EXPECT_EQ(rate, "user-hour-lim:3600;user-hour-rem:3599;");
}

TEST_F(SandboxTest, TheIssuedKeyFilesDescribeTheAccount) {
  EXPECT_EQ(key_["key_id"].get<std::string>().size(), 10u);
  EXPECT_EQ(key_["issuer_id"].get<std::string>().size(), 36u);
  EXPECT_EQ(key_["vendor_number"].get<std::string>().size(), 8u);
  EXPECT_NE(ReadFile(dir_ / key_["key_file"].get<std::string>()).find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(key_["key_id"], developer_["key_id"]);
}

TEST_F(SandboxTest, RejectsBadTokensWithTheCanonical401) {
  const std::string path = SalesPath("2026-03-01");
  for (const std::string& token :
       {Token(key_, Json::object(), {}, /*der=*/true), Token(key_, Json::object(), {{"exp", Now() - 10}}),
        Token(key_, Json::object(), {{"exp", Now() + 1300}}), Token(key_, Json::object(), {{"aud", "other"}}),
        Token(key_, Json::object(), {{"iss", "00000000-0000-0000-0000-000000000000"}}),
        Token(key_, {{"kid", "UNKNOWN123"}}), Token(key_, {{"alg", "RS256"}}), std::string("x.y.z")}) {
    auto r = Get(path, token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << token;
    EXPECT_EQ(FirstError(r)["code"], "NOT_AUTHORIZED");
    EXPECT_EQ(FirstError(r)["title"], "Authentication credentials are missing or invalid.");
  }
  httplib::Client c("127.0.0.1", sandbox_->port());
  EXPECT_EQ(c.Get(path.c_str())->status, 401);
}

TEST_F(SandboxTest, AKeyWithoutTheSalesRoleIsForbidden) {
  auto r = Get(SalesPath("2026-03-01"), Token(developer_));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(FirstError(r)["code"], "FORBIDDEN_ERROR");
}

TEST_F(SandboxTest, ParameterErrorsFollowAppleDocuments) {
  auto missing = Get("/v1/salesReports?filter%5BreportType%5D=SALES", Token(key_));
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(FirstError(missing)["code"], "PARAMETER_ERROR.REQUIRED");
  EXPECT_EQ(FirstError(missing)["source"]["parameter"], "filter[vendorNumber]");

  auto version = Get(SalesPath("2026-03-01").replace(SalesPath("2026-03-01").find("1_0"), 3, "1_3"), Token(key_));
  EXPECT_EQ(version->status, 400);
  EXPECT_EQ(FirstError(version)["detail"],
            "The version parameter you have specified is invalid. The latest version for this report is 1_0.");
  EXPECT_EQ(FirstError(version)["source"]["parameter"], "filter[version]");

  auto monthly_on_daily = Get(SalesPath("2026-03"), Token(key_));
  EXPECT_EQ(monthly_on_daily->status, 400);
  EXPECT_EQ(FirstError(monthly_on_daily)["code"], "PARAMETER_ERROR.INVALID.INVALID_COMBINATION");

  auto illegal = Get(SalesPath("2026-03-01", "&filter%5Bcolor%5D=red"), Token(key_));
  EXPECT_EQ(illegal->status, 400);
  EXPECT_EQ(FirstError(illegal)["code"], "PARAMETER_ERROR.ILLEGAL");

  auto path = Get("/v1/nothingHere", Token(key_));
  EXPECT_EQ(path->status, 404);
  EXPECT_EQ(FirstError(path)["code"], "PATH_ERROR");
}

TEST_F(SandboxTest, NotYetAvailableAndNoSalesAreDistinct404s) {
  auto today = Get(SalesPath("2026-03-10"), Token(key_));
  EXPECT_EQ(today->status, 404);
  EXPECT_EQ(FirstError(today)["code"], "NOT_FOUND");
  EXPECT_EQ(FirstError(today)["detail"].get<std::string>().rfind("Report is not available yet.", 0), 0u);
  auto before = Get(SalesPath("2020-01-01"), Token(key_));
  EXPECT_EQ(before->status, 404);
  EXPECT_EQ(FirstError(before)["detail"], "There were no sales for the date specified.");
}

TEST_F(SandboxTest, WeeklyMonthlyAndYearlyReportsFollowTheirDateFormsAndPublication) {
  auto path = [&](const std::string& frequency, const std::string& date) {
    std::string p = SalesPath(date);
    return p.replace(p.find("DAILY"), 5, frequency);
  };
  // today = 2026-03-10 (a Tuesday)
  EXPECT_EQ(Get(path("WEEKLY", "2026-03-08"), Token(key_))->status, 200);  // Sunday of the last full week
  auto monday = Get(path("WEEKLY", "2026-03-02"), Token(key_));
  EXPECT_EQ(monday->status, 400);
  EXPECT_EQ(FirstError(monday)["source"]["parameter"], "filter[reportDate]");
  auto this_week = Get(path("WEEKLY", "2026-03-15"), Token(key_));
  EXPECT_EQ(this_week->status, 404);
  EXPECT_NE(FirstError(this_week)["detail"].get<std::string>().find("not available yet"), std::string::npos);
  EXPECT_EQ(Get(path("MONTHLY", "2026-02"), Token(key_))->status, 200);  // published 5 March
  EXPECT_EQ(Get(path("MONTHLY", "2026-03"), Token(key_))->status, 404);
  EXPECT_EQ(Get(path("MONTHLY", "2026-02-01"), Token(key_))->status, 400);
  EXPECT_EQ(Get(path("YEARLY", "2025"), Token(key_))->status, 200);
  EXPECT_EQ(Get(path("YEARLY", "2026"), Token(key_))->status, 404);
  EXPECT_EQ(Get(path("YEARLY", "2025-01"), Token(key_))->status, 400);
}

TEST_F(SandboxTest, SubscriptionReportsAreDailyVersion13AndNeedADate) {
  auto path = [&](const std::string& type, const std::string& subtype, const std::string& frequency,
                  const std::string& version, const std::string& date) {
    std::string p = "/v1/salesReports?filter%5Bfrequency%5D=" + frequency +
                    "&filter%5BreportType%5D=" + type + "&filter%5BreportSubType%5D=" + subtype +
                    "&filter%5BvendorNumber%5D=" + key_["vendor_number"].get<std::string>() +
                    "&filter%5Bversion%5D=" + version;
    return date.empty() ? p : p + "&filter%5BreportDate%5D=" + date;
  };
  const Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  const Date day = *Date::ParseIso("2026-03-01");
  struct Case {
    const char* type;
    const char* subtype;
    std::string tsv;
  };
  for (const Case& c : {Case{"SUBSCRIPTION", "SUMMARY", portfolio.SubscriptionTsv(day)},
                        Case{"SUBSCRIPTION_EVENT", "SUMMARY", portfolio.SubscriptionEventTsv(day)},
                        Case{"SUBSCRIBER", "DETAILED", portfolio.SubscriberTsv(day)}}) {
    SCOPED_TRACE(c.type);
    auto ok = Get(path(c.type, c.subtype, "DAILY", "1_3", "2026-03-01"), Token(key_));
    ASSERT_EQ(ok->status, 200) << ok->body;
    EXPECT_EQ(ok->get_header_value("Content-Type"), "application/a-gzip");
    ASSERT_FALSE(c.tsv.empty());
    EXPECT_EQ(ok->body, GzipBytes(c.tsv));
    // Version 1_2 is no longer downloadable: the 400 names the latest one (§2.2).
    auto old = Get(path(c.type, c.subtype, "DAILY", "1_2", "2026-03-01"), Token(key_));
    EXPECT_EQ(old->status, 400);
    EXPECT_EQ(FirstError(old)["detail"],
              "The version parameter you have specified is invalid. The latest version for this "
              "report is 1_3.");
    // Daily only.
    auto weekly = Get(path(c.type, c.subtype, "WEEKLY", "1_3", "2026-03-08"), Token(key_));
    EXPECT_EQ(weekly->status, 400);
    EXPECT_EQ(FirstError(weekly)["code"], "PARAMETER_ERROR.INVALID.INVALID_COMBINATION");
    // No "latest report" for the subscription family.
    auto undated = Get(path(c.type, c.subtype, "DAILY", "1_3", ""), Token(key_));
    EXPECT_EQ(undated->status, 404);
    EXPECT_EQ(FirstError(undated)["code"], "NOT_FOUND");
    // Published the next day.
    auto today = Get(path(c.type, c.subtype, "DAILY", "1_3", "2026-03-10"), Token(key_));
    EXPECT_EQ(today->status, 404);
    EXPECT_NE(FirstError(today)["detail"].get<std::string>().find("not available yet"),
              std::string::npos);
    // The developer key has no Sales role.
    EXPECT_EQ(Get(path(c.type, c.subtype, "DAILY", "1_3", "2026-03-01"), Token(developer_))->status, 403);
  }
  // The wrong subtype for a subscription report is an invalid combination.
  auto wrong = Get(path("SUBSCRIBER", "SUMMARY", "DAILY", "1_3", "2026-03-01"), Token(key_));
  EXPECT_EQ(wrong->status, 400);
  // Kinds of report this portfolio has no data for are empty periods, not errors.
  auto installs = Get(path("INSTALLS", "SUMMARY", "MONTHLY", "1_2", "2026-02"), Token(key_));
  EXPECT_EQ(installs->status, 404);
  EXPECT_EQ(FirstError(installs)["detail"], "There were no sales for the date specified.");
  // Pre-orders: the portfolio's pre-order window is not open on 2026-03-01 (it opens later).
  auto pre = Get(path("PRE_ORDER", "SUMMARY", "DAILY", "1_0", "2026-03-01"), Token(key_));
  EXPECT_EQ(pre->status, 404);
  EXPECT_EQ(FirstError(pre)["detail"], "There were no sales for the date specified.");
}

TEST_F(SandboxTest, FinanceReportsPerRegionForFinanceRolesOnly) {
  auto path = [&](const std::string& type, const std::string& region, const std::string& date) {
    return "/v1/financeReports?filter%5BreportType%5D=" + type + "&filter%5BregionCode%5D=" +
           region + "&filter%5BreportDate%5D=" + date + "&filter%5BvendorNumber%5D=" +
           key_["vendor_number"].get<std::string>();
  };
  const Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  // Fiscal 2026 period 4 (28 Dec 2025 – 31 Jan 2026) has closed and been published.
  auto eu = Get(path("FINANCIAL", "EU", "2026-04"), Token(key_));
  ASSERT_EQ(eu->status, 200) << eu->body;
  EXPECT_EQ(eu->get_header_value("Content-Type"), "application/a-gzip");
  EXPECT_EQ(eu->body, GzipBytes(portfolio.FinancialTsv("EU", 2026, 4)));
  auto zz = Get(path("FINANCIAL", "ZZ", "2026-04"), Token(key_));
  ASSERT_EQ(zz->status, 200);
  EXPECT_EQ(zz->body, GzipBytes(portfolio.FinancialTsv("ZZ", 2026, 4)));
  EXPECT_EQ(Get(path("FINANCE_DETAIL", "Z1", "2026-04"), Token(key_))->status, 200);
  // Sales and Trends access is not enough (§5), and neither is Developer.
  auto sales_key = Json::parse(ReadFile(dir_ / "key-sales.json"));
  EXPECT_EQ(sales_key["roles"], Json::array({"SALES"}));
  EXPECT_EQ(Get(path("FINANCIAL", "EU", "2026-04"), Token(sales_key))->status, 403);
  EXPECT_EQ(Get(path("FINANCIAL", "EU", "2026-04"), Token(developer_))->status, 403);
  EXPECT_EQ(Get(SalesPath("2026-03-01"), Token(sales_key))->status, 200);
  // Parameter errors.
  auto region = Get(path("FINANCIAL", "XX", "2026-04"), Token(key_));
  EXPECT_EQ(region->status, 400);
  EXPECT_EQ(FirstError(region)["source"]["parameter"], "filter[regionCode]");
  EXPECT_EQ(Get(path("FINANCIAL", "Z1", "2026-04"), Token(key_))->status, 400);
  EXPECT_EQ(Get(path("FINANCE_DETAIL", "EU", "2026-04"), Token(key_))->status, 400);
  auto date = Get(path("FINANCIAL", "EU", "2026-13"), Token(key_));
  EXPECT_EQ(date->status, 400);
  EXPECT_EQ(FirstError(date)["source"]["parameter"], "filter[reportDate]");
  EXPECT_EQ(Get(path("FINANCIAL", "EU", "2026-04-01"), Token(key_))->status, 400);
  auto missing = Get("/v1/financeReports?filter%5BreportType%5D=FINANCIAL", Token(key_));
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(FirstError(missing)["code"], "PARAMETER_ERROR.REQUIRED");
  // A period that has not closed, and one before the portfolio, have no report.
  auto open = Get(path("FINANCIAL", "EU", "2026-06"), Token(key_));
  EXPECT_EQ(open->status, 404);
  EXPECT_EQ(FirstError(open)["detail"], "There were no sales for the date specified.");
  EXPECT_EQ(Get(path("FINANCIAL", "EU", "2022-01"), Token(key_))->status, 404);
}

TEST_F(SandboxTest, ReporterManagesTokensWithTheAppSpecificPasswordAndServesReports) {
  const Json id = Json::parse(ReadFile(dir_ / "apple-id.json"));
  const std::string user = id["apple_id"], password = id["app_specific_password"];
  // Four groups of four lowercase letters (§9.4).
  ASSERT_EQ(password.size(), 19u);
  for (size_t i = 0; i < password.size(); ++i) {
    if (i % 5 == 4) {
      EXPECT_EQ(password[i], '-');
    } else {
      EXPECT_TRUE(password[i] >= 'a' && password[i] <= 'z') << password;
    }
  }
  const std::string vendor = key_["vendor_number"];
  auto post = [&](const std::string& service, Json request, const std::string& extra = "") {
    httplib::Client c("127.0.0.1", sandbox_->port());
    c.set_read_timeout(120, 0);
    return c.Post(("/reportservice/" + service + "/v1").c_str(),
                  "jsonRequest=" + httplib::detail::encode_query_param(request.dump()) + extra,
                  "application/x-www-form-urlencoded");
  };
  auto command = [&](const std::string& q, const std::string& token, const std::string& mode = "Normal") {
    Json j = {{"userid", user}, {"version", "2.2"}, {"mode", mode},
              {"queryInput", "[p=Reporter.properties, " + q + "]"}};
    if (!token.empty()) j["accesstoken"] = token;
    return j;
  };
  // No token yet.
  auto early = post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,20260301", ""));
  EXPECT_EQ(early->status, 401);
  // The two-step generateToken.
  Json manage = command("Sales.generateToken", "");
  manage["password"] = "wrong-pass-word-here";
  EXPECT_EQ(post("sales", manage)->status, 401);
  manage["password"] = password;
  auto first = post("sales", manage);
  ASSERT_EQ(first->status, 200);
  const std::string request_id = first->get_header_value("service_request_id");
  ASSERT_EQ(request_id.size(), 36u);
  EXPECT_EQ(post("sales", manage, "&isExistingToken=Y&requestId=not-the-id")->status, 400);
  auto second = post("sales", manage, "&isExistingToken=Y&requestId=" + request_id);
  ASSERT_EQ(second->status, 200) << second->body;
  ASSERT_EQ(second->body.rfind("AccessToken:", 0), 0u) << second->body;
  const std::string token = second->body.substr(12, 36);
  // 180 days after 2026-03-10.
  EXPECT_NE(second->body.find("Expiration Date:2026-09-06"), std::string::npos) << second->body;
  Json view = command("Sales.viewToken", "");
  view["password"] = password;
  EXPECT_NE(post("sales", view)->body.find(token), std::string::npos);

  // Reports: the same bytes as the API, with Reporter's file names.
  auto sales = post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,20260301", token));
  ASSERT_EQ(sales->status, 200) << sales->body;
  EXPECT_EQ(sales->get_header_value("Content-Type"), "application/a-gzip");
  EXPECT_EQ(sales->get_header_value("filename"), "S_D_" + vendor + "_20260301.txt.gz");
  EXPECT_FALSE(sales->get_header_value("downloadmsg").empty());
  const Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  EXPECT_EQ(sales->body, GzipBytes(portfolio.SalesSummaryDailyTsv(*Date::ParseIso("2026-03-01"))));
  auto weekly = post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Weekly,20260308", token));
  ASSERT_EQ(weekly->status, 200);
  EXPECT_EQ(weekly->body, GzipBytes(portfolio.SalesSummaryTsv(Frequency::kWeekly, *Date::ParseIso("2026-03-02"))));
  auto subscription = post("sales", command("Sales.getReport, " + vendor +
                                            ",Subscription,Summary,Daily,20260301,1_3", token));
  ASSERT_EQ(subscription->status, 200);
  EXPECT_EQ(subscription->get_header_value("filename"), "Subscription_" + vendor + "_20260301.txt.gz");
  EXPECT_EQ(subscription->body, GzipBytes(portfolio.SubscriptionTsv(*Date::ParseIso("2026-03-01"))));
  auto finance = post("finance", command("Finance.getReport, " + vendor + ",EU,Financial,2026,4", token));
  ASSERT_EQ(finance->status, 200) << finance->body;
  EXPECT_EQ(finance->get_header_value("filename"), vendor + "_0426_EU.txt.gz");
  EXPECT_EQ(finance->body, GzipBytes(portfolio.FinancialTsv("EU", 2026, 4)));
  // Errors: text in Normal mode, XML in Robot.XML mode.
  auto none = post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,20200101", token));
  EXPECT_EQ(none->status, 404);
  EXPECT_EQ(none->body, "There were no sales for the date specified.\n");
  auto xml = post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,20200101", token, "Robot.XML"));
  EXPECT_EQ(xml->status, 404);
  EXPECT_NE(xml->body.find("<Error>"), std::string::npos);
  EXPECT_NE(xml->body.find("<Message>There were no sales for the date specified.</Message>"), std::string::npos);
  EXPECT_EQ(post("sales", command("Sales.getReport, 12345678,Sales,Summary,Daily,20260301", token))->status, 400);
  EXPECT_EQ(post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,2026-03-01", token))->status, 400);
  EXPECT_EQ(post("sales", command("Sales.getReport, " + vendor + ",Subscription,Summary,Weekly,20260308", token))->status, 400);
  // An expired token is refused; a new one works again.
  httplib::Client control("127.0.0.1", sandbox_->port());
  ASSERT_EQ(control.Post("/_sandbox/reporter/expire-token", "", "application/json")->status, 200);
  auto expired = post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,20260301", token));
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(expired->body.find("expired"), std::string::npos);
  // Deleting the token ends its use too.
  auto again = post("sales", manage);
  auto renewed = post("sales", manage, "&isExistingToken=Y&requestId=" + again->get_header_value("service_request_id"));
  const std::string token2 = renewed->body.substr(12, 36);
  EXPECT_NE(token2, token);
  EXPECT_EQ(post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,20260301", token2))->status, 200);
  Json remove = command("Sales.deleteToken", "");
  remove["password"] = password;
  EXPECT_EQ(post("sales", remove)->status, 200);
  EXPECT_EQ(post("sales", command("Sales.getReport, " + vendor + ",Sales,Summary,Daily,20260301", token2))->status, 401);
}

class SearchAdsTest : public SandboxTest {
 protected:
  void SetUp() override {
    SandboxTest::SetUp();
    ads_ = Json::parse(ReadFile(dir_ / "searchads.json"));
  }
  // The client secret of §7.1, with claims that can be bent.
  std::string Secret(Json payload_patch = Json::object(), bool der = false) {
    Json header = {{"alg", "ES256"}, {"kid", ads_["key_id"]}};
    Json payload = {{"iss", ads_["team_id"]}, {"sub", ads_["client_id"]},
                    {"aud", "https://appleid.apple.com"}, {"iat", Now()}, {"exp", Now() + 86400 * 30}};
    payload.merge_patch(payload_patch);
    const std::string input = crypto::Base64UrlEncode(header.dump()) + "." + crypto::Base64UrlEncode(payload.dump());
    auto key = crypto::Es256PrivateKey::FromPem(orchard::Secret(ReadFile(dir_ / ads_["private_key_file"].get<std::string>())));
    std::string sig = *key->SignRaw(input);
    if (der) sig = std::string("\x30\x44\x02\x20", 4) + sig.substr(0, 32) + std::string("\x02\x20", 2) + sig.substr(32);
    return input + "." + crypto::Base64UrlEncode(sig);
  }
  httplib::Result TokenRequest(const std::string& secret, const std::string& grant = "client_credentials") {
    httplib::Client c("127.0.0.1", sandbox_->port());
    const std::string form = "grant_type=" + grant + "&client_id=" +
                             httplib::detail::encode_query_param(ads_["client_id"]) + "&client_secret=" + secret +
                             "&scope=searchadsorg";
    return c.Post("/auth/oauth2/token", form, "application/x-www-form-urlencoded");
  }
  std::string AccessToken() {
    auto r = TokenRequest(Secret());
    return Json::parse(r->body)["access_token"];
  }
  httplib::Result Report(const Json& body, const std::string& token, bool context = true) {
    httplib::Client c("127.0.0.1", sandbox_->port());
    c.set_read_timeout(120, 0);
    httplib::Headers h = {{"Authorization", "Bearer " + token}};
    if (context) h.emplace("X-AP-Context", "orgId=" + std::to_string(ads_["org_id"].get<int64_t>()));
    return c.Post("/api/v5/reports/campaigns", h, body.dump(), "application/json");
  }
  static Json Body(const std::string& start, const std::string& end, Json extra = Json::object()) {
    Json b = {{"startTime", start}, {"endTime", end},
              {"selector", {{"orderBy", Json::array({{{"field", "campaignId"}, {"sortOrder", "ASCENDING"}}})},
                            {"pagination", {{"offset", 0}, {"limit", 100}}}}},
              {"returnRowTotals", true}, {"returnGrandTotals", true}, {"timeZone", "UTC"}};
    b.merge_patch(extra);
    return b;
  }
  static long long Cents(const Json& money) {
    EXPECT_EQ(money["currency"], "USD");
    const std::string a = money["amount"];
    return std::llround(std::stod(a) * 100);
  }
  Json ads_;
};

TEST_F(SearchAdsTest, ClientCredentialsWithAnEs256SecretGiveAnHourLongToken) {
  EXPECT_EQ(ads_["client_id"].get<std::string>().rfind("SEARCHADS.", 0), 0u);
  EXPECT_EQ(ReadFile(dir_ / ads_["private_key_file"].get<std::string>()).rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u);
  auto ok = TokenRequest(Secret());
  ASSERT_EQ(ok->status, 200) << ok->body;
  const Json token = Json::parse(ok->body);
  EXPECT_EQ(token["token_type"], "Bearer");
  EXPECT_EQ(token["expires_in"], 3600);
  EXPECT_EQ(token["scope"], "searchadsorg");
  auto error_of = [](const httplib::Result& r) { return Json::parse(r->body)["error"]; };
  EXPECT_EQ(error_of(TokenRequest(Secret(), "password")), "unsupported_grant_type");
  EXPECT_EQ(error_of(TokenRequest(Secret({{"aud", "appstoreconnect-v1"}}))), "invalid_client");
  EXPECT_EQ(error_of(TokenRequest(Secret({{"exp", Now() + 181 * 86400}}))), "invalid_client");
  EXPECT_EQ(error_of(TokenRequest(Secret({{"exp", Now() - 10}}))), "invalid_client");
  EXPECT_EQ(error_of(TokenRequest(Secret({}, true))), "invalid_client") << "DER signatures are refused";
  EXPECT_EQ(TokenRequest(Secret({}, true))->status, 400);

  httplib::Client c("127.0.0.1", sandbox_->port());
  EXPECT_EQ(c.Get("/api/v5/acls")->status, 401);
  auto acls = c.Get("/api/v5/acls", {{"Authorization", "Bearer " + token["access_token"].get<std::string>()}});
  ASSERT_EQ(acls->status, 200);
  const Json acl = Json::parse(acls->body);
  EXPECT_EQ(acl["data"][0]["orgId"], ads_["org_id"]);
  EXPECT_EQ(acl["data"][0]["currency"], "USD");
  EXPECT_TRUE(acl["error"].is_null());
  // Without X-AP-Context the report is forbidden, with the documented body.
  auto forbidden = Report(Body("2026-02-01", "2026-02-28"), token["access_token"], false);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(Json::parse(forbidden->body)["error"]["errors"][0]["message"],
            "A required header was not specified or was invalid.");
  // Expired tokens are refused.
  ASSERT_EQ(c.Post("/_sandbox/searchads/expire-tokens", "", "application/json")->status, 200);
  EXPECT_EQ(Report(Body("2026-02-01", "2026-02-28"), token["access_token"])->status, 401);
}

TEST_F(SearchAdsTest, CampaignReportsAddUpAcrossTotalsGranularityAndCountries) {
  const std::string token = AccessToken();
  // Validation of §7.3.
  auto field_of = [](const httplib::Result& r) { return Json::parse(r->body)["error"]["errors"][0]["field"]; };
  auto no_totals = Report(Body("2026-02-01", "2026-02-28", {{"returnRowTotals", false}}), token);
  EXPECT_EQ(no_totals->status, 400);
  EXPECT_EQ(field_of(no_totals), "returnRowTotals");
  EXPECT_EQ(Report(Body("2025-12-01", "2026-03-01", {{"granularity", "DAILY"}, {"returnGrandTotals", false}}), token)->status, 400);
  EXPECT_EQ(Report(Body("2026-02-01", "2026-02-28", {{"granularity", "DAILY"}}), token)->status, 400)
      << "grand totals with a granularity";
  EXPECT_EQ(Report(Body("2026-02-01", "2026-02-10", {{"granularity", "HOURLY"}, {"returnGrandTotals", false}}), token)->status, 400);
  EXPECT_EQ(Report(Body("2026-02-01", "2026-02-10", {{"granularity", "WEEKLY"}, {"returnGrandTotals", false}}), token)->status, 400);
  EXPECT_EQ(Report(Body("2026-02-10", "2026-02-01"), token)->status, 400);

  // Totals over February.
  auto totals = Report(Body("2026-02-01", "2026-02-28"), token);
  ASSERT_EQ(totals->status, 200) << totals->body;
  const Json t = Json::parse(totals->body);
  const Json& rows = t["data"]["reportingDataResponse"]["row"];
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(t["pagination"]["totalResults"], rows.size());
  long impressions = 0, taps = 0;
  long long spend = 0;
  std::map<int64_t, Json> by_campaign;
  for (const auto& r : rows) {
    const Json& m = r["total"];
    impressions += m["impressions"].get<long>();
    taps += m["taps"].get<long>();
    spend += Cents(m["localSpend"]);
    EXPECT_EQ(m["tapInstalls"], m["tapNewDownloads"].get<long>() + m["tapRedownloads"].get<long>());
    EXPECT_EQ(m["totalInstalls"], m["tapInstalls"].get<long>() + m["viewInstalls"].get<long>());
    EXPECT_LE(m["taps"].get<long>(), m["impressions"].get<long>());
    EXPECT_LE(m["tapInstalls"].get<long>(), m["taps"].get<long>());
    EXPECT_NEAR(m["ttr"].get<double>(), double(m["taps"].get<long>()) / m["impressions"].get<long>(), 1e-4);
    EXPECT_NEAR(Cents(m["avgCPT"]), double(Cents(m["localSpend"])) / m["taps"].get<long>(), 0.51);
    EXPECT_TRUE(r["metadata"]["app"]["adamId"].is_number_integer());
    by_campaign[r["metadata"]["campaignId"].get<int64_t>()] = m;
  }
  const Json& grand = t["data"]["reportingDataResponse"]["grandTotals"]["total"];
  EXPECT_EQ(grand["impressions"], impressions);
  EXPECT_EQ(grand["taps"], taps);
  EXPECT_EQ(Cents(grand["localSpend"]), spend);

  // Daily by country: the days and countries add up to each campaign's total.
  auto daily = Report(Body("2026-02-01", "2026-02-28", {{"granularity", "DAILY"}, {"returnGrandTotals", false},
                                                        {"groupBy", Json::array({"countryOrRegion"})}}), token);
  ASSERT_EQ(daily->status, 200) << daily->body;
  std::map<int64_t, std::pair<long, long long>> summed;
  std::set<std::string> dates;
  const Json parsed1 = Json::parse(daily->body);
  for (const auto& r : parsed1["data"]["reportingDataResponse"]["row"]) {
    EXPECT_TRUE(r["metadata"].contains("countryOrRegion"));
    auto& [taps_sum, spend_sum] = summed[r["metadata"]["campaignId"].get<int64_t>()];
    for (const auto& d : r["granularity"]) {
      dates.insert(d["date"].get<std::string>());
      taps_sum += d["taps"].get<long>();
      spend_sum += Cents(d["localSpend"]);
    }
  }
  EXPECT_EQ(dates.size(), 28u);
  EXPECT_EQ(*dates.begin(), "2026-02-01");
  for (const auto& [id, m] : by_campaign) {
    EXPECT_EQ(summed[id].first, m["taps"].get<long>()) << id;
    EXPECT_EQ(summed[id].second, Cents(m["localSpend"])) << id;
  }
  // Hours add up to their days.
  auto hourly = Report(Body("2026-03-01", "2026-03-02", {{"granularity", "HOURLY"}, {"returnGrandTotals", false}}), token);
  auto two_days = Report(Body("2026-03-01", "2026-03-02"), token);
  ASSERT_EQ(hourly->status, 200) << hourly->body;
  std::map<int64_t, long> hourly_taps, day_taps;
  const Json parsed2 = Json::parse(hourly->body);
  for (const auto& r : parsed2["data"]["reportingDataResponse"]["row"]) {
    for (const auto& h : r["granularity"]) {
      EXPECT_EQ(h["date"].get<std::string>().size(), 13u) << "YYYY-MM-DD HH";
      hourly_taps[r["metadata"]["campaignId"].get<int64_t>()] += h["taps"].get<long>();
    }
  }
  const Json parsed3 = Json::parse(two_days->body);
  for (const auto& r : parsed3["data"]["reportingDataResponse"]["row"]) {
    day_taps[r["metadata"]["campaignId"].get<int64_t>()] = r["total"]["taps"].get<long>();
  }
  EXPECT_EQ(hourly_taps, day_taps);

  // Paging and ordering.
  auto page = Report(Body("2026-02-01", "2026-02-28",
                          {{"selector", {{"orderBy", Json::array({{{"field", "impressions"}, {"sortOrder", "DESCENDING"}}})},
                                         {"pagination", {{"offset", 1}, {"limit", 2}}}}}}), token);
  ASSERT_EQ(page->status, 200) << page->body;
  const Json p = Json::parse(page->body);
  EXPECT_EQ(p["pagination"]["totalResults"], rows.size());
  EXPECT_EQ(p["pagination"]["startIndex"], 1);
  ASSERT_EQ(p["data"]["reportingDataResponse"]["row"].size(), 2u);
  std::vector<long> all_impressions;
  for (const auto& [id, m] : by_campaign) all_impressions.push_back(m["impressions"]);
  std::sort(all_impressions.rbegin(), all_impressions.rend());
  EXPECT_EQ(p["data"]["reportingDataResponse"]["row"][0]["total"]["impressions"], all_impressions[1]);
  EXPECT_EQ(p["data"]["reportingDataResponse"]["row"][1]["total"]["impressions"], all_impressions[2]);
  // A condition on the campaign.
  const int64_t first_id = by_campaign.begin()->first;
  auto one = Report(Body("2026-02-01", "2026-02-28",
                         {{"selector", {{"conditions", Json::array({{{"field", "campaignId"}, {"operator", "EQUALS"},
                                                                      {"values", Json::array({std::to_string(first_id)})}}})},
                                        {"orderBy", Json::array({{{"field", "campaignId"}, {"sortOrder", "ASCENDING"}}})}}}}), token);
  ASSERT_EQ(one->status, 200) << one->body;
  ASSERT_EQ(Json::parse(one->body)["data"]["reportingDataResponse"]["row"].size(), 1u);
}

TEST_F(SearchAdsTest, InstallsNeverExceedTheAppStoreDownloadsOfTheirDay) {
  const std::string token = AccessToken();
  const Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  for (const char* day : {"2026-02-14", "2026-03-01", "2026-03-09"}) {
    auto r = Report(Body(day, day, {{"groupBy", Json::array({"countryOrRegion"})}}), token);
    ASSERT_EQ(r->status, 200) << r->body;
    // First-time downloads of the day from the Sales report, by (Apple ID, country).
    std::map<std::pair<std::string, std::string>, long> downloads;
    std::istringstream in(portfolio.SalesSummaryDailyTsv(*Date::ParseIso(day)));
    std::string line;
    std::getline(in, line);
    const std::set<std::string> first_time = {"1", "1F", "1T", "F1"};
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::istringstream fs(line);
      for (std::string x; std::getline(fs, x, '\t');) f.push_back(x);
      if (first_time.contains(f[6]) && std::stol(f[7]) > 0) downloads[{f[14], f[12]}] += std::stol(f[7]);
    }
    int checked = 0;
    const Json parsed4 = Json::parse(r->body);
    for (const auto& row : parsed4["data"]["reportingDataResponse"]["row"]) {
      const std::string app = std::to_string(row["metadata"]["app"]["adamId"].get<int64_t>());
      const long installs = row["total"]["totalNewDownloads"];
      const std::pair<std::string, std::string> key{app, row["metadata"]["countryOrRegion"]};
      EXPECT_LE(installs, downloads[key]) << day << " " << app;
      checked += installs > 0;
    }
    EXPECT_GT(checked, 3) << day;
  }
}

std::string Gunzip(const std::string& gz) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}
std::string Md5(const std::string& data) {
  unsigned char md[16];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += "0123456789abcdef"[md[i] >> 4], hex += "0123456789abcdef"[md[i] & 15];
  return hex;
}

TEST_F(SandboxTest, AnalyticsRequestsReportsInstancesAndPresignedSegments) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  c.set_read_timeout(120, 0);
  auto create = [&](const Json& key, const std::string& access, const std::string& app) {
    const Json body = {{"data", {{"type", "analyticsReportRequests"}, {"attributes", {{"accessType", access}}},
                                 {"relationships", {{"app", {{"data", {{"type", "apps"}, {"id", app}}}}}}}}}};
    return c.Post("/v1/analyticsReportRequests", {{"Authorization", "Bearer " + Token(key)}}, body.dump(), "application/json");
  };
  const Json sales_key = Json::parse(ReadFile(dir_ / "key-sales.json"));
  EXPECT_EQ(create(developer_, "ONE_TIME_SNAPSHOT", "1476097583")->status, 403);
  EXPECT_EQ(create(sales_key, "ONE_TIME_SNAPSHOT", "1476097583")->status, 403) << "only admins create requests";
  EXPECT_EQ(create(key_, "SOMETIMES", "1476097583")->status, 422);
  EXPECT_EQ(create(key_, "ONE_TIME_SNAPSHOT", "999")->status, 422);
  auto created = create(key_, "ONE_TIME_SNAPSHOT", "1476097583");
  ASSERT_EQ(created->status, 201) << created->body;
  const Json request = Json::parse(created->body)["data"];
  EXPECT_EQ(request["type"], "analyticsReportRequests");
  EXPECT_EQ(request["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(request["attributes"]["stoppedDueToInactivity"], false);
  EXPECT_EQ(create(key_, "ONE_TIME_SNAPSHOT", "1476097583")->status, 409);
  const std::string id = request["id"];
  EXPECT_EQ(Json::parse(Get("/v1/apps/1476097583/analyticsReportRequests", Token(sales_key))->body)["data"].size(), 1u);

  // Reports, found by their exact names.
  const Json reports = Json::parse(Get("/v1/analyticsReportRequests/" + id + "/reports", Token(sales_key))->body);
  EXPECT_EQ(reports["data"].size(), 5u);
  auto downloads = Get("/v1/analyticsReportRequests/" + id + "/reports?filter%5Bname%5D=App%20Downloads%20Standard", Token(key_));
  ASSERT_EQ(downloads->status, 200) << downloads->body;
  const Json report = Json::parse(downloads->body)["data"][0];
  EXPECT_EQ(report["attributes"]["category"], "COMMERCE");
  const std::string report_id = report["id"];

  // The daily instance of a processing date, its segments and their pre-signed URLs.
  auto segments_of = [&](const std::string& processing) {
    const Json inst = Json::parse(Get("/v1/analyticsReports/" + report_id +
                                      "/instances?filter%5Bgranularity%5D=DAILY&filter%5BprocessingDate%5D=" + processing,
                                      Token(key_))->body);
    EXPECT_EQ(inst["data"].size(), 1u) << processing;
    EXPECT_EQ(inst["data"][0]["attributes"]["processingDate"], processing);
    return Json::parse(Get("/v1/analyticsReportInstances/" + inst["data"][0]["id"].get<std::string>() + "/segments",
                           Token(key_))->body)["data"];
  };
  auto download = [&](const Json& segment) {
    const std::string url = segment["attributes"]["url"];
    const std::string path = url.substr(url.find("/_analytics-data/"));
    auto r = c.Get(path.c_str());
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(Md5(r->body), segment["attributes"]["checksum"]);
    EXPECT_EQ(r->body.size(), segment["attributes"]["sizeInBytes"].get<size_t>());
    return Gunzip(r->body);
  };
  // (Date, Territory, Device) → first-time downloads, final or preliminary.
  using Key = std::tuple<std::string, std::string, std::string>;
  auto read = [&](const std::string& processing) {
    std::map<Key, long> out;
    for (const auto& segment : segments_of(processing)) {
      std::istringstream in(download(segment));
      std::string line;
      std::getline(in, line);
      EXPECT_EQ(line, "Date\tApp Name\tApp Apple Identifier\tDownload Type\tApp Version\tDevice\tPlatform Version\t"
                      "Source Type\tPage Type\tPre-Order\tTerritory\tCounts");
      while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::istringstream fs(line);
        for (std::string x; std::getline(fs, x, '\t');) f.push_back(x);
        EXPECT_GE(std::stol(f[11]), 5) << "privacy threshold";
        if (f[3] == "First-time download" && f[9] == "No") out[{f[0], f[10], f[5]}] += std::stol(f[11]);
      }
    }
    return out;
  };
  const auto p5 = read("2026-03-05"), p7 = read("2026-03-07");
  // 2026-03-04 appears first as a preliminary figure (processed 03-05), then final (03-07).
  long preliminary = 0, final_count = 0;
  for (const auto& [k, v] : p5) preliminary += std::get<0>(k) == "2026-03-04" ? v : 0;
  for (const auto& [k, v] : p7) final_count += std::get<0>(k) == "2026-03-04" ? v : 0;
  EXPECT_GT(preliminary, 0);
  EXPECT_GT(final_count, preliminary) << "a later instance completes the day";
  // Final first-time downloads agree with the Sales report of the day, less what privacy hides
  // (under five in any of the four sources of a territory and device).
  std::map<std::pair<std::string, std::string>, long> sales;
  const Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  std::istringstream in(portfolio.SalesSummaryDailyTsv(*Date::ParseIso("2026-03-04")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fs(line);
    for (std::string x; std::getline(fs, x, '\t');) f.push_back(x);
    if (f[14] == "1476097583" && f[6] == "1F" && std::stol(f[7]) > 0) {
      sales[{f[12], f[22] == "Desktop" ? "Mac" : f[22]}] += std::stol(f[7]);
    }
  }
  int compared = 0;
  for (const auto& [where, units] : sales) {
    const Key k{"2026-03-04", where.first, where.second};
    const long analytics = p7.contains(k) ? p7.at(k) : 0;
    EXPECT_LE(analytics, units) << where.first << " " << where.second;
    EXPECT_LE(units - analytics, 4 * 4) << where.first << " " << where.second;
    compared += analytics > 0;
  }
  EXPECT_GT(compared, 10);

  // Segment URLs are fetched without authorization, unaltered, before they expire.
  const Json segment = segments_of("2026-03-05")[0];
  const std::string url = segment["attributes"]["url"];
  const std::string path = url.substr(url.find("/_analytics-data/"));
  EXPECT_EQ(c.Get(path.c_str(), {{"Authorization", "Bearer " + Token(key_)}})->status, 400);
  std::string tampered = path;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_EQ(c.Get(tampered.c_str())->status, 403);
  ASSERT_EQ(c.Post("/_sandbox/analytics/expire-urls", "", "application/json")->status, 200);
  auto expired = c.Get(path.c_str());
  EXPECT_EQ(expired->status, 403);
  EXPECT_NE(expired->body.find("Request has expired"), std::string::npos);
  // Weekly instances come on Fridays, monthly ones on the 5th.
  const Json weekly = Json::parse(Get("/v1/analyticsReports/" + report_id + "/instances?filter%5Bgranularity%5D=WEEKLY&limit=200",
                                      Token(key_))->body);
  ASSERT_FALSE(weekly["data"].empty());
  EXPECT_EQ(Date::ParseIso(weekly["data"][0]["attributes"]["processingDate"].get<std::string>())->iso_weekday(), 5u);
  // An ongoing request: nothing on its first day, an instance a day after, none once Apple
  // stops it for inactivity (which the request then says).
  auto ongoing = create(key_, "ONGOING", "1476097583");
  ASSERT_EQ(ongoing->status, 201) << ongoing->body;
  const std::string ongoing_id = Json::parse(ongoing->body)["data"]["id"];
  const std::string ongoing_report = "r1-" + ongoing_id;
  auto daily_count = [&]() {
    return Json::parse(Get("/v1/analyticsReports/" + ongoing_report + "/instances?filter%5Bgranularity%5D=DAILY",
                           Token(key_))->body)["data"].size();
  };
  EXPECT_EQ(daily_count(), 0u);
  ASSERT_EQ(c.Post("/_sandbox/today", R"({"date":"2026-03-13"})", "application/json")->status, 200);
  EXPECT_EQ(daily_count(), 3u);
  ASSERT_EQ(c.Post("/_sandbox/analytics/stop-requests", "", "application/json")->status, 200);
  EXPECT_EQ(Json::parse(Get("/v1/analyticsReportRequests/" + ongoing_id, Token(key_))->body)["data"]["attributes"]
                ["stoppedDueToInactivity"], true);
  ASSERT_EQ(c.Post("/_sandbox/today", R"({"date":"2026-03-16"})", "application/json")->status, 200);
  EXPECT_EQ(daily_count(), 3u);
  // Deleting the request ends it.
  EXPECT_EQ(c.Delete(("/v1/analyticsReportRequests/" + id).c_str(), {{"Authorization", "Bearer " + Token(key_)}})->status, 204);
  EXPECT_EQ(Get("/v1/analyticsReportRequests/" + id, Token(key_))->status, 404);
}

TEST_F(SandboxTest, TodayMovesByControlAndOldReportsExpireAfterAYear) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  // Retention: daily reports 365 days, yearly ones for ever (today = 2026-03-10).
  EXPECT_EQ(Get(SalesPath("2025-03-10"), Token(key_))->status, 200);
  auto expired = Get(SalesPath("2025-03-09"), Token(key_));
  EXPECT_EQ(expired->status, 404);
  EXPECT_EQ(FirstError(expired)["detail"], "There were no sales for the date specified.");
  std::string yearly = SalesPath("2024");
  yearly.replace(yearly.find("DAILY"), 5, "YEARLY");
  EXPECT_EQ(Get(yearly, Token(key_))->status, 200);
  // Today is 2026-03-10: the 10th is not published; after moving today it is, and is the
  // same report a sandbox started on the later day serves.
  EXPECT_EQ(Get(SalesPath("2026-03-10"), Token(key_))->status, 404);
  auto moved = c.Post("/_sandbox/today", R"({"date":"2026-03-12"})", "application/json");
  ASSERT_EQ(moved->status, 200) << moved->body;
  EXPECT_EQ(Json::parse(c.Get("/_sandbox/today")->body)["today"], "2026-03-12");
  auto now_published = Get(SalesPath("2026-03-10"), Token(key_));
  ASSERT_EQ(now_published->status, 200);
  EXPECT_EQ(now_published->body,
            GzipBytes(Portfolio(11, *Date::ParseIso("2026-03-12")).SalesSummaryDailyTsv(*Date::ParseIso("2026-03-10"))));
  EXPECT_EQ(c.Post("/_sandbox/today", R"({"date":"March"})", "application/json")->status, 400);
  // The ECB file at the ECB's path.
  auto fx = c.Get("/stats/eurofxref/eurofxref-hist.csv");
  ASSERT_EQ(fx->status, 200);
  EXPECT_EQ(fx->body.rfind("Date,", 0), 0u);
  EXPECT_EQ(fx->body.substr(fx->body.find('\n') + 1, 10), "2026-03-12") << "newest first, up to today";
}

TEST_F(SandboxTest, IndividualKeysAndScopedTokensFollowSection1) {
  const Json individual = Json::parse(ReadFile(dir_ / "key-individual.json"));
  EXPECT_FALSE(individual.contains("issuer_id"));
  Json signer = individual;  // Token() fills iss from issuer_id; the patches below remove it
  signer["issuer_id"] = key_["issuer_id"];
  // An individual key signs with sub: "user" and no iss; it may read apps but not sales.
  const std::string user_token = Token(signer, Json::object(), {{"iss", nullptr}, {"sub", "user"}});
  EXPECT_EQ(Get("/v1/apps", user_token)->status, 200);
  auto sales = Get(SalesPath("2026-03-01"), user_token);
  EXPECT_EQ(sales->status, 403);
  EXPECT_EQ(FirstError(sales)["code"], "FORBIDDEN_ERROR");
  EXPECT_EQ(Get("/v1/apps", Token(signer))->status, 401) << "an individual key's token has no iss";
  EXPECT_EQ(Get("/v1/apps", Token(key_, Json::object(), {{"iss", nullptr}, {"sub", "user"}}))->status, 401)
      << "a team key's token needs its iss";
  // Scopes: GET entries only; the request must match one (limit, cursor and sort aside).
  const std::string scoped = Token(key_, Json::object(), {{"scope", Json::array({"GET /v1/apps?filter[sku]=snapjournal"})}});
  EXPECT_EQ(Get("/v1/apps?filter%5Bsku%5D=snapjournal&limit=5", scoped)->status, 200);
  EXPECT_EQ(Get("/v1/apps", scoped)->status, 401);
  EXPECT_EQ(Get("/v1/users", scoped)->status, 401);
  EXPECT_EQ(Get("/v1/apps", Token(key_, Json::object(), {{"scope", Json::array({"POST /v1/apps"})}}))->status, 401);
}

TEST_F(SandboxTest, FaultsTruncateDropReviseAndAddRetryAfter) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  auto post = [&](const std::string& json) { return c.Post("/_sandbox/faults", json, "application/json")->status; };
  const std::string whole = Get(SalesPath("2026-03-01"), Token(key_))->body;

  ASSERT_EQ(post(R"({"rate_limit_next":1,"retry_after":7})"), 200);
  auto limited = Get(SalesPath("2026-03-01"), Token(key_));
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "7");

  ASSERT_EQ(post(R"({"truncate_next":1})"), 200);
  auto truncated = Get(SalesPath("2026-03-01"), Token(key_));
  EXPECT_EQ(truncated->status, 200);
  EXPECT_EQ(truncated->body, whole.substr(0, whole.size() / 2));

  ASSERT_EQ(post(R"({"drop_next":1})"), 200);
  auto dropped = Get(SalesPath("2026-03-01"), Token(key_));
  EXPECT_TRUE(!dropped || dropped->body.size() < whole.size());
  EXPECT_EQ(Get(SalesPath("2026-03-01"), Token(key_))->body, whole);  // back to normal

  ASSERT_EQ(post(R"({"revise_dates":["2026-03-01"]})"), 200);
  const std::string revised = Get(SalesPath("2026-03-01"), Token(key_))->body;
  EXPECT_NE(revised, whole);
  EXPECT_EQ(revised, GzipBytes(Portfolio(11, *Date::ParseIso("2026-03-10"))
                                   .SalesSummaryDailyTsv(*Date::ParseIso("2026-03-01"), {{Date::ParseIso("2026-03-01")->days(), 1}})));

  EXPECT_EQ(post(R"({"explode":true})"), 400);
  EXPECT_EQ(post("not json"), 400);
}

TEST_F(SandboxTest, AppsPageThroughLinksNextAndFilterSortAndSelectFields) {
  // today = 2026-03-10: the portfolio has launched its six apps by then.
  std::vector<std::string> ids;
  std::string next = "/v1/apps?limit=4&sort=name";
  int pages = 0;
  while (!next.empty() && pages < 5) {
    auto r = Get(next, Token(key_));
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    const Json doc = Json::parse(r->body);
    EXPECT_EQ(doc["meta"]["paging"]["total"], 6);
    EXPECT_EQ(doc["meta"]["paging"]["limit"], 4);
    for (const auto& app : doc["data"]) {
      EXPECT_EQ(app["type"], "apps");
      ids.push_back(app["attributes"]["name"]);
    }
    next.clear();
    if (doc["links"].contains("next")) {
      const std::string url = doc["links"]["next"];
      next = url.substr(url.find("/v1/"));
      EXPECT_NE(next.find("sort=name"), std::string::npos) << "links.next keeps the query";
    }
    ++pages;
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(ids, (std::vector<std::string>{"FitPulse", "Pixel Studio", "Snap Journal", "Tablet Sketch",
                                           "Trail Maps", "Word Quest"}));

  auto mac = Json::parse(Get("/v1/apps?filter%5BappStoreVersions.platform%5D=MAC_OS&fields%5Bapps%5D=name,sku", Token(key_))->body);
  ASSERT_EQ(mac["data"].size(), 1u);
  EXPECT_EQ(mac["data"][0]["attributes"], Json({{"name", "Pixel Studio"}, {"sku", "pixelstudio.mac"}}));

  auto one = Get("/v1/apps/1476097583", Token(key_));
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(Json::parse(one->body)["data"]["attributes"]["bundleId"], "com.orcharddemo.snapjournal");
  EXPECT_EQ(Get("/v1/apps/999", Token(key_))->status, 404);
  EXPECT_EQ(FirstError(Get("/v1/apps?limit=201", Token(key_)))["source"]["parameter"], "limit");
  EXPECT_EQ(Get("/v1/apps?cursor=bm9wZQ", Token(key_))->status, 400);
  EXPECT_EQ(Get("/v1/apps?sort=color", Token(key_))->status, 400);
  EXPECT_EQ(Get("/v1/apps", "bad")->status, 401);
}

TEST_F(SandboxTest, RateLimitAnswers429WhenTheHourIsUsedUp) {
  StartWith(3);
  const std::string token = Token(key_);
  EXPECT_EQ(Get(SalesPath("2026-03-01"), token)->get_header_value("X-Rate-Limit"), "user-hour-lim:3;user-hour-rem:2;");
  EXPECT_EQ(Get(SalesPath("2026-03-02"), token)->status, 200);
  EXPECT_EQ(Get(SalesPath("2026-03-03"), token)->get_header_value("X-Rate-Limit"), "user-hour-lim:3;user-hour-rem:0;");
  auto limited = Get(SalesPath("2026-03-04"), token);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(FirstError(limited)["code"], "RATE_LIMIT_EXCEEDED");
}

TEST_F(SandboxTest, ControlEndpointsRevokeInjectFaultsAndLogRequests) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  ASSERT_EQ(c.Post("/_sandbox/faults", R"({"fail_next":{"status":503,"count":1},"not_yet_dates":["2026-03-02"]})",
                   "application/json")->status, 200);
  EXPECT_EQ(Get(SalesPath("2026-03-01"), Token(key_))->status, 503);
  EXPECT_EQ(Get(SalesPath("2026-03-01"), Token(key_))->status, 200);
  auto held = Get(SalesPath("2026-03-02"), Token(key_));
  EXPECT_EQ(held->status, 404);
  EXPECT_NE(FirstError(held)["detail"].get<std::string>().find("not available yet"), std::string::npos);

  ASSERT_EQ(c.Post(("/_sandbox/keys/" + key_["key_id"].get<std::string>() + "/revoke").c_str(), "", "application/json")->status, 200);
  EXPECT_EQ(Get(SalesPath("2026-03-01"), Token(key_))->status, 401);

  auto log = Json::parse(c.Get("/_sandbox/requests")->body);
  ASSERT_EQ(log.size(), 4u) << log.dump();
  EXPECT_EQ(log[0]["status"], 503);
  EXPECT_EQ(log[3]["status"], 401);
  EXPECT_EQ(log[0]["kid"], key_["key_id"]);

  auto raw = c.Get("/_sandbox/salesReports?date=2026-03-01");
  EXPECT_EQ(raw->status, 200);
  EXPECT_EQ(static_cast<unsigned char>(raw->body[0]), 0x1f);
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

// Written from apple-apis.md §4.1–4.2 (shapes, paging, filters, roles), not from the code.
class ReviewsTest : public SandboxTest {
 protected:
  Json Reviews(const std::string& query, const Json& key) {
    auto r = Get("/v1/apps/1476097583/customerReviews" + query, Token(key));
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body);
  }
  httplib::Result Post(const std::string& body, const Json& key, const char* type = "application/json") {
    httplib::Client c("127.0.0.1", sandbox_->port());
    return c.Post("/v1/customerReviewResponses", {{"Authorization", "Bearer " + Token(key)}}, body, type);
  }
  static std::string ResponseBody(const std::string& review_id, const std::string& text) {
    return Json{{"data", {{"type", "customerReviewResponses"},
                          {"attributes", {{"responseBody", text}}},
                          {"relationships", {{"review", {{"data", {{"type", "customerReviews"}, {"id", review_id}}}}}}}}}}.dump();
  }
};

TEST_F(ReviewsTest, ReviewsHaveTheDocumentedShapeNewestFirstAndPageThroughLinksNext) {
  const Json page = Reviews("?limit=20", key_);
  ASSERT_EQ(page["data"].size(), 20u);
  const int total = page["meta"]["paging"]["total"];
  EXPECT_GT(total, 100);
  const Json& first = page["data"][0];
  EXPECT_EQ(first["type"], "customerReviews");
  for (const char* a : {"rating", "title", "body", "reviewerNickname", "createdDate", "territory"}) {
    EXPECT_TRUE(first["attributes"].contains(a)) << a;
  }
  const std::string created = first["attributes"]["createdDate"];
  ASSERT_EQ(created.size(), 25u) << created;  // 2026-03-09T11:19:36-07:00
  EXPECT_TRUE(created.ends_with("-07:00") || created.ends_with("-08:00")) << created;
  EXPECT_EQ(first["attributes"]["territory"].get<std::string>().size(), 3u);
  for (size_t i = 1; i < page["data"].size(); ++i) {
    EXPECT_GE(page["data"][i - 1]["attributes"]["createdDate"].get<std::string>().substr(0, 10),
              page["data"][i]["attributes"]["createdDate"].get<std::string>().substr(0, 10));
  }
  // Walk every page; ids are unique and the count matches the total.
  std::set<std::string> ids;
  std::string next = "/v1/apps/1476097583/customerReviews?limit=200";
  for (int guard = 0; !next.empty() && guard < 100; ++guard) {
    const Json doc = Json::parse(Get(next, Token(key_))->body);
    for (const auto& r : doc["data"]) ids.insert(r["id"]);
    next = doc["links"].contains("next") ? doc["links"]["next"].get<std::string>() : "";
    if (!next.empty()) next = next.substr(next.find("/v1/"));
  }
  EXPECT_EQ(static_cast<int>(ids.size()), total);
}

TEST_F(ReviewsTest, FiltersAndSortsAsDocumented) {
  const Json low = Reviews("?filter%5Brating%5D=1,2&sort=-rating,-createdDate&limit=200", key_);
  ASSERT_FALSE(low["data"].empty());
  for (const auto& r : low["data"]) EXPECT_LE(r["attributes"]["rating"].get<int>(), 2);
  EXPECT_EQ(low["data"][0]["attributes"]["rating"], 2);
  const Json jp = Reviews("?filter%5Bterritory%5D=JPN&limit=200", key_);
  for (const auto& r : jp["data"]) EXPECT_EQ(r["attributes"]["territory"], "JPN");
  const Json sparse = Reviews("?fields%5BcustomerReviews%5D=rating&limit=1", key_);
  EXPECT_EQ(sparse["data"][0]["attributes"].size(), 1u);
  EXPECT_EQ(Get("/v1/apps/1476097583/customerReviews?filter%5Brating%5D=6", Token(key_))->status, 400);
  EXPECT_EQ(Get("/v1/apps/1476097583/customerReviews?sort=title", Token(key_))->status, 400);
  EXPECT_EQ(Get("/v1/apps/999/customerReviews", Token(key_))->status, 404);
}

TEST_F(ReviewsTest, ResponsesAreCreatedReplacedPublishedAndDeletedByTheRightRoles) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  ASSERT_EQ(c.Post("/_sandbox/faults", R"({"publish_delay_ms":300})", "application/json")->status, 200);
  const std::string review = Reviews("?limit=1", key_)["data"][0]["id"];

  auto developer = Post(ResponseBody(review, "Thanks!"), developer_);
  EXPECT_EQ(developer->status, 403);  // reading is fine for a Developer, replying is not
  EXPECT_EQ(Post(ResponseBody(review, "Thanks!"), key_, "text/plain")->status, 415);
  EXPECT_EQ(Post("{not json", key_)->status, 400);
  EXPECT_EQ(Post(R"({"data":{"type":"customerReviewResponses"}})", key_)->status, 422);
  EXPECT_EQ(Post(ResponseBody("no-such-review", "Thanks!"), key_)->status, 409);

  auto created = Post(ResponseBody(review, "Thanks!"), key_);
  ASSERT_EQ(created->status, 201) << created->body;
  const Json first = Json::parse(created->body)["data"];
  EXPECT_EQ(first["type"], "customerReviewResponses");
  EXPECT_EQ(first["attributes"]["state"], "PENDING_PUBLISH");
  EXPECT_EQ(first["relationships"]["review"]["data"]["id"], review);

  auto replaced = Post(ResponseBody(review, "Thanks, fixed in 2.1!"), key_);
  ASSERT_EQ(replaced->status, 201);
  const std::string id = Json::parse(replaced->body)["data"]["id"];
  auto via_review = Get("/v1/customerReviews/" + review + "/response", Token(key_));
  EXPECT_EQ(Json::parse(via_review->body)["data"]["attributes"]["responseBody"], "Thanks, fixed in 2.1!");

  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the configured publish delay, not a timing assertion
  EXPECT_EQ(Json::parse(Get("/v1/customerReviewResponses/" + id, Token(key_))->body)["data"]["attributes"]["state"],
            "PUBLISHED");
  const Json answered = Reviews("?exists%5BpublishedResponse%5D=true&include=response", key_);
  ASSERT_EQ(answered["data"].size(), 1u);
  EXPECT_EQ(answered["included"][0]["id"], id);

  auto del = c.Delete(("/v1/customerReviewResponses/" + id).c_str(), {{"Authorization", "Bearer " + Token(key_)}});
  EXPECT_EQ(del->status, 204);
  EXPECT_EQ(Get("/v1/customerReviewResponses/" + id, Token(key_))->status, 404);
  EXPECT_EQ(Get("/v1/customerReviews/" + review + "/response", Token(key_))->status, 404);
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

TEST_F(SandboxTest, UsersListTheTeamWithRolesForAdminsOnly) {
  auto all = Get("/v1/users?sort=lastName", Token(key_));
  ASSERT_EQ(all->status, 200) << all->body;
  const Json doc = Json::parse(all->body);
  EXPECT_EQ(doc["meta"]["paging"]["total"], 7);
  EXPECT_EQ(doc["data"][0]["type"], "users");
  EXPECT_EQ(doc["data"][0]["attributes"]["lastName"], "Admin");  // sorted by last name
  for (const auto& u : doc["data"]) EXPECT_TRUE(u["attributes"]["roles"].is_array());
  auto support = Json::parse(Get("/v1/users?filter%5Broles%5D=CUSTOMER_SUPPORT", Token(key_))->body);
  ASSERT_EQ(support["data"].size(), 1u);
  EXPECT_EQ(support["data"][0]["attributes"]["roles"], Json::array({"CUSTOMER_SUPPORT"}));
  EXPECT_EQ(Get("/v1/users", Token(developer_))->status, 403);
  EXPECT_EQ(Get("/v1/users?filter%5Bcolor%5D=red", Token(key_))->status, 400);
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

// Written from apple-apis.md §8.1.
TEST_F(SandboxTest, ReviewsRssPagesFiftyAtATimeWithTheFeedsQuirks) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  c.set_read_timeout(120, 0);
  auto page = [&](int n) {
    auto r = c.Get(("/us/rss/customerreviews/page=" + std::to_string(n) + "/id=1476097583/sortby=mostrecent/json").c_str());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type").rfind("application/json", 0), 0u);
    return Json::parse(r->body)["feed"];
  };
  const Json first = page(1);
  ASSERT_TRUE(first["entry"].is_array());
  EXPECT_FALSE(first["entry"][0].contains("im:rating"));  // the app-metadata entry
  EXPECT_EQ(first["entry"][0]["im:name"]["label"], "Snap Journal");
  EXPECT_EQ(first["entry"].size(), 51u);
  const Json& review = first["entry"][1];
  const std::string rating = review["im:rating"]["label"];
  EXPECT_TRUE(rating >= "1" && rating <= "5" && rating.size() == 1);
  EXPECT_TRUE(review["id"]["label"].is_string());
  EXPECT_TRUE(review["im:version"]["label"].get<std::string>().rfind("2.", 0) == 0);
  EXPECT_EQ(review["updated"]["label"].get<std::string>().size(), 25u);

  // Walk to the first empty page: no "entry" key there; ids unique; newest first throughout.
  std::set<std::string> ids;
  std::string previous = "9999";
  int n = 1;
  for (; n <= 11; ++n) {
    const Json feed = page(n);
    if (!feed.contains("entry")) break;
    const Json entries = feed["entry"].is_array() ? feed["entry"] : Json::array({feed["entry"]});
    for (const auto& e : entries) {
      if (!e.contains("im:rating")) continue;
      EXPECT_TRUE(ids.insert(e["id"]["label"]).second);
      EXPECT_LE(e["updated"]["label"].get<std::string>().substr(0, 10), previous);
      previous = e["updated"]["label"].get<std::string>().substr(0, 10);
    }
  }
  EXPECT_LE(ids.size(), 500u);
  // The RSS feed shows the same reviews the API has for that storefront (the newest 500).
  const Json api = Json::parse(Get("/v1/apps/1476097583/customerReviews?filter%5Bterritory%5D=USA&limit=1", Token(key_))->body);
  EXPECT_EQ(ids.size(), std::min<size_t>(500, api["meta"]["paging"]["total"].get<size_t>()));

  // Segment order and case are flexible.
  auto reordered = c.Get("/us/rss/customerreviews/id=1476097583/sortBy=mostRecent/page=1/json");
  EXPECT_EQ(Json::parse(reordered->body)["feed"]["entry"], first["entry"]);
  EXPECT_EQ(c.Get("/us/rss/customerreviews/page=1/sortby=mostrecent/json")->status, 400);
  EXPECT_FALSE(Json::parse(c.Get("/us/rss/customerreviews/page=1/id=42/sortby=mostrecent/json")->body)["feed"].contains("entry"));
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

TEST_F(SandboxTest, LookupAndSearchDescribeAppsWithRatingsFromTheirReviews) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  auto look = Json::parse(c.Get("/lookup?id=1476097583,1502233110&country=us")->body);
  ASSERT_EQ(look["resultCount"], 2);
  const Json& snap = look["results"][0];
  EXPECT_EQ(snap["trackId"], 1476097583);  // an integer, as the API writes it
  EXPECT_EQ(snap["wrapperType"], "software");
  EXPECT_EQ(snap["bundleId"], "com.orcharddemo.snapjournal");
  EXPECT_TRUE(snap["genreIds"][0].is_string());
  EXPECT_TRUE(snap["fileSizeBytes"].is_string());
  EXPECT_EQ(snap["formattedPrice"], "Free");
  EXPECT_EQ(look["results"][1]["currency"], "USD");
  EXPECT_GT(look["results"][1]["price"].get<double>(), 0);
  // The rating count is the number of US reviews the API has for the app.
  const Json api = Json::parse(Get("/v1/apps/1476097583/customerReviews?filter%5Bterritory%5D=USA&limit=1", Token(key_))->body);
  EXPECT_EQ(snap["userRatingCount"], api["meta"]["paging"]["total"]);
  const Json jp = Json::parse(c.Get("/lookup?id=1502233110&country=jp")->body);
  EXPECT_EQ(jp["results"][0]["currency"], "JPY");

  auto search = Json::parse(c.Get("/search?term=sketch&country=us&entity=software")->body);
  ASSERT_EQ(search["resultCount"], 1);
  EXPECT_EQ(search["results"][0]["trackName"], "Tablet Sketch");
  auto mac = Json::parse(c.Get("/search?term=pixel&entity=macSoftware")->body);
  ASSERT_EQ(mac["resultCount"], 1);
  EXPECT_EQ(mac["results"][0]["kind"], "mac-software");
  EXPECT_EQ(Json::parse(c.Get("/lookup?bundleId=com.orcharddemo.wordquest")->body)["resultCount"], 1);
  EXPECT_EQ(Json::parse(c.Get("/lookup?id=1")->body)["resultCount"], 0);
}

}  // namespace
}  // namespace orchard::sandbox

namespace orchard::sandbox {
namespace {

TEST_F(SandboxTest, TopChartsV2RankAppsAndMoveFromDayToDay) {
  httplib::Client c("127.0.0.1", sandbox_->port());
  auto r = c.Get("/api/v2/us/apps/top-free/100/apps.json");
  ASSERT_EQ(r->status, 200);
  const Json feed = Json::parse(r->body)["feed"];
  EXPECT_EQ(feed["country"], "us");
  EXPECT_EQ(feed["title"], "Top Free Apps");
  ASSERT_EQ(feed["results"].size(), 100u);
  std::set<std::string> ids;
  for (const auto& a : feed["results"]) {
    EXPECT_TRUE(a["id"].is_string());
    EXPECT_EQ(a["kind"], "apps");
    EXPECT_TRUE(a["genres"][0]["genreId"].is_string());
    ids.insert(a["id"]);
  }
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_TRUE(ids.contains("1476097583") || ids.contains("1650007788") || ids.contains("1523344771"))
      << "some of the portfolio's free apps chart in the top 100";
  auto paid = Json::parse(c.Get("/api/v2/us/apps/top-paid/25/apps.json")->body)["feed"]["results"];
  EXPECT_EQ(paid.size(), 25u);
  EXPECT_EQ(c.Get("/api/v2/us/apps/top-free/200/apps.json")->status, 404);
  EXPECT_EQ(c.Get("/api/v2/us/apps/top-grossing/10/apps.json")->status, 404);

  // Another day, another order (the top 100 differs somewhere).
  const Json today = feed["results"];
  StartWith(3600);  // same seed and day: identical
  EXPECT_EQ(Json::parse(httplib::Client("127.0.0.1", sandbox_->port()).Get("/api/v2/us/apps/top-free/100/apps.json")->body)["feed"]["results"], today);
  SandboxOptions o;
  o.keys_dir = dir_ / "other";
  o.seed = 11;
  o.today = *Date::ParseIso("2026-03-11");
  auto next_day = Sandbox::Start(o);
  ASSERT_TRUE(next_day.has_value());
  const Json tomorrow = Json::parse(httplib::Client("127.0.0.1", (*next_day)->port()).Get("/api/v2/us/apps/top-free/100/apps.json")->body)["feed"]["results"];
  EXPECT_NE(tomorrow, today);
}

}  // namespace
}  // namespace orchard::sandbox
