// ApiServer: `orchard serve` — the REST API of product.md §4 over cpp-httplib.
//
// Every request goes through one pipeline (Dispatch): match the route → authenticate (session
// cookie or bearer token) → authorize against the route's Access and the member's role in the
// request's team → CSRF checks for state-changing requests → handler → security headers. So
// authorization is checked in one place (SEC-9), and handlers only ever see their team's id.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "accounts/account_service.h"
#include "accounts/review_replies.h"
#include "core/clock.h"
#include "reports/sales_report.h"
#include "server/auth.h"
#include "server/report_cache.h"
#include "server/router.h"
#include "server/static_files.h"
#include "store/access_store.h"
#include "store/fact_store.h"
#include "store/meta_store.h"
#include "store/review_store.h"

namespace httplib {
class Server;
}
namespace orchard::notify {
class ReviewWebhooks;
}

namespace orchard::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port
  int64_t session_idle_seconds = 12 * 3600;
  int64_t session_absolute_seconds = 7 * 86400;
  // Mark cookies Secure: set when a TLS proxy fronts the server (https:// public URL).
  bool secure_cookies = false;
  ThrottleOptions throttle;
  // Report answers kept in memory (ReportCache); 0 entries turns the cache off.
  size_t report_cache_entries = 256;
  size_t report_cache_bytes = size_t{64} << 20;
  // The built dashboard (StaticFiles); "" = API only.
  std::string web_root;
  // The scheduler's daily run, for an account's next sync in its health: the local minute of
  // the day ([sync] daily_hour × 60) in `sync_time_zone`; -1 = nothing syncs (--no-sync).
  std::string sync_time_zone = "America/Los_Angeles";
  int sync_daily_minute = -1;
  bool sync_backfill_new_accounts = true;  // [sync] backfill_new_accounts
};

struct ServerDeps {
  store::MetaStore* meta = nullptr;
  store::AccessStore* access = nullptr;
  accounts::AccountService* accounts = nullptr;
  const Clock* clock = nullptr;
  bool sealed = false;  // no master key: data is served, credentials are neither used nor stored
  store::FactStore* facts = nullptr;     // report data (reports, products)
  std::string default_currency = "USD";  // [report] default_currency, when a user has none
  store::ReviewStore* reviews = nullptr;  // customer reviews, ratings, tracked apps
  // An App Store Connect client for a linked account (review responses); unset = none.
  accounts::AscOpener open_asc = {};
  notify::ReviewWebhooks* webhooks = nullptr;  // the team's new-review webhook (routes_webhooks.cc)
};

// What a handler knows about the caller. team_id is the only team a handler may touch.
struct RequestContext {
  explicit RequestContext(Request& r) : req(r) {}
  Request& req;
  int64_t user_id = 0;
  std::string email;
  int64_t team_id = 0;
  store::Role role = store::Role::kViewer;
  bool via_token = false;
  int64_t token_expires_at = 0;  // the calling token's expiry (0 = none)
  std::string session_hash;  // the session's id hash when signed in by cookie
  std::string address;
  std::string currency;  // the user's display currency preference ("" = none)
};

inline constexpr const char* kSessionCookie = "orchard_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

class ApiServer {
 public:
  ApiServer(ServerDeps deps, ServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and serves on a background thread; port() tells the bound port.
  Status Start();
  void Stop();
  int port() const { return port_; }
  std::string base_url() const;

  const Router& router() const { return router_; }
  // The whole pipeline for one request (the socket layer calls it).
  Response Dispatch(Request& req);

 private:
  // A handler that calls member `fn` of this server.
  Handler Bind(Response (ApiServer::*fn)(RequestContext&)) {
    return [this, fn](RequestContext& ctx) { return (this->*fn)(ctx); };
  }
  void AddAccessRoutes();
  void AddAccountRoutes();
  void AddReportRoutes();
  void AddReviewRoutes();  // routes_reviews.cc
  void AddSystemRoutes();
  void AddWebhookRoutes();
  // Resolves the caller; kUnauthenticated errors become 401.
  Status Authenticate(RequestContext& ctx);
  Status Authorize(const Route& route, const RequestContext& ctx);
  Status CheckCsrf(const RequestContext& ctx);
  Response Guarded(const Route& route, RequestContext& ctx);
  std::string SessionCookie(const std::string& value, int64_t max_age) const;
  void Audit(const RequestContext& ctx, std::string action, std::string target, std::string detail,
             int64_t team_id = -1);
  accounts::Actor ActorOf(const RequestContext& ctx) const;

  // Handlers (routes_access.cc, routes_accounts.cc).
  Response Login(RequestContext& ctx);
  Response Logout(RequestContext& ctx);
  Response GetSession(RequestContext& ctx);
  Response SwitchTeam(RequestContext& ctx);
  Response GetMe(RequestContext& ctx);
  Response PutPreferences(RequestContext& ctx);
  Response ChangePassword(RequestContext& ctx);
  Response ListTeams(RequestContext& ctx);
  Response CreateTeam(RequestContext& ctx);
  Response GetTeam(RequestContext& ctx);
  Response ListMembers(RequestContext& ctx);
  Response AddMember(RequestContext& ctx);
  Response ChangeMember(RequestContext& ctx);
  Response RemoveMember(RequestContext& ctx);
  Response ListTokens(RequestContext& ctx);
  Response CreateToken(RequestContext& ctx);
  Response RevokeToken(RequestContext& ctx);
  Response ListNotifications(RequestContext& ctx);
  Response ReadNotification(RequestContext& ctx);
  Response RequestLink(RequestContext& ctx);
  Response ListAudit(RequestContext& ctx);
  Response ListAccounts(RequestContext& ctx);
  Response CreateAccount(RequestContext& ctx);
  Response GetAccount(RequestContext& ctx);
  Response DeleteAccount(RequestContext& ctx);
  Response RefreshAccount(RequestContext& ctx);
  Response AccountHealth(RequestContext& ctx);
  // When the scheduler next syncs `account` (0 = it does not: --no-sync, sealed, needs attention).
  int64_t NextSyncAt(const store::LinkedAccount& account) const;
  // next_sync_at and sync_note of an account's JSON.
  void AddSyncFields(nlohmann::json& out, const store::LinkedAccount& account) const;
  Response Routes(RequestContext& ctx);
  // routes_reports.cc, routes_system.cc
  Response SalesReport(RequestContext& ctx);
  Response ListProducts(RequestContext& ctx);
  Response Health(RequestContext& ctx);
  Response Metrics(RequestContext& ctx);
  Response OpenApi(RequestContext& ctx);

  // The team's Owners and Admins, in words, for refusals that must say who can act.
  std::string Managers(int64_t team_id);

  ServerDeps deps_;
  ServerOptions options_;
  StaticFiles web_;
  Router router_;
  LoginThrottle throttle_;
  std::string dummy_hash_;  // verified against for unknown e-mails, so timing matches
  ReportCache report_cache_;
  reports::SalesCache sales_cache_;  // month pieces of sales queries (sales_report.h)
  int64_t started_at_ = 0;  // on deps_.clock, for /healthz
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

// The value of one cookie from a Cookie header ("" when absent), and the session cookie's.
std::string CookieValue(const std::string& header, std::string_view name);
std::string SessionCookieOf(const Request& req);
// The CSRF token of a session: derived from the cookie value, so the server can hand it out
// again after a reload, and a cross-site page, which cannot read the cookie, cannot make it.
std::string CsrfTokenFor(std::string_view session_cookie);

// The JSON shape of a linked account in every answer (never a secret).
std::string AccountJson(const store::LinkedAccount& account);

}  // namespace orchard::server
