#include "apple/asc/customer_reviews.h"

#include <gtest/gtest.h>

#include "apple/testing/scripted_http.h"

#include <deque>
#include <nlohmann/json.hpp>

namespace orchard::apple::asc {
namespace {

using apple::testing::ScriptedHttp;

class NoSleep final : public Sleeper {
 public:
  void Sleep(std::chrono::milliseconds) override {}
};

// Pages written by hand after apple-apis.md §4.1 (the CustomerReviewsResponse example).
// Page 1: a review with a published response (included, next to a territories object) and a
// review without one; links.next is Apple's absolute URL.
constexpr std::string_view kPage1 = R"({
  "data": [ {
    "type": "customerReviews",
    "id": "00000028-b08c-0014-9674-c54800000000",
    "attributes": {
      "rating": 5,
      "title": "Pretty Stellar",
      "body": "I love how creative ...",
      "reviewerNickname": "Juan Chavez",
      "createdDate": "2024-01-02T11:19:36-07:00",
      "territory": "USA"
    },
    "relationships": {
      "response": {
        "links": { "self": "https://api.appstoreconnect.apple.com/v1/customerReviews/00000028-b08c-0014-9674-c54800000000/relationships/response",
                   "related": "https://api.appstoreconnect.apple.com/v1/customerReviews/00000028-b08c-0014-9674-c54800000000/response" },
        "data": { "type": "customerReviewResponses", "id": "resp-1" }
      },
      "reviewTerritory": { "data": { "type": "territories", "id": "USA" } }
    },
    "links": { "self": "https://api.appstoreconnect.apple.com/v1/customerReviews/00000028-b08c-0014-9674-c54800000000" }
  }, {
    "type": "customerReviews",
    "id": "00000028-b08c-0014-9674-c54800000001",
    "attributes": {
      "rating": 2,
      "title": "Crashes",
      "body": "Since the update it crashes.",
      "reviewerNickname": "kiwi",
      "createdDate": "2024-01-01T23:30:00+13:00",
      "territory": "NZL"
    },
    "relationships": {
      "response": {
        "links": { "self": "https://api.appstoreconnect.apple.com/v1/customerReviews/00000028-b08c-0014-9674-c54800000001/relationships/response" }
      }
    }
  } ],
  "included": [
    { "type": "territories", "id": "USA", "attributes": { "currency": "USD" } },
    { "type": "customerReviewResponses", "id": "resp-1",
      "attributes": { "responseBody": "Thanks, Juan!", "lastModifiedDate": "2024-01-03T08:00:00Z",
                      "state": "PUBLISHED" },
      "relationships": { "review": { "data": { "type": "customerReviews",
                                              "id": "00000028-b08c-0014-9674-c54800000000" } } } }
  ],
  "links": {
    "self": "https://api.appstoreconnect.apple.com/v1/apps/1476097583/customerReviews?limit=2&sort=-createdDate",
    "next": "https://api.appstoreconnect.apple.com/v1/apps/1476097583/customerReviews?cursor=AQ.AJJtGDc&limit=2&sort=-createdDate"
  },
  "meta": { "paging": { "total": 3, "limit": 2 } }
})";

// Page 2, the last: no links.next; the territory only as the reviewTerritory relationship; a
// pending response; no title; a fractional-second UTC date.
constexpr std::string_view kPage2 = R"({
  "data": [ {
    "type": "customerReviews",
    "id": "00000028-b08c-0014-9674-c54800000002",
    "attributes": {
      "rating": 4,
      "body": "Good, needs dark mode.",
      "reviewerNickname": "Ada",
      "createdDate": "2023-12-31T09:00:00.123Z"
    },
    "relationships": {
      "response": { "data": { "type": "customerReviewResponses", "id": "resp-3" } },
      "reviewTerritory": { "data": { "type": "territories", "id": "GBR" } }
    }
  } ],
  "included": [
    { "type": "customerReviewResponses", "id": "resp-3",
      "attributes": { "responseBody": "Dark mode ships next month.",
                      "lastModifiedDate": "2024-01-01T00:00:00-08:00", "state": "PENDING_PUBLISH" } }
  ],
  "links": { "self": "https://api.appstoreconnect.apple.com/v1/apps/1476097583/customerReviews?cursor=AQ.AJJtGDc&limit=2&sort=-createdDate" },
  "meta": { "paging": { "total": 3, "limit": 2 } }
})";

