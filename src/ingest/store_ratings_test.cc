// Documents written by hand after apple-apis.md §8.4 and Part II §B.2–B.3; expected values are
// read off them by hand.
#include "ingest/store_ratings.h"

#include <gtest/gtest.h>

namespace orchard::ingest {
namespace {

TEST(StoreRatings, MediaApiRatingWithHistogram) {
  const char* doc = R"({"data":[{"id":"123","type":"apps","attributes":{"name":"X",
    "userRating":{"value":4.6,"ratingCount":120,"ratingCountList":[5,5,10,20,80],
                  "ariaLabelForRating":"4.6 stars"}}}]})";
  auto r = ParseMediaApiRating(doc, "123");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->average_x100, 460);
  EXPECT_EQ((*r)->count, 120);
  EXPECT_TRUE((*r)->has_histogram);
  EXPECT_EQ((*r)->histogram, (std::array<int64_t, 5>{5, 5, 10, 20, 80}));
}

TEST(StoreRatings, MediaApiToleratesStringsMissingValueAndOtherApps) {
  // Numbers as strings; the count derived from the histogram when ratingCount is absent.
  auto r = ParseMediaApiRating(R"({"data":[{"id":"9","attributes":{}},
    {"id":123,"attributes":{"userRating":{"value":"3.25","ratingCountList":["1","0","2","0","1"]}}}]})",
                               "123");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->average_x100, 325);
  EXPECT_EQ((*r)->count, 4);
  // No ratings at all: no userRating → nullopt; another app only → nullopt.
  EXPECT_FALSE(ParseMediaApiRating(R"({"data":[{"id":"123","attributes":{"name":"x"}}]})", "123")->has_value());
  EXPECT_FALSE(ParseMediaApiRating(R"({"data":[{"id":"9","attributes":{"userRating":{}}}]})", "123")->has_value());
  // A rating without a histogram.
  auto plain = ParseMediaApiRating(R"({"data":[{"id":"123","attributes":{"userRating":{"value":5,"ratingCount":2}}}]})", "123");
  ASSERT_TRUE(plain.has_value() && plain->has_value());
  EXPECT_FALSE((*plain)->has_histogram);
  EXPECT_EQ((*plain)->count, 2);
}

TEST(StoreRatings, MediaApiRejectsBrokenDocuments) {
  for (const char* doc : {"not json", R"({"errors":[]})", R"({"data":{}})",
                          R"({"data":[{"id":"1","attributes":{"userRating":{"value":6}}}]})",
                          R"({"data":[{"id":"1","attributes":{"userRating":{"ratingCount":-1}}}]})",
                          R"({"data":[{"id":"1","attributes":{"userRating":{"ratingCountList":[1,2,3]}}}]})",
                          R"({"data":[{"id":"1","attributes":{"userRating":{"ratingCountList":[1,2,3,4,0.5]}}}]})",
                          R"({"data":[{"id":"1","attributes":{"userRating":"4.5"}}]})"}) {
    auto r = ParseMediaApiRating(doc, "1");
    ASSERT_FALSE(r.has_value()) << doc;
    EXPECT_EQ(r.error().code(), Code::kDataLoss) << doc;
  }
}

TEST(StoreRatings, LookupRating) {
  const char* doc = R"({"resultCount":2,"results":[
    {"wrapperType":"software","trackId":555,"averageUserRating":4.12345,"userRatingCount":"77"},
    {"wrapperType":"software","trackId":123,"averageUserRating":3.5,"userRatingCount":8}]})";
  auto r = ParseLookupRating(doc, "123");
  ASSERT_TRUE(r.has_value() && r->has_value());
  EXPECT_EQ((*r)->average_x100, 350);
  EXPECT_EQ((*r)->count, 8);
  EXPECT_FALSE((*r)->has_histogram);
  auto other = ParseLookupRating(doc, "555");
  ASSERT_TRUE(other.has_value() && other->has_value());
  EXPECT_EQ((*other)->average_x100, 412);  // 4.12345 × 100 = 412.345 → 412
  EXPECT_EQ((*other)->count, 77);
  // Not sold there; sold without ratings.
  EXPECT_FALSE(ParseLookupRating(R"({"resultCount":0,"results":[]})", "123")->has_value());
  auto unrated = ParseLookupRating(R"({"resultCount":1,"results":[{"trackId":"123"}]})", "123");
  ASSERT_TRUE(unrated.has_value() && unrated->has_value());
  EXPECT_EQ((*unrated)->count, 0);
  for (const char* bad : {"<html>", R"({"resultCount":1})",
                          R"({"results":[{"trackId":123,"userRatingCount":1.5}]})",
                          R"({"results":[{"trackId":123,"averageUserRating":"many"}]})"}) {
    auto b = ParseLookupRating(bad, "123");
    ASSERT_FALSE(b.has_value()) << bad;
    EXPECT_EQ(b.error().code(), Code::kDataLoss);
  }
}

TEST(StoreRatings, MediaApiToken) {
  EXPECT_EQ(*ParseMediaApiToken(R"({"token":"eyJhbGciOiJFUzI1NiJ9.e30.sig"})"), "eyJhbGciOiJFUzI1NiJ9.e30.sig");
  EXPECT_FALSE(ParseMediaApiToken(R"({"token":""})").has_value());
  EXPECT_FALSE(ParseMediaApiToken("{}").has_value());
  EXPECT_FALSE(ParseMediaApiToken("nope").has_value());
}

}  // namespace
}  // namespace orchard::ingest
