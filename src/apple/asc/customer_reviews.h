// Customer reviews and review responses of the App Store Connect API (apple-apis.md §4.1–4.2),
// on top of AscClient: every request goes through AscClient::Call, so the REL-1 retry rules and
// the key's RequestBudget apply unchanged. The JSON parsing is a pure function
// (ParseCustomerReviewsPage), testable and fuzzable without I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apple/asc/asc_client.h"
#include "core/status.h"

namespace orchard::apple::asc {

enum class ResponseState {
  kPending,    // PENDING_PUBLISH: Apple has not published it yet
  kPublished,  // PUBLISHED
  kUnknown,    // a state this client does not know (kept in `state_text`)
};

// A developer response (`customerReviewResponses`).
struct ReviewResponse {
  std::string id;
  std::string body;                   // responseBody; "" when the page left it out
  std::string last_modified;          // lastModifiedDate as Apple wrote it; "" when absent
  std::optional<int64_t> last_modified_unix;  // the same in UTC seconds, when given
  ResponseState state = ResponseState::kUnknown;
  std::string state_text;             // Apple's own word, e.g. "PENDING_PUBLISH"; "" when absent
  std::string review_id;              // relationships.review, when given
};

// "pending" / "published" / "unknown", as Orchard shows them.
std::string_view ResponseStateName(ResponseState state);

// A customer review (`customerReviews`).
struct CustomerReview {
  std::string id;                // opaque, never parsed
  int rating = 0;                // 1–5
  std::string title;             // "" when absent
  std::string body;              // "" when absent
  std::string reviewer_nickname; // "" when absent
  std::string created;           // createdDate as Apple wrote it, e.g. "2024-01-02T11:19:36-07:00"
  int64_t created_unix = 0;      // the same in UTC seconds (fraction dropped)
  std::string territory;         // lower-case alpha-2 ("us"); "" when Apple's code is unknown
  std::string apple_territory;   // Apple's alpha-3 ("USA"), as sent
  std::optional<ReviewResponse> response;  // resolved from `included`; none = no response
};

struct CustomerReviewPage {
  std::vector<CustomerReview> reviews;  // in Apple's order (newest first when sorted so)
  std::string next;                     // links.next verbatim; "" on the last page
  std::optional<int64_t> total;         // meta.paging.total, when given
};

// Parses one page of `GET /v1/apps/{id}/customerReviews` (a CustomerReviewsResponse).
//
// Tolerated: `included` absent, null or holding other types (territories); a review's
// `relationships.response.data` absent or null (no response) or naming a response that is not in
// `included` (a response with only its id); a response that names its review only from its own
// side (`relationships.review`); the territory given only as `relationships.reviewTerritory`
// (ids assumed alpha-3, UNCONFIRMED); a territory code missing from the table (territory "");
// absent title/body/nickname; `links.next` absent or null; unknown fields; createdDate with `Z`,
// `±HH:MM`, `±HHMM` or `±HH` and optional fractional seconds.
//
// Rejected with kDataLoss, naming the review (1-based) and field: text that is not JSON, no
// `data` array, a review without a string id, a rating that is not an integer 1–5, a
// createdDate missing or not an ISO-8601 date-time with an offset, a field of the wrong type.
Result<CustomerReviewPage> ParseCustomerReviewsPage(std::string_view json);

// Parses a `CustomerReviewResponseV1Response` (`{"data": {…customerReviewResponses…}}`).
Result<ReviewResponse> ParseReviewResponseDocument(std::string_view json);

// "2024-01-02T11:19:36-07:00" → UTC seconds since the epoch; kInvalidArgument otherwise.
Result<int64_t> ParseAscDateTime(std::string_view text);

// The path and query to request for a `links.next` URL, to send to `base_url` (the configured
// App Store Connect endpoint: Apple, a proxy or the sandbox). A next link on the configured host
// (a path prefix of `base_url` is removed) or on api.appstoreconnect.apple.com over https keeps
// only its path and query; a relative link ("/v1/…") is taken as it is. Any other host, a
// scheme other than http(s), user info in the URL or a path outside /v1/ is refused with
// kPermissionDenied (REL-2: no request off the configured endpoint).
Result<std::string> NextPagePath(std::string_view next, std::string_view base_url);

struct ListReviewsOptions {
  // Storefronts to read, alpha-2 ("us", any case) or Apple's alpha-3 ("USA"); empty = all.
  std::vector<std::string> territories;
  // Ratings to read (1–5); empty = all.
  std::vector<int> ratings;
  int limit = 200;   // page size, 1–200 (Apple's maximum)
  int max_pages = 0; // stop after this many pages; 0 = no cap
};

enum class PageAction { kContinue, kStop };

// Called once per page, in order. Return kStop to end the listing there (an incremental sync
// stops at the first page that reaches what it already stored). An error aborts the listing
// and is returned as it is.
using ReviewPageCallback = std::function<Result<PageAction>(const CustomerReviewPage& page)>;

struct ListReviewsSummary {
  int pages = 0;
  int64_t reviews = 0;
  bool stopped = false;     // the callback said kStop (or max_pages was reached)
  std::optional<int64_t> total;  // meta.paging.total of the first page, when given
};

// The query of the first page: sort=-createdDate, limit, include=response with the response
// fields, the territory and rating filters (brackets percent-encoded, lists comma-separated).
// kInvalidArgument for an unknown territory, a rating outside 1–5 or a limit outside 1–200.
Result<std::string> CustomerReviewsPath(std::string_view app_id, const ListReviewsOptions& options);

// GET /v1/apps/{app_id}/customerReviews, newest first, following links.next to the last page
// or until the callback stops. Errors: kUnauthenticated (401: key rejected or revoked),
// kPermissionDenied (403: role or agreement; a next link off the configured host),
// kNotFound (404: no such app for this key), kInvalidArgument (400), kDataLoss (a page that is
// not a review document, a next link that repeats), plus AscClient's kResourceExhausted /
// kUnavailable after retries.
Result<ListReviewsSummary> ListCustomerReviews(AscClient& client, std::string_view app_id,
                                               const ListReviewsOptions& options,
                                               const ReviewPageCallback& on_page);

// POST /v1/customerReviewResponses: creates the response of a review, or replaces the one it
// has (a review has at most one). Returns the response as Apple stored it (state PENDING_PUBLISH
// at first). Errors: kInvalidArgument (an empty body, refused before sending; 400; 422 with
// Apple's detail), kPermissionDenied (403: the key lacks a replying role, named in the message;
// or a missing agreement), kUnauthenticated (401), kNotFound (404, or 409 naming the review as an
// invalid relationship: the review is gone), kFailedPrecondition (other 409s, with Apple's
// detail), kDataLoss (a 201 that is not a response document).
Result<ReviewResponse> CreateResponse(AscClient& client, std::string_view review_id,
                                      std::string_view body);

// DELETE /v1/customerReviewResponses/{id} (204). Errors as CreateResponse; kNotFound when the
// response does not exist (already deleted).
Status DeleteResponse(AscClient& client, std::string_view response_id);

// GET /v1/customerReviews/{review_id}/response. nullopt when the review has no response (404).
Result<std::optional<ReviewResponse>> GetResponse(AscClient& client, std::string_view review_id);

}  // namespace orchard::apple::asc
