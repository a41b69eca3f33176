#include "apple/asc/customer_reviews.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "core/date.h"
#include "core/territory.h"

namespace orchard::apple::asc {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kAppleHost = "api.appstoreconnect.apple.com";
constexpr std::string_view kReplyRoles =
    "Account Holder, Admin, App Manager or Customer Support";


std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "…";
  return out + "\"";
}

// "HTTP 403 FORBIDDEN_ERROR: The API key in use does not allow this request"
std::string Describe(const net::HttpResponse& r, const std::optional<ApiError>& e) {
  return DescribeApiError(r.status, e);
}

enum class Operation { kList, kReply, kGetReply };

// The errors every review call shares (apple-apis.md §1.5), worded for the operation.
Status ErrorFor(const net::HttpResponse& r, Operation op, std::string_view what) {
  const auto e = ParseApiError(r.body);
  const std::string answer = "App Store Connect answered " + Describe(r, e);
  switch (r.status) {
    case 401:
      return Status(Code::kUnauthenticated,
                    "key rejected: " + answer +
                        ". The key may have been revoked or its issuer ID, key ID or .p8 file is "
                        "wrong; link a valid key");
    case 403:
      if (e && CodeHasPrefix(e->code, "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED")) {
        return Status(Code::kPermissionDenied,
                      "a required agreement is missing or has expired: the Account Holder must "
                      "accept it in App Store Connect (" + answer + ")");
      }
      if (op == Operation::kReply) {
        return Status(Code::kPermissionDenied,
                      "the App Store Connect key cannot reply to reviews (create or delete responses): " + answer +
                          ". Replying needs the " + std::string(kReplyRoles) +
                          " role; give the key one of them (role changes can take up to a day), "
                          "or check that the key has not been revoked");
      }
      return Status(Code::kPermissionDenied,
                    "the App Store Connect key cannot read customer reviews: " + answer +
                        ". Give it a role with access to the app (Admin, App Manager, Customer "
                        "Support, Marketing, Developer or Sales), or check that it has not been "
                        "revoked");
    case 404:
      switch (op) {
        case Operation::kList:
          return Status(Code::kNotFound, "no app " + Quote(what) + " for this key: " + answer);
        case Operation::kReply:
          return Status(Code::kNotFound, std::string(what) + " no longer exists: " + answer);
        case Operation::kGetReply:
          return Status(Code::kNotFound, "review " + Quote(what) + " not found: " + answer);
      }
      break;
    case 409:
      // Apple names an unknown review id as an invalid relationship value.
      if (e && CodeHasPrefix(e->code, "ENTITY_ERROR.RELATIONSHIP.INVALID")) {
        return Status(Code::kNotFound, std::string(what) + " no longer exists: " + answer);
      }
      return Status(Code::kFailedPrecondition, "App Store Connect refused the change: " + answer);
    case 400:
    case 422:
      return Status(Code::kInvalidArgument, "App Store Connect refused the request: " + answer);
    default:
      break;
  }
  return Status(Code::kUnknown, "unexpected answer from App Store Connect: " + answer);
}

