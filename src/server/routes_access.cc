// Sessions, the signed-in user, teams, members, API tokens, notifications and the audit log.
#include <algorithm>
#include <cctype>

#include "crypto/password_hash.h"
#include "server/api_server.h"
#include "server/json_body.h"

namespace orchard::server {
namespace {

std::string NormalEmail(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  s.erase(0, i);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ValidEmail(const std::string& s) {
  const auto at = s.find('@');
  return at != std::string::npos && at > 0 && at + 1 < s.size() && s.size() <= 254 &&
         s.find_first_of(" \t\r\n,;<>\"") == std::string::npos;
}

Json UserJson(const store::User& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"preferences",
           {{"currency", u.preferences.currency},
            {"time_zone", u.preferences.time_zone},
            {"date_format", u.preferences.date_format}}}};
}

Json TokenJson(const store::ApiToken& t) {
  return {{"id", t.id},           {"name", t.name},
          {"prefix", t.prefix},   {"user", t.email},
          {"created_at", t.created_at}, {"last_used_at", t.last_used_at},
          {"expires_at", t.expires_at}, {"revoked", t.revoked_at != 0}};
}

Response Ok(const Json& body) { return JsonResponse(200, body); }

}  // namespace

void ApiServer::AddAccessRoutes() {
  auto h = [this](Response (ApiServer::*fn)(RequestContext&)) { return Bind(fn); };
  router_.Add({"POST", "/api/v1/session", Access::kPublic, "Sign in (sets the session cookie)", h(&ApiServer::Login)});
  router_.Add({"GET", "/api/v1/session", Access::kUser, "The current session and its CSRF token", h(&ApiServer::GetSession)});
  router_.Add({"DELETE", "/api/v1/session", Access::kUser, "Sign out", h(&ApiServer::Logout)});
  router_.Add({"PUT", "/api/v1/session/team", Access::kUser, "Switch the session's team", h(&ApiServer::SwitchTeam)});
  router_.Add({"GET", "/api/v1/me", Access::kUser, "The signed-in user, preferences and teams", h(&ApiServer::GetMe)});
  router_.Add({"PUT", "/api/v1/me/preferences", Access::kUser, "Display currency, time zone, date format", h(&ApiServer::PutPreferences)});
  router_.Add({"PUT", "/api/v1/me/password", Access::kUser, "Change the password (ends every session and API token)", h(&ApiServer::ChangePassword)});
  router_.Add({"GET", "/api/v1/teams", Access::kUser, "The user's teams and roles", h(&ApiServer::ListTeams)});
  router_.Add({"POST", "/api/v1/teams", Access::kUser, "Create a team (its creator becomes Owner)", h(&ApiServer::CreateTeam)});
  router_.Add({"GET", "/api/v1/team", Access::kViewer, "The request's team", h(&ApiServer::GetTeam)});
  router_.Add({"GET", "/api/v1/team/members", Access::kViewer, "Members and roles", h(&ApiServer::ListMembers)});
  router_.Add({"POST", "/api/v1/team/members", Access::kOwner, "Add an existing user as a member", h(&ApiServer::AddMember)});
  router_.Add({"PATCH", "/api/v1/team/members/{user_id}", Access::kOwner, "Change a member's role", h(&ApiServer::ChangeMember)});
  router_.Add({"DELETE", "/api/v1/team/members/{user_id}", Access::kOwner, "Remove a member (ends their sessions and tokens)", h(&ApiServer::RemoveMember)});
  router_.Add({"GET", "/api/v1/tokens", Access::kViewer, "API tokens (yours; every member's for Owners)", h(&ApiServer::ListTokens)});
  router_.Add({"POST", "/api/v1/tokens", Access::kViewer, "Create an API token (shown once)", h(&ApiServer::CreateToken)});
  router_.Add({"DELETE", "/api/v1/tokens/{id}", Access::kViewer, "Revoke an API token", h(&ApiServer::RevokeToken)});
  router_.Add({"GET", "/api/v1/notifications", Access::kViewer, "Your notifications in this team", h(&ApiServer::ListNotifications)});
  router_.Add({"POST", "/api/v1/notifications/{id}/read", Access::kViewer, "Mark a notification read", h(&ApiServer::ReadNotification)});
  router_.Add({"POST", "/api/v1/link-requests", Access::kViewer, "Ask the Owners and Admins to link an account", h(&ApiServer::RequestLink)});
  router_.Add({"GET", "/api/v1/audit", Access::kAdmin, "The team's audit log", h(&ApiServer::ListAudit)});
}

