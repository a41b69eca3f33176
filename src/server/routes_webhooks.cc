// The team's new-review webhook (notify/review_webhooks.h): read, set, remove, and send a test.
// Admins and Owners only: the URL of a Slack webhook is itself a credential. The signing secret
// is in the answer of a PUT that creates the webhook or rotates the secret, and never again.
#include <set>

#include "notify/review_webhooks.h"
#include "server/api_server.h"
#include "server/json_body.h"

namespace orchard::server {
namespace {

Json WebhookObject(const store::ReviewWebhook& h) {
  return Json{{"url", h.url},
              {"format", h.format},
              {"max_rating", h.max_rating},
              {"countries", h.countries},
              {"app_ids", h.app_ids},
              {"enabled", h.enabled},
              {"created_at", h.created_at},
              {"updated_at", h.updated_at}};
}

// A list of strings: a JSON array of strings, or one comma-separated string.
Result<std::vector<std::string>> StringList(const Json& body, const char* name) {
  std::vector<std::string> out;
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return out;
  auto add = [&](std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = std::min(text.find(',', start), text.size());
      std::string item(text.substr(start, comma - start));
      while (!item.empty() && item.front() == ' ') item.erase(item.begin());
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (!item.empty()) out.push_back(item);
      start = comma + 1;
    }
  };
  if (it->is_string()) {
    add(it->get<std::string>());
    return out;
  }
  if (!it->is_array()) {
    return Error(Code::kInvalidArgument, std::string(name) + " must be a list of strings");
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return Error(Code::kInvalidArgument, std::string(name) + " must be a list of strings");
    }
    add(v.get<std::string>());
  }
  return out;
}

Result<bool> BoolField(const Json& body, const char* name, bool fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return Error(Code::kInvalidArgument, std::string(name) + " must be true or false");
  return it->get<bool>();
}

Response Unavailable() {
  return ErrorResponse(503, "unavailable", "review webhooks are not available on this server");
}

}  // namespace

void ApiServer::AddWebhookRoutes() {
  // GET: the configuration (never the secret) and how the team's notifications stand.
  router_.Add({"GET", "/api/v1/webhooks/reviews", Access::kAdmin,
               "The team's new-review webhook (never its secret) and delivery counts",
               [this](RequestContext& ctx) -> Response {
                 if (deps_.webhooks == nullptr) return Unavailable();
                 auto hook = deps_.webhooks->Get(ctx.team_id);
                 if (!hook.has_value() && hook.error().code() != Code::kNotFound) {
                   return ErrorResponse(hook.error());
                 }
                 Json out = {{"webhook", hook.has_value() ? WebhookObject(*hook) : Json(nullptr)}};
                 Json counts = Json::object();
                 if (deps_.reviews != nullptr) {
                   TRY_ASSIGN(by_state, deps_.reviews->CountReviewNotifications(ctx.team_id));
                   for (const auto& [state, n] : by_state) counts[state] = n;
                 }
                 out["notifications"] = counts;
                 return JsonResponse(200, out);
               }});
  // PUT: creates or replaces the whole configuration; the secret is answered only when new.
  router_.Add({"PUT", "/api/v1/webhooks/reviews", Access::kAdmin,
               "Set the new-review webhook {url, format json|slack, max_rating, countries, "
               "app_ids, enabled, rotate_secret}; the secret is shown once",
               [this](RequestContext& ctx) -> Response {
                 if (deps_.webhooks == nullptr) return Unavailable();
                 TRY_ASSIGN(body, BodyObject(ctx.req));
                 static const std::set<std::string> kKnown = {
                     "url", "format", "max_rating", "countries", "app_ids", "enabled",
                     "rotate_secret"};
                 for (const auto& [k, v] : body.items()) {
                   if (!kKnown.contains(k)) {
                     return ErrorResponse(400, "invalid_argument", "unknown field " + k);
                   }
                 }
                 notify::WebhookChange change;
                 TRY_ASSIGN(url, StringField(body, "url"));
                 if (url.empty()) return ErrorResponse(400, "invalid_argument", "url is required");
                 change.url = url;
                 TRY_ASSIGN(format, StringField(body, "format"));
                 if (!format.empty()) change.format = format;
                 if (auto it = body.find("max_rating"); it != body.end() && !it->is_null()) {
                   if (!it->is_number_integer()) {
                     return ErrorResponse(400, "invalid_argument", "max_rating must be 1 to 5");
                   }
                   const int64_t n = it->get<int64_t>();
                   change.max_rating = n < 1 || n > 5 ? 0 : static_cast<int>(n);
                 }
                 TRY_ASSIGN(countries, StringList(body, "countries"));
                 TRY_ASSIGN(apps, StringList(body, "app_ids"));
                 TRY_ASSIGN(enabled, BoolField(body, "enabled", true));
                 TRY_ASSIGN(rotate, BoolField(body, "rotate_secret", false));
                 change.countries = countries;
                 change.app_ids = apps;
                 change.enabled = enabled;
                 change.rotate_secret = rotate;
                 TRY_ASSIGN(saved, deps_.webhooks->Put(ctx.team_id, change));
                 Json out = {{"webhook", WebhookObject(saved.hook)}, {"created", saved.created}};
                 if (saved.secret) {
                   std::string secret(saved.secret->view());
                   out["secret"] = secret;
                   WipeString(secret);
                 }
                 Audit(ctx, saved.created ? "webhook.create" : "webhook.update", "webhook:reviews",
                       saved.hook.format + " webhook, at most " +
                           std::to_string(saved.hook.max_rating) + " stars" +
                           (change.rotate_secret && !saved.created ? "; secret rotated" : ""));
                 Response r = JsonResponse(saved.created ? 201 : 200, out);
                 out.clear();
                 return r;
               }});
  // POST …/test before DELETE: a test needs a webhook (the route order is also the order in
  // which generated tests call them).
  router_.Add({"POST", "/api/v1/webhooks/reviews/test", Access::kAdmin,
               "Send a signed test delivery now and report the receiver's answer",
               [this](RequestContext& ctx) -> Response {
                 if (deps_.webhooks == nullptr) return Unavailable();
                 TRY_ASSIGN(result, deps_.webhooks->SendTest(ctx.team_id));
                 Json out = {{"delivered", result.delivered}, {"status", result.status}};
                 if (!result.delivered) out["error"] = result.error;
                 return JsonResponse(200, out);
               }});
  router_.Add({"DELETE", "/api/v1/webhooks/reviews", Access::kAdmin,
               "Remove the new-review webhook (queued notifications are then skipped)",
               [this](RequestContext& ctx) -> Response {
                 if (deps_.webhooks == nullptr) return Unavailable();
                 TRY_ASSIGN(removed, deps_.webhooks->Remove(ctx.team_id));
                 if (removed) Audit(ctx, "webhook.remove", "webhook:reviews", "removed");
                 return JsonResponse(200, Json{{"removed", removed}});
               }});
}

}  // namespace orchard::server
