#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::store::sqlite {
namespace {

constexpr const char* kAccountColumns =
    "id, team_id, method, name, issuer_id, key_id, vendor_number, status, last_error, "
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
  a.status = st.Text(7);
  a.last_error = st.Text(8);
  a.created_at = st.Int(9);
  a.last_used_at = st.Int(10);
  a.last_sync_at = st.Int(11);
  return a;
}

// Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back on any error.
template <typename F>
Status InTransaction(Database& db, F&& body) {
  ORCHARD_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status st = body();
  if (st.ok()) st = db.Exec("COMMIT");
  if (!st.ok()) (void)db.Exec("ROLLBACK");
  return st;
}

}  // namespace

Result<Team> SqliteMetaStore::EnsureDefaultTeam() {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement insert,
      db_->Prepare("INSERT INTO teams (name, created_at) VALUES ('default', ?) "
                   "ON CONFLICT (name) DO NOTHING"));
  insert.Bind(1, clock_->NowSeconds());
  ORCHARD_RETURN_IF_ERROR(insert.Run());
  ORCHARD_ASSIGN_OR_RETURN(Statement select,
                           db_->Prepare("SELECT id, name FROM teams WHERE name = 'default'"));
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
    ORCHARD_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO linked_accounts (team_id, method, name, issuer_id, key_id, "
                     "vendor_number, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, account.team_id)
        .Bind(2, account.method)
        .Bind(3, account.name)
        .Bind(4, account.issuer_id)
        .Bind(5, account.key_id)
        .Bind(6, account.vendor_number)
        .Bind(7, account.status)
        .Bind(8, created.created_at);
    if (Status s = insert.Run(); !s.ok()) {
      if (s.code() == Code::kAlreadyExists) {
        return Status(Code::kAlreadyExists,
                      "this team already links key " + account.key_id + " for vendor " +
                          account.vendor_number);
      }
      return s;
    }
    created.id = db_->LastInsertId();
    ORCHARD_ASSIGN_OR_RETURN(SealedSecret sealed, seal(created.id));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE linked_accounts SET secret = ?, secret_key_version = ? WHERE id = ?"));
    update.BindBlob(1, sealed.blob).Bind(2, static_cast<int64_t>(sealed.key_version)).Bind(3, created.id);
    return update.Run();
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

Result<SealedSecret> SqliteMetaStore::GetAccountSecret(int64_t team_id, int64_t account_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT secret, secret_key_version FROM linked_accounts "
                                 "WHERE team_id = ? AND id = ?"));
  st.Bind(1, team_id).Bind(2, account_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Error(Code::kNotFound, "no linked account " + std::to_string(account_id));
  if (st.IsNull(0)) {
    return Error(Code::kFailedPrecondition,
                 "linked account " + std::to_string(account_id) + " has no stored credential");
  }
  return SealedSecret{std::string(st.Blob(0)), static_cast<uint32_t>(st.Int(1))};
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
      Statement st, db_->Prepare("SELECT count(*) FROM linked_accounts WHERE secret IS NOT NULL"));
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
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
                     "ON CONFLICT (currency, day) DO UPDATE SET per_eur = excluded.per_eur"));
    for (const auto& r : rates) {
      if (r.per_eur <= 0) {
        return Status(Code::kInvalidArgument,
                      "rate for " + r.currency + " on " + r.day.Iso() + " is not positive");
      }
      st.Bind(1, r.currency).Bind(2, int64_t{r.day.days()}).Bind(3, r.per_eur);
      ORCHARD_RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
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

}  // namespace orchard::store::sqlite
