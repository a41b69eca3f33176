#include "apple/asc/asc_client.h"

#include <gtest/gtest.h>

#include "apple/testing/scripted_http.h"

#include <deque>

namespace orchard::apple::asc {
namespace {

using apple::testing::ScriptedHttp;

class RecordingSleeper final : public Sleeper {
 public:
  void Sleep(std::chrono::milliseconds d) override { sleeps.push_back(d); }
  std::vector<std::chrono::milliseconds> sleeps;
};

std::string ErrorBody(const std::string& status, const std::string& code, const std::string& detail,
                      const std::string& parameter = "") {
  std::string source = parameter.empty() ? "" : R"(,"source":{"parameter":")" + parameter + R"("})";
  return R"({"errors":[{"status":")" + status + R"(","code":")" + code +
         R"(","title":"t","detail":")" + detail + "\"" + source + "}]}";
}

const std::string kGzip = std::string("\x1f\x8b\x08\x00", 4) + "rest";

class AscClientTest : public ::testing::Test {
 protected:
  AscClient Client() {
    return AscClient("http://127.0.0.1:1/", [] { return Result<std::string>("tok"); }, &http_,
                     RetryPolicy{}, &sleeper_, 42);
  }
  SalesReportQuery Query() {
    SalesReportQuery q;
    q.vendor_number = "85442109";
    q.report_date = "2026-01-05";
    return q;
  }
  ScriptedHttp http_;
  RecordingSleeper sleeper_;
};

TEST_F(AscClientTest, BuildsTheDocumentedRequest) {
  http_.Reply(200, kGzip, {{"x-rate-limit", "user-hour-lim:3600;user-hour-rem:3599;"}});
  auto client = Client();
  auto r = client.GetSalesReport(Query());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->availability, ReportAvailability::kData);
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& url = http_.requests[0].url;
  EXPECT_EQ(url.find("http://127.0.0.1:1/v1/salesReports?"), 0u);
  for (const char* part : {"filter%5Bfrequency%5D=DAILY", "filter%5BreportType%5D=SALES",
                           "filter%5BreportSubType%5D=SUMMARY", "filter%5BvendorNumber%5D=85442109",
                           "filter%5BreportDate%5D=2026-01-05", "filter%5Bversion%5D=1_0"}) {
    EXPECT_NE(url.find(part), std::string::npos) << part;
  }
  EXPECT_EQ(http_.requests[0].headers[0].second, "Bearer tok");
  ASSERT_TRUE(client.last_rate_limit().has_value());
  EXPECT_EQ(client.last_rate_limit()->limit, 3600);
  EXPECT_EQ(client.last_rate_limit()->remaining, 3599);
}

TEST_F(AscClientTest, NoSalesAndNotYetAvailableAreResultsNotErrors) {
  http_.Reply(404, ErrorBody("404", "NOT_FOUND", "There were no sales for the date specified."));
  http_.Reply(404, ErrorBody("404", "NOT_FOUND", "Report is not available yet. Daily reports for the Americas are available by 5 am Pacific Time."));
  auto client = Client();
  EXPECT_EQ(client.GetSalesReport(Query())->availability, ReportAvailability::kNoSales);
  EXPECT_EQ(client.GetSalesReport(Query())->availability, ReportAvailability::kNotYetAvailable);
  EXPECT_TRUE(sleeper_.sleeps.empty());
}

