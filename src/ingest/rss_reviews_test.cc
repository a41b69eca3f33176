// Golden files in testdata/rss/ were written by hand after apple-apis.md §8.1; the expected
// values below are read off those files by hand (UTC seconds worked out from the offsets shown).
#include "ingest/rss_reviews.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace orchard::ingest {
namespace {

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(ORCHARD_SOURCE_DIR) + "/src/ingest/testdata/rss/" + name,
                   std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

bool Mentions(const Status& status, std::string_view text) {
  return status.message().find(text) != std::string::npos;
}

// The feed is refused as invalid input, and the message names every fragment given.
void ExpectRejected(std::string_view json, std::initializer_list<std::string_view> fragments) {
  auto page = ParseReviewFeed(json, "us");
  ASSERT_FALSE(page.has_value()) << json.substr(0, 80);
  EXPECT_EQ(page.error().code(), Code::kInvalidArgument);
  for (std::string_view f : fragments) EXPECT_TRUE(Mentions(page.error(), f)) << page.error().message();
}

TEST(RssReviewsTest, SkipsTheMetadataEntryAndReadsEveryReviewField) {
  auto page = ParseReviewFeed(Golden("page1_with_metadata.json"), "US");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_EQ(page->skipped_entries, 1u);
  ASSERT_EQ(page->reviews.size(), 3u);

  const RssReview& a = page->reviews[0];
  EXPECT_EQ(a.id, "9876543210");
  EXPECT_EQ(a.rating, 5);
  EXPECT_EQ(a.title, "Finally syncs");
  EXPECT_EQ(a.body, "Works on my iPad now.\nThanks!");
  EXPECT_EQ(a.author, "happy_user");
  EXPECT_EQ(a.author_uri, "https://itunes.apple.com/us/reviews/id714810812");
  EXPECT_EQ(a.version, "8.2.1");
  EXPECT_EQ(a.updated, "2023-05-01T10:11:12-07:00");
  EXPECT_EQ(a.updated_unix, 1682961072);  // 2023-05-01T17:11:12Z
  EXPECT_EQ(a.vote_sum, 3);
  EXPECT_EQ(a.vote_count, 4);
  EXPECT_EQ(a.country, "us");

  const RssReview& b = page->reviews[1];
  EXPECT_EQ(b.id, "9876543101");
  EXPECT_EQ(b.rating, 1);
  EXPECT_EQ(b.title, "Crashes on launch 😡");
  EXPECT_EQ(b.body, "Since 8.2 it crashes — every time. \"Fix it\"");
  EXPECT_EQ(b.author, "Zoë");
  EXPECT_EQ(b.version, "8.2.0");
  EXPECT_EQ(b.updated_unix, 1682922600);  // 23:30 on 04-30 at -07:00 is 06:30 on 05-01 UTC
  EXPECT_EQ(b.vote_sum, 0);
  EXPECT_EQ(b.vote_count, 12);

  const RssReview& c = page->reviews[2];
  EXPECT_EQ(c.id, "9876540000");
  EXPECT_EQ(c.rating, 3);
  EXPECT_EQ(c.version, "8.1");
  EXPECT_EQ(c.updated_unix, 1682780400);  // 2023-04-29T15:00:00Z

  EXPECT_EQ(page->page, 1);
  EXPECT_EQ(page->last_page, 3);
  EXPECT_TRUE(page->has_next);
}

TEST(RssReviewsTest, SingleEntryGivenAsAnObjectIsOneReview) {
  auto page = ParseReviewFeed(Golden("single_entry_object.json"), "de");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_EQ(page->skipped_entries, 0u);
  ASSERT_EQ(page->reviews.size(), 1u);
  const RssReview& r = page->reviews[0];
  EXPECT_EQ(r.id, "4455667788");
  EXPECT_EQ(r.rating, 2);
  EXPECT_EQ(r.title, "Zu teuer");
  EXPECT_EQ(r.body, "Früher war alles besser.");
  EXPECT_EQ(r.author, "Kritiker");
  EXPECT_EQ(r.version, "7.0");
  EXPECT_EQ(r.updated, "2022-12-31T23:59:59-08:00");
  EXPECT_EQ(r.updated_unix, 1672559999);  // 2023-01-01T07:59:59Z: the year turns over in UTC
  EXPECT_EQ(r.vote_sum, 1);
  EXPECT_EQ(r.vote_count, 2);
  EXPECT_EQ(r.country, "de");
  // Segments in another order (id=…/sortBy=…/page=2); `next` points at page 2 again, but `self`
  // is the `last` page, so there is nothing after it.
  EXPECT_EQ(page->page, 2);
  EXPECT_EQ(page->last_page, 2);
  EXPECT_FALSE(page->has_next);
}

TEST(RssReviewsTest, AbsentEntryIsAnEmptyPageWithNothingNext) {
  auto page = ParseReviewFeed(Golden("entry_absent.json"), "us");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_TRUE(page->reviews.empty());
  EXPECT_EQ(page->skipped_entries, 0u);
  EXPECT_EQ(page->page, 4);  // past the last page (3)
  EXPECT_EQ(page->last_page, 3);
  EXPECT_FALSE(page->has_next);
}

TEST(RssReviewsTest, MetadataEntryAloneAsAnObjectMeansNoReviews) {
  // An app without reviews in a storefront: page 1 holds only the app-metadata entry, and as
  // the only entry it is an object.
  auto page = ParseReviewFeed(Golden("metadata_only_object.json"), "FR");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_TRUE(page->reviews.empty());
  EXPECT_EQ(page->skipped_entries, 1u);
  EXPECT_EQ(page->page, 1);
  EXPECT_EQ(page->last_page, 1);
  EXPECT_FALSE(page->has_next);
}

TEST(RssReviewsTest, ToleratesMissingOptionalFieldsAndUnwrappedScalars) {
  auto page = ParseReviewFeed(Golden("odd_optional_fields.json"), "Gb");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  ASSERT_EQ(page->reviews.size(), 3u);

  // No title, version, votes or author name; rating and id as JSON numbers; empty body.
  const RssReview& a = page->reviews[0];
  EXPECT_EQ(a.id, "1234567890123");
  EXPECT_EQ(a.rating, 2);
  EXPECT_EQ(a.title, "");
  EXPECT_EQ(a.body, "");
  EXPECT_EQ(a.author, "");
  EXPECT_EQ(a.author_uri, "https://itunes.apple.com/gb/reviews/id1");
  EXPECT_EQ(a.version, "");
  EXPECT_EQ(a.updated_unix, 1709208000);  // 2024-02-29T12:00:00Z
  EXPECT_FALSE(a.vote_sum.has_value());
  EXPECT_FALSE(a.vote_count.has_value());
  EXPECT_EQ(a.country, "gb");

  // Bare strings instead of {"label"}; content as [html, text]; an empty voteSum; a fraction
  // of a second and a +05:30 offset; an unknown field.
  const RssReview& b = page->reviews[1];
  EXPECT_EQ(b.id, "5550001");
  EXPECT_EQ(b.rating, 4);
  EXPECT_EQ(b.title, "Bare title");
  EXPECT_EQ(b.body, "plain body");
  EXPECT_EQ(b.author, "bare_strings");
  EXPECT_EQ(b.version, "");
  EXPECT_EQ(b.updated, "2024-03-01T00:15:00.250+05:30");
  EXPECT_EQ(b.updated_unix, 1709232300);  // 2024-02-29T18:45:00Z
  EXPECT_FALSE(b.vote_sum.has_value());
  EXPECT_EQ(b.vote_count, 7);

  // No content, no author uri, an offset without a colon.
  const RssReview& c = page->reviews[2];
  EXPECT_EQ(c.id, "5550002");
  EXPECT_EQ(c.rating, 3);
  EXPECT_EQ(c.title, "No body at all");
  EXPECT_EQ(c.body, "");
  EXPECT_EQ(c.author, "compact offset");
  EXPECT_EQ(c.author_uri, "");
  EXPECT_EQ(c.version, "10.0 (1234)");
  EXPECT_EQ(c.updated_unix, 1704873600);  // 2024-01-10T08:00:00Z

  // Apple-style links: …/page=2/…/xml?urlDesc=/customerreviews/id=…/json.
  EXPECT_EQ(page->page, 2);
  EXPECT_EQ(page->last_page, 10);
  EXPECT_TRUE(page->has_next);
}

TEST(RssReviewsTest, BadRatingNamesTheEntryAndTheField) {
  ExpectRejected(Golden("bad_rating.json"), {"entry 3", "'222'", "im:rating '7'"});
}

TEST(RssReviewsTest, ImpossibleUpdatedDayIsRejected) {
  ExpectRejected(Golden("bad_updated.json"), {"entry 1", "updated", "2023-02-30"});
}

TEST(RssReviewsTest, ReviewWithoutIdIsRejected) {
  ExpectRejected(Golden("missing_id.json"), {"entry 2: review without an id"});
}

TEST(RssReviewsTest, NonJsonAndTruncatedBodiesAreRejected) {
  ExpectRejected(Golden("html_error_page.json"), {"not JSON"});
  ExpectRejected(Golden("truncated.json"), {"not JSON"});
  EXPECT_FALSE(ParseReviewFeed("", "us").has_value());
}

TEST(RssReviewsTest, WrongShapesAreRejectedNotCrashedOn) {
  ExpectRejected(R"({"error":"no such app"})", {"no \"feed\" object"});
  EXPECT_FALSE(ParseReviewFeed("[1,2,3]", "us").has_value());
  EXPECT_FALSE(ParseReviewFeed(R"({"feed":"x"})", "us").has_value());
  ExpectRejected(R"({"feed":{"entry":[{"im:name":{"label":"x"}},42]}})", {"entry 2 is a number"});
  ExpectRejected(R"({"feed":{"entry":{"id":{"label":"9"},"im:rating":{"label":"4"},)"
                 R"("updated":{"label":"2023-05-01T10:11:12Z"},"title":{"label":["a"]}}}})",
                 {"entry 1 (id '9'): title is an array"});
  ExpectRejected(R"({"feed":{"entry":{"id":{"label":"9"},"im:rating":{"label":"4"},)"
                 R"("updated":{"label":"2023-05-01T10:11:12Z"},"im:voteCount":{"label":"-1"}}}})",
                 {"im:voteCount '-1'"});

  // A rating of 0, "4.5" and "" are all outside 1–5 whole stars.
  for (const char* rating : {"0", "4.5", ""}) {
    auto r = ParseReviewFeed(
        std::string(R"({"feed":{"entry":{"id":{"label":"9"},"im:rating":{"label":")") + rating +
            R"("},"updated":{"label":"2023-05-01T10:11:12Z"}}}})",
        "us");
    EXPECT_FALSE(r.has_value()) << rating;
  }
}

