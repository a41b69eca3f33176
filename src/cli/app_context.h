// AppContext: what a CLI command needs, opened from the global options — configuration, the
// data dir and its database, the stores, and (when a command needs secrets) the master key.
// The only place that picks concrete backends.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <utility>
#include <optional>
#include <string>

#include "accounts/account_service.h"
#include "core/clock.h"
#include "core/config.h"
#include "crypto/key_ring.h"
#include "crypto/sealer.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "store/sqlite/sqlite_review_store.h"

namespace orchard::cli {

struct GlobalOptions {
  std::string data_dir = "./orchard-data";
  std::string config_file;  // empty = defaults
  std::string team;         // --team NAME; optional while only one team exists
  bool verbose = false;
};

class AppContext {
 public:
  // Opens the data dir (created 0700 if missing), the database and the stores.
  static Result<std::unique_ptr<AppContext>> Open(const GlobalOptions& options,
                                                  std::optional<Config> config_override = {});

  // The sealer, loading the master key (or creating it on first use when no sealed secret
  // exists yet). Without the key file Orchard is "sealed": it serves data, decrypts nothing.
  Result<const crypto::Sealer*> Sealer();
  // The master key's path and the loaded ring (after Sealer() succeeded), for `keys rotate`.
  Result<std::filesystem::path> MasterKeyPath() const;
  crypto::KeyRing* ring() { return ring_ ? &*ring_ : nullptr; }

  // The team a command acts in: --team NAME, else the only team; a fresh data dir gets a team
  // named "default". Several teams and no --team → kInvalidArgument listing them.
  Result<int64_t> TeamId();
  // The linking service; `sealed_ok` lets it run without the master key (reads only).
  Result<accounts::AccountService*> Accounts(bool sealed_ok = false);

  const Config& config() const { return config_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

  // One process at a time runs sync jobs on a data dir (`orchard sync`, the scheduler of
  // `orchard serve`): an exclusive lock on <data dir>/sync.lock, released by the kernel when
  // the process dies, so a holder of the lock knows that `running` jobs were abandoned.
  // `wait`: block until free (printing `waiting` once); otherwise kUnavailable when busy.
  class SyncLock {
   public:
    SyncLock() = default;
    explicit SyncLock(int fd) : fd_(fd) {}
    SyncLock(SyncLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    SyncLock& operator=(SyncLock&& o) noexcept;
    ~SyncLock();

   private:
    int fd_ = -1;
  };
  Result<SyncLock> LockSync(bool wait, std::ostream* waiting = nullptr);
  store::MetaStore& meta() { return *meta_; }
  store::FactStore& facts() { return *facts_; }
  store::AccessStore& access() { return *access_; }
  store::ReviewStore& reviews() { return *reviews_; }
  store::sqlite::Database& db() { return *db_; }
  const Clock& clock() const { return SystemClock(); }

 private:
  AppContext() = default;

  Config config_;
  std::filesystem::path data_dir_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteFactStore> facts_;
  std::unique_ptr<store::sqlite::SqliteAccessStore> access_;
  std::unique_ptr<store::sqlite::SqliteReviewStore> reviews_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::string team_name_;
  int64_t team_id_ = 0;
  std::optional<crypto::KeyRing> ring_;
  std::optional<crypto::Sealer> sealer_;
};

// The actor of CLI commands in the audit log.
inline accounts::Actor CliActor() { return accounts::Actor{0, "cli", ""}; }

}  // namespace orchard::cli
