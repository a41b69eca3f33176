// Database: one SQLite file, opened in WAL mode with synchronous=FULL and foreign keys on
// (REL-5), migrated to the newest schema on open. One connection, one writer at a time: every
// use holds lock(), a writer for the length of its transaction.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace orchard::store::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Returns true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for statements without rows).
  Status Run();
  void Reset();

  int64_t Int(int column) const;
  std::string_view Text(int column) const;
  std::string_view Blob(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if needed) and migrates. kFailedPrecondition if the file's schema is newer
  // than this build; kDataLoss if it is not an SQLite database.
  static Result<std::shared_ptr<Database>> Open(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::unique_lock<std::recursive_mutex> lock() { return std::unique_lock(mu_); }

  Result<Statement> Prepare(std::string_view sql);
  Status Exec(std::string_view sql);
  int64_t LastInsertId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE of this connection (call with lock() held).
  int64_t Changes() const;
  int SchemaVersion() const { return schema_version_; }
  // PRAGMA integrity_check == "ok".
  Result<bool> IntegrityOk();

  // Interned strings of the fact tables (countries, currencies, product ids, …). Call with
  // lock() held. RefreshDims() reads what other processes added (call it at the start of a
  // write transaction or a scan). DimId() inserts a new string in the caller's transaction;
  // ForgetDimsAbove() undoes the cache after a rollback.
  Status RefreshDims();
  Result<uint32_t> DimId(std::string_view value);
  // The id of an already interned string, without inserting it.
  std::optional<uint32_t> FindDim(std::string_view value) const {
    auto it = dim_ids_.find(value);
    if (it == dim_ids_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& DimValue(uint32_t id) const { return dim_values_[id]; }
  size_t DimCount() const { return dim_values_.size(); }
  void ForgetDimsAbove(size_t count);

  // A value that changes whenever the file's data may have changed: `PRAGMA data_version`
  // (commits by other connections, e.g. `orchard sync` in another process) with
  // sqlite3_total_changes64 (this connection's own writes, which data_version does not count).
  // Equal stamps mean nothing was committed in between. Takes lock(); reading data_version
  // opens a read transaction, so an unreadable file is an error here.
  Result<std::string> ChangeStamp();

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  Status Migrate();

  sqlite3* db_;
  std::recursive_mutex mu_;
  int schema_version_ = 0;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> dim_ids_;
  std::vector<std::string> dim_values_;  // index = id; id 0 is ""
  std::optional<Statement> insert_dim_;
  std::optional<Statement> data_version_;  // ChangeStamp()'s prepared pragma
};

// Maps an SQLite result code to a Status (disk full, I/O error, corruption → clear words).
// Constraints: UNIQUE/PRIMARY KEY → kAlreadyExists, FOREIGN KEY (the referenced row does not
// exist) → kNotFound, CHECK/NOT NULL → kInvalidArgument.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// Runs `body` inside BEGIN IMMEDIATE … COMMIT and rolls back on any error, so a check and the
// change it guards are atomic. Call with db.lock() held and no transaction open.
template <typename F>
Status InTransaction(Database& db, F&& body) {
  ORCHARD_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status st = body();
  if (st.ok()) st = db.Exec("COMMIT");
  if (!st.ok()) (void)db.Exec("ROLLBACK");
  return st;
}

}  // namespace orchard::store::sqlite