TEST(RssReviewsTest, DeeplyNestedInputIsRejectedWithoutOverflow) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ParseReviewFeed(deep, "us").has_value());
  const std::string deep_entry = R"({"feed":{"entry":{"im:rating":"5","id":)" +
                                 std::string(50000, '[') + std::string(50000, ']') + "}}}";
  auto r = ParseReviewFeed(deep_entry, "us");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Mentions(r.error(), "entry 1: id is an array")) << r.error().message();
}

TEST(RssReviewsTest, CountryMustBeTwoLetters) {
  for (const char* cc : {"", "usa", "1a", "u"}) {
    auto r = ParseReviewFeed(Golden("entry_absent.json"), cc);
    ASSERT_FALSE(r.has_value()) << cc;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  }
}

TEST(RssReviewsTest, WithoutLinksAFullPageMayHaveMore) {
  std::string entries;
  for (int i = 1; i <= 50; ++i) {
    if (i > 1) entries += ",";
    entries += R"({"id":{"label":")" + std::to_string(i) +
               R"("},"im:rating":{"label":"5"},"updated":{"label":"2023-05-01T10:11:12Z"}})";
  }
  auto full = ParseReviewFeed(R"({"feed":{"entry":[)" + entries + "]}}", "us");
  ASSERT_TRUE(full.has_value()) << full.error().ToString();
  EXPECT_EQ(full->reviews.size(), 50u);
  EXPECT_EQ(full->page, 0);
  EXPECT_TRUE(full->has_next);

  auto short_page =
      ParseReviewFeed(R"({"feed":{"entry":{"id":{"label":"1"},"im:rating":{"label":"5"},)"
                      R"("updated":{"label":"2023-05-01T10:11:12Z"}}}})",
                      "us");
  ASSERT_TRUE(short_page.has_value());
  EXPECT_FALSE(short_page->has_next);
}

