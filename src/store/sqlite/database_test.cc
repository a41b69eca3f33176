#include "store/sqlite/database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_fact_store.h"

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

}  // namespace
}  // namespace orchard::store::sqlite
