// The customer-reviews client against the sandbox's App Store Connect (apple-apis.md §4): paging
// through its own next links, territories, a reply going pending then published, and the
// refusal a key without a replying role gets.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "apple/asc/customer_reviews.h"
#include "apple/testing/sandbox_fixture.h"
#include "core/clock.h"
#include "core/secret.h"
#include "crypto/jwt.h"

namespace orchard::apple::asc {
namespace {

constexpr std::string_view kApp = "1476097583";

class NoSleep final : public Sleeper {
 public:
  void Sleep(std::chrono::milliseconds) override {}
};

class CustomerReviewsSandboxTest : public testing::SandboxFixture {
 protected:
  // A client authenticated with one of the sandbox's keys ("key.json" is an Admin team key).
  std::unique_ptr<AscClient> ClientFor(const std::string& key_file) {
    const auto meta = KeysFile(key_file);
    std::ifstream in(dir_ / meta["key_file"].get<std::string>());
    std::stringstream pem;
    pem << in.rdbuf();
    auto key = crypto::Es256PrivateKey::FromPem(Secret(pem.str()));
    EXPECT_TRUE(key.has_value());
    signers_.push_back(std::make_unique<crypto::AscTokenSigner>(
        meta["issuer_id"].get<std::string>(), meta["key_id"].get<std::string>(),
        std::move(*key), &SystemClock()));
    auto* signer = signers_.back().get();
    return std::make_unique<AscClient>(sandbox_->base_url(), [signer] { return signer->Token(); },
                                       http_.get(), RetryPolicy{}, &sleeper_, 7);
  }
  std::vector<CustomerReview> ListAll(AscClient& client, ListReviewsOptions options,
                                      ListReviewsSummary* summary = nullptr) {
    std::vector<CustomerReview> out;
    auto r = ListCustomerReviews(client, kApp, options,
                                 [&](const CustomerReviewPage& page) -> Result<PageAction> {
                                   out.insert(out.end(), page.reviews.begin(), page.reviews.end());
                                   return PageAction::kContinue;
                                 });
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    if (r && summary != nullptr) *summary = *r;
    return out;
  }
  std::vector<std::unique_ptr<crypto::AscTokenSigner>> signers_;
  NoSleep sleeper_;
};

TEST_F(CustomerReviewsSandboxTest, ListsEveryReviewNewestFirstAcrossPagesAndTerritories) {
  auto client = ClientFor("key.json");
  ListReviewsOptions options;
  options.limit = 50;
  ListReviewsSummary summary;
  const auto all = ListAll(*client, options, &summary);
  ASSERT_GT(summary.pages, 1);
  ASSERT_TRUE(summary.total.has_value());
  EXPECT_EQ(static_cast<int64_t>(all.size()), *summary.total);
  std::set<std::string> ids, territories;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(ids.insert(all[i].id).second) << "duplicate " << all[i].id;
    EXPECT_EQ(all[i].territory.size(), 2u) << all[i].apple_territory;
    if (i > 0) {
      EXPECT_LE(all[i].created_unix, all[i - 1].created_unix);
    }
    territories.insert(all[i].territory);
  }
  EXPECT_GT(territories.size(), 1u);

  options.territories = {"us"};
  const auto us = ListAll(*client, options);
  ASSERT_FALSE(us.empty());
  for (const auto& r : us) EXPECT_EQ(r.territory, "us");
  EXPECT_EQ(us.size(), static_cast<size_t>(std::count_if(all.begin(), all.end(), [](const auto& r) {
              return r.territory == "us";
            })));
}

TEST_F(CustomerReviewsSandboxTest, AReplyGoesPendingThenPublishedAndCanBeDeleted) {
  auto client = ClientFor("key.json");
  ListReviewsOptions options;
  options.max_pages = 1;
  const auto page = ListAll(*client, options);
  ASSERT_FALSE(page.empty());
  const std::string review = page[0].id;

  auto created = CreateResponse(*client, review, "Thanks for the review!");
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_EQ(created->state, ResponseState::kPending);
  EXPECT_EQ(created->body, "Thanks for the review!");

  auto faults = sandbox_->base_url() + "/_sandbox/faults";
  net::HttpRequest set_delay;
  set_delay.method = "POST";
  set_delay.url = faults;
  set_delay.headers = {{"Content-Type", "application/json"}};
  set_delay.body = R"({"publish_delay_ms":0})";
  ASSERT_EQ(http_->Send(set_delay)->status, 200);
  auto read = GetResponse(*client, review);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->id, created->id);
  EXPECT_EQ((*read)->state, ResponseState::kPublished);

  // The listing resolves it from `included`.
  const auto again = ListAll(*client, options);
  ASSERT_FALSE(again.empty());
  ASSERT_EQ(again[0].id, review);
  ASSERT_TRUE(again[0].response.has_value());
  EXPECT_EQ(again[0].response->body, "Thanks for the review!");
  EXPECT_EQ(again[0].response->state, ResponseState::kPublished);

  EXPECT_TRUE(DeleteResponse(*client, created->id).ok());
  auto none = GetResponse(*client, review);
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(DeleteResponse(*client, created->id).code(), Code::kNotFound);
}

TEST_F(CustomerReviewsSandboxTest, AKeyWithoutAReplyingRoleReadsButCannotReply) {
  auto developer = ClientFor("key-developer.json");
  ListReviewsOptions options;
  options.max_pages = 1;
  const auto page = ListAll(*developer, options);
  ASSERT_FALSE(page.empty());
  auto refused = CreateResponse(*developer, page[0].id, "Thanks!");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), Code::kPermissionDenied);
  EXPECT_NE(refused.error().message().find("Admin, App Manager or Customer Support"),
            std::string::npos)
      << refused.error().message();
}

TEST_F(CustomerReviewsSandboxTest, UnknownAppAndUnknownReview) {
  auto client = ClientFor("key.json");
  auto missing = ListCustomerReviews(*client, "999", {}, [](const CustomerReviewPage&) {
    return Result<PageAction>(PageAction::kContinue);
  });
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  auto gone = CreateResponse(*client, "no-such-review", "Hi");
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code(), Code::kNotFound) << gone.error().ToString();
}

}  // namespace
}  // namespace orchard::apple::asc
