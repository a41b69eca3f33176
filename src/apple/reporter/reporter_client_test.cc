// The Reporter client against the sandbox's Reporter service (apple-apis.md §9).
#include "apple/reporter/reporter_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apple/testing/sandbox_fixture.h"
#include "sandbox/generator.h"

namespace orchard::apple::reporter {
namespace {

using Json = nlohmann::json;

TEST(AppPasswordTest, AcceptsWhatUsersTypeAndRefusesTheRest) {
  EXPECT_EQ(NormalizeAppPassword("abcd-efgh-ijkl-mnop")->view(), "abcd-efgh-ijkl-mnop");
  EXPECT_EQ(NormalizeAppPassword("ABCDEFGHIJKLMNOP")->view(), "abcd-efgh-ijkl-mnop");
  EXPECT_EQ(NormalizeAppPassword("abcd efgh ijkl mnop")->view(), "abcd-efgh-ijkl-mnop");
  EXPECT_EQ(NormalizeAppPassword("abcd-efgh-ijkl").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(NormalizeAppPassword("abcd-efgh-ijkl-mno1").error().code(), Code::kInvalidArgument);
  // The message never repeats what was typed.
  EXPECT_EQ(NormalizeAppPassword("qwer-tyui-opas-dfg!").error().message().find("qwer"), std::string::npos);
}

class ReporterClientTest : public testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    id_ = KeysFile("apple-id.json");
    client_ = std::make_unique<ReporterClient>(sandbox_->base_url(), http_.get());
  }
  Json id_;
  std::unique_ptr<ReporterClient> client_;
};

TEST_F(ReporterClientTest, GeneratesATokenAndDownloadsSalesAndFinanceReports) {
  const std::string apple_id = id_["apple_id"];
  auto password = NormalizeAppPassword(Json(id_["app_specific_password"]).get<std::string>());
  ASSERT_TRUE(password.has_value());
  auto wrong = client_->GenerateToken(apple_id, *NormalizeAppPassword("aaaa-bbbb-cccc-dddd"));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), Code::kUnauthenticated);
  auto none = client_->ViewToken(apple_id, *password);
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_FALSE(none->has_value());

  auto token = client_->GenerateToken(apple_id, *password);
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->token.size(), 36u);
  EXPECT_EQ(token->expires, *Date::ParseIso("2026-09-06"));  // 180 days after 2026-03-10
  auto viewed = client_->ViewToken(apple_id, *password);
  ASSERT_TRUE(viewed.has_value() && viewed->has_value());
  EXPECT_EQ((*viewed)->token.view(), token->token.view());

  const std::string vendor = id_["vendor_number"];
  const sandbox::Portfolio portfolio(11, *Date::ParseIso("2026-03-10"));
  auto sales = client_->GetSalesReport(apple_id, token->token, vendor, "Sales", "Summary", "Daily", "20260301");
  ASSERT_TRUE(sales.has_value()) << sales.error().ToString();
  EXPECT_EQ(sales->availability, asc::ReportAvailability::kData);
  EXPECT_EQ(sales->body, sandbox::GzipBytes(portfolio.SalesSummaryDailyTsv(*Date::ParseIso("2026-03-01"))));
  auto subscription = client_->GetSalesReport(apple_id, token->token, vendor, "Subscription", "Summary", "Daily",
                                              "20260301", "1_3");
  ASSERT_TRUE(subscription.has_value());
  EXPECT_EQ(subscription->body, sandbox::GzipBytes(portfolio.SubscriptionTsv(*Date::ParseIso("2026-03-01"))));
  auto finance = client_->GetFinanceReport(apple_id, token->token, vendor, "EU", 2026, 4);
  ASSERT_TRUE(finance.has_value()) << finance.error().ToString();
  EXPECT_EQ(finance->body, sandbox::GzipBytes(portfolio.FinancialTsv("EU", 2026, 4)));
  auto empty = client_->GetSalesReport(apple_id, token->token, vendor, "Sales", "Summary", "Daily", "20200101");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->availability, asc::ReportAvailability::kNoSales);
  auto later = client_->GetSalesReport(apple_id, token->token, vendor, "Sales", "Summary", "Daily", "20260310");
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->availability, asc::ReportAvailability::kNotYetAvailable);
  auto bad_vendor = client_->GetSalesReport(apple_id, token->token, "12345678", "Sales", "Summary", "Daily", "20260301");
  ASSERT_FALSE(bad_vendor.has_value());
  EXPECT_EQ(bad_vendor.error().code(), Code::kInvalidArgument);

  // The token runs out: the error says so, and a new token works again.
  httplib::Client control("127.0.0.1", sandbox_->port());
  ASSERT_EQ(control.Post("/_sandbox/reporter/expire-token", "", "application/json")->status, 200);
  auto expired = client_->GetSalesReport(apple_id, token->token, vendor, "Sales", "Summary", "Daily", "20260301");
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code(), Code::kUnauthenticated);
  EXPECT_NE(expired.error().message().find("expired"), std::string::npos);
  auto renewed = client_->GenerateToken(apple_id, *password);
  ASSERT_TRUE(renewed.has_value());
  EXPECT_NE(renewed->token.view(), token->token.view());
  EXPECT_TRUE(client_->GetSalesReport(apple_id, renewed->token, vendor, "Sales", "Summary", "Daily", "20260301").has_value());
}

}  // namespace
}  // namespace orchard::apple::reporter
