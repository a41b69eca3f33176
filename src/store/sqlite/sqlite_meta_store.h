// MetaStore on SQLite (the embedded default).
#pragma once

#include <memory>
#include <optional>

#include "core/clock.h"
#include "store/meta_store.h"
#include "store/sqlite/database.h"

namespace orchard::store::sqlite {

class SqliteMetaStore final : public MetaStore {
 public:
  SqliteMetaStore(std::shared_ptr<Database> db, const Clock* clock)
      : db_(std::move(db)), clock_(clock) {}

  Result<Team> EnsureDefaultTeam() override;
  Result<LinkedAccount> CreateAccount(
      const LinkedAccount& account,
      const std::function<Result<SealedSecret>(int64_t row_id)>& seal) override;
  Result<std::vector<LinkedAccount>> ListAccounts(int64_t team_id) override;
  Result<LinkedAccount> GetAccount(int64_t team_id, int64_t account_id) override;
  Result<SealedSecret> GetAccountSecret(int64_t team_id, int64_t account_id) override;
  Status UpdateAccountHealth(int64_t team_id, int64_t account_id, const std::string& status,
                             const std::string& last_error, int64_t last_used_at,
                             int64_t last_sync_at) override;
  Status UpdateAccount(const LinkedAccount& account) override;
  Status PutAccountSealed(int64_t team_id, int64_t account_id, const std::string& column,
                          const std::function<Result<SealedSecret>(int64_t row_id)>& seal) override;
  Result<SealedSecret> GetAccountSealed(int64_t team_id, int64_t account_id,
                                        const std::string& column) override;
  Status DeleteAccount(int64_t team_id, int64_t account_id, bool purge_data) override;
  Result<int64_t> CountSealedSecrets() override;
  Result<std::vector<SealedRef>> ListSealedBelow(uint32_t version, int limit) override;
  Status SwapSealed(const SealedRef& ref, const SealedSecret& replacement) override;
  Result<int64_t> EnqueueJobs(const std::vector<SyncJob>& jobs, bool refetch, int64_t now) override;
  Result<std::optional<SyncJob>> ClaimJob(int64_t now, int64_t account_id,
                                          const std::vector<int64_t>& skip) override;
  Status FinishJob(int64_t job_id, const std::string& state, int64_t not_before,
                   const std::string& message, int64_t now) override;
  Result<int64_t> RequeueRunningJobs(int64_t now) override;
  Result<std::vector<SyncJob>> ListJobs(int64_t team_id, int64_t account_id, int limit) override;
  Result<std::map<std::string, int64_t>> CountJobsByState() override;
  Status PutCatalogApps(int64_t team_id, const std::vector<CatalogApp>& apps, int64_t now) override;
  Result<std::vector<CatalogApp>> ListCatalogApps(int64_t team_id) override;
  Result<std::vector<ProductName>> ListProductNames(int64_t team_id) override;
  Status NoteProductNames(int64_t team_id, const std::vector<ProductName>& names) override;
  Status PutCheckpoint(const ReportCheckpoint& checkpoint) override;
  Result<std::vector<ReportCheckpoint>> ListCheckpoints(int64_t account_id,
                                                        const std::string& report, Date from,
                                                        Date to) override;
  Status PutFxRates(const std::vector<FxRateRecord>& rates) override;
  Result<std::vector<FxRateRecord>> GetFxRates(const std::vector<std::string>& currencies,
                                               Date until) override;
  Result<int64_t> FxVersion(Date until) override;
  // Database::ChangeStamp(): every store sharing this file (facts, access) is covered.
  Result<std::string> DataStamp() override;

 private:
  // The account's sealed column, or nullopt when it holds nothing; kNotFound for no such row
  // in the team. Call with the lock held.
  Result<std::optional<SealedSecret>> ReadSealed(int64_t team_id, int64_t account_id,
                                                 const std::string& column);

  std::shared_ptr<Database> db_;
  const Clock* clock_;
};

}  // namespace orchard::store::sqlite
