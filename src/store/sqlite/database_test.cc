#include "store/sqlite/database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <fstream>

#include "core/clock.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::store::sqlite {
namespace {

std::filesystem::path TempDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("orchard-db-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(DatabaseTest, OpensInWalModeWithFullSyncAndForeignKeys) {
  auto dir = TempDir("pragmas");
  auto db = Database::Open(dir / "o.db");
  ASSERT_TRUE(db.has_value());
  auto check = [&](const char* pragma) {
    auto st = (*db)->Prepare(pragma);
    EXPECT_TRUE(st->Step().value());
    return std::string(st->Text(0));
  };
  EXPECT_EQ(check("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(check("PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(check("PRAGMA foreign_keys"), "1");
  EXPECT_EQ((*db)->SchemaVersion(), static_cast<int>(Migrations().size()));
  EXPECT_TRUE(*(*db)->IntegrityOk());
  std::filesystem::remove_all(dir);
}

TEST(DatabaseTest, RefusesASchemaNewerThanTheBuild) {
  auto dir = TempDir("newer");
  {
    auto db = Database::Open(dir / "o.db");
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version=999").ok());
  }
  auto db = Database::Open(dir / "o.db");
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code(), Code::kFailedPrecondition);
  std::filesystem::remove_all(dir);
}

TEST(DatabaseTest, AFileThatIsNotADatabaseIsDataLossNotACrash) {
  auto dir = TempDir("garbage");
  std::ofstream(dir / "o.db") << std::string(8192, 'x');
  auto db = Database::Open(dir / "o.db");
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code(), Code::kDataLoss);
  std::filesystem::remove_all(dir);
}

TEST(DatabaseTest, ADamagedChunkIsReportedAsDataLoss) {
  auto dir = TempDir("chunk");
  auto db = Database::Open(dir / "o.db");
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1)));
  SqliteFactStore facts(*db, &clock);
  auto w = facts.BeginSalesReport({1, 1, "DAILY", *Date::ParseIso("2026-01-01")});
  SalesFact f;
  f.day = *Date::ParseIso("2026-01-01");
  f.apple_id = "1";
  ASSERT_TRUE((*w)->Add(f).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  ASSERT_TRUE((*db)->Exec("UPDATE sales_chunks SET data = substr(data, 1, 10)").ok());
  SalesScan scan;
  scan.team_id = 1;
  Status st = facts.ScanSales(scan, [](const SalesRecord&) {});
  EXPECT_EQ(st.code(), Code::kDataLoss);
  std::filesystem::remove_all(dir);
}

// Chunks written before migration 4 hold several products and have no product (NULL): a
// product filter still reads them, and every wanted row comes back exactly once.
TEST(DatabaseTest, ChunksWithoutAProductAreReadByProductFilters) {
  auto dir = TempDir("legacy-chunks");
  auto db = Database::Open(dir / "o.db");
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1)));
  SqliteFactStore facts(*db, &clock);
  auto w = facts.BeginSalesReport({1, 1, "DAILY", *Date::ParseIso("2026-01-01")});
  for (const char* product : {"A", "B", "C"}) {
    SalesFact f;
    f.day = *Date::ParseIso("2026-01-01");
    f.apple_id = product;
    f.units = 100;
    ASSERT_TRUE((*w)->Add(f).ok());
  }
  ASSERT_TRUE((*w)->Commit().ok());
  ASSERT_TRUE((*db)->Exec("UPDATE sales_chunks SET product = NULL").ok());
  SalesScan scan;
  scan.team_id = 1;
  scan.products = {"A", "C"};
  std::map<std::string, int64_t> units;
  ASSERT_TRUE(facts.ScanSales(scan, [&](const SalesRecord& r) { units[std::string(r.apple_id)] += r.units; }).ok());
  EXPECT_EQ(units, (std::map<std::string, int64_t>{{"A", 100}, {"C", 100}}));
  std::filesystem::remove_all(dir);
}

