// Database::ChangeStamp (MetaStore::DataStamp): what lets a cache in `orchard serve` notice that
// `orchard sync` or `orchard fx import`, in another process, committed new data.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::store::sqlite {
namespace {

class ChangeStampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("orchard-stamp-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = Database::Open(dir_ / "o.db");
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    meta_ = std::make_unique<SqliteMetaStore>(db_, &clock_);
  }
  void TearDown() override {
    meta_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Stamp() {
    auto s = meta_->DataStamp();
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return s.value_or("");
  }

  std::filesystem::path dir_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::shared_ptr<Database> db_;
  std::unique_ptr<SqliteMetaStore> meta_;
};

TEST_F(ChangeStampTest, StaysTheSameWhileNothingIsWritten) {
  const std::string first = Stamp();
  EXPECT_FALSE(first.empty());
  ASSERT_TRUE(meta_->GetFxRates({"USD"}, *Date::ParseIso("2026-01-01")).has_value());
  EXPECT_TRUE(meta_->ListAccounts(1).has_value());
  EXPECT_EQ(Stamp(), first);
  EXPECT_EQ(Stamp(), first);
}

TEST_F(ChangeStampTest, ChangesWithAWriteOfThisConnection) {
  const std::string before = Stamp();
  ASSERT_TRUE(meta_->PutFxRates({{*Date::ParseIso("2026-01-02"), "USD", 110'000'000}}).ok());
  const std::string after = Stamp();
  EXPECT_NE(after, before);
  EXPECT_EQ(Stamp(), after);
}

// What `orchard sync` in another process looks like from the server: a commit on another
// connection to the same file.
TEST_F(ChangeStampTest, ChangesWithACommitOfAnotherConnection) {
  const std::string before = Stamp();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "o.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other,
                         "INSERT INTO fx_rates (currency, day, per_eur) VALUES ('JPY', 20455, "
                         "16000000000)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(other);
  sqlite3_close(other);
  const std::string after = Stamp();
  EXPECT_NE(after, before);
  EXPECT_EQ(Stamp(), after);
  // … and the data it stamps is what this connection now reads.
  auto rates = meta_->GetFxRates({"JPY"}, Date::FromDays(20455));
  ASSERT_TRUE(rates.has_value());
  EXPECT_EQ(rates->size(), 1u);
}

// A file that is no longer a database (disk trouble, a bad restore) is an error, not a stamp:
// `/healthz` reads it to answer 503.
TEST_F(ChangeStampTest, AnUnreadableFileIsAnError) {
  ASSERT_FALSE(Stamp().empty());
  // Another connection checkpoints the WAL into the file, so this one must read the file again.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "o.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(other);
  {
    std::fstream f(dir_ / "o.db", std::ios::in | std::ios::out | std::ios::binary);
    f.write(std::string(100, '\0').data(), 100);
  }
  auto stamp = meta_->DataStamp();
  ASSERT_FALSE(stamp.has_value());
  EXPECT_EQ(stamp.error().code(), Code::kDataLoss) << stamp.error().ToString();
}

}  // namespace
}  // namespace orchard::store::sqlite
