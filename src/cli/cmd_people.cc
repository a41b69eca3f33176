// orchard team / user / token / audit: Orchard's own people, for the operator at the console.
#include <ctime>

#include "cli/commands.h"
#include "cli/secret_input.h"
#include "crypto/password_hash.h"
#include "reports/table.h"
#include "server/auth.h"

namespace orchard::cli {
namespace {

std::string TimeText(int64_t seconds) { return UtcTimeText(seconds, ""); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void Audit(AppContext& ctx, int64_t team, std::string action, std::string target, std::string detail) {
  store::AuditEvent e;
  e.team_id = team;
  e.actor = "cli";
  e.action = std::move(action);
  e.target = std::move(target);
  e.detail = std::move(detail);
  e.at = ctx.clock().NowSeconds();
  (void)ctx.access().AppendAudit(e);
}

Result<store::User> UserByEmail(AppContext& ctx, const std::string& email) {
  auto user = ctx.access().FindUserByEmail(Lower(email));
  if (!user.has_value() && user.error().code() == Code::kNotFound) {
    return Error(Code::kNotFound, "no Orchard user " + email + "; add one with: orchard user add " + email +
                                      " --team NAME --role viewer");
  }
  return user;
}

}  // namespace

Status CreateTeam(AppContext& ctx, const std::string& name, std::ostream& out) {
  if (name.empty() || name.size() > 100) {
    return Status(Code::kInvalidArgument, "the team name must be 1 to 100 characters");
  }
  ORCHARD_ASSIGN_OR_RETURN(store::Team team, ctx.access().CreateTeam(name));
  Audit(ctx, team.id, "team.create", "team:" + std::to_string(team.id), "created " + team.name);
  out << "Created team " << team.name << " (id " << team.id << "). Add its first Owner with:\n"
      << "  orchard user add EMAIL --team \"" << team.name << "\" --role owner   (password on stdin)\n";
  return Status::Ok();
}

Status ListTeams(AppContext& ctx, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, reports::ParseFormat(format));
  ORCHARD_ASSIGN_OR_RETURN(auto teams, ctx.access().ListTeams());
  reports::Table t;
  t.columns = {"id", "name", "members"};
  for (const auto& team : teams) {
    ORCHARD_ASSIGN_OR_RETURN(auto members, ctx.access().ListMembers(team.id));
    t.rows.push_back({std::to_string(team.id), team.name, std::to_string(members.size())});
  }
  out << reports::Render(t, f);
  return Status::Ok();
}

Status AddUser(AppContext& ctx, const std::string& email_in, const std::string& role_text, std::ostream& out) {
  const std::string email = Lower(email_in);
  if (email.find('@') == std::string::npos || email.size() > 254) {
    return Status(Code::kInvalidArgument, email_in + " is not an e-mail address");
  }
  auto role = store::ParseRole(role_text);
  if (!role) return Status(Code::kInvalidArgument, "--role must be owner, admin or viewer");
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  auto user = ctx.access().FindUserByEmail(email);
  bool created = false;
  if (!user.has_value()) {
    if (user.error().code() != Code::kNotFound) return user.error();
    ORCHARD_ASSIGN_OR_RETURN(Secret password, ReadSecretLine("Password for " + email + ": ", "password"));
    ORCHARD_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password));
    user = ctx.access().CreateUser(email, hash);
    if (!user.has_value()) return user.error();
    created = true;
  }
  ORCHARD_RETURN_IF_ERROR(ctx.access().PutMembership(team, user->id, *role));
  ORCHARD_ASSIGN_OR_RETURN(store::Team t, ctx.access().GetTeam(team));
  Audit(ctx, team, "member.add", "user:" + email, "added as " + std::string(store::RoleName(*role)));
  out << (created ? "Created user " : "Added user ") << email << " to team " << t.name << " as "
      << store::RoleName(*role) << ".\n";
  return Status::Ok();
}

Status ListUsers(AppContext& ctx, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, reports::ParseFormat(format));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto members, ctx.access().ListMembers(team));
  reports::Table t;
  t.columns = {"user_id", "email", "role", "since"};
  for (const auto& m : members) {
    t.rows.push_back({std::to_string(m.user_id), m.email, std::string(store::RoleName(m.role)), TimeText(m.created_at)});
  }
  out << reports::Render(t, f);
  return Status::Ok();
}

