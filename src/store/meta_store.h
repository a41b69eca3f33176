// MetaStore: teams, linked accounts (with their sealed secrets), sync checkpoints and reference
// data (FX rates). The interface every backend implements (SQLite now; PostgreSQL later).
//
// Every call that reads or writes a team's object takes the team id and scopes the query to it:
// another team's object answers kNotFound, never its data.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/status.h"

namespace orchard::store {

struct Team {
  int64_t id = 0;
  std::string name;
};

// Non-secret metadata of a linked account. Which identity fields are set depends on `method`:
//   "asc-key"      issuer_id, key_id, vendor_number      secret: the .p8 PEM
//   "app-password" apple_id, vendor_number               secret: the app-specific password;
//                                                        state: the Reporter access token
//   "apple-id"     apple_id (+ issuer_id = the provider's public id, once signed in)
//                                                        secret: the password; state: cookie jar
//   "search-ads"   client_id, ads_team_id, key_id        secret: the EC private key PEM
// An account's identity (unique per team) is (method, key_id) for asc-key, (method, apple_id)
// for app-password and apple-id, (method, client_id) for search-ads.
struct LinkedAccount {
  int64_t id = 0;
  int64_t team_id = 0;
  std::string method;  // "asc-key" | "app-password" | "apple-id" | "search-ads"
  std::string name;    // user label
  std::string issuer_id;
  std::string key_id;
  std::string vendor_number;
  std::string apple_id;
  std::string client_id;
  std::string ads_team_id;
  std::string secret_hint;   // last 4 characters of the secret ("" for keys)
  // "active" | "pending" (two-factor step not done) | "needs_attention" | "refresh_due" |
  // "needs_refresh"
  std::string status = "active";
  std::string last_error;         // plain words, shown to the user
  std::string capabilities = "{}";  // JSON object written by the accounts layer
  int64_t capabilities_at = 0;      // when capabilities were last probed
  int64_t expires_at = 0;  // Reporter token or two-factor trust expiry (Unix s; 0 = none)
  int64_t created_at = 0;         // Unix seconds
  int64_t last_used_at = 0;       // 0 = never
  int64_t last_sync_at = 0;
};

// A secret as stored: the sealed blob and the key-encryption-key version inside it.
struct SealedSecret {
  std::string blob;
  uint32_t key_version = 0;
};

// Where one sealed value lives (its SealContext) and what it holds now.
struct SealedRef {
  int64_t team_id = 0;
  std::string table;   // "linked_accounts" | "review_webhooks" (its secret; row id = the team)
  std::string column;  // "secret" | "state"
  int64_t row_id = 0;
  SealedSecret sealed;
};

// Where a report of an account stands. The checkpoint is written only after the facts it
// describes are committed, so it is never ahead of the data (REL-3).
struct ReportCheckpoint {
  int64_t account_id = 0;
  std::string report;     // e.g. "SALES/SUMMARY/DAILY"
  Date report_date;
  std::string state;      // "loaded" | "empty" | "pending" | "failed"
  int64_t rows = 0;
  int attempts = 0;
  int64_t updated_at = 0;
  std::string message;
};

// A report of an account to fetch (REL-3). The queue lives in the store so that a crash or a
// restart resumes where it stopped: `running` jobs left by a dead process go back to `queued`.
struct SyncJob {
  int64_t id = 0;
  int64_t team_id = 0;
  int64_t account_id = 0;
  std::string kind = "sales";       // the data set
  std::string frequency = "DAILY";  // DAILY | WEEKLY | MONTHLY | YEARLY
  Date report_date;                 // the first day of the period
  std::string state = "queued";     // queued | running | done | failed
  int attempts = 0;                 // fetches tried since the job was last (re)queued
  int64_t not_before = 0;           // unix seconds: not run before then
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string message;              // the last outcome, in plain words
};

// An app as /v1/apps describes it (the product catalog; IAPs come from the Sales reports).
struct CatalogApp {
  std::string apple_id;
  std::string name;
  std::string bundle_id;
  std::string sku;
  std::string platforms;  // comma list: IOS, MAC_OS, TV_OS, VISION_OS
  std::string primary_locale;
  int64_t account_id = 0;  // the account it was seen through
  int64_t updated_at = 0;
};

// A name a product has carried (unix seconds of the first and last sighting).
struct ProductName {
  std::string apple_id;
  std::string name;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
};

struct FxRateRecord {
  Date day;
  std::string currency;  // ISO 4217
  int64_t per_eur = 0;   // units of `currency` per 1 EUR, scaled by 1e8
};

class MetaStore {
 public:
  virtual ~MetaStore() = default;

  // The team every object belongs to until users and teams arrive (created on first use).
  virtual Result<Team> EnsureDefaultTeam() = 0;

