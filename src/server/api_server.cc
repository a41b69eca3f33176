#include "server/api_server.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "core/log.h"
#include "core/metrics.h"
#include "crypto/base64.h"
#include "crypto/password_hash.h"

namespace orchard::server {
namespace {

using Json = nlohmann::json;

}  // namespace

// The value of one cookie from a Cookie header, or "".
std::string CookieValue(const std::string& header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    const size_t end = std::min(header.find(';', pos), header.size());
    const std::string_view pair(header.data() + pos, end - pos);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    pos = end + 1;
  }
  return "";
}

std::string CsrfTokenFor(std::string_view session_cookie) {
  return crypto::Base64UrlEncode(TokenHash("orchard-csrf-v1:" + std::string(session_cookie)));
}

std::string SessionCookieOf(const Request& req) {
  return CookieValue(req.Header("cookie"), kSessionCookie);
}

ApiServer::ApiServer(ServerDeps deps, ServerOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      throttle_(deps_.clock, options_.throttle),
      report_cache_(options_.report_cache_entries, options_.report_cache_bytes),
      started_at_(deps_.clock->NowSeconds()) {
  // An unknown e-mail is checked against this hash, so it costs what a wrong password costs.
  const Secret dummy(NewOpaqueToken(""));
  dummy_hash_ = crypto::HashPassword(dummy).value_or("");
  auto& metrics = metrics::Registry::Global();
  metrics.Declare("orchard_http_requests_total",
                  "HTTP requests answered, by method, route pattern and status",
                  metrics::Registry::Type::kCounter);
  metrics.Declare("orchard_http_request_duration_seconds",
                  "Time to answer an HTTP request, by route pattern",
                  metrics::Registry::Type::kHistogram);
  AddAccessRoutes();
  AddAccountRoutes();
  AddReportRoutes();
  AddReviewRoutes();
  AddSystemRoutes();
  AddWebhookRoutes();
  router_.Add({"GET", "/api/v1/routes", Access::kUser, "Every route and who may call it",
               [this](RequestContext& ctx) { return Routes(ctx); }});
}

ApiServer::~ApiServer() { Stop(); }

std::string ApiServer::base_url() const {
  return "http://" + options_.host + ":" + std::to_string(port_);
}

Status ApiServer::Start() {
  if (!options_.web_root.empty()) ORCHARD_RETURN_IF_ERROR(web_.Load(options_.web_root));
  http_ = std::make_unique<httplib::Server>();
  http_->set_payload_max_length(size_t{1} << 20);
  http_->set_keep_alive_max_count(1000);
  // Headers and body leave in separate writes: with Nagle's algorithm on, a keep-alive client's
  // delayed ACK holds the second one back ~40 ms, capping a connection at ~25 answers a second.
  http_->set_tcp_nodelay(true);
  auto handle = [this](const httplib::Request& hreq, httplib::Response& hres) {
    Request req;
    req.method = hreq.method;
    req.path = hreq.path;
    for (const auto& [k, v] : hreq.params) req.query.emplace(k, v);
    for (const auto& [k, v] : hreq.headers) {
      std::string name = k;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), v);
    }
    // Move the body out (it may hold a password or a key) and wipe what httplib kept.
    req.body = std::move(const_cast<std::string&>(hreq.body));
    WipeString(const_cast<std::string&>(hreq.body));
    req.remote_addr = hreq.remote_addr;
    Response res = Dispatch(req);
    WipeString(req.body);
    hres.status = res.status;
    for (const auto& [k, v] : res.headers) hres.set_header(k, v);
    hres.set_content(res.body, res.content_type);
  };
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    const std::string m = method;
    if (m == "GET") http_->Get(".*", handle);
    if (m == "POST") http_->Post(".*", handle);
    if (m == "PUT") http_->Put(".*", handle);
    if (m == "PATCH") http_->Patch(".*", handle);
    if (m == "DELETE") http_->Delete(".*", handle);
  }
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
  } else {
    port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    return Status(Code::kUnavailable, "cannot listen on " + options_.host + ":" +
                                          std::to_string(options_.port) +
                                          " (in use, or not an address of this machine)");
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // cpp-httplib's stop() is a no-op until the accept loop runs: a Stop() before that would wait
  // forever on the join. Return once the server is really listening.
  for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

void ApiServer::Stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string ApiServer::SessionCookie(const std::string& value, int64_t max_age) const {
  std::string c = std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                  std::to_string(max_age);
  if (options_.secure_cookies) c += "; Secure";
  return c;
}

accounts::Actor ApiServer::ActorOf(const RequestContext& ctx) const {
  return accounts::Actor{ctx.user_id, ctx.email, ctx.address};
}

void ApiServer::Audit(const RequestContext& ctx, std::string action, std::string target,
                      std::string detail, int64_t team_id) {
  store::AuditEvent e;
  e.team_id = team_id >= 0 ? team_id : ctx.team_id;
  e.user_id = ctx.user_id;
  e.actor = ctx.email.empty() ? "anonymous" : ctx.email;
  e.action = std::move(action);
  e.target = std::move(target);
  e.address = ctx.address;
  e.detail = std::move(detail);
  e.at = deps_.clock->NowSeconds();
  (void)deps_.access->AppendAudit(e);
}

std::string ApiServer::Managers(int64_t team_id) {
  auto members = deps_.access->ListMembers(team_id);
  std::string out;
  if (!members.has_value()) return out;
  for (const auto& m : *members) {
    if (m.role < store::Role::kAdmin) continue;
    if (!out.empty()) out += ", ";
    out += m.email + " (" + std::string(store::RoleName(m.role)) + ")";
  }
  return out;
}

Status ApiServer::Authenticate(RequestContext& ctx) {
  const int64_t now = deps_.clock->NowSeconds();
  const std::string auth = ctx.req.Header("authorization");
  if (!auth.empty()) {
    if (auth.rfind("Bearer ", 0) != 0 || auth.size() <= 7) {
      return Status(Code::kUnauthenticated, "the Authorization header must be 'Bearer <token>'");
    }
    auto token = deps_.access->FindToken(TokenHash(std::string_view(auth).substr(7)));
    if (!token.has_value() || token->revoked_at != 0 ||
        (token->expires_at != 0 && token->expires_at <= now)) {
      return Status(Code::kUnauthenticated, "the API token is unknown, revoked or expired");
    }
    auto member = deps_.access->GetMembership(token->team_id, token->user_id);
    if (!member.has_value()) {
      return Status(Code::kUnauthenticated, "the API token's owner is no longer a member of its team");
    }
    auto user = deps_.access->GetUser(token->user_id);
    if (!user.has_value()) return Status(Code::kUnauthenticated, "the API token's user no longer exists");
    if (now - token->last_used_at >= 60) (void)deps_.access->TouchToken(token->id, now);
    ctx.user_id = user->id;
    ctx.email = user->email;
    ctx.team_id = token->team_id;
    ctx.role = member->role;
    ctx.currency = user->preferences.currency;
    ctx.via_token = true;
    ctx.token_expires_at = token->expires_at;
    return Status::Ok();
  }
  const std::string cookie = SessionCookieOf(ctx.req);
  if (cookie.empty()) return Status::Ok();  // anonymous
  const std::string hash = TokenHash(cookie);
  auto session = deps_.access->FindSession(hash);
  if (!session.has_value()) return Status(Code::kUnauthenticated, "the session has ended: sign in again");
  if (session->expires_at <= now || session->last_seen_at + options_.session_idle_seconds <= now) {
    (void)deps_.access->DeleteSession(hash);
    return Status(Code::kUnauthenticated, "the session has expired: sign in again");
  }
  auto user = deps_.access->GetUser(session->user_id);
  if (!user.has_value()) return Status(Code::kUnauthenticated, "the session's user no longer exists");
  if (now - session->last_seen_at >= 60) (void)deps_.access->TouchSession(hash, now);
  ctx.user_id = user->id;
  ctx.email = user->email;
  ctx.currency = user->preferences.currency;
  ctx.session_hash = hash;
  ctx.team_id = 0;
  if (session->team_id != 0) {
    if (auto member = deps_.access->GetMembership(session->team_id, user->id); member.has_value()) {
      ctx.team_id = session->team_id;
      ctx.role = member->role;
    }
  }
  return Status::Ok();
}

Status ApiServer::Authorize(const Route& route, const RequestContext& ctx) {
  if (route.access == Access::kPublic) return Status::Ok();
  if (ctx.user_id == 0) {
    return Status(Code::kUnauthenticated,
                  "sign in first (POST /api/v1/session) or send an API token as 'Authorization: "
                  "Bearer …'");
  }
  if (route.access == Access::kUser) return Status::Ok();
  if (ctx.team_id == 0) {
    return Status(Code::kPermissionDenied,
                  "you are not a member of any team yet: create one (POST /api/v1/teams) or ask "
                  "a team's Owner to add you");
  }
  const store::Role needed = route.access == Access::kOwner   ? store::Role::kOwner
                             : route.access == Access::kAdmin ? store::Role::kAdmin
                                                              : store::Role::kViewer;
  if (ctx.role >= needed) return Status::Ok();
  if (needed == store::Role::kAdmin) {
    return Status(Code::kPermissionDenied,
                  "only the team's Owners and Admins can do this: " + Managers(ctx.team_id) +
                      ". You can ask them to do it for you: POST /api/v1/link-requests");
  }
  std::string owners;
  if (auto members = deps_.access->ListMembers(ctx.team_id); members.has_value()) {
    for (const auto& m : *members) {
      if (m.role != store::Role::kOwner) continue;
      if (!owners.empty()) owners += ", ";
      owners += m.email;
    }
  }
  return Status(Code::kPermissionDenied, "only the team's Owners can do this: " + owners);
}

Status ApiServer::CheckCsrf(const RequestContext& ctx) {
  if (!IsStateChanging(ctx.req.method)) return Status::Ok();
  const std::string site = ctx.req.Header("sec-fetch-site");
  if (!site.empty() && site != "same-origin" && site != "none") {
    return Status(Code::kPermissionDenied, "cross-site request refused");
  }
  const std::string origin = ctx.req.Header("origin");
  if (!origin.empty() && origin != "null") {
    const std::string host = ctx.req.Header("host");
    if (origin != "http://" + host && origin != "https://" + host) {
      return Status(Code::kPermissionDenied, "cross-origin request refused (Origin " + origin + ")");
    }
  } else if (origin == "null") {
    return Status(Code::kPermissionDenied, "cross-origin request refused (Origin null)");
  }
  if (!ctx.session_hash.empty()) {
    const std::string cookie = SessionCookieOf(ctx.req);
    const std::string sent = ctx.req.Header(kCsrfHeader);
    if (sent.empty() || !SameBytes(sent, CsrfTokenFor(cookie))) {
      return Status(Code::kPermissionDenied,
                    "missing or wrong X-CSRF-Token header (GET /api/v1/session returns it)");
    }
  }
  const std::string type = ctx.req.Header("content-type");
  if ((ctx.req.method == "POST" || ctx.req.method == "PUT" || ctx.req.method == "PATCH") &&
      !ctx.req.body.empty() && type.rfind("application/json", 0) != 0) {
    return Status(Code::kInvalidArgument, "send the body as Content-Type: application/json");
  }
  return Status::Ok();
}

Response ApiServer::Guarded(const Route& route, RequestContext& ctx) {
  try {
    return route.handler(ctx);
  } catch (const std::exception& e) {
    ORCHARD_LOG_ERROR("handler of {} {} failed: {}", route.method, route.pattern, e.what());
    return ErrorResponse(Status(Code::kInternal, ""));
  }
}

Response ApiServer::Dispatch(Request& req) {
  const auto started = std::chrono::steady_clock::now();
  Response res;
  bool path_known = false;
  const Route* route = router_.Match(req.method, req.path, &req.params, &path_known);
  RequestContext ctx(req);
  ctx.address = req.remote_addr;
  bool dashboard = false;
  // Nothing may escape to cpp-httplib, which would answer 500 without the security headers and
  // with the exception's text in an EXCEPTION_WHAT header (SEC-11).
  try {
    std::optional<Response> page;
    if (route == nullptr && !path_known && req.method == "GET") page = web_.Serve(req.path);
    if (page.has_value()) {
      dashboard = true;
      res = std::move(*page);
    } else if (route == nullptr) {
      res = path_known
                ? ErrorResponse(405, "method_not_allowed", req.method + " is not allowed on " + req.path)
                : ErrorResponse(404, "not_found", "no such route: " + req.path);
    } else if (Status st = Authenticate(ctx); !st.ok()) {
      res = ErrorResponse(st);
      if (!ctx.session_hash.empty() || st.message().find("session") != std::string::npos) {
        res.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
      }
    } else if (Status denied = Authorize(*route, ctx); !denied.ok()) {
      res = ErrorResponse(denied);
    } else if (Status forged = CheckCsrf(ctx); !forged.ok()) {
      res = ErrorResponse(forged);
    } else {
      res = Guarded(*route, ctx);
    }
  } catch (const std::exception& e) {
    ORCHARD_LOG_ERROR("{} {} failed: {}", req.method,
                      route != nullptr ? route->pattern : std::string("(no route)"), e.what());
    res = ErrorResponse(Status(Code::kInternal, ""));
  }
  if (res.status == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"orchard\"");
  // Security headers on every answer (SEC-11).
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'self'");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (req.path.rfind("/api/", 0) == 0 || req.path == "/healthz" || req.path == "/metrics") {
    res.headers.emplace_back("Cache-Control", "no-store");
  }
  // Labelled by the route's pattern, never the raw path: ids and probes of unknown paths must
  // not create a series each. Methods outside the route table's are one label too.
  const std::string_view pattern = route != nullptr ? std::string_view(route->pattern)
                                   : dashboard      ? std::string_view("dashboard")
                                                    : std::string_view("unmatched");
  const std::string_view method = route != nullptr ? std::string_view(route->method)
                                  : (req.method == "GET" || req.method == "POST" || req.method == "PUT" ||
                                     req.method == "PATCH" || req.method == "DELETE")
                                      ? std::string_view(req.method)
                                      : std::string_view("other");
  const std::string status = std::to_string(res.status);
  auto& metrics = metrics::Registry::Global();
  metrics.Increment("orchard_http_requests_total",
                    {{"method", method}, {"route", pattern}, {"status", status}});
  metrics.Observe("orchard_http_request_duration_seconds", {{"route", pattern}},
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return res;
}

Response ApiServer::Routes(RequestContext&) {
  Json out = Json::array();
  for (const auto& r : router_.routes()) {
    out.push_back({{"method", r.method}, {"path", r.pattern}, {"access", AccessName(r.access)},
                   {"summary", r.summary}});
  }
  Response res;
  res.body = Json{{"routes", out}}.dump();
  return res;
}

}  // namespace orchard::server