TEST(RssReviewsTest, PageTenIsTheLastEvenIfLinksSayMore) {
  auto page = ParseReviewFeed(
      R"({"feed":{"entry":{"id":{"label":"1"},"im:rating":{"label":"5"},)"
      R"("updated":{"label":"2023-05-01T10:11:12Z"}},"link":[)"
      R"({"attributes":{"rel":"self","href":"https://x/us/rss/customerreviews/page=10/id=1/json"}},)"
      R"({"attributes":{"rel":"last","href":"https://x/us/rss/customerreviews/page=12/id=1/json"}}]}})",
      "us");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_EQ(page->page, 10);
  EXPECT_EQ(page->last_page, 12);
  EXPECT_FALSE(page->has_next);
}

TEST(RssReviewsTest, TimestampForms) {
  EXPECT_EQ(ParseRssTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRssTimestamp("1970-01-01T00:00:00-07:00"), 7 * 3600);
  EXPECT_EQ(ParseRssTimestamp("1970-01-01T01:00:00+01"), 0);
  EXPECT_EQ(ParseRssTimestamp("1970-01-02T00:00:00.999999+0000"), 86400);
  for (const char* bad : {"2023-05-01", "2023-05-01T10:11:12", "2023-05-01T24:00:00Z",
                          "2023-05-01T10:11:12+7", "2023-05-01T10:11:12.Z", "2023-05-01X10:11:12Z",
                          "2023-05-01T10:11:12-07:00junk", "yesterday"}) {
    EXPECT_FALSE(ParseRssTimestamp(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace orchard::ingest
