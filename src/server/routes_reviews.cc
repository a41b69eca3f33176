// Customer reviews and ratings (issue 6): the inbox in the grammar of reports/review_request.h
// (shared with `orchard reviews list` and `orchard report ratings`, so both print the same
// bytes), one review with its history, the developer response (the rules of
// accounts/review_replies.h), rating snapshots, and the apps a team tracks. Every handler reads
// and writes only the request's team: another team's review or app answers 404.
#include <set>

#include "accounts/review_replies.h"
#include "reports/review_request.h"
#include "server/api_server.h"
#include "server/json_body.h"

namespace orchard::server {
namespace {

constexpr const char* kCsvType = "text/csv; charset=utf-8";

std::vector<QueryParam> Docs(const std::vector<reports::ParamSpec>& specs,
                             const std::set<std::string_view>& skip = {}) {
  std::vector<QueryParam> out;
  for (const auto& spec : specs) {
    if (skip.contains(spec.name)) continue;
    QueryParam p;
    p.name = spec.name;
    p.description = spec.description;
    for (auto v : spec.values) p.values.emplace_back(v);
    p.list = spec.list;
    p.pattern = spec.pattern;
    p.example = spec.example;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<reports::ReportParam> ParamsOf(const Request& req) {
  std::vector<reports::ReportParam> params;
  params.reserve(req.query.size());
  for (const auto& [name, value] : req.query) params.push_back({name, value, ""});
  return params;
}

Response Rendered(std::string body, reports::Format format, const std::string& file_name) {
  Response r;
  r.body = std::move(body);
  if (format == reports::Format::kCsv) {
    r.content_type = kCsvType;
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  }
  return r;
}

Response JsonText(int status, const nlohmann::ordered_json& doc) {
  Response r;
  r.status = status;
  // Reviews are anyone's words: bytes that are not UTF-8 are replaced, never thrown on.
  r.body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// {app}: digits, else 404 like an app that is not tracked (ids cannot be probed).
Result<std::string> AppParam(const Request& req) {
  auto it = req.params.find("app_id");
  const std::string id = it == req.params.end() ? "" : it->second;
  if (id.empty() || id.size() > 20 ||
      id.find_first_not_of("0123456789") != std::string::npos) {
    return Error(Code::kNotFound, "no tracked app " + id);
  }
  return id;
}

}  // namespace

void ApiServer::AddReviewRoutes() {
  const auto store_missing = [] { return ErrorResponse(Status(Code::kInternal, "no review store")); };

  Route list{"GET", "/api/v1/reviews", Access::kViewer,
             "Customer reviews of the team's apps: filters, text search, sort and paging",
             [this, store_missing](RequestContext& ctx) {
               if (deps_.reviews == nullptr) return store_missing();
               reports::ReportDefaults defaults;
               defaults.today = reports::ReviewToday(*deps_.clock);
               TRY_ASSIGN(request, reports::ParseReviewRequest(ParamsOf(ctx.req), defaults));
               request.query.team_id = ctx.team_id;  // only ever the caller's team
               TRY_ASSIGN(page, deps_.reviews->ListReviews(request.query));
               return Rendered(reports::RenderReviews(request, page), request.format,
                               "reviews.csv");
             }};
  list.query = Docs(reports::ReviewParams());
  list.produces = {"application/json", kCsvType};
  router_.Add(std::move(list));

  Route counts{"GET", "/api/v1/reviews/counts", Access::kViewer,
               "Counts of the matching reviews by rating, storefront and version",
               [this, store_missing](RequestContext& ctx) {
                 if (deps_.reviews == nullptr) return store_missing();
                 reports::ReportDefaults defaults;
                 defaults.today = reports::ReviewToday(*deps_.clock);
                 TRY_ASSIGN(request, reports::ParseReviewRequest(ParamsOf(ctx.req), defaults,
                                                                 reports::ReviewAnswer::kCounts));
                 request.query.team_id = ctx.team_id;
                 TRY_ASSIGN(found, deps_.reviews->CountReviews(request.query));
                 return Rendered(reports::RenderReviewCounts(request, found), request.format,
                                 "review-counts.csv");
               }};
  counts.query = Docs(reports::ReviewParams(), {"sort", "limit", "offset"});
  counts.produces = {"application/json", kCsvType};
  router_.Add(std::move(counts));

  router_.Add({"GET", "/api/v1/reviews/{id}", Access::kViewer,
               "One review with its developer response and earlier versions",
               [this, store_missing](RequestContext& ctx) {
                 if (deps_.reviews == nullptr) return store_missing();
                 TRY_ASSIGN(id, IdParam(ctx.req, "id"));
                 TRY_ASSIGN(detail, deps_.reviews->GetReview(ctx.team_id, id));
                 return JsonText(200, reports::ReviewDetailJson(detail));
               }});

  // Replies act at Apple with the account's key: not on a sealed server (SEC-3).
  const auto replies = [this]() -> Result<accounts::ReviewReplies> {
    if (deps_.reviews == nullptr) return Error(Code::kInternal, "no review store");
    if (deps_.sealed) {
      return Error(Code::kUnavailable,
                   "the server is sealed (started without the master key), so it cannot use an "
                   "account's App Store Connect key to send or delete responses; restart it "
                   "with ORCHARD_MASTER_KEY_FILE set, or use the CLI where the key is");
    }
    if (!deps_.open_asc) {
      return Error(Code::kUnavailable, "this server cannot reach App Store Connect");
    }
    return accounts::ReviewReplies(deps_.reviews, deps_.meta, deps_.access, deps_.open_asc,
                                   deps_.clock);
  };
  router_.Add({"PUT", "/api/v1/reviews/{id}/response", Access::kAdmin,
               "Write (or replace) the developer response {\"body\":…}; pending until Apple "
               "publishes it",
               [this, replies](RequestContext& ctx) {
                 TRY_ASSIGN(id, IdParam(ctx.req, "id"));
                 TRY_ASSIGN(body, BodyObject(ctx.req));
                 for (const auto& [k, v] : body.items()) {
                   if (k != "body") {
                     return ErrorResponse(400, "invalid_argument",
                                          "unknown field " + k + " (the response takes body)");
                   }
                 }
                 TRY_ASSIGN(text, StringField(body, "body"));
                 // The review first, so another team's id is a 404 whatever the body says.
                 if (deps_.reviews != nullptr) {
                   TRY_ASSIGN(exists, deps_.reviews->GetReview(ctx.team_id, id));
                   (void)exists;
                 }
                 if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
                   return ErrorResponse(400, "invalid_argument",
                                        "body is empty: write the response to send, e.g. "
                                        "{\"body\":\"Thanks for the review!\"}");
                 }
                 TRY_ASSIGN(service, replies());
                 TRY_ASSIGN(detail, service.Reply(ctx.team_id, id, text, ActorOf(ctx)));
                 return JsonText(200, reports::ReviewDetailJson(detail));
               }});
  router_.Add({"DELETE", "/api/v1/reviews/{id}/response", Access::kAdmin,
               "Delete the developer response at Apple and in Orchard",
               [this, replies](RequestContext& ctx) {
                 TRY_ASSIGN(id, IdParam(ctx.req, "id"));
                 if (deps_.reviews != nullptr) {
                   TRY_ASSIGN(exists, deps_.reviews->GetReview(ctx.team_id, id));
                   (void)exists;
                 }
                 TRY_ASSIGN(service, replies());
                 TRY_ASSIGN(outcome, service.Unreply(ctx.team_id, id, ActorOf(ctx)));
                 nlohmann::ordered_json doc = reports::ReviewDetailJson(outcome.review);
                 doc["deleted_at_apple"] = outcome.deleted_at_apple;
                 return JsonText(200, doc);
               }});

  Route ratings{"GET", "/api/v1/ratings", Access::kViewer,
                "Daily rating snapshots of an app per storefront and worldwide (ww)",
                [this, store_missing](RequestContext& ctx) {
                  if (deps_.reviews == nullptr) return store_missing();
                  reports::ReportDefaults defaults;
                  defaults.today = reports::ReviewToday(*deps_.clock);
                  TRY_ASSIGN(request, reports::ParseRatingsRequest(ParamsOf(ctx.req), defaults));
                  TRY_ASSIGN(rows, reports::RunRatingsRequest(*deps_.reviews, ctx.team_id, request));
                  return Rendered(reports::RenderRatings(request, rows), request.format,
                                  "ratings-" + request.app_id + ".csv");
                }};
  ratings.query = Docs(reports::RatingParams());
  ratings.produces = {"application/json", kCsvType};
  router_.Add(std::move(ratings));

  router_.Add({"GET", "/api/v1/apps/tracked", Access::kViewer,
               "Apps whose public reviews and ratings the team collects",
               [this, store_missing](RequestContext& ctx) {
                 if (deps_.reviews == nullptr) return store_missing();
                 TRY_ASSIGN(apps, deps_.reviews->ListTrackedApps(ctx.team_id));
                 Response r;
                 r.body = reports::RenderTrackedApps(apps, reports::Format::kJson);
                 return r;
               }});
  router_.Add({"POST", "/api/v1/apps/tracked", Access::kAdmin,
               "Track an app {\"app\":id or App Store URL,\"countries\":\"all\"|[\"us\",…]}",
               [this, store_missing](RequestContext& ctx) {
                 if (deps_.reviews == nullptr) return store_missing();
                 TRY_ASSIGN(body, BodyObject(ctx.req));
                 for (const auto& [k, v] : body.items()) {
                   if (k != "app" && k != "countries") {
                     return ErrorResponse(400, "invalid_argument",
                                          "unknown field " + k + " (use app and countries)");
                   }
                 }
                 TRY_ASSIGN(ref, StringField(body, "app"));
                 std::string codes;
                 if (body.contains("countries")) {
                   const Json& c = body["countries"];
                   const auto bad = [] {
                     return ErrorResponse(400, "invalid_argument",
                                          "countries: give \"all\" or a list of two-letter codes "
                                          "such as [\"us\",\"gb\"]");
                   };
                   if (c.is_string()) {
                     codes = c.get<std::string>();
                     if (codes.empty()) return bad();
                   } else if (c.is_array() && !c.empty()) {
                     for (const auto& item : c) {
                       if (!item.is_string() || item.get<std::string>().empty()) return bad();
                       codes += (codes.empty() ? "" : ",") + item.get<std::string>();
                     }
                   } else {
                     return bad();
                   }
                 }
                 TRY_ASSIGN(outcome, reports::TrackAppRequest(*deps_.reviews, *deps_.meta,
                                                              ctx.team_id, ref, codes, "countries"));
                 const store::TrackedApp& tracked = outcome.app;
                 Audit(ctx, "app.track", "app:" + tracked.app_id,
                       tracked.countries.empty()
                           ? std::string("every storefront")
                           : std::to_string(tracked.countries.size()) + " storefront(s)");
                 return JsonText(outcome.created ? 201 : 200, reports::TrackedAppJson(tracked));
               }});
  router_.Add({"DELETE", "/api/v1/apps/tracked/{app_id}", Access::kAdmin,
               "Stop tracking an app (its stored reviews and ratings stay)",
               [this, store_missing](RequestContext& ctx) {
                 if (deps_.reviews == nullptr) return store_missing();
                 TRY_ASSIGN(app_id, AppParam(ctx.req));
                 if (Status st = deps_.reviews->UntrackApp(ctx.team_id, app_id); !st.ok()) {
                   return ErrorResponse(st);
                 }
                 Audit(ctx, "app.untrack", "app:" + app_id, "");
                 return JsonText(200, {{"untracked", true}, {"app", app_id}});
               }});
}

}  // namespace orchard::server
