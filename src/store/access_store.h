// AccessStore: Orchard's own people — teams, users, memberships with roles, sessions, personal
// access tokens, the audit log and in-app notifications. The interface every backend
// implements (SQLite now).
//
// Secrets of Orchard's own users are never stored: passwords as argon2id PHC strings, session
// ids, CSRF tokens and API tokens as SHA-256 hashes (SEC-6, SEC-8). Every call that reads a
// team's object takes the team id and scopes the query to it (SEC-9).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/meta_store.h"

namespace orchard::store {

// Ordered: a higher role can do everything a lower one can.
enum class Role { kViewer = 1, kAdmin = 2, kOwner = 3 };
std::string_view RoleName(Role role);                     // "viewer" | "admin" | "owner"
std::optional<Role> ParseRole(std::string_view text);     // case-insensitive

struct Preferences {
  std::string currency = "USD";          // ISO 4217 display currency
  std::string time_zone = "UTC";         // IANA name
  std::string date_format = "YYYY-MM-DD";
};

struct User {
  int64_t id = 0;
  std::string email;           // stored lower-cased; unique
  std::string password_hash;   // PHC string (crypto/password_hash.h)
  Preferences preferences;
  int64_t created_at = 0;
  int64_t password_changed_at = 0;
};

struct Membership {
  int64_t team_id = 0;
  int64_t user_id = 0;
  Role role = Role::kViewer;
  std::string team_name;  // filled by reads
  std::string email;      // filled by reads
  int64_t created_at = 0;
};

struct Session {
  std::string id_hash;    // SHA-256 of the cookie value (32 raw bytes)
  std::string csrf_hash;  // SHA-256 of the session's CSRF token (32 raw bytes)
  int64_t user_id = 0;
  int64_t team_id = 0;    // the team the session acts in (switchable)
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0; // absolute timeout
  std::string address;    // client address at login (audit only)
  std::string user_agent;
};

struct ApiToken {
  int64_t id = 0;
  std::string token_hash;  // SHA-256 of the token (32 raw bytes); unique
  std::string prefix;      // first characters of the token, shown in lists ("orc_AbCd")
  int64_t user_id = 0;
  int64_t team_id = 0;
  std::string name;
  std::string email;       // filled by reads
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  int64_t expires_at = 0;  // 0 = never
  int64_t revoked_at = 0;  // 0 = live
};

struct AuditEvent {
  int64_t id = 0;
  int64_t team_id = 0;     // 0 = not about one team (e.g. a failed login)
  int64_t user_id = 0;     // 0 = the CLI / the system
  std::string actor;       // e-mail, "cli" or "system"
  std::string action;      // "account.link", "account.unlink", "member.role", "session.login" …
  std::string target;      // e.g. "account:3", "user:ana@example.com"
  std::string address;     // client address, "" for the CLI
  std::string detail;      // plain words; never a secret
  int64_t at = 0;
};

struct Notification {
  int64_t id = 0;
  int64_t team_id = 0;
  int64_t user_id = 0;       // recipient
  int64_t from_user_id = 0;  // 0 = system
  std::string from_email;    // filled by reads
  std::string kind;          // "link_request", "account_needs_refresh" …
  std::string message;
  int64_t created_at = 0;
  int64_t read_at = 0;       // 0 = unread
};

class AccessStore {
 public:
  virtual ~AccessStore() = default;

  // Teams. kAlreadyExists for a taken name (case-insensitive).
  virtual Result<Team> CreateTeam(const std::string& name) = 0;
  virtual Result<Team> GetTeam(int64_t team_id) = 0;
  virtual Result<Team> FindTeamByName(const std::string& name) = 0;  // case-insensitive
  virtual Result<std::vector<Team>> ListTeams() = 0;

  // Users. Emails are compared case-insensitively. kAlreadyExists for a taken email.
  virtual Result<User> CreateUser(const std::string& email, const std::string& password_hash) = 0;
  virtual Result<User> GetUser(int64_t user_id) = 0;
  virtual Result<User> FindUserByEmail(const std::string& email) = 0;
  virtual Status SetPasswordHash(int64_t user_id, const std::string& password_hash) = 0;
  virtual Status SetPreferences(int64_t user_id, const Preferences& preferences) = 0;

  // Memberships. PutMembership inserts or changes a role; RemoveMembership deletes it and, in
  // the same transaction, deletes the member's sessions acting in that team and revokes their
  // tokens of that team (SEC-8). Both refuse with kFailedPrecondition ("… last Owner …") when
  // the change would leave the team without an Owner; the check and the change are atomic.
  virtual Status PutMembership(int64_t team_id, int64_t user_id, Role role) = 0;
  virtual Result<Membership> GetMembership(int64_t team_id, int64_t user_id) = 0;
  virtual Result<std::vector<Membership>> ListMembers(int64_t team_id) = 0;     // by email
  virtual Result<std::vector<Membership>> ListTeamsOfUser(int64_t user_id) = 0; // by team name
  virtual Status RemoveMembership(int64_t team_id, int64_t user_id) = 0;

  // Sessions, looked up by the hash of the cookie value.
  virtual Status CreateSession(const Session& session) = 0;
  virtual Result<Session> FindSession(std::string_view id_hash) = 0;
  virtual Status TouchSession(std::string_view id_hash, int64_t last_seen_at) = 0;
  virtual Status SetSessionTeam(std::string_view id_hash, int64_t team_id) = 0;
  virtual Status DeleteSession(std::string_view id_hash) = 0;
  virtual Status DeleteSessionsOfUser(int64_t user_id) = 0;
  // Removes sessions whose absolute or idle deadline has passed.
  virtual Status DeleteExpiredSessions(int64_t now, int64_t idle_seconds) = 0;

  // Personal access tokens, looked up by hash; revoked tokens stay listed (revoked_at ≠ 0).
  virtual Result<ApiToken> CreateToken(const ApiToken& token) = 0;  // returns it with its id
  virtual Result<ApiToken> FindToken(std::string_view token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens(int64_t team_id) = 0;
  virtual Status TouchToken(int64_t token_id, int64_t last_used_at) = 0;
  // kNotFound when the token is not the team's.
  virtual Status RevokeToken(int64_t team_id, int64_t token_id, int64_t at) = 0;

  // The audit log: append-only; newest first.
  virtual Status AppendAudit(const AuditEvent& event) = 0;
  virtual Result<std::vector<AuditEvent>> ListAudit(int64_t team_id, int limit) = 0;

  // Notifications for one member of one team; newest first.
  virtual Result<Notification> AddNotification(const Notification& notification) = 0;
  virtual Result<std::vector<Notification>> ListNotifications(int64_t team_id, int64_t user_id) = 0;
  virtual Status MarkNotificationRead(int64_t team_id, int64_t user_id, int64_t notification_id,
                                      int64_t at) = 0;
};

}  // namespace orchard::store