std::string ErrorBody(const std::string& status, const std::string& code, const std::string& detail) {
  return R"({"errors":[{"status":")" + status + R"(","code":")" + code +
         R"(","title":"t","detail":")" + detail + R"("}]})";
}

class CustomerReviewsTest : public ::testing::Test {
 protected:
  AscClient Client() {
    return AscClient("http://127.0.0.1:1/", [] { return Result<std::string>("tok"); }, &http_,
                     RetryPolicy{}, &sleeper_, 42);
  }
  // Lists every page into `reviews_`.
  Result<ListReviewsSummary> ListAll(AscClient& client, ListReviewsOptions options = {}) {
    return ListCustomerReviews(client, "1476097583", options,
                               [&](const CustomerReviewPage& page) -> Result<PageAction> {
                                 for (const auto& r : page.reviews) reviews_.push_back(r);
                                 return PageAction::kContinue;
                               });
  }
  ScriptedHttp http_;
  NoSleep sleeper_;
  std::vector<CustomerReview> reviews_;
};

TEST_F(CustomerReviewsTest, FirstRequestSortsNewestFirstIncludesResponsesAndFiltersTerritories) {
  ListReviewsOptions options;
  options.territories = {"us", "GBR", "Gb"};
  options.ratings = {2, 1};
  auto path = CustomerReviewsPath("1476097583", options);
  ASSERT_TRUE(path.has_value()) << path.error().ToString();
  EXPECT_EQ(*path,
            "/v1/apps/1476097583/customerReviews?sort=-createdDate&limit=200&include=response"
            "&fields%5BcustomerReviews%5D=rating,title,body,reviewerNickname,createdDate,territory,"
            "response"
            "&fields%5BcustomerReviewResponses%5D=responseBody,lastModifiedDate,state,review"
            "&filter%5Bterritory%5D=GBR,USA&filter%5Brating%5D=1,2");

  options.territories = {"zz"};
  EXPECT_EQ(CustomerReviewsPath("1476097583", options).error().code(), Code::kInvalidArgument);
  options.territories = {};
  options.ratings = {6};
  EXPECT_EQ(CustomerReviewsPath("1476097583", options).error().code(), Code::kInvalidArgument);
  options.ratings = {};
  options.limit = 201;
  EXPECT_EQ(CustomerReviewsPath("1476097583", options).error().code(), Code::kInvalidArgument);
}

