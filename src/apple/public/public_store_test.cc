// PublicStoreClient against a scripted HTTP stack: URLs, pacing, the retry rules (REL-1), the
// Media API token and the lookup fallback.
#include "apple/public/public_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "apple/testing/scripted_http.h"

namespace orchard::apple::pub {
namespace {

using apple::testing::ScriptedHttp;

class RecordingSleeper final : public asc::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds d) override { sleeps.push_back(d); }
  std::vector<std::chrono::milliseconds> sleeps;
};

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(ORCHARD_SOURCE_DIR) + "/src/ingest/testdata/rss/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const PublicEndpoints kEndpoints{"http://127.0.0.1:1/", "http://127.0.0.1:2", "http://127.0.0.1:3"};
constexpr const char* kMediaDoc =
    R"({"data":[{"id":"42","attributes":{"userRating":{"value":4.5,"ratingCount":4,"ratingCountList":[0,0,1,0,3]}}}]})";

TEST(PublicStoreClient, ReviewPageUrlAndEmptyStorefront) {
  ScriptedHttp http;
  RecordingSleeper sleeper;
  PublicStoreClient client(kEndpoints, &http, std::chrono::milliseconds(0), {}, &sleeper);
  http.Reply(200, Golden("page1_with_metadata.json"));
  auto page = client.ReviewPage("42", "GB", 1);
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_FALSE(page->reviews.empty());
  ASSERT_EQ(http.requests.size(), 1u);
  EXPECT_EQ(http.requests[0].url, "http://127.0.0.1:1/gb/rss/customerreviews/page=1/id=42/sortby=mostrecent/json");
  http.Reply(404, "");
  auto none = client.ReviewPage("42", "us", 2);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->reviews.empty());
  EXPECT_FALSE(none->has_next);
  // Refused before sending anything.
  EXPECT_EQ(client.ReviewPage("42", "us", 11).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(client.ReviewPage("x42", "us", 1).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(client.ReviewPage("42", "usa", 1).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(http.requests.size(), 2u);
  // An HTML error page where the feed should be: a clear data error, not a crash.
  http.Reply(200, "<html>busy</html>");
  auto broken = client.ReviewPage("42", "us", 1);
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code(), Code::kDataLoss);
  EXPECT_NE(broken.error().message().find("app 42 in us, page 1"), std::string::npos);
}

TEST(PublicStoreClient, PacesEveryRequest) {
  ScriptedHttp http;
  RecordingSleeper sleeper;
  PublicStoreClient client(kEndpoints, &http, std::chrono::milliseconds(1000), {}, &sleeper);
  for (int i = 0; i < 3; ++i) http.Reply(404, "");
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(client.ReviewPage("42", "us", i).has_value());
  // The first request goes at once; each later one waits out the rest of the second (the
  // scripted answers take microseconds, so nearly all of it).
  ASSERT_EQ(sleeper.sleeps.size(), 2u);
  for (auto d : sleeper.sleeps) {
    EXPECT_GT(d.count(), 500);
    EXPECT_LE(d.count(), 1000);
  }
}

TEST(PublicStoreClient, RetriesThrottlingWithRetryAfterThenGivesUp) {
  ScriptedHttp http;
  RecordingSleeper sleeper;
  PublicStoreClient client(kEndpoints, &http, std::chrono::milliseconds(0), {}, &sleeper);
  http.Reply(429, "", {{"retry-after", "7"}});
  http.Reply(403, "");  // the iTunes endpoints' answer to a burst
  http.Reply(200, Golden("entry_absent.json"));
  auto page = client.ReviewPage("42", "us", 3);
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  ASSERT_EQ(sleeper.sleeps.size(), 2u);
  EXPECT_EQ(sleeper.sleeps[0], std::chrono::seconds(7));
  EXPECT_LE(sleeper.sleeps[1], std::chrono::seconds(2));  // full jitter under base × 2¹
  // Three 503s: three attempts, then kUnavailable naming what was asked.
  for (int i = 0; i < 3; ++i) http.Reply(503, "");
  auto failed = client.ReviewPage("42", "us", 1);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), Code::kUnavailable);
  EXPECT_NE(failed.error().message().find("after 3 attempt(s)"), std::string::npos);
  EXPECT_EQ(http.requests.size(), 6u);
}

TEST(PublicStoreClient, MediaApiTokenIsHarvestedOnceAndAgainWhenStale) {
  ScriptedHttp http;
  RecordingSleeper sleeper;
  PublicStoreClient client(kEndpoints, &http, std::chrono::milliseconds(0), {}, &sleeper);
  http.Reply(200, R"({"token":"t1"})");
  http.Reply(200, kMediaDoc);
  http.Reply(200, kMediaDoc);
  http.Reply(401, R"({"errors":[{"status":"401"}]})");  // rotated by Apple
  http.Reply(200, R"({"token":"t2"})");
  http.Reply(200, kMediaDoc);
  for (int i = 0; i < 3; ++i) {
    auto r = client.Rating("42", "us");
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->average_x100, 450);
    EXPECT_EQ((*r)->histogram[4], 3);
  }
  ASSERT_EQ(http.requests.size(), 6u);
  EXPECT_EQ(http.requests[0].url, "http://127.0.0.1:3/apiToken?clientClass=apple&clientId=appstore&os=macOS");
  EXPECT_EQ(http.requests[1].url.rfind("http://127.0.0.1:2/v1/catalog/us/apps/42?", 0), 0u);
  auto header = [](const net::HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header(http.requests[1], "Authorization"), "Bearer t1");
  EXPECT_EQ(header(http.requests[1], "Origin"), "https://apps.apple.com");
  EXPECT_EQ(header(http.requests[2], "Authorization"), "Bearer t1");
  EXPECT_EQ(header(http.requests[5], "Authorization"), "Bearer t2");
}

TEST(PublicStoreClient, FallsBackToTheLookupWhenTheMediaApiFails) {
  ScriptedHttp http;
  RecordingSleeper sleeper;
  PublicStoreClient client(kEndpoints, &http, std::chrono::milliseconds(0), {}, &sleeper);
  for (int i = 0; i < 3; ++i) http.Reply(502, "");  // the token service is down
  http.Reply(200, R"({"resultCount":1,"results":[{"trackId":42,"averageUserRating":3.9,"userRatingCount":10}]})");
  auto r = client.Rating("42", "de");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->average_x100, 390);
  EXPECT_EQ((*r)->count, 10);
  EXPECT_FALSE((*r)->has_histogram);
  ASSERT_EQ(http.requests.size(), 4u);
  EXPECT_EQ(http.requests[3].url, "http://127.0.0.1:1/lookup?id=42&country=de&entity=software");
  // Not sold in that storefront: the Media API's 404 → nullopt, no fallback needed.
  http.Reply(200, R"({"token":"t"})");
  http.Reply(404, R"({"errors":[]})");
  auto none = client.Rating("42", "kp");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace orchard::apple::pub
