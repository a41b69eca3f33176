// Customer reviews and review responses (apple-apis.md §4.1–4.2).
#include <algorithm>
#include <sstream>

#include "sandbox/server.h"

namespace orchard::sandbox {

const std::vector<ReviewInfo>& Sandbox::Impl::ReviewsOf(const std::string& app_id) {
  // Keyed by today too: the reviews run up to yesterday. Old entries stay (a handler may still
  // hold a reference to them).
  const auto portfolio = P();
  const std::string key = portfolio->today().Iso() + "/" + app_id;
  std::lock_guard lock(mu);
  auto it = review_cache.find(key);
  if (it == review_cache.end()) it = review_cache.emplace(key, portfolio->Reviews(app_id)).first;
  return it->second;
}

const ReviewInfo* Sandbox::Impl::FindReview(const std::string& review_id) {
  for (const auto& app : P()->Apps()) {
    for (const auto& r : ReviewsOf(app.id)) {
      if (r.id == review_id) return &r;
    }
  }
  return nullptr;
}

Json Sandbox::Impl::ResponseResource(const ReviewResponse& r, const std::string& base) {
  const bool published =
      std::chrono::steady_clock::now() - r.created >= std::chrono::milliseconds(publish_delay_ms);
  return Json{{"type", "customerReviewResponses"},
              {"id", r.id},
              {"attributes",
               {{"responseBody", r.body},
                {"lastModifiedDate", r.last_modified},
                {"state", published ? "PUBLISHED" : "PENDING_PUBLISH"}}},
              {"relationships",
               {{"review", {{"data", {{"type", "customerReviews"}, {"id", r.review_id}}}}}}},
              {"links", {{"self", base + "/v1/customerReviewResponses/" + r.id}}}};
}

Json Sandbox::Impl::ReviewResource(const ReviewInfo& r, const std::string& base,
                                   const std::set<std::string>& fields) {
  Json attributes = {{"rating", r.rating},       {"title", r.title},
                     {"body", r.body},           {"reviewerNickname", r.nickname},
                     {"createdDate", r.created}, {"territory", r.territory}};
  KeepFields(&attributes, fields);
  const std::string self = base + "/v1/customerReviews/" + r.id;
  Json response = {
      {"links", {{"self", self + "/relationships/response"}, {"related", self + "/response"}}}};
  {
    std::lock_guard lock(mu);
    if (auto it = responses.find(r.id); it != responses.end()) {
      response["data"] = {{"type", "customerReviewResponses"}, {"id", it->second.id}};
    }
  }
  return Json{{"type", "customerReviews"},
              {"id", r.id},
              {"attributes", attributes},
              {"relationships",
               {{"response", response},
                {"reviewTerritory", {{"data", {{"type", "territories"}, {"id", r.territory}}}}}}},
              {"links", {{"self", self}}}};
}

// GET /v1/apps/{id}/customerReviews (§4.1).
void Sandbox::Impl::CustomerReviews(const httplib::Request& req, httplib::Response& res,
                                    const std::string& app_id) {
  auto kid = Admitted(req, res);
  if (!kid) return;
  if (!KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER", "APP_MANAGER", "CUSTOMER_SUPPORT", "MARKETING",
                         "DEVELOPER", "SALES"})) {
    JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
    return;
  }
  static const std::set<std::string> kParams = {"filter[territory]",
                                                "filter[rating]",
                                                "filter[reviewTerritory]",
                                                "exists[publishedResponse]",
                                                "sort",
                                                "fields[customerReviews]",
                                                "fields[customerReviewResponses]",
                                                "fields[territories]",
                                                "include",
                                                "limit",
                                                "cursor"};
  if (!OnlyParams(req, res, kParams)) return;
  const auto apps = P()->Apps();
  if (std::none_of(apps.begin(), apps.end(), [&](const AppInfo& a) { return a.id == app_id; })) {
    JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
              "There is no resource of type 'apps' with id '" + app_id + "'");
    return;
  }
  auto territories = ListParam(req, "filter[territory]");
  for (const auto& t : ListParam(req, "filter[reviewTerritory]")) territories.insert(t);
  const auto ratings = ListParam(req, "filter[rating]");
  const auto fields = ListParam(req, "fields[customerReviews]");
  const auto include = ListParam(req, "include");
  for (const auto& r : ratings) {
    if (r.size() != 1 || r[0] < '1' || r[0] > '5') {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "'" + r + "' is not a valid value for the parameter", "filter[rating]");
      return;
    }
  }
  std::optional<bool> has_response;
  if (req.has_param("exists[publishedResponse]")) {
    has_response = req.get_param_value("exists[publishedResponse]") == "true";
  }
  std::vector<const ReviewInfo*> selected;
  for (const auto& r : ReviewsOf(app_id)) {
    if (!territories.empty() && !territories.contains(r.territory)) continue;
    if (!ratings.empty() && !ratings.contains(std::to_string(r.rating))) continue;
    if (has_response) {
      bool published = false;
      std::lock_guard lock(mu);
      if (auto it = responses.find(r.id); it != responses.end()) {
        published = std::chrono::steady_clock::now() - it->second.created >=
                    std::chrono::milliseconds(publish_delay_ms);
      }
      if (published != *has_response) continue;
    }
    selected.push_back(&r);
  }
  // sort: comma list of rating/createdDate with '-' for descending; default newest first.
  std::vector<std::pair<std::string, bool>> sort_keys;
  std::stringstream sort_in(req.has_param("sort") ? req.get_param_value("sort") : "-createdDate");
  for (std::string key; std::getline(sort_in, key, ',');) {
    const bool desc = !key.empty() && key[0] == '-';
    if (desc) key.erase(0, 1);
    if (key != "rating" && key != "createdDate") {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "'" + req.get_param_value("sort") + "' is not a valid sort", "sort");
      return;
    }
    sort_keys.emplace_back(key, desc);
  }
  std::stable_sort(selected.begin(), selected.end(), [&](const ReviewInfo* a, const ReviewInfo* b) {
    for (const auto& [key, desc] : sort_keys) {
      const int64_t x = key == "rating" ? a->rating : a->created_epoch;
      const int64_t y = key == "rating" ? b->rating : b->created_epoch;
      if (x != y) return desc ? x > y : x < y;
    }
    return false;
  });
  Paged(
      req, res, selected.size(),
      [&](size_t i, const std::string& base) { return ReviewResource(*selected[i], base, fields); },
      [&](size_t from, size_t to, const std::string& base) {
        Json included = Json::array();
        if (!include.contains("response")) return included;
        std::lock_guard lock(mu);
        for (size_t i = from; i < to; ++i) {
          if (auto it = responses.find(selected[i]->id); it != responses.end()) {
            included.push_back(ResponseResource(it->second, base));
          }
        }
        return included;
      });
}