TEST_F(CustomerReviewsTest, FollowsNextAcrossTwoPagesAndResolvesIncludedResponses) {
  http_.Reply(200, std::string(kPage1));
  http_.Reply(200, std::string(kPage2));
  auto client = Client();
  auto summary = ListAll(client);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->pages, 2);
  EXPECT_EQ(summary->reviews, 3);
  EXPECT_EQ(summary->total, 3);
  EXPECT_FALSE(summary->stopped);

  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[0].method, "GET");
  EXPECT_EQ(http_.requests[0].url.find("http://127.0.0.1:1/v1/apps/1476097583/customerReviews?sort=-createdDate&limit=200&include=response"), 0u);
  // Apple's absolute next link goes to the configured endpoint, path and query kept verbatim.
  EXPECT_EQ(http_.requests[1].url,
            "http://127.0.0.1:1/v1/apps/1476097583/customerReviews?cursor=AQ.AJJtGDc&limit=2&sort=-createdDate");
  EXPECT_EQ(http_.requests[1].headers[0].second, "Bearer tok");

  ASSERT_EQ(reviews_.size(), 3u);
  const CustomerReview& juan = reviews_[0];
  EXPECT_EQ(juan.id, "00000028-b08c-0014-9674-c54800000000");
  EXPECT_EQ(juan.rating, 5);
  EXPECT_EQ(juan.title, "Pretty Stellar");
  EXPECT_EQ(juan.body, "I love how creative ...");
  EXPECT_EQ(juan.reviewer_nickname, "Juan Chavez");
  EXPECT_EQ(juan.created, "2024-01-02T11:19:36-07:00");
  EXPECT_EQ(juan.created_unix, 1704219576);  // 2024-01-02T18:19:36Z
  EXPECT_EQ(juan.territory, "us");
  EXPECT_EQ(juan.apple_territory, "USA");
  ASSERT_TRUE(juan.response.has_value());
  EXPECT_EQ(juan.response->id, "resp-1");
  EXPECT_EQ(juan.response->body, "Thanks, Juan!");
  EXPECT_EQ(juan.response->last_modified, "2024-01-03T08:00:00Z");
  EXPECT_EQ(juan.response->last_modified_unix, 1704268800);
  EXPECT_EQ(juan.response->state, ResponseState::kPublished);
  EXPECT_EQ(ResponseStateName(juan.response->state), "published");
  EXPECT_EQ(juan.response->review_id, juan.id);

  const CustomerReview& kiwi = reviews_[1];
  EXPECT_EQ(kiwi.rating, 2);
  EXPECT_EQ(kiwi.territory, "nz");
  EXPECT_EQ(kiwi.created_unix, 1704105000);  // 2024-01-01T10:30:00Z
  EXPECT_FALSE(kiwi.response.has_value());

  const CustomerReview& ada = reviews_[2];
  EXPECT_EQ(ada.id, "00000028-b08c-0014-9674-c54800000002");
  EXPECT_EQ(ada.title, "");
  EXPECT_EQ(ada.body, "Good, needs dark mode.");
  EXPECT_EQ(ada.created_unix, 1704013200);  // 2023-12-31T09:00:00Z, fraction dropped
  EXPECT_EQ(ada.territory, "gb");           // from relationships.reviewTerritory
  EXPECT_EQ(ada.apple_territory, "GBR");
  ASSERT_TRUE(ada.response.has_value());
  EXPECT_EQ(ada.response->id, "resp-3");
  EXPECT_EQ(ada.response->state, ResponseState::kPending);
  EXPECT_EQ(ResponseStateName(ada.response->state), "pending");
  EXPECT_EQ(ada.response->last_modified_unix, 1704096000);  // 2024-01-01T08:00:00Z
  EXPECT_EQ(ada.response->review_id, ada.id);
}

TEST_F(CustomerReviewsTest, TheCallbackStopsTheListingAtWhatIsStored) {
  http_.Reply(200, std::string(kPage1));
  http_.Reply(200, std::string(kPage2));
  auto client = Client();
  int pages = 0;
  auto summary = ListCustomerReviews(
      client, "1476097583", {}, [&](const CustomerReviewPage& page) -> Result<PageAction> {
        ++pages;
        // The incremental sync already holds the second review of this page.
        for (const auto& r : page.reviews) {
          if (r.id == "00000028-b08c-0014-9674-c54800000001") return PageAction::kStop;
        }
        return PageAction::kContinue;
      });
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_TRUE(summary->stopped);
  EXPECT_EQ(summary->pages, 1);
  EXPECT_EQ(pages, 1);
  EXPECT_EQ(http_.requests.size(), 1u);  // page 2 never asked for
}

TEST_F(CustomerReviewsTest, ACallbackErrorAbortsTheListing) {
  http_.Reply(200, std::string(kPage1));
  auto client = Client();
  auto summary = ListCustomerReviews(client, "1476097583", {},
                                     [](const CustomerReviewPage&) -> Result<PageAction> {
                                       return Error(Code::kAborted, "store is busy");
                                     });
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), Code::kAborted);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(CustomerReviewsTest, ANextLinkToAnotherHostIsRefusedAndNotRequested) {
  std::string page = std::string(kPage2);
  const std::string self = R"("links": { "self": )";
  page.replace(page.find(self), self.size(),
               R"("links": { "next": "https://evil.example/v1/apps/1476097583/customerReviews?cursor=x", "self": )");
  http_.Reply(200, page);
  auto client = Client();
  auto summary = ListAll(client);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), Code::kPermissionDenied);
  EXPECT_NE(summary.error().message().find("evil.example"), std::string::npos);
  EXPECT_EQ(http_.requests.size(), 1u);
  EXPECT_EQ(reviews_.size(), 1u);  // the page itself was delivered before the link was refused
}