Response ApiServer::Login(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(email_raw, StringField(body, "email"));
  TRY_ASSIGN(team_name, StringField(body, "team"));
  TRY_ASSIGN(password, SecretField(body, "password"));
  const std::string email = NormalEmail(email_raw);
  if (email.empty() || password.empty()) {
    return ErrorResponse(400, "invalid_argument", "send {\"email\":…,\"password\":…}");
  }
  // Over the limit: refuse before any hashing, so a flood costs us nothing (SEC-7).
  if (int64_t wait = throttle_.RetryAfter(email, ctx.address); wait > 0) {
    Response r = ErrorResponse(429, "too_many_requests",
                               "too many failed sign-ins; try again in " + std::to_string(wait) + " seconds");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  auto user = deps_.access->FindUserByEmail(email);
  // Unknown user and wrong password look the same: same status, body and (hashing) time.
  bool ok = false;
  if (user.has_value()) {
    ok = crypto::VerifyPassword(user->password_hash, password);
  } else {
    (void)crypto::VerifyPassword(dummy_hash_, password);
  }
  if (!ok) {
    throttle_.RecordFailure(email, ctx.address);
    RequestContext anon(ctx.req);
    anon.address = ctx.address;
    anon.email = email;
    Audit(anon, "session.login_failed", "user:" + email, "wrong e-mail or password", 0);
    return ErrorResponse(401, "unauthenticated", "wrong e-mail or password");
  }
  throttle_.RecordSuccess(email);
  if (crypto::PasswordNeedsRehash(user->password_hash)) {
    if (auto rehashed = crypto::HashPassword(password); rehashed.has_value()) {
      (void)deps_.access->SetPasswordHash(user->id, *rehashed);
    }
  }
  auto teams = deps_.access->ListTeamsOfUser(user->id);
  if (!teams.has_value()) return ErrorResponse(teams.error());
  const store::Membership* chosen = teams->empty() ? nullptr : &teams->front();
  if (!team_name.empty()) {
    chosen = nullptr;
    for (const auto& m : *teams) {
      if (NormalEmail(m.team_name) == NormalEmail(team_name)) chosen = &m;
    }
    if (chosen == nullptr) return ErrorResponse(404, "not_found", "you are not a member of a team named " + team_name);
  }
  const int64_t now = deps_.clock->NowSeconds();
  const std::string cookie = NewOpaqueToken("");
  store::Session s;
  s.id_hash = TokenHash(cookie);
  s.csrf_hash = TokenHash(CsrfTokenFor(cookie));
  s.user_id = user->id;
  s.team_id = chosen ? chosen->team_id : 0;
  s.created_at = now;
  s.last_seen_at = now;
  s.expires_at = now + options_.session_absolute_seconds;
  s.address = ctx.address;
  s.user_agent = ctx.req.Header("user-agent").substr(0, 200);
  if (Status st = deps_.access->CreateSession(s); !st.ok()) return ErrorResponse(st);
  ctx.user_id = user->id;
  ctx.email = user->email;
  Audit(ctx, "session.login", "user:" + user->email, "signed in", s.team_id);
  Json out = {{"user", UserJson(*user)},
              {"csrf_token", CsrfTokenFor(cookie)},
              {"expires_at", s.expires_at},
              {"team", chosen ? Json{{"id", chosen->team_id}, {"name", chosen->team_name},
                                     {"role", store::RoleName(chosen->role)}}
                              : Json(nullptr)}};
  Response r = JsonResponse(200, out);
  r.headers.emplace_back("Set-Cookie", SessionCookie(cookie, options_.session_absolute_seconds));
  return r;
}

Response ApiServer::GetSession(RequestContext& ctx) {
  Json out = {{"user", {{"id", ctx.user_id}, {"email", ctx.email}}},
              {"via", ctx.via_token ? "token" : "session"}};
  if (ctx.team_id != 0) {
    auto team = deps_.access->GetTeam(ctx.team_id);
    out["team"] = {{"id", ctx.team_id}, {"name", team.has_value() ? team->name : ""},
                   {"role", store::RoleName(ctx.role)}};
  } else {
    out["team"] = nullptr;
  }
  if (!ctx.via_token) {
    out["csrf_token"] = CsrfTokenFor(SessionCookieOf(ctx.req));
  }
  return Ok(out);
}

Response ApiServer::Logout(RequestContext& ctx) {
  if (ctx.via_token) {
    return ErrorResponse(400, "invalid_argument",
                         "signed in with an API token: revoke it with DELETE /api/v1/tokens/{id}");
  }
  if (Status st = deps_.access->DeleteSession(ctx.session_hash); !st.ok()) return ErrorResponse(st);
  Audit(ctx, "session.logout", "user:" + ctx.email, "signed out");
  Response r = JsonResponse(200, Json{{"signed_out", true}});
  r.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
  return r;
}

Response ApiServer::SwitchTeam(RequestContext& ctx) {
  if (ctx.via_token) {
    return ErrorResponse(400, "invalid_argument", "an API token belongs to one team; create one per team");
  }
  TRY_ASSIGN(body, BodyObject(ctx.req));
  if (!body.contains("team_id") || !body["team_id"].is_number_integer()) {
    return ErrorResponse(400, "invalid_argument", "send {\"team_id\": <id>}");
  }
  const int64_t team_id = body["team_id"].get<int64_t>();
  auto member = deps_.access->GetMembership(team_id, ctx.user_id);
  if (!member.has_value()) return ErrorResponse(404, "not_found", "no such team");
  if (Status st = deps_.access->SetSessionTeam(ctx.session_hash, team_id); !st.ok()) return ErrorResponse(st);
  return Ok({{"team", {{"id", team_id}, {"name", member->team_name}, {"role", store::RoleName(member->role)}}}});
}

Response ApiServer::GetMe(RequestContext& ctx) {
  TRY_ASSIGN(user, deps_.access->GetUser(ctx.user_id));
  TRY_ASSIGN(teams, deps_.access->ListTeamsOfUser(ctx.user_id));
  Json out = UserJson(user);
  out["teams"] = Json::array();
  for (const auto& m : teams) {
    out["teams"].push_back({{"id", m.team_id}, {"name", m.team_name}, {"role", store::RoleName(m.role)}});
  }
  return Ok(out);
}

Response ApiServer::PutPreferences(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(user, deps_.access->GetUser(ctx.user_id));
  store::Preferences p = user.preferences;
  TRY_ASSIGN(currency, StringField(body, "currency"));
  TRY_ASSIGN(zone, StringField(body, "time_zone"));
  TRY_ASSIGN(format, StringField(body, "date_format"));
  if (!currency.empty()) {
    if (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return ErrorResponse(400, "invalid_argument", "currency must be an ISO 4217 code such as USD or EUR");
    }
    p.currency = currency;
  }
  if (!zone.empty()) {
    const bool shaped = zone.size() <= 64 && std::all_of(zone.begin(), zone.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
    });
    if (!shaped) return ErrorResponse(400, "invalid_argument", "time_zone must be an IANA name such as Europe/Berlin");
    p.time_zone = zone;
  }
  if (!format.empty()) {
    static const char* kFormats[] = {"YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"};
    if (std::find(std::begin(kFormats), std::end(kFormats), format) == std::end(kFormats)) {
      return ErrorResponse(400, "invalid_argument",
                           "date_format must be one of YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY");
    }
    p.date_format = format;
  }
  if (Status st = deps_.access->SetPreferences(ctx.user_id, p); !st.ok()) return ErrorResponse(st);
  user.preferences = p;
  return Ok(UserJson(user));
}

