#include "store/sqlite/sqlite_meta_store.h"

#include <algorithm>

namespace orchard::store::sqlite {
namespace {

constexpr const char* kAccountColumns =
    "id, team_id, method, name, issuer_id, key_id, vendor_number, apple_id, client_id, "
    "ads_team_id, secret_hint, status, last_error, capabilities, capabilities_at, expires_at, "
    "created_at, last_used_at, last_sync_at";

LinkedAccount ReadAccount(const Statement& st) {
  LinkedAccount a;
  a.id = st.Int(0);
  a.team_id = st.Int(1);
  a.method = st.Text(2);
  a.name = st.Text(3);
  a.issuer_id = st.Text(4);
  a.key_id = st.Text(5);
  a.vendor_number = st.Text(6);
  a.apple_id = st.Text(7);
  a.client_id = st.Text(8);
  a.ads_team_id = st.Text(9);
  a.secret_hint = st.Text(10);
  a.status = st.Text(11);
  a.last_error = st.Text(12);
  a.capabilities = st.Text(13);
  a.capabilities_at = st.Int(14);
  a.expires_at = st.Int(15);
  a.created_at = st.Int(16);
  a.last_used_at = st.Int(17);
  a.last_sync_at = st.Int(18);
  return a;
}

// The key-version column beside a sealed column. Column names cannot be bound as parameters, so
// only the two names accepted here are ever spliced into SQL.
Result<std::string> VersionColumnOf(const std::string& column) {
  if (column == "secret") return std::string("secret_key_version");
  if (column == "state") return std::string("state_key_version");
  return Error(Code::kInvalidArgument, "linked accounts have no sealed column \"" + column + "\"");
}

// Writes one sealed column of a row; an empty blob clears it. Call inside the caller's lock.
Status WriteSealed(Database& db, int64_t account_id, const std::string& column,
                   const SealedSecret& sealed) {
  ORCHARD_ASSIGN_OR_RETURN(std::string version_column, VersionColumnOf(column));
  ORCHARD_ASSIGN_OR_RETURN(Statement update,
                           db.Prepare("UPDATE linked_accounts SET " + column + " = ?, " +
                                      version_column + " = ? WHERE id = ?"));
  if (sealed.blob.empty()) {
    update.BindNull(1).BindNull(2);
  } else {
    update.BindBlob(1, sealed.blob).Bind(2, static_cast<int64_t>(sealed.key_version));
  }
  update.Bind(3, account_id);
  return update.Run();
}

// How a duplicate is named to the user, by the identity fields of its method (meta_store.h).
std::string IdentityWords(const LinkedAccount& a) {
  if (a.method == "asc-key") return "key " + a.key_id;
  if (a.method == "app-password" || a.method == "apple-id") return "Apple ID " + a.apple_id;
  if (a.method == "search-ads") return "Search Ads client " + a.client_id;
  return "key " + a.key_id + " for vendor " + a.vendor_number;
}

}  // namespace

Result<Team> SqliteMetaStore::EnsureDefaultTeam() {
  auto lock = db_->lock();
  // No conflict target: the name is unique both as written and regardless of case.
  ORCHARD_ASSIGN_OR_RETURN(
      Statement insert,
      db_->Prepare("INSERT INTO teams (name, created_at) VALUES ('default', ?) "
                   "ON CONFLICT DO NOTHING"));
  insert.Bind(1, clock_->NowSeconds());
  ORCHARD_RETURN_IF_ERROR(insert.Run());
  ORCHARD_ASSIGN_OR_RETURN(
      Statement select,
      db_->Prepare("SELECT id, name FROM teams WHERE name = 'default' COLLATE NOCASE"));
  ORCHARD_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return Error(Code::kInternal, "default team missing after insert");
  return Team{select.Int(0), std::string(select.Text(1))};
}

Result<LinkedAccount> SqliteMetaStore::CreateAccount(
    const LinkedAccount& account,
    const std::function<Result<SealedSecret>(int64_t row_id)>& seal) {
  auto lock = db_->lock();
  LinkedAccount created = account;
  created.created_at = clock_->NowSeconds();
  Status st = InTransaction(*db_, [&]() -> Status {
    // `identity` is the per-method identity of meta_store.h; Apple IDs are e-mail addresses,
    // so they compare without case. Methods unknown to this build keep version 1's rule.
    ORCHARD_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO linked_accounts (team_id, method, identity, name, issuer_id, "
                     "key_id, vendor_number, apple_id, client_id, ads_team_id, secret_hint, "
                     "status, last_error, capabilities, capabilities_at, expires_at, created_at) "
                     "VALUES (?1, ?2, CASE ?2 WHEN 'asc-key' THEN ?5 "
                     "WHEN 'app-password' THEN lower(?7) WHEN 'apple-id' THEN lower(?7) "
                     "WHEN 'search-ads' THEN ?8 ELSE ?5 || '/' || ?6 END, "
                     "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"));
    insert.Bind(1, account.team_id)
        .Bind(2, account.method)
        .Bind(3, account.name)
        .Bind(4, account.issuer_id)
        .Bind(5, account.key_id)
        .Bind(6, account.vendor_number)
        .Bind(7, account.apple_id)
        .Bind(8, account.client_id)
        .Bind(9, account.ads_team_id)
        .Bind(10, account.secret_hint)
        .Bind(11, account.status)
        .Bind(12, account.last_error)
        .Bind(13, account.capabilities)
        .Bind(14, account.capabilities_at)
        .Bind(15, account.expires_at)
        .Bind(16, created.created_at);
    if (Status s = insert.Run(); !s.ok()) {
      if (s.code() == Code::kAlreadyExists) {
        return Status(Code::kAlreadyExists,
                      "this team already links " + IdentityWords(account) + " (" +
                          account.method + ")");
      }
      return s;
    }
    created.id = db_->LastInsertId();
    ORCHARD_ASSIGN_OR_RETURN(SealedSecret sealed, seal(created.id));
    return WriteSealed(*db_, created.id, "secret", sealed);
  });
  if (!st.ok()) return Error(st);
  return created;
}

