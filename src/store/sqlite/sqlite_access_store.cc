#include "store/sqlite/sqlite_access_store.h"

#include <algorithm>

namespace orchard::store::sqlite {
namespace {

constexpr const char* kUserSelect =
    "SELECT id, email, password_hash, currency, time_zone, date_format, created_at, "
    "password_changed_at FROM users ";

constexpr const char* kMembershipSelect =
    "SELECT m.team_id, m.user_id, m.role, t.name, u.email, m.created_at FROM memberships m "
    "JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id ";

// team_id is NULL while a session acts in no team; the interface says 0.
constexpr const char* kSessionSelect =
    "SELECT id_hash, csrf_hash, user_id, ifnull(team_id, 0), created_at, last_seen_at, "
    "expires_at, address, user_agent FROM sessions ";

constexpr const char* kTokenSelect =
    "SELECT k.id, k.token_hash, k.prefix, k.user_id, k.team_id, k.name, u.email, k.created_at, "
    "k.last_used_at, k.expires_at, k.revoked_at FROM api_tokens k "
    "JOIN users u ON u.id = k.user_id ";

// from_user_id is NULL for the system; the interface says 0 and "".
constexpr const char* kNotificationSelect =
    "SELECT n.id, n.team_id, n.user_id, ifnull(n.from_user_id, 0), ifnull(f.email, ''), n.kind, "
    "n.message, n.created_at, n.read_at FROM notifications n "
    "LEFT JOIN users f ON f.id = n.from_user_id ";

User ReadUser(const Statement& st) {
  User u;
  u.id = st.Int(0);
  u.email = st.Text(1);
  u.password_hash = st.Text(2);
  u.preferences.currency = st.Text(3);
  u.preferences.time_zone = st.Text(4);
  u.preferences.date_format = st.Text(5);
  u.created_at = st.Int(6);
  u.password_changed_at = st.Int(7);
  return u;
}

Result<Membership> ReadMembership(const Statement& st) {
  Membership m;
  m.team_id = st.Int(0);
  m.user_id = st.Int(1);
  const std::optional<Role> role = ParseRole(st.Text(2));
  if (!role) {
    return Error(Code::kDataLoss, "membership of user " + std::to_string(m.user_id) +
                                      " has an unknown role \"" + std::string(st.Text(2)) + "\"");
  }
  m.role = *role;
  m.team_name = st.Text(3);
  m.email = st.Text(4);
  m.created_at = st.Int(5);
  return m;
}

Session ReadSession(const Statement& st) {
  Session s;
  s.id_hash = st.Blob(0);
  s.csrf_hash = st.Blob(1);
  s.user_id = st.Int(2);
  s.team_id = st.Int(3);
  s.created_at = st.Int(4);
  s.last_seen_at = st.Int(5);
  s.expires_at = st.Int(6);
  s.address = st.Text(7);
  s.user_agent = st.Text(8);
  return s;
}

ApiToken ReadToken(const Statement& st) {
  ApiToken t;
  t.id = st.Int(0);
  t.token_hash = st.Blob(1);
  t.prefix = st.Text(2);
  t.user_id = st.Int(3);
  t.team_id = st.Int(4);
  t.name = st.Text(5);
  t.email = st.Text(6);
  t.created_at = st.Int(7);
  t.last_used_at = st.Int(8);
  t.expires_at = st.Int(9);
  t.revoked_at = st.Int(10);
  return t;
}

Notification ReadNotification(const Statement& st) {
  Notification n;
  n.id = st.Int(0);
  n.team_id = st.Int(1);
  n.user_id = st.Int(2);
  n.from_user_id = st.Int(3);
  n.from_email = st.Text(4);
  n.kind = st.Text(5);
  n.message = st.Text(6);
  n.created_at = st.Int(7);
  n.read_at = st.Int(8);
  return n;
}

Team ReadTeam(const Statement& st) { return Team{st.Int(0), std::string(st.Text(1))}; }

// Steps `st` to its first row or answers kNotFound with `what`.
Status StepToRow(Statement& st, const std::string& what) {
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status(Code::kNotFound, what);
  return Status::Ok();
}

// Every row of `st`, read by `read`.
template <typename T, typename Read>
Result<std::vector<T>> ReadAll(Statement& st, Read read) {
  std::vector<T> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(read(st));
  }
  return out;
}

// An UPDATE that matched nothing means the object does not exist (for this caller).
Status NotFoundIfUnchanged(const Database& db, const std::string& what) {
  if (db.Changes() == 0) return Status(Code::kNotFound, what);
  return Status::Ok();
}

// 0 means "none" in the interface and NULL in the tables that reference another row.
void BindIdOrNull(Statement& st, int index, int64_t id) {
  if (id == 0) {
    st.BindNull(index);
  } else {
    st.Bind(index, id);
  }
}

constexpr const char* kNoSession = "no such session";

}  // namespace