// POST /v1/customerReviewResponses: create or replace (§4.2).
void Sandbox::Impl::CreateResponse(const httplib::Request& req, httplib::Response& res) {
  auto kid = Admitted(req, res);
  if (!kid) return;
  if (!KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER", "APP_MANAGER", "CUSTOMER_SUPPORT"})) {
    JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
    return;
  }
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    res.status = 415;
    res.set_content("Unsupported Media Type", "text/plain");
    return;
  }
  const Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    JsonError(res, 400, "ENTITY_INVALID", "The provided entity is invalid",
              "The request body is not valid JSON");
    return;
  }
  const Json* data = body.is_object() && body.contains("data") ? &body["data"] : nullptr;
  const bool shaped =
      data != nullptr && data->is_object() &&
      data->value("type", "") == "customerReviewResponses" && data->contains("attributes") &&
      (*data)["attributes"].is_object() && (*data)["attributes"].contains("responseBody") &&
      (*data)["attributes"]["responseBody"].is_string() && data->contains("relationships") &&
      (*data)["relationships"].contains("review") &&
      (*data)["relationships"]["review"].contains("data") &&
      (*data)["relationships"]["review"]["data"].value("type", "") == "customerReviews";
  if (!shaped) {
    JsonError(res, 422, "ENTITY_UNPROCESSABLE", "The request entity is not valid",
              "Expected data.type customerReviewResponses with attributes.responseBody and "
              "relationships.review");
    return;
  }
  const std::string review_id = (*data)["relationships"]["review"]["data"].value("id", "");
  const std::string text = (*data)["attributes"]["responseBody"];
  if (FindReview(review_id) == nullptr) {
    JsonError(res, 409, "ENTITY_ERROR.RELATIONSHIP.INVALID",
              "The provided entity includes a relationship with an invalid value",
              "'" + review_id + "' is not a valid id for this relationship", "");
    return;
  }
  if (text.empty()) {
    JsonError(res, 409, "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
              "The provided entity is missing a required field",
              "You must provide a value for the attribute 'responseBody' with this request");
    return;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  ReviewResponse r{"resp-" + review_id.substr(0, 8) + "-" + std::to_string(now % 100000), review_id,
                   text, Rfc3339Utc(now), std::chrono::steady_clock::now()};
  Json out;
  {
    std::lock_guard lock(mu);
    responses[review_id] = r;  // a second POST replaces the first
    out = ResponseResource(r, "http://" + req.get_header_value("Host"));
  }
  res.status = 201;
  res.set_content(Json{{"data", out}, {"links", {{"self", out["links"]["self"]}}}}.dump(),
                  "application/json");
}

}  // namespace orchard::sandbox
