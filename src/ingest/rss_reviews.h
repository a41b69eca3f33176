// Apple's public customer-reviews RSS feed in its JSON form (apple-apis.md §8.1):
// `{cc}/rss/customerreviews/page={1..10}/id={appId}/sortby=…/json`, one page of up to 50
// reviews of one app in one storefront. A pure function over the response body, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orchard::ingest {

// The most pages the feed serves for one storefront (10 × 50 ≈ the 500 newest reviews).
inline constexpr int kRssMaxPages = 10;

struct RssReview {
  std::string id;                   // the feed's review id; an edited review keeps it
  int rating = 0;                   // 1–5
  std::string title;                // "" when absent
  std::string body;                 // the `content` text; "" when absent
  std::string author;               // the reviewer's nickname; "" when absent
  std::string author_uri;           // the reviewer's profile URL; "" when absent
  std::string version;              // the app version reviewed (`im:version`); "" when absent
  std::string updated;              // as in the feed, e.g. "2023-05-01T10:11:12-07:00"
  int64_t updated_unix = 0;         // `updated` as UTC seconds since 1970-01-01 (fraction dropped)
  std::optional<int64_t> vote_sum;  // `im:voteSum` (helpful votes) when present
  std::optional<int64_t> vote_count;  // `im:voteCount` (all votes) when present
  std::string country;                // the storefront passed to the parser, lower-case ("us")
};

struct RssReviewPage {
  std::vector<RssReview> reviews;  // in feed order
  size_t skipped_entries = 0;      // entries without `im:rating` (the app-metadata entry)
  int page = 0;       // this page's number, from the `self` link; 0 when the feed does not say
  int last_page = 0;  // from the `last` link; 0 when the feed does not say
  // Whether fetching page + 1 can return more reviews: false on a page without reviews and at
  // page kRssMaxPages; else decided by `self` < `last`; without `last`, by `next` > `self` (the
  // `next` link alone is not trusted: on the last page it may point at the last page again);
  // without `self`, a full page (50 reviews) means "maybe more".
  bool has_next = false;
};

// Parses one page. `country` is the storefront the page was fetched for (two letters, any case;
// else kInvalidArgument); it is stored lower-case on every review.
//
// Tolerated (§8.1 and its unconfirmed variants): `entry` as an array, as a single object (one
// entry), absent or null (no reviews / past the last page); entries without `im:rating` (the
// app-metadata entry) skipped wherever they are; scalars as `{"label": …}` or bare, strings or
// JSON numbers; `content` as one object or an array (the `type: text` one is taken); unknown
// fields; `link` as an object or an array; `page=N` anywhere in a link, with segments in any
// order; `updated` with `Z`, `±HH:MM`, `±HHMM` or `±HH` and optional fractional seconds.
//
// Rejected with kInvalidArgument (the message names the entry, 1-based in feed order, and the
// field): text that is not JSON, no `feed` object, an entry that is not an object, a review
// without `id`, a rating that is not an integer 1–5, an `updated` that is missing or not an
// ISO-8601 date-time with an offset, a vote count that is not a non-negative integer, a field
// of an unusable type (e.g. an array where text is expected).
Result<RssReviewPage> ParseReviewFeed(std::string_view json, std::string_view country);

// "2023-05-01T10:11:12-07:00" → UTC seconds since the epoch (see ParseReviewFeed for the forms
// accepted). kInvalidArgument otherwise.
Result<int64_t> ParseRssTimestamp(std::string_view text);

}  // namespace orchard::ingest