Result<std::vector<LinkedAccount>> SqliteMetaStore::ListAccounts(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare(std::string("SELECT ") + kAccountColumns +
                                                      " FROM linked_accounts WHERE team_id = ? "
                                                      "ORDER BY id"));
  st.Bind(1, team_id);
  std::vector<LinkedAccount> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadAccount(st));
  }
  return out;
}

Result<LinkedAccount> SqliteMetaStore::GetAccount(int64_t team_id, int64_t account_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare(std::string("SELECT ") + kAccountColumns +
                                                      " FROM linked_accounts WHERE team_id = ? "
                                                      "AND id = ?"));
  st.Bind(1, team_id).Bind(2, account_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Error(Code::kNotFound, "no linked account " + std::to_string(account_id));
  return ReadAccount(st);
}

Result<std::optional<SealedSecret>> SqliteMetaStore::ReadSealed(int64_t team_id,
                                                               int64_t account_id,
                                                               const std::string& column) {
  ORCHARD_ASSIGN_OR_RETURN(std::string version_column, VersionColumnOf(column));
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("SELECT " + column + ", " + version_column +
                                        " FROM linked_accounts WHERE team_id = ? AND id = ?"));
  st.Bind(1, team_id).Bind(2, account_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Error(Code::kNotFound, "no linked account " + std::to_string(account_id));
  if (st.IsNull(0)) return std::optional<SealedSecret>();
  return SealedSecret{std::string(st.Blob(0)), static_cast<uint32_t>(st.Int(1))};
}

Result<SealedSecret> SqliteMetaStore::GetAccountSecret(int64_t team_id, int64_t account_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(std::optional<SealedSecret> sealed,
                           ReadSealed(team_id, account_id, "secret"));
  if (!sealed) {
    return Error(Code::kFailedPrecondition,
                 "linked account " + std::to_string(account_id) + " has no stored credential");
  }
  return *std::move(sealed);
}

Result<SealedSecret> SqliteMetaStore::GetAccountSealed(int64_t team_id, int64_t account_id,
                                                       const std::string& column) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(std::optional<SealedSecret> sealed,
                           ReadSealed(team_id, account_id, column));
  if (!sealed) {
    return Error(Code::kNotFound, "linked account " + std::to_string(account_id) +
                                      " holds no sealed " + column);
  }
  return *std::move(sealed);
}

