// Linked store accounts: link (four methods), list, show, refresh (+ the two-factor step),
// health, unlink. Credentials are write-only: no answer ever carries one (SEC-5).
#include "server/api_server.h"
#include "core/date.h"
#include "server/json_body.h"

namespace orchard::server {
namespace {

Json AccountObject(const store::LinkedAccount& a) {
  Json caps = Json::parse(a.capabilities, nullptr, false);
  if (!caps.is_object()) caps = Json::object();
  Json out = {{"id", a.id},
              {"method", a.method},
              {"name", a.name},
              {"status", a.status},
              {"capabilities", caps},
              {"capabilities_checked_at", a.capabilities_at},
              {"created_at", a.created_at},
              {"last_used_at", a.last_used_at},
              {"last_sync_at", a.last_sync_at},
              {"last_error", a.last_error}};
  if (a.method == accounts::kAscKey) {
    out["issuer_id"] = a.issuer_id;
    out["key_id"] = a.key_id;
    out["vendor_number"] = a.vendor_number;
  } else if (a.method == accounts::kAppPassword) {
    out["apple_id"] = a.apple_id;
    out["vendor_number"] = a.vendor_number;
    out["app_password_last4"] = a.secret_hint;
    out["token_expires_at"] = a.expires_at;
  } else if (a.method == accounts::kAppleId) {
    out["apple_id"] = a.apple_id;
    out["issuer_id"] = a.issuer_id;
    out["trust_expires_at"] = a.expires_at;
  } else if (a.method == accounts::kSearchAds) {
    out["client_id"] = a.client_id;
    out["team_id"] = a.ads_team_id;
    out["key_id"] = a.key_id;
  }
  return out;
}

Json OutcomeJson(const accounts::LinkOutcome& o) {
  Json out = AccountObject(o.account);
  out["message"] = o.message;
  if (o.needs_code) {
    out["next"] = {{"step", "two_factor_code"},
                   {"method", "POST"},
                   {"path", "/api/v1/accounts/" + std::to_string(o.account.id) + "/refresh"},
                   {"body", {{"code", "123456"}}}};
  }
  return out;
}

}  // namespace

std::string AccountJson(const store::LinkedAccount& account) { return AccountObject(account).dump(); }

void ApiServer::AddAccountRoutes() {
  auto h = [this](Response (ApiServer::*fn)(RequestContext&)) { return Bind(fn); };
  router_.Add({"GET", "/api/v1/accounts", Access::kViewer, "Linked accounts (never secrets)", h(&ApiServer::ListAccounts)});
  router_.Add({"POST", "/api/v1/accounts", Access::kAdmin, "Link an account: asc-key, app-password, apple-id or search-ads", h(&ApiServer::CreateAccount)});
  router_.Add({"GET", "/api/v1/accounts/{id}", Access::kViewer, "One linked account", h(&ApiServer::GetAccount)});
  router_.Add({"DELETE", "/api/v1/accounts/{id}", Access::kAdmin, "Unlink (?purge_data=true also deletes its synced data)", h(&ApiServer::DeleteAccount)});
  router_.Add({"POST", "/api/v1/accounts/{id}/refresh", Access::kAdmin, "Re-check now, or send the two-factor code {\"code\":…}", h(&ApiServer::RefreshAccount)});
  router_.Add({"GET", "/api/v1/accounts/{id}/health", Access::kViewer, "State, capabilities, last error, refresh due", h(&ApiServer::AccountHealth)});
}

int64_t ApiServer::NextSyncAt(const store::LinkedAccount& a) const {
  if (options_.sync_daily_minute < 0 || deps_.sealed || a.status == "needs_attention") return 0;
  if (!accounts::SalesSyncable(a).ok()) return 0;
  int minute = 0;
  (void)Date::At(deps_.clock->Now(), options_.sync_time_zone, &minute);
  const int64_t now = deps_.clock->NowSeconds();
  // Today's run in seconds (a DST change that day moves it by an hour at most).
  const int64_t today_run = now - now % 60 - int64_t{minute - options_.sync_daily_minute} * 60;
  // A new account's backfill starts at the scheduler's next look.
  if (a.last_sync_at == 0 && options_.sync_backfill_new_accounts) return now;
  if (minute < options_.sync_daily_minute) return today_run;
  return a.last_sync_at >= today_run ? today_run + 86400 : now;
}

void ApiServer::AddSyncFields(Json& out, const store::LinkedAccount& a) const {
  out["next_sync_at"] = NextSyncAt(a);
  // Why the Sales scheduler passes this account by ("" when it does not).
  const Status syncable = accounts::SalesSyncable(a);
  out["sync_note"] = syncable.ok() ? std::string() : syncable.message();
}

Response ApiServer::ListAccounts(RequestContext& ctx) {
  TRY_ASSIGN(list, deps_.meta->ListAccounts(ctx.team_id));
  Json out = Json::array();
  for (const auto& a : list) {
    out.push_back(AccountObject(a));
    AddSyncFields(out.back(), a);
  }
  return JsonResponse(200, Json{{"accounts", out}});
}

Response ApiServer::CreateAccount(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  accounts::LinkRequest r;
  TRY_ASSIGN(method, StringField(body, "method"));
  r.method = method;
  // Every field by name; unknown fields are refused so a typo is not silently ignored.
  static const std::set<std::string> kKnown = {"method", "name", "issuer_id", "key_id", "private_key",
                                               "vendor_number", "apple_id", "app_password", "password",
                                               "client_id", "team_id"};
  for (const auto& [k, v] : body.items()) {
    if (!kKnown.contains(k)) return ErrorResponse(400, "invalid_argument", "unknown field " + k);
  }
  TRY_ASSIGN(name, StringField(body, "name"));
  TRY_ASSIGN(issuer, StringField(body, "issuer_id"));
  TRY_ASSIGN(key_id, StringField(body, "key_id"));
  TRY_ASSIGN(vendor, StringField(body, "vendor_number"));
  TRY_ASSIGN(apple_id, StringField(body, "apple_id"));
  TRY_ASSIGN(client_id, StringField(body, "client_id"));
  TRY_ASSIGN(ads_team, StringField(body, "team_id"));
  TRY_ASSIGN(private_key, SecretField(body, "private_key"));
  TRY_ASSIGN(app_password, SecretField(body, "app_password"));
  TRY_ASSIGN(password, SecretField(body, "password"));
  r.name = name;
  r.issuer_id = issuer;
  r.key_id = key_id;
  r.vendor_number = vendor;
  r.apple_id = apple_id;
  r.client_id = client_id;
  r.ads_team_id = ads_team;
  r.private_key = std::move(private_key);
  r.app_password = std::move(app_password);
  r.password = std::move(password);
  TRY_ASSIGN(outcome, deps_.accounts->Link(ctx.team_id, std::move(r), ActorOf(ctx)));
  return JsonResponse(201, OutcomeJson(outcome));
}

Response ApiServer::GetAccount(RequestContext& ctx) {
  TRY_ASSIGN(id, IdParam(ctx.req, "id"));
  TRY_ASSIGN(account, deps_.meta->GetAccount(ctx.team_id, id));
  return JsonResponse(200, AccountObject(account));
}

Response ApiServer::DeleteAccount(RequestContext& ctx) {
  TRY_ASSIGN(id, IdParam(ctx.req, "id"));
  const std::string purge = ctx.req.Query("purge_data");
  if (!purge.empty() && purge != "true" && purge != "false") {
    return ErrorResponse(400, "invalid_argument", "purge_data must be true or false");
  }
  if (Status st = deps_.accounts->Unlink(ctx.team_id, id, purge == "true", ActorOf(ctx)); !st.ok()) {
    return ErrorResponse(st);
  }
  return JsonResponse(200, Json{{"unlinked", true}, {"id", id}, {"data_purged", purge == "true"}});
}

Response ApiServer::RefreshAccount(RequestContext& ctx) {
  TRY_ASSIGN(id, IdParam(ctx.req, "id"));
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(code, StringField(body, "code"));
  // Existence (and team) first, so another team's id is a 404 whatever the body says.
  TRY_ASSIGN(account, deps_.meta->GetAccount(ctx.team_id, id));
  (void)account;
  Result<accounts::LinkOutcome> outcome =
      code.empty() ? deps_.accounts->Refresh(ctx.team_id, id, ActorOf(ctx))
                   : deps_.accounts->SubmitCode(ctx.team_id, id, code, ActorOf(ctx));
  if (!outcome.has_value()) return ErrorResponse(outcome.error());
  return JsonResponse(200, OutcomeJson(*outcome));
}

Response ApiServer::AccountHealth(RequestContext& ctx) {
  TRY_ASSIGN(id, IdParam(ctx.req, "id"));
  TRY_ASSIGN(health, deps_.accounts->GetHealth(ctx.team_id, id));
  Json out = AccountObject(health.account);
  out["state"] = health.state;
  out["message"] = health.message;
  out["refresh_due_at"] = health.refresh_due_at;
  out["capabilities_summary"] = health.capabilities.Summary();
  AddSyncFields(out, health.account);
  return JsonResponse(200, out);
}

}  // namespace orchard::server