TEST_F(CustomerReviewsTest, ANextLinkThatRepeatsAPageIsALoop) {
  std::string page = std::string(kPage2);
  const std::string self = R"("links": { "self": )";
  page.replace(page.find(self), self.size(),
               R"("links": { "next": "/v1/apps/1476097583/customerReviews?cursor=same", "self": )");
  http_.Reply(200, page);
  http_.Reply(200, page);
  auto client = Client();
  auto summary = ListAll(client);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), Code::kDataLoss);
  EXPECT_EQ(http_.requests.size(), 2u);
}

TEST(NextPagePathTest, KeepsPathAndQueryOfAppleOrTheConfiguredHostOnly) {
  const std::string apple =
      "https://api.appstoreconnect.apple.com/v1/apps/1/customerReviews?cursor=AQ.AJJtGDc&filter%5Bterritory%5D=USA&limit=1";
  EXPECT_EQ(NextPagePath(apple, "https://proxy.internal/asc").value(),
            "/v1/apps/1/customerReviews?cursor=AQ.AJJtGDc&filter%5Bterritory%5D=USA&limit=1");
  EXPECT_EQ(NextPagePath("https://API.AppStoreConnect.apple.com:443/v1/x?cursor=1", "http://127.0.0.1:9").value(),
            "/v1/x?cursor=1");
  // The sandbox or a proxy writing its own host, with the base URL's path prefix removed.
  EXPECT_EQ(NextPagePath("http://127.0.0.1:8123/v1/x?cursor=2", "http://127.0.0.1:8123/").value(),
            "/v1/x?cursor=2");
  EXPECT_EQ(NextPagePath("https://proxy.internal/asc/v1/x?cursor=3#frag", "https://proxy.internal/asc").value(),
            "/v1/x?cursor=3");
  EXPECT_EQ(NextPagePath("/v1/x?cursor=4", "http://127.0.0.1:1").value(), "/v1/x?cursor=4");

  for (const char* refused :
       {"https://evil.example/v1/x?cursor=1",                       // another host
        "http://api.appstoreconnect.apple.com/v1/x",                // Apple without TLS
        "https://api.appstoreconnect.apple.com.evil.example/v1/x",  // a look-alike
        "https://user@api.appstoreconnect.apple.com/v1/x",          // user info
        "http://127.0.0.1:8124/v1/x",                               // another port
        "ftp://api.appstoreconnect.apple.com/v1/x",                 // another scheme
        "//evil.example/v1/x",                                      // scheme-relative
        "https://api.appstoreconnect.apple.com/v2/x",               // outside /v1/
        "https://api.appstoreconnect.apple.com/v1/../admin",        // dot segments
        "cursor=5"}) {
    auto r = NextPagePath(refused, "http://127.0.0.1:8123");
    EXPECT_FALSE(r.has_value()) << refused;
    if (!r) {
      EXPECT_EQ(r.error().code(), Code::kPermissionDenied) << refused;
    }
  }
}

