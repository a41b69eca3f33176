// For the store's tests: a fresh database file in a directory of its own per test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/database.h"

namespace orchard::store::testing {

// Creates (emptied) `<tmp>/<prefix>-<pid>-<test name>/` and opens orchard.db in it; `*dir` is
// set for the caller to remove. A failure is a test failure, and the result is then null.
inline std::shared_ptr<sqlite::Database> OpenTestDatabase(const std::string& prefix,
                                                          std::filesystem::path* dir) {
  *dir = std::filesystem::temp_directory_path() /
         (prefix + "-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(*dir);
  std::filesystem::create_directories(*dir);
  auto db = sqlite::Database::Open(*dir / "orchard.db");
  EXPECT_TRUE(db.has_value()) << db.error().ToString();
  return db.has_value() ? *db : nullptr;
}

}  // namespace orchard::store::testing
