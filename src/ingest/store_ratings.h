// The public ratings of an app in one storefront, from Apple's two no-login sources
// (apple-apis.md §8.4 and Part II §B.0–B.3). Pure functions over response bodies, no I/O.
//
// - The store's Media API app resource (`/v1/catalog/{cc}/apps/{id}`): `userRating` with the
//   average, the count and the histogram (`ratingCountList`, one star first). The cleanest
//   histogram source; it needs the store's shared anonymous token (`ParseMediaApiToken`).
// - The iTunes lookup (`/lookup?id=…&country=cc`): `averageUserRating` and `userRatingCount`,
//   no histogram. The fallback when the Media API is unavailable.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orchard::ingest {

struct StoreRating {
  int64_t average_x100 = 0;  // the average × 100, rounded (4.6 → 460); 0–500
  int64_t count = 0;         // number of ratings
  std::array<int64_t, 5> histogram{};  // [0] = one star … [4] = five stars
  bool has_histogram = false;          // false: the source gives no breakdown (lookup)
};

// `{"token":"<jwt>"}` from the token service (§B.0) → the token. kDataLoss otherwise.
Result<std::string> ParseMediaApiToken(std::string_view json);

// A Media API app document (`{"data":[{…"attributes":{"userRating":{…}}}]}`) → the ratings of
// the app `app_id`; nullopt when the document has no such app or the app has no `userRating`
// (no ratings in that storefront). Tolerated: numbers as JSON numbers or strings, `value`
// absent when there are no ratings, a histogram missing (then has_histogram = false), unknown
// fields. Rejected with kDataLoss: not JSON, no `data` array, a negative or non-numeric count,
// an average outside 0–5, a histogram that is not 5 non-negative integers.
Result<std::optional<StoreRating>> ParseMediaApiRating(std::string_view json,
                                                       std::string_view app_id);

// An iTunes lookup answer (`{"resultCount":N,"results":[…]}`) → the ratings of `app_id` (the
// result whose `trackId` is that id, a number or a string); nullopt when no result is that
// app (not sold in the storefront). An app without ratings has no `averageUserRating`: count 0.
// Rejected with kDataLoss: not JSON, no `results` array, values of the wrong type or range.
Result<std::optional<StoreRating>> ParseLookupRating(std::string_view json, std::string_view app_id);

}  // namespace orchard::ingest