TEST_F(CustomerReviewsTest, MalformedPagesAreClearErrors) {
  http_.Reply(200, "<html>gateway</html>");
  auto client = Client();
  auto not_json = ListAll(client);
  ASSERT_FALSE(not_json.has_value());
  EXPECT_EQ(not_json.error().code(), Code::kDataLoss);
  EXPECT_NE(not_json.error().message().find("not JSON"), std::string::npos);
  EXPECT_NE(not_json.error().message().find("app 1476097583, page 1"), std::string::npos);

  EXPECT_EQ(ParseCustomerReviewsPage(R"({"errors":[]})").error().code(), Code::kDataLoss);
  auto bad_rating = ParseCustomerReviewsPage(
      R"({"data":[{"type":"customerReviews","id":"r9","attributes":{"rating":6,"createdDate":"2024-01-01T00:00:00Z"}}]})");
  ASSERT_FALSE(bad_rating.has_value());
  EXPECT_NE(bad_rating.error().message().find("review 1 (r9): rating 6"), std::string::npos)
      << bad_rating.error().message();
  auto bad_date = ParseCustomerReviewsPage(
      R"({"data":[{"type":"customerReviews","id":"r9","attributes":{"rating":3,"createdDate":"2024-01-01 10:00"}}]})");
  ASSERT_FALSE(bad_date.has_value());
  EXPECT_NE(bad_date.error().message().find("createdDate"), std::string::npos);
  auto bad_title = ParseCustomerReviewsPage(
      R"({"data":[{"type":"customerReviews","id":"r9","attributes":{"rating":3,"title":[1],"createdDate":"2024-01-01T00:00:00Z"}}]})");
  ASSERT_FALSE(bad_title.has_value());
  EXPECT_NE(bad_title.error().message().find("title is not a string"), std::string::npos);
}

TEST_F(CustomerReviewsTest, ToleratedVariants) {
  // An unknown territory code, a response named but not included, null included and next.
  auto page = ParseCustomerReviewsPage(R"({
    "data":[{"type":"customerReviews","id":"r1",
             "attributes":{"rating":1,"createdDate":"2024-02-29T12:00:00+0530","territory":"QQQ","extra":true},
             "relationships":{"response":{"data":{"type":"customerReviewResponses","id":"resp-x"}}}},
            {"type":"customerReviews","id":"r2",
             "attributes":{"rating":3,"createdDate":"2024-02-29T12:00:00-05"},
             "relationships":{"response":{"data":null}}}],
    "included":null, "links":{"self":"s","next":null}})");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  ASSERT_EQ(page->reviews.size(), 2u);
  EXPECT_EQ(page->reviews[0].territory, "");
  EXPECT_EQ(page->reviews[0].apple_territory, "QQQ");
  EXPECT_EQ(page->reviews[0].created_unix, 1709188200);  // 2024-02-29T06:30:00Z
  ASSERT_TRUE(page->reviews[0].response.has_value());
  EXPECT_EQ(page->reviews[0].response->id, "resp-x");
  EXPECT_EQ(page->reviews[0].response->state, ResponseState::kUnknown);
  EXPECT_EQ(page->reviews[1].created_unix, 1709226000);  // 2024-02-29T17:00:00Z
  EXPECT_FALSE(page->reviews[1].response.has_value());
  EXPECT_EQ(page->next, "");
  EXPECT_FALSE(page->total.has_value());
}