// ---- Teams ----

Result<Team> SqliteAccessStore::CreateTeam(const std::string& name) {
  if (name.empty()) return Error(Code::kInvalidArgument, "a team needs a name");
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("INSERT INTO teams (name, created_at) VALUES (?, ?)"));
  st.Bind(1, name).Bind(2, clock_->NowSeconds());
  if (Status s = st.Run(); !s.ok()) {
    if (s.code() == Code::kAlreadyExists) {
      return Error(Code::kAlreadyExists, "a team named \"" + name + "\" already exists");
    }
    return Error(s);
  }
  return Team{db_->LastInsertId(), name};
}

Result<Team> SqliteAccessStore::GetTeam(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id, name FROM teams WHERE id = ?"));
  st.Bind(1, team_id);
  ORCHARD_RETURN_IF_ERROR(StepToRow(st, "no team " + std::to_string(team_id)));
  return ReadTeam(st);
}

Result<Team> SqliteAccessStore::FindTeamByName(const std::string& name) {
  auto lock = db_->lock();
  // COLLATE NOCASE matches the unique index teams_name_nocase, which serves the lookup.
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT id, name FROM teams WHERE name = ? COLLATE NOCASE"));
  st.Bind(1, name);
  ORCHARD_RETURN_IF_ERROR(StepToRow(st, "no team named \"" + name + "\""));
  return ReadTeam(st);
}

Result<std::vector<Team>> SqliteAccessStore::ListTeams() {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id, name FROM teams ORDER BY id"));
  return ReadAll<Team>(st, ReadTeam);
}

// ---- Users ----

// Emails go through SQLite's lower() on the way in and in every lookup, the same function the
// users table's CHECK uses, so the stored form and the compared form can never disagree.
Result<User> SqliteAccessStore::CreateUser(const std::string& email,
                                           const std::string& password_hash) {
  if (email.empty()) return Error(Code::kInvalidArgument, "a user needs an e-mail address");
  auto lock = db_->lock();
  const int64_t now = clock_->NowSeconds();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("INSERT INTO users (email, password_hash, created_at, "
                                 "password_changed_at) VALUES (lower(?), ?, ?, ?)"));
  st.Bind(1, email).Bind(2, password_hash).Bind(3, now).Bind(4, now);
  if (Status s = st.Run(); !s.ok()) {
    if (s.code() == Code::kAlreadyExists) {
      return Error(Code::kAlreadyExists, "a user with e-mail " + email + " already exists");
    }
    return Error(s);
  }
  return GetUser(db_->LastInsertId());
}

Result<User> SqliteAccessStore::GetUser(int64_t user_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare(std::string(kUserSelect) + "WHERE id = ?"));
  st.Bind(1, user_id);
  ORCHARD_RETURN_IF_ERROR(StepToRow(st, "no user " + std::to_string(user_id)));
  return ReadUser(st);
}

Result<User> SqliteAccessStore::FindUserByEmail(const std::string& email) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare(std::string(kUserSelect) + "WHERE email = lower(?)"));
  st.Bind(1, email);
  ORCHARD_RETURN_IF_ERROR(StepToRow(st, "no user with e-mail " + email));
  return ReadUser(st);
}

Status SqliteAccessStore::SetPasswordHash(int64_t user_id, const std::string& password_hash) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?"));
  st.Bind(1, password_hash).Bind(2, clock_->NowSeconds()).Bind(3, user_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  return NotFoundIfUnchanged(*db_, "no user " + std::to_string(user_id));
}

Status SqliteAccessStore::SetPreferences(int64_t user_id, const Preferences& p) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("UPDATE users SET currency = ?, time_zone = ?, date_format = ? "
                                 "WHERE id = ?"));
  st.Bind(1, p.currency).Bind(2, p.time_zone).Bind(3, p.date_format).Bind(4, user_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  return NotFoundIfUnchanged(*db_, "no user " + std::to_string(user_id));
}

// ---- Memberships ----