Status SqliteMetaStore::PutAccountSealed(
    int64_t team_id, int64_t account_id, const std::string& column,
    const std::function<Result<SealedSecret>(int64_t row_id)>& seal) {
  ORCHARD_RETURN_IF_ERROR(VersionColumnOf(column));
  auto lock = db_->lock();
  return InTransaction(*db_, [&]() -> Status {
    // The team check and the write are in one transaction, so a row deleted or moved meanwhile
    // is never written through another team's id.
    ORCHARD_ASSIGN_OR_RETURN(
        Statement exists,
        db_->Prepare("SELECT 1 FROM linked_accounts WHERE team_id = ? AND id = ?"));
    exists.Bind(1, team_id).Bind(2, account_id);
    ORCHARD_ASSIGN_OR_RETURN(bool row, exists.Step());
    if (!row) return Status(Code::kNotFound, "no linked account " + std::to_string(account_id));
    exists.Reset();
    ORCHARD_ASSIGN_OR_RETURN(SealedSecret sealed, seal(account_id));
    return WriteSealed(*db_, account_id, column, sealed);
  });
}

Status SqliteMetaStore::UpdateAccount(const LinkedAccount& a) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("UPDATE linked_accounts SET status = ?, last_error = ?, capabilities = ?, "
                   "capabilities_at = ?, expires_at = ?, issuer_id = ?, vendor_number = ?, "
                   "name = ? WHERE team_id = ? AND id = ?"));
  st.Bind(1, a.status)
      .Bind(2, a.last_error)
      .Bind(3, a.capabilities)
      .Bind(4, a.capabilities_at)
      .Bind(5, a.expires_at)
      .Bind(6, a.issuer_id)
      .Bind(7, a.vendor_number)
      .Bind(8, a.name)
      .Bind(9, a.team_id)
      .Bind(10, a.id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) {
    return Status(Code::kNotFound, "no linked account " + std::to_string(a.id));
  }
  return Status::Ok();
}

Status SqliteMetaStore::DeleteAccount(int64_t team_id, int64_t account_id, bool purge_data) {
  auto lock = db_->lock();
  return InTransaction(*db_, [&]() -> Status {
    // Deleting the row removes both sealed values with it; checkpoints follow by cascade.
    ORCHARD_ASSIGN_OR_RETURN(
        Statement del, db_->Prepare("DELETE FROM linked_accounts WHERE team_id = ? AND id = ?"));
    del.Bind(1, team_id).Bind(2, account_id);
    ORCHARD_RETURN_IF_ERROR(del.Run());
    if (db_->Changes() == 0) {
      return Status(Code::kNotFound, "no linked account " + std::to_string(account_id));
    }
    if (!purge_data) return Status::Ok();
    // The account's reports; their chunks follow by cascade.
    ORCHARD_ASSIGN_OR_RETURN(
        Statement purge,
        db_->Prepare("DELETE FROM sales_reports WHERE team_id = ? AND account_id = ?"));
    purge.Bind(1, team_id).Bind(2, account_id);
    return purge.Run();
  });
}

Status SqliteMetaStore::UpdateAccountHealth(int64_t team_id, int64_t account_id,
                                            const std::string& status,
                                            const std::string& last_error, int64_t last_used_at,
                                            int64_t last_sync_at) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("UPDATE linked_accounts SET status = ?, last_error = ?, "
                   "last_used_at = CASE WHEN ? > 0 THEN ? ELSE last_used_at END, "
                   "last_sync_at = CASE WHEN ? > 0 THEN ? ELSE last_sync_at END "
                   "WHERE team_id = ? AND id = ?"));
  st.Bind(1, status)
      .Bind(2, last_error)
      .Bind(3, last_used_at)
      .Bind(4, last_used_at)
      .Bind(5, last_sync_at)
      .Bind(6, last_sync_at)
      .Bind(7, team_id)
      .Bind(8, account_id);
  return st.Run();
}