Status SetUserRole(AppContext& ctx, const std::string& email, const std::string& role_text, std::ostream& out) {
  auto role = store::ParseRole(role_text);
  if (!role) return Status(Code::kInvalidArgument, "--role must be owner, admin or viewer");
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(store::User user, UserByEmail(ctx, email));
  ORCHARD_ASSIGN_OR_RETURN(store::Membership before, ctx.access().GetMembership(team, user.id));
  ORCHARD_RETURN_IF_ERROR(ctx.access().PutMembership(team, user.id, *role));
  Audit(ctx, team, "member.role", "user:" + user.email,
        std::string(store::RoleName(before.role)) + " → " + std::string(store::RoleName(*role)));
  out << user.email << " is now " << store::RoleName(*role) << ".\n";
  return Status::Ok();
}

Status RemoveUser(AppContext& ctx, const std::string& email, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(store::User user, UserByEmail(ctx, email));
  ORCHARD_RETURN_IF_ERROR(ctx.access().RemoveMembership(team, user.id));
  Audit(ctx, team, "member.remove", "user:" + user.email, "removed; their sessions and tokens of this team ended");
  out << "Removed " << user.email << " from the team; their sessions and tokens for it have ended.\n";
  return Status::Ok();
}

Status CreateToken(AppContext& ctx, const std::string& email, const std::string& name, int expires_days,
                   std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(store::User user, UserByEmail(ctx, email));
  auto member = ctx.access().GetMembership(team, user.id);
  if (!member.has_value()) {
    return Status(Code::kFailedPrecondition, user.email + " is not a member of this team");
  }
  const std::string secret = server::NewOpaqueToken("orc_");
  store::ApiToken t;
  t.token_hash = server::TokenHash(secret);
  t.prefix = secret.substr(0, 8);
  t.user_id = user.id;
  t.team_id = team;
  t.name = name.empty() ? "API token" : name;
  t.created_at = ctx.clock().NowSeconds();
  t.expires_at = expires_days > 0 ? t.created_at + int64_t{expires_days} * 86400 : 0;
  ORCHARD_ASSIGN_OR_RETURN(store::ApiToken created, ctx.access().CreateToken(t));
  Audit(ctx, team, "token.create", "token:" + std::to_string(created.id),
        "\"" + created.name + "\" for " + user.email);
  out << secret << "\n";  // only the token: scripts capture it; it is never shown again
  return Status::Ok();
}

Status ListTokens(AppContext& ctx, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, reports::ParseFormat(format));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto tokens, ctx.access().ListTokens(team));
  reports::Table t;
  t.columns = {"id", "name", "user", "prefix", "created", "last_used", "expires", "state"};
  for (const auto& k : tokens) {
    t.rows.push_back({std::to_string(k.id), k.name, k.email, k.prefix + "…", TimeText(k.created_at),
                      TimeText(k.last_used_at), k.expires_at ? TimeText(k.expires_at) : "never",
                      k.revoked_at ? "revoked" : "live"});
  }
  out << reports::Render(t, f);
  return Status::Ok();
}

Status RevokeToken(AppContext& ctx, int64_t id, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_RETURN_IF_ERROR(ctx.access().RevokeToken(team, id, ctx.clock().NowSeconds()));
  Audit(ctx, team, "token.revoke", "token:" + std::to_string(id), "revoked from the CLI");
  out << "Revoked token " << id << ".\n";
  return Status::Ok();
}

Status ShowAudit(AppContext& ctx, int limit, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, reports::ParseFormat(format));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto events, ctx.access().ListAudit(team, limit));
  reports::Table t;
  t.columns = {"at", "actor", "action", "target", "address", "detail"};
  for (const auto& e : events) {
    t.rows.push_back({TimeText(e.at), e.actor, e.action, e.target, e.address, e.detail});
  }
  out << reports::Render(t, f);
  return Status::Ok();
}

}  // namespace orchard::cli