Result<std::optional<Role>> SqliteAccessStore::RoleOf(int64_t team_id, int64_t user_id) {
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT role FROM memberships WHERE team_id = ? AND user_id = ?"));
  st.Bind(1, team_id).Bind(2, user_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Role>();
  const std::optional<Role> role = ParseRole(st.Text(0));
  if (!role) {
    return Error(Code::kDataLoss, "membership of user " + std::to_string(user_id) +
                                      " has an unknown role \"" + std::string(st.Text(0)) + "\"");
  }
  return role;
}

// A team must keep an Owner: only an Owner can manage members and accounts, so a team without
// one could never be administered again. Teams that never had an Owner (the CLI's default team
// before any user exists) are not refused anything here.
Status SqliteAccessStore::RefuseLosingLastOwner(int64_t team_id, int64_t user_id,
                                                std::optional<Role> current,
                                                std::optional<Role> new_role) {
  if (current != Role::kOwner || new_role == Role::kOwner) return Status::Ok();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT count(*) FROM memberships WHERE team_id = ? AND "
                                 "role = 'owner' AND user_id <> ?"));
  st.Bind(1, team_id).Bind(2, user_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (row && st.Int(0) > 0) return Status::Ok();
  return Status(Code::kFailedPrecondition,
                "user " + std::to_string(user_id) + " is the last Owner of team " +
                    std::to_string(team_id) + "; make another member Owner first");
}

Status SqliteAccessStore::PutMembership(int64_t team_id, int64_t user_id, Role role) {
  auto lock = db_->lock();
  // BEGIN IMMEDIATE takes the write lock before the Owner count is read, so two processes
  // demoting the last two Owners at once cannot both pass the check.
  return InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(std::optional<Role> current, RoleOf(team_id, user_id));
    ORCHARD_RETURN_IF_ERROR(RefuseLosingLastOwner(team_id, user_id, current, role));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement st,
        db_->Prepare("INSERT INTO memberships (team_id, user_id, role, created_at) "
                     "VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role"));
    st.Bind(1, team_id).Bind(2, user_id).Bind(3, RoleName(role)).Bind(4, clock_->NowSeconds());
    return st.Run();
  });
}

Result<Membership> SqliteAccessStore::GetMembership(int64_t team_id, int64_t user_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(std::string(kMembershipSelect) + "WHERE m.team_id = ? AND m.user_id = ?"));
  st.Bind(1, team_id).Bind(2, user_id);
  ORCHARD_RETURN_IF_ERROR(StepToRow(st, "user " + std::to_string(user_id) +
                                            " is not a member of team " +
                                            std::to_string(team_id)));
  return ReadMembership(st);
}

Result<std::vector<Membership>> SqliteAccessStore::ReadMemberships(Statement& st) {
  std::vector<Membership> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ORCHARD_ASSIGN_OR_RETURN(Membership m, ReadMembership(st));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<Membership>> SqliteAccessStore::ListMembers(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(std::string(kMembershipSelect) + "WHERE m.team_id = ? ORDER BY u.email"));
  st.Bind(1, team_id);
  return ReadMemberships(st);
}

Result<std::vector<Membership>> SqliteAccessStore::ListTeamsOfUser(int64_t user_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare(std::string(kMembershipSelect) +
                                 "WHERE m.user_id = ? ORDER BY t.name COLLATE NOCASE, t.id"));
  st.Bind(1, user_id);
  return ReadMemberships(st);
}

Status SqliteAccessStore::RemoveMembership(int64_t team_id, int64_t user_id) {
  auto lock = db_->lock();
  // One transaction: the Owner check, the removal, and ending what the member could still do
  // in the team (SEC-8), so no session or token outlives the membership by even one request.
  return InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(std::optional<Role> current, RoleOf(team_id, user_id));
    if (!current) {
      return Status(Code::kNotFound, "user " + std::to_string(user_id) +
                                         " is not a member of team " + std::to_string(team_id));
    }
    ORCHARD_RETURN_IF_ERROR(RefuseLosingLastOwner(team_id, user_id, current, std::nullopt));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement remove,
        db_->Prepare("DELETE FROM memberships WHERE team_id = ? AND user_id = ?"));
    remove.Bind(1, team_id).Bind(2, user_id);
    ORCHARD_RETURN_IF_ERROR(remove.Run());
    ORCHARD_ASSIGN_OR_RETURN(
        Statement sessions,
        db_->Prepare("DELETE FROM sessions WHERE user_id = ? AND team_id = ?"));
    sessions.Bind(1, user_id).Bind(2, team_id);
    ORCHARD_RETURN_IF_ERROR(sessions.Run());
    ORCHARD_ASSIGN_OR_RETURN(
        Statement tokens,
        db_->Prepare("UPDATE api_tokens SET revoked_at = ? "
                     "WHERE user_id = ? AND team_id = ? AND revoked_at = 0"));
    tokens.Bind(1, clock_->NowSeconds()).Bind(2, user_id).Bind(3, team_id);
    return tokens.Run();
  });
}