// A string member: absent or null → nullopt; not a string → error.
Result<std::optional<std::string>> OptionalString(const Json& object, const char* key,
                                                  const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Error(Code::kDataLoss, where + ": " + key + " is not a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

// `relationships.<name>.data` as {type, id}; nullopt when absent or null.
std::optional<std::pair<std::string, std::string>> Linkage(const Json& resource,
                                                           const char* name) {
  const auto rel = resource.find("relationships");
  if (rel == resource.end() || !rel->is_object()) return std::nullopt;
  const auto one = rel->find(name);
  if (one == rel->end() || !one->is_object()) return std::nullopt;
  const auto data = one->find("data");
  if (data == one->end() || !data->is_object()) return std::nullopt;
  const auto id = data->find("id");
  if (id == data->end() || !id->is_string()) return std::nullopt;
  return std::pair{data->value("type", std::string()), id->get<std::string>()};
}

const Json& Attributes(const Json& resource) {
  static const Json kEmpty = Json::object();
  const auto it = resource.find("attributes");
  return it != resource.end() && it->is_object() ? *it : kEmpty;
}

Result<ReviewResponse> ParseResponseResource(const Json& resource, const std::string& where) {
  if (!resource.is_object()) return Error(Code::kDataLoss, where + " is not an object");
  ReviewResponse out;
  const auto id = resource.find("id");
  if (id == resource.end() || !id->is_string() || id->get<std::string>().empty()) {
    return Error(Code::kDataLoss, where + " has no id");
  }
  out.id = id->get<std::string>();
  const Json& a = Attributes(resource);
  ORCHARD_ASSIGN_OR_RETURN(auto body, OptionalString(a, "responseBody", where));
  out.body = body.value_or("");
  ORCHARD_ASSIGN_OR_RETURN(auto modified, OptionalString(a, "lastModifiedDate", where));
  if (modified && !modified->empty()) {
    auto unix_seconds = ParseAscDateTime(*modified);
    if (!unix_seconds) {
      return Error(Code::kDataLoss, where + ": lastModifiedDate: " + unix_seconds.error().message());
    }
    out.last_modified = *modified;
    out.last_modified_unix = *unix_seconds;
  }
  ORCHARD_ASSIGN_OR_RETURN(auto state, OptionalString(a, "state", where));
  out.state_text = state.value_or("");
  out.state = out.state_text == "PENDING_PUBLISH" ? ResponseState::kPending
              : out.state_text == "PUBLISHED"     ? ResponseState::kPublished
                                                  : ResponseState::kUnknown;
  if (auto review = Linkage(resource, "review")) out.review_id = review->second;
  return out;
}

Result<CustomerReview> ParseReviewResource(const Json& resource, const std::string& where) {
  if (!resource.is_object()) return Error(Code::kDataLoss, where + " is not an object");
  CustomerReview out;
  const auto id = resource.find("id");
  if (id == resource.end() || !id->is_string() || id->get<std::string>().empty()) {
    return Error(Code::kDataLoss, where + " has no id");
  }
  out.id = id->get<std::string>();
  const std::string at = where + " (" + out.id + ")";
  const Json& a = Attributes(resource);

  const auto rating = a.find("rating");
  if (rating == a.end() || !rating->is_number_integer() || rating->get<int64_t>() < 1 ||
      rating->get<int64_t>() > 5) {
    return Error(Code::kDataLoss, at + ": rating " +
                                      (rating == a.end() ? std::string("is missing")
                                                         : rating->dump() + " is not 1–5"));
  }
  out.rating = static_cast<int>(rating->get<int64_t>());

  ORCHARD_ASSIGN_OR_RETURN(auto created, OptionalString(a, "createdDate", at));
  if (!created) return Error(Code::kDataLoss, at + ": createdDate is missing");
  auto unix_seconds = ParseAscDateTime(*created);
  if (!unix_seconds) {
    return Error(Code::kDataLoss, at + ": createdDate: " + unix_seconds.error().message());
  }
  out.created = std::move(*created);
  out.created_unix = *unix_seconds;

  ORCHARD_ASSIGN_OR_RETURN(auto title, OptionalString(a, "title", at));
  ORCHARD_ASSIGN_OR_RETURN(auto body, OptionalString(a, "body", at));
  ORCHARD_ASSIGN_OR_RETURN(auto nickname, OptionalString(a, "reviewerNickname", at));
  ORCHARD_ASSIGN_OR_RETURN(auto territory, OptionalString(a, "territory", at));
  out.title = title.value_or("");
  out.body = body.value_or("");
  out.reviewer_nickname = nickname.value_or("");
  // The newer reviewTerritory relationship stands in when the attribute is absent.
  if (!territory || territory->empty()) {
    if (auto rel = Linkage(resource, "reviewTerritory")) territory = rel->second;
  }
  out.apple_territory = territory.value_or("");
  out.territory = TerritoryAlpha2(out.apple_territory).value_or("");
  return out;
}

}  // namespace

std::string_view ResponseStateName(ResponseState state) {
  switch (state) {
    case ResponseState::kPending: return "pending";
    case ResponseState::kPublished: return "published";
    case ResponseState::kUnknown: break;
  }
  return "unknown";
}

Result<int64_t> ParseAscDateTime(std::string_view text) { return ParseIsoDateTime(text); }

Result<CustomerReviewPage> ParseCustomerReviewsPage(std::string_view json) {
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Error(Code::kDataLoss, "the customer-reviews page is not JSON");
  }
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) {
    return Error(Code::kDataLoss, "the customer-reviews page has no \"data\" array");
  }
  CustomerReviewPage page;

  // included: the customerReviewResponses, by id; other types (territories) are skipped.
  std::vector<ReviewResponse> responses;
  if (const auto inc = doc.find("included"); inc != doc.end() && !inc->is_null()) {
    if (!inc->is_array()) return Error(Code::kDataLoss, "\"included\" is not an array");
    for (size_t i = 0; i < inc->size(); ++i) {
      const Json& r = (*inc)[i];
      if (!r.is_object() || r.value("type", std::string()) != "customerReviewResponses") continue;
      ORCHARD_ASSIGN_OR_RETURN(ReviewResponse response,
                               ParseResponseResource(r, "included " + std::to_string(i + 1)));
      responses.push_back(std::move(response));
    }
  }

  const Json& data = doc["data"];
  page.reviews.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    ORCHARD_ASSIGN_OR_RETURN(CustomerReview review,
                             ParseReviewResource(data[i], "review " + std::to_string(i + 1)));
    const auto linked = Linkage(data[i], "response");
    const ReviewResponse* found = nullptr;
    for (const auto& r : responses) {
      if (linked ? r.id == linked->second : r.review_id == review.id) {
        found = &r;
        break;
      }
    }
    if (found != nullptr) {
      review.response = *found;
      if (review.response->review_id.empty()) review.response->review_id = review.id;
    } else if (linked) {
      // Named but not included (e.g. sparse fields): the id is all there is.
      ReviewResponse only_id;
      only_id.id = linked->second;
      only_id.review_id = review.id;
      review.response = std::move(only_id);
    }
    page.reviews.push_back(std::move(review));
  }

  if (const auto links = doc.find("links"); links != doc.end() && links->is_object()) {
    if (const auto next = links->find("next"); next != links->end() && !next->is_null()) {
      if (!next->is_string()) return Error(Code::kDataLoss, "links.next is not a string");
      page.next = next->get<std::string>();
    }
  }
  if (const auto meta = doc.find("meta"); meta != doc.end() && meta->is_object()) {
    if (const auto paging = meta->find("paging"); paging != meta->end() && paging->is_object()) {
      if (const auto total = paging->find("total");
          total != paging->end() && total->is_number_integer()) {
        page.total = total->get<int64_t>();
      }
    }
  }
  return page;
}