TEST_F(AscClientTest, RejectedKeyIsNotRetried) {
  http_.Reply(401, ErrorBody("401", "NOT_AUTHORIZED", "Provide a properly configured and signed bearer token"));
  auto r = Client().GetSalesReport(Query());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kUnauthenticated);
  EXPECT_NE(r.error().message().find("key rejected"), std::string::npos);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(AscClientTest, MissingRoleNamesTheRole) {
  http_.Reply(403, ErrorBody("403", "FORBIDDEN_ERROR", "The API key in use does not allow this request"));
  auto r = Client().GetSalesReport(Query());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kPermissionDenied);
  EXPECT_NE(r.error().message().find("lacks the Sales role"), std::string::npos);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(AscClientTest, RateLimitAndServerErrorsRetryAtMostThreeTimesHonouringRetryAfter) {
  http_.Reply(429, ErrorBody("429", "RATE_LIMIT_EXCEEDED", "slow down"), {{"retry-after", "7"}});
  http_.Reply(503, ErrorBody("503", "UNEXPECTED_ERROR", "oops"));
  http_.Reply(200, kGzip);
  auto r = Client().GetSalesReport(Query());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(sleeper_.sleeps.size(), 2u);
  EXPECT_EQ(sleeper_.sleeps[0], std::chrono::seconds(7));
  EXPECT_LE(sleeper_.sleeps[1], std::chrono::milliseconds(2000));  // full jitter under base*2^1

  http_.requests.clear();
  sleeper_.sleeps.clear();
  for (int i = 0; i < 5; ++i) http_.Reply(500, ErrorBody("500", "UNEXPECTED_ERROR", "down"));
  auto failed = Client().GetSalesReport(Query());
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), Code::kUnavailable);
  EXPECT_EQ(http_.requests.size(), 3u);
  EXPECT_EQ(sleeper_.sleeps.size(), 2u);
}

TEST_F(AscClientTest, TransportFailuresAreRetriedToo) {
  http_.script.push_back(Error(Code::kUnavailable, "connection refused"));
  http_.Reply(200, kGzip);
  EXPECT_TRUE(Client().GetSalesReport(Query()).has_value());
  EXPECT_EQ(http_.requests.size(), 2u);
}

TEST_F(AscClientTest, ANewerReportVersionIsReadFromTheErrorAndRetriedOnce) {
  http_.Reply(400, ErrorBody("400", "PARAMETER_ERROR.INVALID",
                             "The version parameter you have specified is invalid. The latest version for this report is 1_3.",
                             "filter[version]"));
  http_.Reply(200, kGzip);
  auto r = Client().GetSalesReport(Query());
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(http_.requests[1].url.find("filter%5Bversion%5D=1_3"), std::string::npos);
}

TEST_F(AscClientTest, AnAlreadyInflatedTsvBodyIsAccepted) {
  http_.Reply(200, "Provider\tUnits\nAPPLE\t1\n");
  auto r = Client().GetSalesReport(Query());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->body, "Provider\tUnits\nAPPLE\t1\n");
}

TEST_F(AscClientTest, A200ThatIsNotGzipIsRefused) {
  http_.Reply(200, "<html>proxy error</html>");
  auto r = Client().GetSalesReport(Query());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kDataLoss);
}

TEST(RateLimitTest, ToleratesEveryShapeApplesHeaderTakes) {
  EXPECT_EQ(ParseRateLimit("user-hour-lim:3500;user-hour-rem:500;")->remaining, 500);
  EXPECT_EQ(ParseRateLimit("user-hour-lim:3600;user-hour-rem:3599")->limit, 3600);
  EXPECT_EQ(ParseRateLimit(" user-hour-rem : 12 ; other:1")->remaining, 12);
  EXPECT_FALSE(ParseRateLimit("").has_value());
  EXPECT_FALSE(ParseRateLimit("garbage").has_value());
}

TEST(ApiErrorTest, CodesMatchByHierarchicalPrefix) {
  EXPECT_TRUE(CodeHasPrefix("PARAMETER_ERROR.INVALID.INVALID_COMBINATION", "PARAMETER_ERROR.INVALID"));
  EXPECT_TRUE(CodeHasPrefix("NOT_FOUND", "NOT_FOUND"));
  EXPECT_FALSE(CodeHasPrefix("PARAMETER_ERROR.INVALIDX", "PARAMETER_ERROR.INVALID"));
  EXPECT_FALSE(ParseApiError("Not Acceptable").has_value());
}

}  // namespace
}  // namespace orchard::apple::asc