// ---- Sessions ----

Status SqliteAccessStore::CreateSession(const Session& s) {
  if (s.id_hash.empty() || s.csrf_hash.empty()) {
    return Status(Code::kInvalidArgument, "a session needs its id and CSRF hashes");
  }
  auto lock = db_->lock();
  const int64_t now = clock_->NowSeconds();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("INSERT INTO sessions (id_hash, csrf_hash, user_id, team_id, created_at, "
                   "last_seen_at, expires_at, address, user_agent) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st.BindBlob(1, s.id_hash).BindBlob(2, s.csrf_hash).Bind(3, s.user_id);
  BindIdOrNull(st, 4, s.team_id);
  st.Bind(5, s.created_at != 0 ? s.created_at : now)
      .Bind(6, s.last_seen_at != 0 ? s.last_seen_at : now)
      .Bind(7, s.expires_at)
      .Bind(8, s.address)
      .Bind(9, s.user_agent);
  return st.Run();
}

Result<Session> SqliteAccessStore::FindSession(std::string_view id_hash) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare(std::string(kSessionSelect) + "WHERE id_hash = ?"));
  st.BindBlob(1, id_hash);
  ORCHARD_RETURN_IF_ERROR(StepToRow(st, kNoSession));
  return ReadSession(st);
}

Status SqliteAccessStore::TouchSession(std::string_view id_hash, int64_t last_seen_at) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?"));
  st.Bind(1, last_seen_at).BindBlob(2, id_hash);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  return NotFoundIfUnchanged(*db_, kNoSession);
}

Status SqliteAccessStore::SetSessionTeam(std::string_view id_hash, int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("UPDATE sessions SET team_id = ? WHERE id_hash = ?"));
  BindIdOrNull(st, 1, team_id);
  st.BindBlob(2, id_hash);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  return NotFoundIfUnchanged(*db_, kNoSession);
}

Status SqliteAccessStore::DeleteSession(std::string_view id_hash) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare("DELETE FROM sessions WHERE id_hash = ?"));
  st.BindBlob(1, id_hash);
  return st.Run();
}

Status SqliteAccessStore::DeleteSessionsOfUser(int64_t user_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare("DELETE FROM sessions WHERE user_id = ?"));
  st.Bind(1, user_id);
  return st.Run();
}

Status SqliteAccessStore::DeleteExpiredSessions(int64_t now, int64_t idle_seconds) {
  auto lock = db_->lock();
  // A deadline equal to now has passed; idle_seconds <= 0 means no idle timeout.
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR "
                                 "(?2 > 0 AND last_seen_at + ?2 <= ?1)"));
  st.Bind(1, now).Bind(2, idle_seconds);
  return st.Run();
}

// ---- API tokens ----

Result<ApiToken> SqliteAccessStore::CreateToken(const ApiToken& t) {
  if (t.token_hash.empty()) return Error(Code::kInvalidArgument, "a token needs its hash");
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("INSERT INTO api_tokens (token_hash, prefix, user_id, team_id, name, "
                   "created_at, last_used_at, expires_at, revoked_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st.BindBlob(1, t.token_hash)
      .Bind(2, t.prefix)
      .Bind(3, t.user_id)
      .Bind(4, t.team_id)
      .Bind(5, t.name)
      .Bind(6, t.created_at != 0 ? t.created_at : clock_->NowSeconds())
      .Bind(7, t.last_used_at)
      .Bind(8, t.expires_at)
      .Bind(9, t.revoked_at);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  ORCHARD_ASSIGN_OR_RETURN(Statement read,
                           db_->Prepare(std::string(kTokenSelect) + "WHERE k.id = ?"));
  read.Bind(1, db_->LastInsertId());
  ORCHARD_RETURN_IF_ERROR(StepToRow(read, "token missing after insert"));
  return ReadToken(read);
}

Result<ApiToken> SqliteAccessStore::FindToken(std::string_view token_hash) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare(std::string(kTokenSelect) + "WHERE k.token_hash = ?"));
  st.BindBlob(1, token_hash);
  ORCHARD_RETURN_IF_ERROR(StepToRow(st, "no such token"));
  return ReadToken(st);
}

Result<std::vector<ApiToken>> SqliteAccessStore::ListTokens(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare(std::string(kTokenSelect) + "WHERE k.team_id = ? ORDER BY k.id"));
  st.Bind(1, team_id);
  return ReadAll<ApiToken>(st, ReadToken);
}