Result<ReviewResponse> ParseReviewResponseDocument(std::string_view json) {
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error(Code::kDataLoss, "the review-response document is not JSON");
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_object()) {
    return Error(Code::kDataLoss, "the review-response document has no \"data\" object");
  }
  return ParseResponseResource(doc["data"], "the review response");
}

Result<std::string> NextPagePath(std::string_view next, std::string_view base_url) {
  auto refuse = [&](std::string_view why) {
    return Error(Code::kPermissionDenied,
                 "refusing the next-page link " + Quote(next) + " (" + std::string(why) +
                     "): Orchard only sends requests to the configured App Store Connect endpoint");
  };
  // Splits "scheme://authority/path?query" (the fragment dropped).
  struct Url {
    std::string scheme, authority, path_and_query;
  };
  auto split = [](std::string_view url) -> std::optional<Url> {
    const size_t colon = url.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    Url out{Lower(url.substr(0, colon)), "", ""};
    std::string_view rest = url.substr(colon + 3);
    const size_t slash = rest.find_first_of("/?#");
    out.authority = Lower(rest.substr(0, slash));
    out.path_and_query = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
    return out;
  };
  auto drop_default_port = [](Url& u) {
    if ((u.scheme == "https" && u.authority.ends_with(":443")) ||
        (u.scheme == "http" && u.authority.ends_with(":80"))) {
      u.authority.resize(u.authority.rfind(':'));
    }
  };

  std::string path;
  if (next.starts_with("/") && !next.starts_with("//")) {
    path = std::string(next);
  } else {
    auto link = split(next);
    if (!link) return refuse("not an absolute URL");
    if (link->scheme != "https" && link->scheme != "http") return refuse("not http(s)");
    if (link->authority.empty() || link->authority.find('@') != std::string::npos) {
      return refuse("no host, or user info in the URL");
    }
    drop_default_port(*link);
    auto base = split(base_url);
    if (base) drop_default_port(*base);
    if (base && link->scheme == base->scheme && link->authority == base->authority) {
      // The configured host itself (a sandbox or proxy that writes its own links): drop the
      // base URL's path prefix, which the request adds back.
      path = link->path_and_query;
      const std::string_view base_path =
          std::string_view(base->path_and_query).substr(0, base->path_and_query.find('?'));
      std::string prefix(base_path);
      while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
      if (!prefix.empty() && path.starts_with(prefix + "/")) path.erase(0, prefix.size());
    } else if (link->scheme == "https" && link->authority == kAppleHost) {
      path = link->path_and_query;
    } else {
      return refuse("host " + link->authority + " is neither " + std::string(kAppleHost) +
                    " nor the configured endpoint");
    }
  }
  if (const size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (!path.starts_with("/v1/")) return refuse("not an App Store Connect /v1/ path");
  if (path.find("/../") != std::string::npos || path.find("/./") != std::string::npos) {
    return refuse("dot segments in the path");
  }
  return path;
}

Result<std::string> CustomerReviewsPath(std::string_view app_id, const ListReviewsOptions& options) {
  if (app_id.empty()) return Error(Code::kInvalidArgument, "no app id");
  if (options.limit < 1 || options.limit > 200) {
    return Error(Code::kInvalidArgument,
                 "page size " + std::to_string(options.limit) + " is outside 1–200");
  }
  std::string path = "/v1/apps/" + net::UrlEncode(app_id) +
                     "/customerReviews?sort=-createdDate&limit=" + std::to_string(options.limit) +
                     "&include=response"
                     "&fields%5BcustomerReviews%5D=rating,title,body,reviewerNickname,createdDate,"
                     "territory,response"
                     "&fields%5BcustomerReviewResponses%5D=responseBody,lastModifiedDate,state,review";
  if (!options.territories.empty()) {
    std::set<std::string> codes;  // sorted, deduplicated
    for (const auto& t : options.territories) {
      std::optional<std::string> alpha3;
      if (t.size() == 2) alpha3 = TerritoryAlpha3(t);
      else if (TerritoryAlpha2(t)) alpha3 = std::string(t);
      if (!alpha3) return Error(Code::kInvalidArgument, "unknown territory " + Quote(t));
      for (char& c : *alpha3) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      codes.insert(*alpha3);
    }
    path += "&filter%5Bterritory%5D=";
    bool first = true;
    for (const auto& c : codes) {
      if (!first) path += ",";
      path += c;
      first = false;
    }
  }
  if (!options.ratings.empty()) {
    std::set<int> ratings(options.ratings.begin(), options.ratings.end());
    path += "&filter%5Brating%5D=";
    bool first = true;
    for (int r : ratings) {
      if (r < 1 || r > 5) {
        return Error(Code::kInvalidArgument, "rating " + std::to_string(r) + " is outside 1–5");
      }
      if (!first) path += ",";
      path += std::to_string(r);
      first = false;
    }
  }
  return path;
}

Result<ListReviewsSummary> ListCustomerReviews(AscClient& client, std::string_view app_id,
                                               const ListReviewsOptions& options,
                                               const ReviewPageCallback& on_page) {
  ORCHARD_ASSIGN_OR_RETURN(std::string path, CustomerReviewsPath(app_id, options));
  ListReviewsSummary summary;
  std::set<std::string> seen;
  while (true) {
    if (!seen.insert(path).second) {
      return Error(Code::kDataLoss, "App Store Connect's next-page link repeats an earlier page (" +
                                        path + "); stopping to avoid a loop");
    }
    ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse r, client.Call("GET", path));
    if (r.status != 200) {
      return Error(ErrorFor(r, Operation::kList, app_id).WithContext(
          "customer reviews of app " + std::string(app_id) + ", page " +
          std::to_string(summary.pages + 1)));
    }
    auto page = ParseCustomerReviewsPage(r.body);
    if (!page) {
      return Error(page.error().WithContext("customer reviews of app " + std::string(app_id) +
                                            ", page " + std::to_string(summary.pages + 1)));
    }
    ++summary.pages;
    summary.reviews += static_cast<int64_t>(page->reviews.size());
    if (summary.pages == 1) summary.total = page->total;
    ORCHARD_ASSIGN_OR_RETURN(PageAction action, on_page(*page));
    if (action == PageAction::kStop) {
      summary.stopped = true;
      return summary;
    }
    if (page->next.empty()) return summary;
    if (options.max_pages > 0 && summary.pages >= options.max_pages) {
      summary.stopped = true;
      return summary;
    }
    ORCHARD_ASSIGN_OR_RETURN(path, NextPagePath(page->next, client.base_url()));
  }
}