  // Inserts the account and its sealed secret in one transaction. `seal` receives the new row
  // id (the secret's associated data binds it to that row) and its error aborts the insert.
  // kAlreadyExists when the team already links an account of the same identity (see above).
  virtual Result<LinkedAccount> CreateAccount(
      const LinkedAccount& account,
      const std::function<Result<SealedSecret>(int64_t row_id)>& seal) = 0;
  virtual Result<std::vector<LinkedAccount>> ListAccounts(int64_t team_id) = 0;
  virtual Result<LinkedAccount> GetAccount(int64_t team_id, int64_t account_id) = 0;
  virtual Result<SealedSecret> GetAccountSecret(int64_t team_id, int64_t account_id) = 0;
  // Records the outcome of using an account (status, last error, timestamps; 0 keeps a time).
  virtual Status UpdateAccountHealth(int64_t team_id, int64_t account_id, const std::string& status,
                                     const std::string& last_error, int64_t last_used_at,
                                     int64_t last_sync_at) = 0;
  // Writes the account's non-secret, changing fields: status, last_error, capabilities,
  // capabilities_at, expires_at, issuer_id, vendor_number, name. kNotFound for another team's.
  virtual Status UpdateAccount(const LinkedAccount& account) = 0;
  // Replaces the account's sealed secret (column "secret") or sealed state (column "state",
  // e.g. a Reporter token or a cookie jar); `seal` gets the row id. An empty blob clears it.
  virtual Status PutAccountSealed(int64_t team_id, int64_t account_id, const std::string& column,
                                  const std::function<Result<SealedSecret>(int64_t row_id)>& seal) = 0;
  // kNotFound when the column holds nothing.
  virtual Result<SealedSecret> GetAccountSealed(int64_t team_id, int64_t account_id,
                                                const std::string& column) = 0;
  // Unlinks: the row and both sealed values are deleted at once (with its checkpoints). Synced
  // facts stay unless `purge_data`, which deletes the account's reports in the same transaction.
  virtual Status DeleteAccount(int64_t team_id, int64_t account_id, bool purge_data) = 0;
  // How many sealed secrets exist (to refuse creating a new master key over them).
  virtual Result<int64_t> CountSealedSecrets() = 0;

  // Key rotation (SEC-4): every sealed value whose key version is below `version`, at most
  // `limit` of them; and a compare-and-swap that replaces one only if it still holds
  // `expected_blob` (kAborted otherwise, e.g. when a writer changed it meanwhile).
  virtual Result<std::vector<SealedRef>> ListSealedBelow(uint32_t version, int limit) = 0;
  virtual Status SwapSealed(const SealedRef& ref, const SealedSecret& replacement) = 0;

  virtual Status PutCheckpoint(const ReportCheckpoint& checkpoint) = 0;
  virtual Result<std::vector<ReportCheckpoint>> ListCheckpoints(int64_t account_id,
                                                                const std::string& report,
                                                                Date from, Date to) = 0;

  // Queues jobs: a new (account, kind, frequency, report_date) is inserted; an existing one that
  // is done or failed is queued again only when `refetch` (attempts reset); a queued one keeps
  // the earlier not_before; a running one is left alone. Returns how many were (re)queued.
  virtual Result<int64_t> EnqueueJobs(const std::vector<SyncJob>& jobs, bool refetch, int64_t now) = 0;
  // Takes the next queued job due at `now` (account_id 0 = any account; accounts in `skip` are
  // passed over) and marks it running with attempts + 1, atomically: two processes never take
  // the same job. Newest reports first, so a backfill shows recent data early.
  virtual Result<std::optional<SyncJob>> ClaimJob(int64_t now, int64_t account_id,
                                                  const std::vector<int64_t>& skip) = 0;
  // Ends a run: state done | failed | queued (with not_before, to try again later).
  virtual Status FinishJob(int64_t job_id, const std::string& state, int64_t not_before,
                           const std::string& message, int64_t now) = 0;
  // After a crash: every running job goes back to queued. Returns how many.
  virtual Result<int64_t> RequeueRunningJobs(int64_t now) = 0;
  // A team's jobs (account_id 0 = all its accounts), newest report first, at most `limit`.
  virtual Result<std::vector<SyncJob>> ListJobs(int64_t team_id, int64_t account_id, int limit) = 0;
  // How many jobs are in each state, over every team (for /metrics).
  virtual Result<std::map<std::string, int64_t>> CountJobsByState() = 0;

  // Upserts the apps of an account's /v1/apps and records each name in the name history.
  virtual Status PutCatalogApps(int64_t team_id, const std::vector<CatalogApp>& apps, int64_t now) = 0;
  virtual Result<std::vector<CatalogApp>> ListCatalogApps(int64_t team_id) = 0;
  // Every name of every product of the team, oldest sighting first.
  virtual Result<std::vector<ProductName>> ListProductNames(int64_t team_id) = 0;
  // Records names seen elsewhere (a Sales report's Title) in the history.
  virtual Status NoteProductNames(int64_t team_id, const std::vector<ProductName>& names) = 0;

  // Upserts rates (same day and currency → replaced).
  virtual Status PutFxRates(const std::vector<FxRateRecord>& rates) = 0;
  // All rates of the given currencies on or before `until`, ordered by currency then day.
  virtual Result<std::vector<FxRateRecord>> GetFxRates(const std::vector<std::string>& currencies,
                                                       Date until) = 0;
  // Changes whenever a rate of a day on or before `until` is added or changed (an opaque
  // version for caches of converted results).
  virtual Result<int64_t> FxVersion(Date until) = 0;

  // An opaque value that changes whenever anything stored may have changed, through this store
  // or another process (`orchard sync` writing facts, `orchard fx import`, …): caches of query
  // results compare it to know they are still true. Equal stamps mean nothing was committed in
  // between; a change may be unrelated to a cached answer (stamps are conservative). An error
  // means the store cannot be read (health checks use it).
  virtual Result<std::string> DataStamp() = 0;
};

}  // namespace orchard::store