Result<int64_t> SqliteMetaStore::CountSealedSecrets() {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("SELECT (SELECT count(*) FROM linked_accounts WHERE secret IS NOT NULL) + "
                   "(SELECT count(*) FROM linked_accounts WHERE state IS NOT NULL) + "
                   "(SELECT count(*) FROM review_webhooks)"));
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::vector<SealedRef>> SqliteMetaStore::ListSealedBelow(uint32_t version, int limit) {
  auto lock = db_->lock();
  // A blob without a recorded version counts as version 0, so it is rotated too.
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("SELECT team_id, id, 'secret', secret, ifnull(secret_key_version, 0), "
                   "'linked_accounts' AS tbl FROM linked_accounts "
                   "WHERE secret IS NOT NULL AND ifnull(secret_key_version, 0) < ?1 "
                   "UNION ALL "
                   "SELECT team_id, id, 'state', state, ifnull(state_key_version, 0), "
                   "'linked_accounts' FROM linked_accounts "
                   "WHERE state IS NOT NULL AND ifnull(state_key_version, 0) < ?1 "
                   "UNION ALL "
                   // A team's review webhook: its signing secret, row id = the team (review_store.h).
                   "SELECT team_id, team_id, 'secret', secret, secret_key_version, "
                   "'review_webhooks' FROM review_webhooks WHERE secret_key_version < ?1 "
                   "ORDER BY 6, 2, 3 LIMIT ?2"));
  st.Bind(1, static_cast<int64_t>(version)).Bind(2, static_cast<int64_t>(std::max(limit, 0)));
  std::vector<SealedRef> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    SealedRef ref;
    ref.team_id = st.Int(0);
    ref.row_id = st.Int(1);
    ref.table = st.Text(5);
    ref.column = st.Text(2);
    ref.sealed = SealedSecret{std::string(st.Blob(3)), static_cast<uint32_t>(st.Int(4))};
    out.push_back(std::move(ref));
  }
  return out;
}

Status SqliteMetaStore::SwapSealed(const SealedRef& ref, const SealedSecret& replacement) {
  if (ref.table == "review_webhooks" && ref.column == "secret" && ref.row_id == ref.team_id) {
    if (replacement.blob.empty() || ref.sealed.blob.empty()) {
      return Status(Code::kInvalidArgument, "a sealed value cannot be swapped to or from nothing");
    }
    auto lock = db_->lock();
    ORCHARD_ASSIGN_OR_RETURN(Statement st,
                             db_->Prepare("UPDATE review_webhooks SET secret = ?, secret_key_version = ? "
                                          "WHERE team_id = ? AND secret = ?"));
    st.BindBlob(1, replacement.blob)
        .Bind(2, static_cast<int64_t>(replacement.key_version))
        .Bind(3, ref.team_id)
        .BindBlob(4, ref.sealed.blob);
    ORCHARD_RETURN_IF_ERROR(st.Run());
    if (db_->Changes() == 1) return Status::Ok();
    return Status(Code::kAborted, "the review webhook secret of team " + std::to_string(ref.team_id) +
                                      " changed or was removed meanwhile");
  }
  if (ref.table != "linked_accounts") {
    return Status(Code::kInvalidArgument, "no sealed values in table \"" + ref.table + "\"");
  }
  ORCHARD_ASSIGN_OR_RETURN(std::string version_column, VersionColumnOf(ref.column));
  // Rotation re-seals; it never clears a value (that is PutAccountSealed's job).
  if (replacement.blob.empty() || ref.sealed.blob.empty()) {
    return Status(Code::kInvalidArgument, "a sealed value cannot be swapped to or from nothing");
  }
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("UPDATE linked_accounts SET " + ref.column + " = ?, " + version_column +
                   " = ? WHERE team_id = ? AND id = ? AND " + ref.column + " = ?"));
  st.BindBlob(1, replacement.blob)
      .Bind(2, static_cast<int64_t>(replacement.key_version))
      .Bind(3, ref.team_id)
      .Bind(4, ref.row_id)
      .BindBlob(5, ref.sealed.blob);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 1) return Status::Ok();
  // Nothing replaced: a deleted account answers kNotFound, a changed value kAborted.
  ORCHARD_RETURN_IF_ERROR(ReadSealed(ref.team_id, ref.row_id, ref.column));
  return Status(Code::kAborted, "the sealed " + ref.column + " of linked account " +
                                    std::to_string(ref.row_id) + " changed meanwhile");
}

Status SqliteMetaStore::PutCheckpoint(const ReportCheckpoint& c) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("INSERT INTO report_checkpoints (account_id, report, report_date, state, rows, "
                   "attempts, updated_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (account_id, report, report_date) DO UPDATE SET "
                   "state = excluded.state, rows = excluded.rows, attempts = excluded.attempts, "
                   "updated_at = excluded.updated_at, message = excluded.message"));
  st.Bind(1, c.account_id)
      .Bind(2, c.report)
      .Bind(3, static_cast<int64_t>(c.report_date.days()))
      .Bind(4, c.state)
      .Bind(5, c.rows)
      .Bind(6, static_cast<int64_t>(c.attempts))
      .Bind(7, c.updated_at)
      .Bind(8, c.message);
  return st.Run();
}