Response ApiServer::ChangePassword(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(current, SecretField(body, "current_password"));
  TRY_ASSIGN(next, SecretField(body, "new_password"));
  if (int64_t wait = throttle_.RetryAfter(ctx.email, ctx.address); wait > 0) {
    Response r = ErrorResponse(429, "too_many_requests",
                               "too many failed attempts; try again in " + std::to_string(wait) + " seconds");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  TRY_ASSIGN(user, deps_.access->GetUser(ctx.user_id));
  if (!crypto::VerifyPassword(user.password_hash, current)) {
    throttle_.RecordFailure(ctx.email, ctx.address);
    return ErrorResponse(403, "forbidden", "the current password is wrong");
  }
  TRY_ASSIGN(hash, crypto::HashPassword(next));
  if (Status st = deps_.access->SetPasswordHash(ctx.user_id, hash); !st.ok()) return ErrorResponse(st);
  // A changed password ends every session of the user, this one included, and revokes their
  // API tokens in every team (SEC-8): whoever held the old password may have made one.
  if (Status st = deps_.access->DeleteSessionsOfUser(ctx.user_id); !st.ok()) return ErrorResponse(st);
  TRY_ASSIGN(teams, deps_.access->ListTeamsOfUser(ctx.user_id));
  for (const auto& m : teams) {
    TRY_ASSIGN(tokens, deps_.access->ListTokens(m.team_id));
    for (const auto& t : tokens) {
      if (t.user_id != ctx.user_id || t.revoked_at != 0) continue;
      if (Status st = deps_.access->RevokeToken(m.team_id, t.id, deps_.clock->NowSeconds()); !st.ok()) {
        return ErrorResponse(st);
      }
    }
  }
  Audit(ctx, "user.password", "user:" + ctx.email, "password changed; all sessions and API tokens ended");
  Response r = JsonResponse(200, Json{{"changed", true}, {"signed_out", true}});
  r.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
  return r;
}

Response ApiServer::ListTeams(RequestContext& ctx) {
  TRY_ASSIGN(teams, deps_.access->ListTeamsOfUser(ctx.user_id));
  Json out = Json::array();
  for (const auto& m : teams) {
    out.push_back({{"id", m.team_id}, {"name", m.team_name}, {"role", store::RoleName(m.role)}});
  }
  return Ok({{"teams", out}});
}

Response ApiServer::CreateTeam(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(name, StringField(body, "name"));
  if (name.empty() || name.size() > 100) {
    return ErrorResponse(400, "invalid_argument", "name must be 1 to 100 characters");
  }
  TRY_ASSIGN(team, deps_.access->CreateTeam(name));
  if (Status st = deps_.access->PutMembership(team.id, ctx.user_id, store::Role::kOwner); !st.ok()) {
    return ErrorResponse(st);
  }
  Audit(ctx, "team.create", "team:" + std::to_string(team.id), "created " + team.name, team.id);
  return JsonResponse(201, Json{{"id", team.id}, {"name", team.name}, {"role", "owner"}});
}

Response ApiServer::GetTeam(RequestContext& ctx) {
  TRY_ASSIGN(team, deps_.access->GetTeam(ctx.team_id));
  return Ok({{"id", team.id}, {"name", team.name}, {"role", store::RoleName(ctx.role)}});
}

Response ApiServer::ListMembers(RequestContext& ctx) {
  TRY_ASSIGN(members, deps_.access->ListMembers(ctx.team_id));
  Json out = Json::array();
  for (const auto& m : members) {
    out.push_back({{"user_id", m.user_id}, {"email", m.email}, {"role", store::RoleName(m.role)},
                   {"since", m.created_at}});
  }
  return Ok({{"members", out}});
}

Response ApiServer::AddMember(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(email_raw, StringField(body, "email"));
  TRY_ASSIGN(role_text, StringField(body, "role"));
  const std::string email = NormalEmail(email_raw);
  if (!ValidEmail(email)) return ErrorResponse(400, "invalid_argument", "email must be an e-mail address");
  auto role = store::ParseRole(role_text);
  if (!role) return ErrorResponse(400, "invalid_argument", "role must be owner, admin or viewer");
  // Users are server-wide, so only the operator creates them (`orchard user add`): were a team's
  // Owner able to create one with a password of their choosing, they could pre-create another
  // team's future member and sign in as them once that team adds the address.
  if (body.contains("password")) {
    return ErrorResponse(400, "invalid_argument",
                         "members are added without a password: a user keeps the password they "
                         "set; the operator creates new users with `orchard user add`");
  }
  auto user = deps_.access->FindUserByEmail(email);
  if (!user.has_value()) {
    if (user.error().code() != Code::kNotFound) return ErrorResponse(user.error());
    return ErrorResponse(404, "not_found",
                         email + " has no Orchard user yet: the operator creates it with `orchard "
                                 "user add " + email + " --team NAME --role ROLE`");
  }
  if (deps_.access->GetMembership(ctx.team_id, user->id).has_value()) {
    return ErrorResponse(409, "already_exists", email + " is already a member; change the role with PATCH");
  }
  if (Status st = deps_.access->PutMembership(ctx.team_id, user->id, *role); !st.ok()) return ErrorResponse(st);
  Audit(ctx, "member.add", "user:" + email, "added as " + std::string(store::RoleName(*role)));
  return JsonResponse(201, Json{{"user_id", user->id}, {"email", email}, {"role", store::RoleName(*role)}});
}

Response ApiServer::ChangeMember(RequestContext& ctx) {
  TRY_ASSIGN(user_id, IdParam(ctx.req, "user_id"));
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(role_text, StringField(body, "role"));
  auto role = store::ParseRole(role_text);
  if (!role) return ErrorResponse(400, "invalid_argument", "role must be owner, admin or viewer");
  TRY_ASSIGN(member, deps_.access->GetMembership(ctx.team_id, user_id));
  if (Status st = deps_.access->PutMembership(ctx.team_id, user_id, *role); !st.ok()) return ErrorResponse(st);
  Audit(ctx, "member.role", "user:" + member.email,
        std::string(store::RoleName(member.role)) + " → " + std::string(store::RoleName(*role)));
  return Ok({{"user_id", user_id}, {"email", member.email}, {"role", store::RoleName(*role)}});
}

Response ApiServer::RemoveMember(RequestContext& ctx) {
  TRY_ASSIGN(user_id, IdParam(ctx.req, "user_id"));
  TRY_ASSIGN(member, deps_.access->GetMembership(ctx.team_id, user_id));
  if (Status st = deps_.access->RemoveMembership(ctx.team_id, user_id); !st.ok()) return ErrorResponse(st);
  Audit(ctx, "member.remove", "user:" + member.email, "removed; their sessions and tokens of this team ended");
  return Ok({{"removed", true}, {"user_id", user_id}});
}

Response ApiServer::ListTokens(RequestContext& ctx) {
  TRY_ASSIGN(tokens, deps_.access->ListTokens(ctx.team_id));
  Json out = Json::array();
  for (const auto& t : tokens) {
    if (ctx.role != store::Role::kOwner && t.user_id != ctx.user_id) continue;
    out.push_back(TokenJson(t));
  }
  return Ok({{"tokens", out}});
}

Response ApiServer::CreateToken(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(name, StringField(body, "name"));
  int64_t days = 0;
  if (body.contains("expires_in_days")) {
    if (!body["expires_in_days"].is_number_integer() || body["expires_in_days"].get<int64_t>() < 1 ||
        body["expires_in_days"].get<int64_t>() > 3650) {
      return ErrorResponse(400, "invalid_argument", "expires_in_days must be 1 to 3650");
    }
    days = body["expires_in_days"].get<int64_t>();
  }
  if (name.size() > 100) return ErrorResponse(400, "invalid_argument", "name must be at most 100 characters");
  const std::string secret = NewOpaqueToken("orc_");
  store::ApiToken t;
  t.token_hash = TokenHash(secret);
  t.prefix = secret.substr(0, 8);
  t.user_id = ctx.user_id;
  t.team_id = ctx.team_id;
  t.name = name.empty() ? "API token" : name;
  t.created_at = deps_.clock->NowSeconds();
  t.expires_at = days == 0 ? 0 : t.created_at + days * 86400;
  // A token cannot outlive the token that made it (a leaked short-lived token must not mint a
  // permanent one).
  if (ctx.via_token && ctx.token_expires_at != 0 && (t.expires_at == 0 || t.expires_at > ctx.token_expires_at)) {
    t.expires_at = ctx.token_expires_at;
  }
  TRY_ASSIGN(created, deps_.access->CreateToken(t));
  created.email = ctx.email;
  Audit(ctx, "token.create", "token:" + std::to_string(created.id), "\"" + created.name + "\" " + created.prefix + "…");
  Json out = TokenJson(created);
  out["token"] = secret;  // shown once; only its hash is kept
  return JsonResponse(201, out);
}

Response ApiServer::RevokeToken(RequestContext& ctx) {
  TRY_ASSIGN(id, IdParam(ctx.req, "id"));
  TRY_ASSIGN(tokens, deps_.access->ListTokens(ctx.team_id));
  auto it = std::find_if(tokens.begin(), tokens.end(), [&](const store::ApiToken& t) { return t.id == id; });
  // Another member's token is invisible to non-Owners: the same 404 as another team's.
  if (it == tokens.end() || (ctx.role != store::Role::kOwner && it->user_id != ctx.user_id)) {
    return ErrorResponse(404, "not_found", "no such token");
  }
  if (Status st = deps_.access->RevokeToken(ctx.team_id, id, deps_.clock->NowSeconds()); !st.ok()) {
    return ErrorResponse(st);
  }
  Audit(ctx, "token.revoke", "token:" + std::to_string(id), "\"" + it->name + "\" " + it->prefix + "…");
  return Ok({{"revoked", true}, {"id", id}});
}

Response ApiServer::ListNotifications(RequestContext& ctx) {
  TRY_ASSIGN(list, deps_.access->ListNotifications(ctx.team_id, ctx.user_id));
  Json out = Json::array();
  for (const auto& n : list) {
    out.push_back({{"id", n.id}, {"kind", n.kind}, {"message", n.message},
                   {"from", n.from_email.empty() ? Json(nullptr) : Json(n.from_email)},
                   {"created_at", n.created_at}, {"read", n.read_at != 0}});
  }
  return Ok({{"notifications", out}});
}

Response ApiServer::ReadNotification(RequestContext& ctx) {
  TRY_ASSIGN(id, IdParam(ctx.req, "id"));
  if (Status st = deps_.access->MarkNotificationRead(ctx.team_id, ctx.user_id, id, deps_.clock->NowSeconds());
      !st.ok()) {
    return ErrorResponse(st);
  }
  return Ok({{"read", true}, {"id", id}});
}

Response ApiServer::RequestLink(RequestContext& ctx) {
  TRY_ASSIGN(body, BodyObject(ctx.req));
  TRY_ASSIGN(note, StringField(body, "message"));
  if (note.size() > 1000) return ErrorResponse(400, "invalid_argument", "message must be at most 1000 characters");
  TRY_ASSIGN(members, deps_.access->ListMembers(ctx.team_id));
  Json sent = Json::array();
  for (const auto& m : members) {
    if (m.role < store::Role::kAdmin || m.user_id == ctx.user_id) continue;
    store::Notification n;
    n.team_id = ctx.team_id;
    n.user_id = m.user_id;
    n.from_user_id = ctx.user_id;
    n.kind = "link_request";
    n.message = ctx.email + " asks you to link an App Store Connect account" +
                (note.empty() ? std::string(".") : ": " + note);
    n.created_at = deps_.clock->NowSeconds();
    if (auto added = deps_.access->AddNotification(n); !added.has_value()) return ErrorResponse(added.error());
    sent.push_back(m.email);
  }
  Audit(ctx, "account.link_request", "team:" + std::to_string(ctx.team_id), "sent to " + std::to_string(sent.size()) + " member(s)");
  return JsonResponse(202, Json{{"sent_to", sent}});
}

Response ApiServer::ListAudit(RequestContext& ctx) {
  int limit = 100;
  if (const std::string l = ctx.req.Query("limit"); !l.empty()) {
    limit = std::clamp(std::atoi(l.c_str()), 1, 1000);
  }
  TRY_ASSIGN(events, deps_.access->ListAudit(ctx.team_id, limit));
  Json out = Json::array();
  for (const auto& e : events) {
    out.push_back({{"id", e.id}, {"at", e.at}, {"actor", e.actor}, {"action", e.action},
                   {"target", e.target}, {"address", e.address}, {"detail", e.detail}});
  }
  return Ok({{"events", out}});
}

}  // namespace orchard::server