TEST(ParseAscDateTimeTest, OffsetsAndFractions) {
  EXPECT_EQ(ParseAscDateTime("2024-01-02T11:19:36-07:00").value(), 1704219576);
  EXPECT_EQ(ParseAscDateTime("2024-01-02T18:19:36Z").value(), 1704219576);
  EXPECT_EQ(ParseAscDateTime("2024-01-02T18:19:36.999Z").value(), 1704219576);
  EXPECT_EQ(ParseAscDateTime("2024-01-03T03:19:36+0900").value(), 1704219576);
  EXPECT_FALSE(ParseAscDateTime("2024-01-02T18:19:36").has_value());  // no offset
  EXPECT_FALSE(ParseAscDateTime("2024-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(ParseAscDateTime("2024-01-02T25:00:00Z").has_value());
}

TEST_F(CustomerReviewsTest, ListErrors) {
  http_.Reply(404, ErrorBody("404", "NOT_FOUND", "There is no resource of type 'apps' with id '42'"));
  http_.Reply(401, ErrorBody("401", "NOT_AUTHORIZED", "Provide a properly configured and signed bearer token"));
  http_.Reply(403, ErrorBody("403", "FORBIDDEN_ERROR", "The API key in use does not allow this request"));
  auto client = Client();
  auto missing = ListAll(client);
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  auto revoked = ListAll(client);
  EXPECT_EQ(revoked.error().code(), Code::kUnauthenticated);
  EXPECT_NE(revoked.error().message().find("revoked"), std::string::npos);
  auto forbidden = ListAll(client);
  EXPECT_EQ(forbidden.error().code(), Code::kPermissionDenied);
  EXPECT_EQ(http_.requests.size(), 3u);  // none retried
}

TEST_F(CustomerReviewsTest, CreateResponseSendsTheDocumentedBodyAndReadsThePendingState) {
  http_.Reply(201, R"({"data":{"type":"customerReviewResponses","id":"resp-9",
      "attributes":{"responseBody":"Fixed in 2.1, thanks!","lastModifiedDate":"2024-01-05T10:00:00Z","state":"PENDING_PUBLISH"},
      "relationships":{"review":{"data":{"type":"customerReviews","id":"00000028-b08c-0014-9674-c54800000001"}}},
      "links":{"self":"https://api.appstoreconnect.apple.com/v1/customerReviewResponses/resp-9"}},
      "links":{"self":"https://api.appstoreconnect.apple.com/v1/customerReviewResponses"}})");
  auto client = Client();
  auto r = CreateResponse(client, "00000028-b08c-0014-9674-c54800000001", "Fixed in 2.1, thanks!");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->id, "resp-9");
  EXPECT_EQ(r->body, "Fixed in 2.1, thanks!");
  EXPECT_EQ(r->state, ResponseState::kPending);
  EXPECT_EQ(r->state_text, "PENDING_PUBLISH");
  EXPECT_EQ(r->last_modified_unix, 1704448800);
  EXPECT_EQ(r->review_id, "00000028-b08c-0014-9674-c54800000001");

  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& req = http_.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://127.0.0.1:1/v1/customerReviewResponses");
  bool json_type = false;
  for (const auto& [k, v] : req.headers) json_type |= k == "Content-Type" && v == "application/json";
  EXPECT_TRUE(json_type);
  EXPECT_EQ(nlohmann::json::parse(req.body),
            nlohmann::json::parse(R"({"data":{"type":"customerReviewResponses",
                "attributes":{"responseBody":"Fixed in 2.1, thanks!"},
                "relationships":{"review":{"data":{"type":"customerReviews","id":"00000028-b08c-0014-9674-c54800000001"}}}}})"));
}

TEST_F(CustomerReviewsTest, AKeyWithoutAReplyingRoleGetsARefusalNamingTheRoles) {
  http_.Reply(403, ErrorBody("403", "FORBIDDEN_ERROR", "The API key in use does not allow this request"));
  auto client = Client();
  auto r = CreateResponse(client, "r1", "Thanks!");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kPermissionDenied);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("cannot reply to reviews"), std::string::npos) << m;
  EXPECT_NE(m.find("Account Holder, Admin, App Manager or Customer Support"), std::string::npos) << m;
  EXPECT_NE(m.find("The API key in use does not allow this request"), std::string::npos) << m;
  EXPECT_EQ(http_.requests.size(), 1u);  // 403 is not retried

  http_.Reply(403, ErrorBody("403", "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED",
                             "This request requires an in-effect agreement that has not been signed or has expired."));
  auto agreement = CreateResponse(client, "r1", "Thanks!");
  EXPECT_NE(agreement.error().message().find("agreement"), std::string::npos);
}