Status SqliteAccessStore::TouchToken(int64_t token_id, int64_t last_used_at) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"));
  st.Bind(1, last_used_at).Bind(2, token_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  return NotFoundIfUnchanged(*db_, "no token " + std::to_string(token_id));
}

Status SqliteAccessStore::RevokeToken(int64_t team_id, int64_t token_id, int64_t at) {
  auto lock = db_->lock();
  // Revoking twice keeps the first time.
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("UPDATE api_tokens SET revoked_at = ? "
                                 "WHERE team_id = ? AND id = ? AND revoked_at = 0"));
  st.Bind(1, at).Bind(2, team_id).Bind(3, token_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() > 0) return Status::Ok();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement exists, db_->Prepare("SELECT 1 FROM api_tokens WHERE team_id = ? AND id = ?"));
  exists.Bind(1, team_id).Bind(2, token_id);
  return StepToRow(exists, "no token " + std::to_string(token_id));
}

// ---- Audit log ----

Status SqliteAccessStore::AppendAudit(const AuditEvent& e) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("INSERT INTO audit_log (team_id, user_id, actor, action, target, address, "
                   "detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  st.Bind(1, e.team_id)
      .Bind(2, e.user_id)
      .Bind(3, e.actor)
      .Bind(4, e.action)
      .Bind(5, e.target)
      .Bind(6, e.address)
      .Bind(7, e.detail)
      .Bind(8, e.at != 0 ? e.at : clock_->NowSeconds());
  return st.Run();
}

Result<std::vector<AuditEvent>> SqliteAccessStore::ListAudit(int64_t team_id, int limit) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("SELECT id, team_id, user_id, actor, action, target, address, detail, at "
                   "FROM audit_log WHERE team_id = ? ORDER BY id DESC LIMIT ?"));
  st.Bind(1, team_id).Bind(2, static_cast<int64_t>(std::max(limit, 0)));
  return ReadAll<AuditEvent>(st, [](const Statement& r) {
    AuditEvent e;
    e.id = r.Int(0);
    e.team_id = r.Int(1);
    e.user_id = r.Int(2);
    e.actor = r.Text(3);
    e.action = r.Text(4);
    e.target = r.Text(5);
    e.address = r.Text(6);
    e.detail = r.Text(7);
    e.at = r.Int(8);
    return e;
  });
}

// ---- Notifications ----

Result<Notification> SqliteAccessStore::AddNotification(const Notification& n) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("INSERT INTO notifications (team_id, user_id, from_user_id, kind, message, "
                   "created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st.Bind(1, n.team_id).Bind(2, n.user_id);
  BindIdOrNull(st, 3, n.from_user_id);
  st.Bind(4, n.kind)
      .Bind(5, n.message)
      .Bind(6, n.created_at != 0 ? n.created_at : clock_->NowSeconds())
      .Bind(7, n.read_at);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  ORCHARD_ASSIGN_OR_RETURN(Statement read,
                           db_->Prepare(std::string(kNotificationSelect) + "WHERE n.id = ?"));
  read.Bind(1, db_->LastInsertId());
  ORCHARD_RETURN_IF_ERROR(StepToRow(read, "notification missing after insert"));
  return ReadNotification(read);
}

Result<std::vector<Notification>> SqliteAccessStore::ListNotifications(int64_t team_id,
                                                                       int64_t user_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare(std::string(kNotificationSelect) +
                                 "WHERE n.team_id = ? AND n.user_id = ? ORDER BY n.id DESC"));
  st.Bind(1, team_id).Bind(2, user_id);
  return ReadAll<Notification>(st, ReadNotification);
}

Status SqliteAccessStore::MarkNotificationRead(int64_t team_id, int64_t user_id,
                                               int64_t notification_id, int64_t at) {
  auto lock = db_->lock();
  // Marking twice keeps the first time.
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("UPDATE notifications SET read_at = ? WHERE id = ? AND "
                                 "team_id = ? AND user_id = ? AND read_at = 0"));
  st.Bind(1, at).Bind(2, notification_id).Bind(3, team_id).Bind(4, user_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() > 0) return Status::Ok();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement exists,
      db_->Prepare("SELECT 1 FROM notifications WHERE id = ? AND team_id = ? AND user_id = ?"));
  exists.Bind(1, notification_id).Bind(2, team_id).Bind(3, user_id);
  return StepToRow(exists, "no notification " + std::to_string(notification_id));
}

}  // namespace orchard::store::sqlite