Result<std::vector<ReportCheckpoint>> SqliteMetaStore::ListCheckpoints(int64_t account_id,
                                                                       const std::string& report,
                                                                       Date from, Date to) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("SELECT report_date, state, rows, attempts, updated_at, message "
                   "FROM report_checkpoints WHERE account_id = ? AND report = ? "
                   "AND report_date BETWEEN ? AND ? ORDER BY report_date"));
  st.Bind(1, account_id).Bind(2, report).Bind(3, int64_t{from.days()}).Bind(4, int64_t{to.days()});
  std::vector<ReportCheckpoint> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ReportCheckpoint c;
    c.account_id = account_id;
    c.report = report;
    c.report_date = Date::FromDays(static_cast<int32_t>(st.Int(0)));
    c.state = st.Text(1);
    c.rows = st.Int(2);
    c.attempts = static_cast<int>(st.Int(3));
    c.updated_at = st.Int(4);
    c.message = st.Text(5);
    out.push_back(std::move(c));
  }
  return out;
}

Status SqliteMetaStore::PutFxRates(const std::vector<FxRateRecord>& rates) {
  auto lock = db_->lock();
  return InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement st,
        db_->Prepare("INSERT INTO fx_rates (currency, day, per_eur) VALUES (?, ?, ?) "
                     "ON CONFLICT (currency, day) DO UPDATE SET per_eur = excluded.per_eur "
                     "WHERE per_eur <> excluded.per_eur"));
    int32_t min_changed = INT32_MAX;
    for (const auto& r : rates) {
      if (r.per_eur <= 0) {
        return Status(Code::kInvalidArgument,
                      "rate for " + r.currency + " on " + r.day.Iso() + " is not positive");
      }
      st.Bind(1, r.currency).Bind(2, int64_t{r.day.days()}).Bind(3, r.per_eur);
      ORCHARD_RETURN_IF_ERROR(st.Run());
      if (db_->Changes() > 0) min_changed = std::min(min_changed, r.day.days());
    }
    if (min_changed == INT32_MAX) return Status::Ok();
    ORCHARD_ASSIGN_OR_RETURN(Statement log,
                             db_->Prepare("INSERT INTO fx_changes (min_day) VALUES (?)"));
    log.Bind(1, int64_t{min_changed});
    return log.Run();
  });
}

Result<std::vector<FxRateRecord>> SqliteMetaStore::GetFxRates(
    const std::vector<std::string>& currencies, Date until) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT day, per_eur FROM fx_rates WHERE currency = ? AND "
                                 "day <= ? ORDER BY day"));
  std::vector<FxRateRecord> out;
  for (const auto& currency : currencies) {
    st.Bind(1, currency).Bind(2, int64_t{until.days()});
    while (true) {
      ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back({Date::FromDays(static_cast<int32_t>(st.Int(0))), currency, st.Int(1)});
    }
    st.Reset();
  }
  return out;
}

Result<int64_t> SqliteMetaStore::FxVersion(Date until) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT COALESCE(MAX(id), 0) FROM "
                                                      "fx_changes WHERE min_day <= ?"));
  st.Bind(1, int64_t{until.days()});
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::string> SqliteMetaStore::DataStamp() { return db_->ChangeStamp(); }

}  // namespace orchard::store::sqlite