Result<ReviewResponse> CreateResponse(AscClient& client, std::string_view review_id,
                                      std::string_view body) {
  if (review_id.empty()) return Error(Code::kInvalidArgument, "no review id");
  if (std::all_of(body.begin(), body.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; })) {
    return Error(Code::kInvalidArgument, "the reply is empty");
  }
  const Json request = {
      {"data",
       {{"type", "customerReviewResponses"},
        {"attributes", {{"responseBody", std::string(body)}}},
        {"relationships",
         {{"review", {{"data", {{"type", "customerReviews"}, {"id", std::string(review_id)}}}}}}}}}};
  ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse r,
                           client.Call("POST", "/v1/customerReviewResponses",
                                       request.dump(-1, ' ', false, Json::error_handler_t::replace)));
  if (r.status != 201 && r.status != 200) {
    return Error(ErrorFor(r, Operation::kReply, "review " + std::string(review_id))
                     .WithContext("replying to review " + std::string(review_id)));
  }
  auto response = ParseReviewResponseDocument(r.body);
  if (!response) {
    return Error(response.error().WithContext("replying to review " + std::string(review_id)));
  }
  if (response->review_id.empty()) response->review_id = std::string(review_id);
  return response;
}

Status DeleteResponse(AscClient& client, std::string_view response_id) {
  if (response_id.empty()) return Status(Code::kInvalidArgument, "no response id");
  ORCHARD_ASSIGN_OR_RETURN(
      net::HttpResponse r,
      client.Call("DELETE", "/v1/customerReviewResponses/" + net::UrlEncode(response_id)));
  if (r.status == 204 || r.status == 200) return Status::Ok();
  return ErrorFor(r, Operation::kReply, "response " + std::string(response_id))
      .WithContext("deleting review response " + std::string(response_id));
}

Result<std::optional<ReviewResponse>> GetResponse(AscClient& client, std::string_view review_id) {
  if (review_id.empty()) return Error(Code::kInvalidArgument, "no review id");
  ORCHARD_ASSIGN_OR_RETURN(
      net::HttpResponse r,
      client.Call("GET", "/v1/customerReviews/" + net::UrlEncode(review_id) + "/response"));
  if (r.status == 404) {
    // "404 if none" (§4.2). A PATH_ERROR is a wrong URL, not an absent response.
    const auto e = ParseApiError(r.body);
    if (!e || !CodeHasPrefix(e->code, "PATH_ERROR")) return std::optional<ReviewResponse>();
  }
  if (r.status != 200) {
    return Error(ErrorFor(r, Operation::kGetReply, review_id)
                     .WithContext("reading the response of review " + std::string(review_id)));
  }
  auto response = ParseReviewResponseDocument(r.body);
  if (!response) {
    return Error(response.error().WithContext("reading the response of review " +
                                              std::string(review_id)));
  }
  if (response->review_id.empty()) response->review_id = std::string(review_id);
  return std::optional<ReviewResponse>(std::move(*response));
}

}  // namespace orchard::apple::asc
