// MetaStore: teams, linked accounts (with their sealed secrets), sync checkpoints and reference
// data (FX rates). The interface every backend implements (SQLite now; PostgreSQL later).
//
// Every call that reads or writes a team's object takes the team id and scopes the query to it:
// another team's object answers kNotFound, never its data.
#pragma once

#include <cstdint>
#include <functional>
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

// Non-secret metadata of a linked App Store Connect account.
struct LinkedAccount {
  int64_t id = 0;
  int64_t team_id = 0;
  std::string method;  // "asc_key" (API key); later "reporter", "web_session", "searchads"
  std::string name;    // user label
  std::string issuer_id;
  std::string key_id;
  std::string vendor_number;
  std::string status = "active";  // "active" | "needs_attention"
  std::string last_error;         // plain words, shown to the user
  int64_t created_at = 0;         // Unix seconds
  int64_t last_used_at = 0;       // 0 = never
  int64_t last_sync_at = 0;
};

// A secret as stored: the sealed blob and the key-encryption-key version inside it.
struct SealedSecret {
  std::string blob;
  uint32_t key_version = 0;
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
  // kAlreadyExists when the team already links the same key id and vendor number.
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
  // How many sealed secrets exist (to refuse creating a new master key over them).
  virtual Result<int64_t> CountSealedSecrets() = 0;

  virtual Status PutCheckpoint(const ReportCheckpoint& checkpoint) = 0;
  virtual Result<std::vector<ReportCheckpoint>> ListCheckpoints(int64_t account_id,
                                                                const std::string& report,
                                                                Date from, Date to) = 0;

  // Upserts rates (same day and currency → replaced).
  virtual Status PutFxRates(const std::vector<FxRateRecord>& rates) = 0;
  // All rates of the given currencies on or before `until`, ordered by currency then day.
  virtual Result<std::vector<FxRateRecord>> GetFxRates(const std::vector<std::string>& currencies,
                                                       Date until) = 0;
};

}  // namespace orchard::store