namespace orchard::store::sqlite {
namespace {

constexpr const char* kJobColumns =
    "id, team_id, account_id, kind, frequency, report_date, state, attempts, not_before, "
    "created_at, updated_at, message";

SyncJob ReadJob(Statement& st) {
  SyncJob j;
  j.id = st.Int(0);
  j.team_id = st.Int(1);
  j.account_id = st.Int(2);
  j.kind = st.Text(3);
  j.frequency = st.Text(4);
  j.report_date = Date::FromDays(static_cast<int32_t>(st.Int(5)));
  j.state = st.Text(6);
  j.attempts = static_cast<int>(st.Int(7));
  j.not_before = st.Int(8);
  j.created_at = st.Int(9);
  j.updated_at = st.Int(10);
  j.message = st.Text(11);
  return j;
}

}  // namespace

Result<int64_t> SqliteMetaStore::EnqueueJobs(const std::vector<SyncJob>& jobs, bool refetch,
                                             int64_t now) {
  auto lock = db_->lock();
  int64_t queued = 0;
  const Status written = InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO sync_jobs (team_id, account_id, kind, frequency, report_date, "
                     "state, attempts, not_before, created_at, updated_at, message) "
                     "VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, '') "
                     "ON CONFLICT (account_id, kind, frequency, report_date) DO UPDATE SET "
                     "state = 'queued', attempts = 0, not_before = excluded.not_before, "
                     "updated_at = excluded.updated_at "
                     "WHERE sync_jobs.state IN ('done', 'failed') AND ?"));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement sooner,
        db_->Prepare("UPDATE sync_jobs SET not_before = ? WHERE account_id = ? AND kind = ? AND "
                     "frequency = ? AND report_date = ? AND state = 'queued' AND not_before > ?"));
    for (const auto& j : jobs) {
      insert.Bind(1, j.team_id)
          .Bind(2, j.account_id)
          .Bind(3, j.kind)
          .Bind(4, j.frequency)
          .Bind(5, int64_t{j.report_date.days()})
          .Bind(6, j.not_before)
          .Bind(7, now)
          .Bind(8, now)
          .Bind(9, int64_t{refetch ? 1 : 0});
      ORCHARD_RETURN_IF_ERROR(insert.Run());
      queued += db_->Changes();
      sooner.Bind(1, j.not_before)
          .Bind(2, j.account_id)
          .Bind(3, j.kind)
          .Bind(4, j.frequency)
          .Bind(5, int64_t{j.report_date.days()})
          .Bind(6, j.not_before);
      ORCHARD_RETURN_IF_ERROR(sooner.Run());
    }
    return Status::Ok();
  });
  if (!written.ok()) return Error(written);
  return queued;
}

Result<std::optional<SyncJob>> SqliteMetaStore::ClaimJob(int64_t now, int64_t account_id,
                                                         const std::vector<int64_t>& skip) {
  auto lock = db_->lock();
  std::optional<SyncJob> claimed;
  const Status taken = InTransaction(*db_, [&]() -> Status {
    std::string sql = std::string("SELECT ") + kJobColumns +
                      " FROM sync_jobs WHERE state = 'queued' AND not_before <= ?";
    if (account_id != 0) sql += " AND account_id = ?";
    for (size_t i = 0; i < skip.size(); ++i) sql += " AND account_id <> ?";
    sql += " ORDER BY report_date DESC, id LIMIT 1";
    ORCHARD_ASSIGN_OR_RETURN(Statement pick, db_->Prepare(sql));
    int n = 1;
    pick.Bind(n++, now);
    if (account_id != 0) pick.Bind(n++, account_id);
    for (int64_t id : skip) pick.Bind(n++, id);
    ORCHARD_ASSIGN_OR_RETURN(bool row, pick.Step());
    if (!row) return Status::Ok();
    SyncJob job = ReadJob(pick);
    pick.Reset();
    ORCHARD_ASSIGN_OR_RETURN(Statement mark,
                             db_->Prepare("UPDATE sync_jobs SET state = 'running', attempts = "
                                          "attempts + 1, updated_at = ? WHERE id = ?"));
    mark.Bind(1, now).Bind(2, job.id);
    ORCHARD_RETURN_IF_ERROR(mark.Run());
    job.state = "running";
    ++job.attempts;
    job.updated_at = now;
    claimed = std::move(job);
    return Status::Ok();
  });
  if (!taken.ok()) return Error(taken);
  return claimed;
}

Status SqliteMetaStore::FinishJob(int64_t job_id, const std::string& state, int64_t not_before,
                                  const std::string& message, int64_t now) {
  if (state != "done" && state != "failed" && state != "queued") {
    return Status(Code::kInvalidArgument, "a job ends done, failed or queued, not " + state);
  }
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("UPDATE sync_jobs SET state = ?, not_before = ?, message = ?, "
                                 "updated_at = ? WHERE id = ?"));
  st.Bind(1, state).Bind(2, not_before).Bind(3, message).Bind(4, now).Bind(5, job_id);
  return st.Run();
}

