#include "store/sqlite/database.h"

#include "store/sqlite/migrations.h"

namespace orchard::store::sqlite {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string msg = std::string(what) + ": " + detail;
  switch (primary) {
    case SQLITE_FULL:
      return Status(Code::kResourceExhausted, std::string(what) +
                                                  ": the disk is full; nothing was changed");
    case SQLITE_IOERR:
      return Status(Code::kUnavailable, msg + " (I/O error; the write was not applied)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(Code::kDataLoss, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(Code::kAborted, msg);
    case SQLITE_CONSTRAINT:
      // Extended codes are on (Open), so a missing parent row or a rejected value is not
      // reported as a duplicate.
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return Status(Code::kNotFound, msg);
      if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL) {
        return Status(Code::kInvalidArgument, msg);
      }
      return Status(Code::kAlreadyExists, msg);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return Status(Code::kPermissionDenied, msg);
    default:
      return Status(Code::kInternal, msg);
  }
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(SqliteError(db_, rc, "database step"));
}

Status Statement::Run() {
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
std::string_view Statement::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}
std::string_view Statement::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), static_cast<size_t>(n));
}
bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::shared_ptr<Database>> Database::Open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteError(raw, rc, "cannot open database " + path.string());
    sqlite3_close(raw);
    return Error(st);
  }
  std::shared_ptr<Database> db(new Database(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 10000);
  // WAL + synchronous=FULL: a committed transaction survives power loss; one writer.
  ORCHARD_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  ORCHARD_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  ORCHARD_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  // Deleted rows (an unlinked account's sealed secrets) are overwritten, not left in free pages.
  ORCHARD_RETURN_IF_ERROR(db->Exec("PRAGMA secure_delete=ON"));
  ORCHARD_RETURN_IF_ERROR(db->Migrate());
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(SqliteError(db_, rc, "database prepare"));
  return Statement(db_, stmt);
}

Status Database::Exec(std::string_view sql) {
  const std::string owned(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (err != nullptr) sqlite3_free(err);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "database");
  return Status::Ok();
}

int64_t Database::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Status Database::Migrate() {
  auto lock = this->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement version, Prepare("PRAGMA user_version"));
  ORCHARD_ASSIGN_OR_RETURN(bool has_row, version.Step());
  schema_version_ = has_row ? static_cast<int>(version.Int(0)) : 0;
  version.Reset();  // an active statement would make a migration's DROP TABLE fail
  const auto& migrations = Migrations();
  if (schema_version_ > static_cast<int>(migrations.size())) {
    return Status(Code::kFailedPrecondition,
                  "the database schema (version " + std::to_string(schema_version_) +
                      ") is newer than this build of Orchard understands (" +
                      std::to_string(migrations.size()) + "); upgrade Orchard");
  }
  if (schema_version_ == static_cast<int>(migrations.size())) return Status::Ok();
  // A migration may rebuild a table the SQLite way (create the new one, copy, drop the old,
  // rename). With foreign keys on, dropping the old table would first delete its rows and
  // cascade into the tables that reference it (report_checkpoints). The pragma is a no-op
  // inside a transaction, so it is switched off around them, and every migration must leave
  // foreign_key_check clean before it commits.
  ORCHARD_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=OFF"));
  Status st = Status::Ok();
  for (size_t i = static_cast<size_t>(schema_version_); st.ok() && i < migrations.size(); ++i) {
    st = InTransaction(*this, [&]() -> Status {
      ORCHARD_RETURN_IF_ERROR(Exec(migrations[i]));
      ORCHARD_ASSIGN_OR_RETURN(Statement check, Prepare("PRAGMA foreign_key_check"));
      ORCHARD_ASSIGN_OR_RETURN(bool dangling, check.Step());
      if (dangling) {
        return Status(Code::kDataLoss, "a row of table " + std::string(check.Text(0)) +
                                           " refers to a missing row of " +
                                           std::string(check.Text(2)));
      }
      return Exec("PRAGMA user_version=" + std::to_string(i + 1));
    });
    if (st.ok()) {
      schema_version_ = static_cast<int>(i + 1);
    } else {
      st = st.WithContext("schema migration " + std::to_string(i + 1));
    }
  }
  Status on = Exec("PRAGMA foreign_keys=ON");
  return st.ok() ? on : st;
}

Result<std::string> Database::ChangeStamp() {
  auto lock = this->lock();
  if (!data_version_) {
    ORCHARD_ASSIGN_OR_RETURN(Statement st, Prepare("PRAGMA data_version"));
    data_version_ = std::move(st);
  }
  auto row = data_version_->Step();
  const int64_t version = row.has_value() && *row ? data_version_->Int(0) : 0;
  data_version_->Reset();
  if (!row.has_value()) return Error(row.error());
  return std::to_string(version) + ":" + std::to_string(sqlite3_total_changes64(db_));
}

Result<bool> Database::IntegrityOk() {
  auto lock = this->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, Prepare("PRAGMA integrity_check"));
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  return row && st.Text(0) == "ok";
}

Status Database::RefreshDims() {
  // Picks up strings interned by other processes since the last look (ids only grow).
  ORCHARD_ASSIGN_OR_RETURN(Statement st, Prepare("SELECT id, value FROM dims WHERE id >= ? ORDER BY id"));
  st.Bind(1, static_cast<int64_t>(dim_values_.size()));
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const auto id = static_cast<size_t>(st.Int(0));
    if (id != dim_values_.size()) {
      return Status(Code::kDataLoss, "the dims table has a gap at id " + std::to_string(id));
    }
    dim_values_.emplace_back(st.Text(1));
    dim_ids_.emplace(dim_values_.back(), static_cast<uint32_t>(id));
  }
  return Status::Ok();
}

Result<uint32_t> Database::DimId(std::string_view value) {
  if (auto it = dim_ids_.find(value); it != dim_ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(dim_values_.size());
  if (!insert_dim_) {
    ORCHARD_ASSIGN_OR_RETURN(insert_dim_, Prepare("INSERT INTO dims (id, value) VALUES (?, ?)"));
  }
  insert_dim_->Bind(1, static_cast<int64_t>(id)).Bind(2, value);
  ORCHARD_RETURN_IF_ERROR(insert_dim_->Run());
  dim_values_.emplace_back(value);
  dim_ids_.emplace(dim_values_.back(), id);
  return id;
}

void Database::ForgetDimsAbove(size_t count) {
  while (dim_values_.size() > count) {
    dim_ids_.erase(dim_values_.back());
    dim_values_.pop_back();
  }
}

}  // namespace orchard::store::sqlite
