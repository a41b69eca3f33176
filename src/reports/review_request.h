// The reviews inbox and ratings grammar, shared by every interface: `GET /api/v1/reviews`,
// `GET /api/v1/reviews/counts`, `GET /api/v1/ratings` and `orchard reviews list`, `orchard report
// ratings` turn their parameters into (name, value) pairs (ReportParam, as the sales grammar),
// and this file turns them into a validated store query and renders the answer, so the HTTP API
// and the CLI accept the same words and print the same bytes.
//
// Inbox parameters (list = comma-separated, "any of"; different parameters combine with AND):
//   app          App Store ids (digits), list
//   country      two-letter storefront codes, list, any case (answered lower-case: "us")
//   rating       1–5, list
//   version      app versions as the review states them, list
//   from, to     YYYY-MM-DD | today | yesterday | -Nd | -Nw | -Nm | -Ny, on the review's updated
//                time in UTC days; `to` is inclusive
//   reply_state  none | pending | published | outdated, list
//   unreplied    = reply_state none;  replied = pending,published;  outdated = outdated
//                (flags: empty, true or 1; they add to reply_state)
//   q            words that must all occur in the title or body (taken literally)
//   source       asc | rss
//   sort         newest (default) | oldest | rating (lowest first) | -rating (highest first)
//   limit        1–1000 (default 50);  offset  ≥ 0
//   format       json | csv (and table in the CLI)
// Counts take the same filter; sort, limit and offset do not apply to them and are refused.
//
// Ratings parameters: app (required, one id), country (list; default every stored storefront and
// the worldwide figure "ww"), from, to (days, inclusive), format.
//
// Unknown, repeated or empty parameters and bad values are kInvalidArgument naming the parameter
// as the caller spelled it (ReportParam::label).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/date.h"
#include "core/status.h"
#include "reports/report_request.h"
#include "reports/table.h"
#include "store/meta_store.h"
#include "store/review_store.h"

namespace orchard::reports {

// Review dates are UTC (Apple's createdDate and the feed's `updated` carry offsets; Orchard
// stores UTC seconds): relative days count from today in UTC.
Date ReviewToday(const Clock& clock);

enum class ReviewAnswer { kList, kCounts };

struct ReviewRequest {
  store::ReviewQuery query;  // team_id left 0: the caller sets its own team
  std::optional<Date> from, to;
  Format format = Format::kJson;
  ReviewAnswer answer = ReviewAnswer::kList;
};

// The inbox grammar's parameters, for documentation (OpenAPI, --help) and the parser.
const std::vector<ParamSpec>& ReviewParams();
const std::vector<ParamSpec>& RatingParams();

// `defaults.today` counts relative dates (ReviewToday); `defaults.format` is the format when
// none is asked for, `allow_table` whether the caller can print a table.
Result<ReviewRequest> ParseReviewRequest(const std::vector<ReportParam>& params,
                                         const ReportDefaults& defaults,
                                         ReviewAnswer answer = ReviewAnswer::kList);

// The request as the answer states it: every filter normalized (sorted lists, absolute days,
// null when absent). Its dump() is the request's identity.
nlohmann::ordered_json NormalizedReviewQuery(const ReviewRequest& request);

// Unix seconds → "2026-03-10T14:03:00Z".
std::string IsoUtc(int64_t seconds);

// One review as every JSON answer shows it:
//   {"id","app","country","rating","title","body","author","version","updated","reply_state",
//    "source","response":{"body","state","updated"}|null}
nlohmann::ordered_json ReviewJson(const store::Review& review);
// A review with its edit history (`orchard reviews show`, GET /api/v1/reviews/{id}): ReviewJson
// plus "created", "first_seen" and "history":[{rating,title,body,version,updated,replaced}]
// (oldest first).
nlohmann::ordered_json ReviewDetailJson(const store::ReviewDetail& detail);

// The contract columns of CSV and table: id,app,country,rating,title,body,author,version,
// updated,reply_state.
const std::vector<std::string>& ReviewColumns();

// The page in the request's format. JSON:
//   {"query":{…},"total":N,"limit":L,"offset":O,"reviews":[ReviewJson…]}
// CSV: the contract columns, every field as stored (quoted when it holds a comma, quote or line
// break). Table: the same columns for a terminal (line breaks shown as spaces, long titles and
// bodies shortened with "…"), then "N of TOTAL reviews".
std::string RenderReviews(const ReviewRequest& request, const store::ReviewPage& page);

// Counts in the request's format. JSON: {"query":{…},"total":N,"by_rating":{"1":n,…,"5":n},
// "by_country":{"us":n,…},"by_version":{"2.0":n,"":n,…}} (every rating 1–5, zeros included;
// "" = version unknown). CSV/table: rows of dimension,value,count (total first).
std::string RenderReviewCounts(const ReviewRequest& request, const store::ReviewCounts& counts);

// `orchard reviews show` as text: the review, its response and its earlier versions.
std::string RenderReviewDetailText(const store::ReviewDetail& detail);

struct RatingsRequest {
  std::string app_id;
  std::vector<std::string> countries;  // lower-case, sorted; empty = every stored one
  std::optional<Date> from, to;
  Format format = Format::kJson;
};

Result<RatingsRequest> ParseRatingsRequest(const std::vector<ReportParam>& params,
                                           const ReportDefaults& defaults);
nlohmann::ordered_json NormalizedRatingsQuery(const RatingsRequest& request);

// Runs ListRatingSnapshots for the team.
Result<std::vector<store::RatingSnapshot>> RunRatingsRequest(store::ReviewStore& reviews,
                                                             int64_t team_id,
                                                             const RatingsRequest& request);

// Rows app,country,day,average,count,one_star,two_star,three_star,four_star,five_star, ordered
// by country then day; average has two decimals (average_x100 / 100). JSON:
//   {"query":{…},"columns":[…],"rows":[{"app":"…","country":"us","day":"2026-03-01",
//    "average":4.67,"count":1234,"one_star":…},…]}
Table RatingsTable(const std::vector<store::RatingSnapshot>& snapshots);
std::string RenderRatings(const RatingsRequest& request,
                          const std::vector<store::RatingSnapshot>& snapshots);

// An app to track as the user names it: its App Store id ("123456789", "id123456789") or its
// App Store URL ("https://apps.apple.com/us/app/name/id123456789?l=en", itunes.apple.com too).
// → the id (digits). kInvalidArgument in plain words otherwise.
Result<std::string> ParseAppRef(std::string_view text);

// Storefronts to track: "all" (→ empty: every storefront) or a comma list of two-letter codes
// known to Apple, any case → lower-case, sorted, without repeats.
Result<std::vector<std::string>> ParseStorefronts(std::string_view text, std::string_view label);

// Tracking an app, for every interface: `app_ref` as ParseAppRef takes it, `countries` as
// ParseStorefronts ("" = all). A linked app (in the team's catalog) notes the account it is seen
// through. `created`: it was not tracked before (else its countries were changed).
struct TrackOutcome {
  store::TrackedApp app;
  bool created = false;
};
Result<TrackOutcome> TrackAppRequest(store::ReviewStore& reviews, store::MetaStore& meta,
                                     int64_t team_id, std::string_view app_ref,
                                     std::string_view countries, std::string_view countries_label);

// {"app","all_countries","countries":[…],"account_id":n|null,"created":"…Z"}
nlohmann::ordered_json TrackedAppJson(const store::TrackedApp& app);
// JSON: {"apps":[TrackedAppJson…]}; CSV/table: app,countries,account_id,created.
std::string RenderTrackedApps(const std::vector<store::TrackedApp>& apps, Format format);

}  // namespace orchard::reports