TEST_F(CustomerReviewsTest, CreateResponseConflictsAndGoneReviews) {
  http_.Reply(404, ErrorBody("404", "NOT_FOUND", "There is no resource of type 'customerReviews' with id 'r1'"));
  http_.Reply(409, ErrorBody("409", "ENTITY_ERROR.RELATIONSHIP.INVALID", "'r1' is not a valid id for this relationship"));
  http_.Reply(409, ErrorBody("409", "ENTITY_ERROR.ATTRIBUTE.INVALID", "The response is too long"));
  http_.Reply(422, ErrorBody("422", "ENTITY_UNPROCESSABLE", "Expected data.type customerReviewResponses"));
  http_.Reply(401, ErrorBody("401", "NOT_AUTHORIZED", "Provide a properly configured and signed bearer token"));
  http_.Reply(201, "{not json");
  auto client = Client();
  auto gone = CreateResponse(client, "r1", "Hi");
  EXPECT_EQ(gone.error().code(), Code::kNotFound);
  EXPECT_NE(gone.error().message().find("review r1 no longer exists"), std::string::npos)
      << gone.error().message();
  EXPECT_EQ(CreateResponse(client, "r1", "Hi").error().code(), Code::kNotFound);
  auto conflict = CreateResponse(client, "r1", "Hi");
  EXPECT_EQ(conflict.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(conflict.error().message().find("The response is too long"), std::string::npos);
  auto shape = CreateResponse(client, "r1", "Hi");
  EXPECT_EQ(shape.error().code(), Code::kInvalidArgument);
  EXPECT_NE(shape.error().message().find("Expected data.type customerReviewResponses"), std::string::npos);
  auto revoked = CreateResponse(client, "r1", "Hi");
  EXPECT_EQ(revoked.error().code(), Code::kUnauthenticated);
  EXPECT_NE(revoked.error().message().find("revoked"), std::string::npos);
  EXPECT_EQ(CreateResponse(client, "r1", "Hi").error().code(), Code::kDataLoss);
  EXPECT_EQ(http_.requests.size(), 6u);

  // An empty reply is refused before anything is sent.
  EXPECT_EQ(CreateResponse(client, "r1", " \n").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(http_.requests.size(), 6u);
}

TEST_F(CustomerReviewsTest, DeleteResponse) {
  http_.Reply(204, "");
  http_.Reply(404, ErrorBody("404", "NOT_FOUND", "There is no resource of type 'customerReviewResponses' with id 'resp-1'"));
  http_.Reply(403, ErrorBody("403", "FORBIDDEN_ERROR", "The API key in use does not allow this request"));
  auto client = Client();
  EXPECT_TRUE(DeleteResponse(client, "resp-1").ok());
  EXPECT_EQ(http_.requests[0].method, "DELETE");
  EXPECT_EQ(http_.requests[0].url, "http://127.0.0.1:1/v1/customerReviewResponses/resp-1");
  EXPECT_EQ(DeleteResponse(client, "resp-1").code(), Code::kNotFound);
  const Status forbidden = DeleteResponse(client, "resp-1");
  EXPECT_EQ(forbidden.code(), Code::kPermissionDenied);
  EXPECT_NE(forbidden.message().find("Customer Support"), std::string::npos);
}

TEST_F(CustomerReviewsTest, GetResponseReadsItOrNone) {
  http_.Reply(200, R"({"data":{"type":"customerReviewResponses","id":"resp-1",
      "attributes":{"responseBody":"Thanks, Juan!","lastModifiedDate":"2024-01-03T08:00:00Z","state":"PUBLISHED"}},
      "links":{"self":"https://api.appstoreconnect.apple.com/v1/customerReviews/r1/response"}})");
  http_.Reply(404, ErrorBody("404", "NOT_FOUND", "The review has no response"));
  http_.Reply(401, ErrorBody("401", "NOT_AUTHORIZED", "Provide a properly configured and signed bearer token"));
  auto client = Client();
  auto found = GetResponse(client, "r1");
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "resp-1");
  EXPECT_EQ((*found)->state, ResponseState::kPublished);
  EXPECT_EQ((*found)->review_id, "r1");
  EXPECT_EQ(http_.requests[0].url, "http://127.0.0.1:1/v1/customerReviews/r1/response");
  auto none = GetResponse(client, "r1");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(GetResponse(client, "r1").error().code(), Code::kUnauthenticated);
}

}  // namespace
}  // namespace orchard::apple::asc