Result<int64_t> SqliteMetaStore::RequeueRunningJobs(int64_t now) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("UPDATE sync_jobs SET state = 'queued', updated_at = ?, "
                                 "message = 'interrupted; resumed' WHERE state = 'running'"));
  st.Bind(1, now);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  return static_cast<int64_t>(db_->Changes());
}

Result<std::vector<SyncJob>> SqliteMetaStore::ListJobs(int64_t team_id, int64_t account_id,
                                                       int limit) {
  auto lock = db_->lock();
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM sync_jobs WHERE team_id = ?";
  if (account_id != 0) sql += " AND account_id = ?";
  sql += " ORDER BY report_date DESC, id LIMIT ?";
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
  int n = 1;
  st.Bind(n++, team_id);
  if (account_id != 0) st.Bind(n++, account_id);
  st.Bind(n++, int64_t{limit});
  std::vector<SyncJob> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadJob(st));
  }
  return out;
}

Result<std::map<std::string, int64_t>> SqliteMetaStore::CountJobsByState() {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("SELECT state, COUNT(*) FROM sync_jobs GROUP BY state"));
  std::map<std::string, int64_t> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[std::string(st.Text(0))] = st.Int(1);
  }
  return out;
}

Status SqliteMetaStore::NoteProductNames(int64_t team_id, const std::vector<ProductName>& names) {
  auto lock = db_->lock();
  return InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement st,
        db_->Prepare("INSERT INTO product_names (team_id, apple_id, name, first_seen, last_seen) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, apple_id, name) DO UPDATE SET "
                     "first_seen = MIN(first_seen, excluded.first_seen), "
                     "last_seen = MAX(last_seen, excluded.last_seen)"));
    for (const auto& n : names) {
      if (n.name.empty()) continue;
      st.Bind(1, team_id).Bind(2, n.apple_id).Bind(3, n.name).Bind(4, n.first_seen).Bind(5, n.last_seen);
      ORCHARD_RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
  });
}

Status SqliteMetaStore::PutCatalogApps(int64_t team_id, const std::vector<CatalogApp>& apps,
                                       int64_t now) {
  auto lock = db_->lock();
  const Status written = InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement st,
        db_->Prepare("INSERT INTO catalog_apps (team_id, apple_id, account_id, name, bundle_id, sku, "
                     "platforms, primary_locale, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (team_id, apple_id) DO UPDATE SET account_id = excluded.account_id, "
                     "name = excluded.name, bundle_id = excluded.bundle_id, sku = excluded.sku, "
                     "platforms = excluded.platforms, primary_locale = excluded.primary_locale, "
                     "updated_at = excluded.updated_at"));
    for (const auto& a : apps) {
      st.Bind(1, team_id)
          .Bind(2, a.apple_id)
          .Bind(3, a.account_id)
          .Bind(4, a.name)
          .Bind(5, a.bundle_id)
          .Bind(6, a.sku)
          .Bind(7, a.platforms)
          .Bind(8, a.primary_locale)
          .Bind(9, now);
      ORCHARD_RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
  });
  if (!written.ok()) return written;
  std::vector<ProductName> names;
  for (const auto& a : apps) names.push_back({a.apple_id, a.name, now, now});
  return NoteProductNames(team_id, names);
}

Result<std::vector<CatalogApp>> SqliteMetaStore::ListCatalogApps(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT apple_id, name, bundle_id, sku, platforms, primary_locale, "
                                 "account_id, updated_at FROM catalog_apps WHERE team_id = ? "
                                 "ORDER BY apple_id"));
  st.Bind(1, team_id);
  std::vector<CatalogApp> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({std::string(st.Text(0)), std::string(st.Text(1)), std::string(st.Text(2)),
                   std::string(st.Text(3)), std::string(st.Text(4)), std::string(st.Text(5)),
                   st.Int(6), st.Int(7)});
  }
  return out;
}

Result<std::vector<ProductName>> SqliteMetaStore::ListProductNames(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT apple_id, name, first_seen, last_seen FROM product_names "
                                 "WHERE team_id = ? ORDER BY apple_id, first_seen, name"));
  st.Bind(1, team_id);
  std::vector<ProductName> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({std::string(st.Text(0)), std::string(st.Text(1)), st.Int(2), st.Int(3)});
  }
  return out;
}

}  // namespace orchard::store::sqlite