// A data dir written by a build that knew only migration 1: linked_accounts is rebuilt by
// migration 2, which must keep every row, blob and checkpoint (and the cascade to them).
TEST(DatabaseTest, MigratesAVersionOneDatabaseKeepingAccountsSecretsAndCheckpoints) {
  auto dir = TempDir("v1");
  const std::string secret("\x01\x02\x00\xff-sealed-pem", 15);
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "o.db").c_str(), &raw), SQLITE_OK);
    const std::string v1 = std::string(Migrations()[0]) +
                           "INSERT INTO teams (id, name, created_at) VALUES (1, 'default', 10);"
                           "INSERT INTO linked_accounts (id, team_id, method, name, issuer_id, "
                           "key_id, vendor_number, secret_key_version, created_at, last_sync_at) "
                           "VALUES (7, 1, 'asc_key', 'Main', 'issuer-uuid', 'ABCDEFGHIJ', "
                           "'85442109', 1, 20, 30),"
                           "(8, 1, 'asc_key', 'Second vendor', 'issuer-uuid', 'ABCDEFGHIJ', "
                           "'85442110', 1, 21, 0);"
                           "INSERT INTO report_checkpoints (account_id, report, report_date, "
                           "state, rows, updated_at) VALUES (7, 'SALES/SUMMARY/DAILY', 20458, "
                           "'loaded', 42, 30);"
                           "PRAGMA user_version=1;";
    ASSERT_EQ(sqlite3_exec(raw, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_stmt* put = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "UPDATE linked_accounts SET secret = ? WHERE id = 7", -1,
                                 &put, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(put, 1, secret.data(), static_cast<int>(secret.size()), SQLITE_STATIC);
    ASSERT_EQ(sqlite3_step(put), SQLITE_DONE);
    sqlite3_finalize(put);
    sqlite3_close(raw);
  }

  auto db = Database::Open(dir / "o.db");
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  EXPECT_EQ((*db)->SchemaVersion(), static_cast<int>(Migrations().size()));
  EXPECT_TRUE(*(*db)->IntegrityOk());
  auto fk = (*db)->Prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(fk->Step().value());
  EXPECT_EQ(fk->Int(0), 1);  // back on after the migration

  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1000)));
  SqliteMetaStore meta(*db, &clock);
  auto account = meta.GetAccount(1, 7);
  ASSERT_TRUE(account.has_value()) << account.error().ToString();
  EXPECT_EQ(account->method, "asc-key");
  EXPECT_EQ(account->name, "Main");
  EXPECT_EQ(account->issuer_id, "issuer-uuid");
  EXPECT_EQ(account->key_id, "ABCDEFGHIJ");
  EXPECT_EQ(account->vendor_number, "85442109");
  EXPECT_EQ(account->created_at, 20);
  EXPECT_EQ(account->last_sync_at, 30);
  EXPECT_EQ(account->capabilities, "{}");
  EXPECT_EQ(account->expires_at, 0);
  auto sealed = meta.GetAccountSecret(1, 7);
  ASSERT_TRUE(sealed.has_value()) << sealed.error().ToString();
  EXPECT_EQ(sealed->blob, secret);
  EXPECT_EQ(sealed->key_version, 1u);
  EXPECT_EQ(meta.GetAccountSealed(1, 7, "state").error().code(), Code::kNotFound);
  // Version 1 allowed one key for two vendor numbers; both rows survive.
  EXPECT_EQ(meta.GetAccount(1, 8)->method, "asc-key");
  const Date day = Date::FromDays(20458);
  auto checkpoints = meta.ListCheckpoints(7, "SALES/SUMMARY/DAILY", day, day);
  ASSERT_EQ(checkpoints->size(), 1u);
  EXPECT_EQ((*checkpoints)[0].rows, 42);

  // The new identity rules hold on the migrated table.
  LinkedAccount again = *account;
  again.vendor_number = "99999999";
  auto dup = meta.CreateAccount(again, [](int64_t) -> Result<SealedSecret> {
    return SealedSecret{"x", 1};
  });
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);
  for (const char* apple_id : {"ana@example.com", "bo@example.com"}) {
    LinkedAccount sub;
    sub.team_id = 1;
    sub.method = "apple-id";
    sub.apple_id = apple_id;
    EXPECT_TRUE(meta.CreateAccount(sub, [](int64_t) -> Result<SealedSecret> {
                      return SealedSecret{"y", 1};
                    }).has_value());
  }

  // The checkpoints still cascade from the rebuilt table.
  ASSERT_TRUE(meta.DeleteAccount(1, 7, false).ok());
  EXPECT_TRUE(meta.ListCheckpoints(7, "SALES/SUMMARY/DAILY", day, day)->empty());
  db->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace orchard::store::sqlite
