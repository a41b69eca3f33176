// AccessStore on SQLite (the embedded default), sharing the Database of SqliteMetaStore.
#pragma once

#include <memory>
#include <optional>

#include "core/clock.h"
#include "store/access_store.h"
#include "store/sqlite/database.h"

namespace orchard::store::sqlite {

class SqliteAccessStore final : public AccessStore {
 public:
  SqliteAccessStore(std::shared_ptr<Database> db, const Clock* clock)
      : db_(std::move(db)), clock_(clock) {}

  Result<Team> CreateTeam(const std::string& name) override;
  Result<Team> GetTeam(int64_t team_id) override;
  Result<Team> FindTeamByName(const std::string& name) override;
  Result<std::vector<Team>> ListTeams() override;

  Result<User> CreateUser(const std::string& email, const std::string& password_hash) override;
  Result<User> GetUser(int64_t user_id) override;
  Result<User> FindUserByEmail(const std::string& email) override;
  Status SetPasswordHash(int64_t user_id, const std::string& password_hash) override;
  Status SetPreferences(int64_t user_id, const Preferences& preferences) override;

  Status PutMembership(int64_t team_id, int64_t user_id, Role role) override;
  Result<Membership> GetMembership(int64_t team_id, int64_t user_id) override;
  Result<std::vector<Membership>> ListMembers(int64_t team_id) override;
  Result<std::vector<Membership>> ListTeamsOfUser(int64_t user_id) override;
  Status RemoveMembership(int64_t team_id, int64_t user_id) override;

  Status CreateSession(const Session& session) override;
  Result<Session> FindSession(std::string_view id_hash) override;
  Status TouchSession(std::string_view id_hash, int64_t last_seen_at) override;
  Status SetSessionTeam(std::string_view id_hash, int64_t team_id) override;
  Status DeleteSession(std::string_view id_hash) override;
  Status DeleteSessionsOfUser(int64_t user_id) override;
  Status DeleteExpiredSessions(int64_t now, int64_t idle_seconds) override;

  Result<ApiToken> CreateToken(const ApiToken& token) override;
  Result<ApiToken> FindToken(std::string_view token_hash) override;
  Result<std::vector<ApiToken>> ListTokens(int64_t team_id) override;
  Status TouchToken(int64_t token_id, int64_t last_used_at) override;
  Status RevokeToken(int64_t team_id, int64_t token_id, int64_t at) override;

  Status AppendAudit(const AuditEvent& event) override;
  Result<std::vector<AuditEvent>> ListAudit(int64_t team_id, int limit) override;

  Result<Notification> AddNotification(const Notification& notification) override;
  Result<std::vector<Notification>> ListNotifications(int64_t team_id, int64_t user_id) override;
  Status MarkNotificationRead(int64_t team_id, int64_t user_id, int64_t notification_id,
                              int64_t at) override;

 private:
  // Call with the lock held.
  Result<std::optional<Role>> RoleOf(int64_t team_id, int64_t user_id);
  // kFailedPrecondition when changing `current` to `new_role` (nullopt = removed) would leave
  // the team without an Owner.
  Status RefuseLosingLastOwner(int64_t team_id, int64_t user_id, std::optional<Role> current,
                               std::optional<Role> new_role);
  Result<std::vector<Membership>> ReadMemberships(Statement& st);

  std::shared_ptr<Database> db_;
  const Clock* clock_;
};

}  // namespace orchard::store::sqlite
