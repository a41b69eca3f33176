// Shared by the sync tests: a throwaway SQLite data dir with a team and a key-linked account,
// and the header of a minimal Sales Summary report.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace orchard::sync::testing {

inline constexpr const char* kSalesHeader =
    "Provider\tProvider Country\tSKU\tDeveloper\tTitle\tVersion\tProduct Type Identifier\tUnits\t"
    "Developer Proceeds\tBegin Date\tEnd Date\tCustomer Currency\tCountry Code\tCurrency of "
    "Proceeds\tApple Identifier\tCustomer Price\n";

class TempStores {
 public:
  TempStores(const std::string& name, const Clock* clock)
      : dir_(std::filesystem::temp_directory_path() / ("orchard-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = *store::sqlite::Database::Open(dir_ / "o.db");
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, clock);
    facts_ = std::make_unique<store::sqlite::SqliteFactStore>(db_, clock);
    auto team = meta_->EnsureDefaultTeam();
    store::LinkedAccount a;
    a.team_id = team->id;
    a.method = "asc-key";
    a.vendor_number = "85442109";
    account_ = *meta_->CreateAccount(a, [](int64_t) -> Result<store::SealedSecret> {
      return store::SealedSecret{"sealed", 1};
    });
  }
  ~TempStores() {
    facts_.reset();
    meta_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::sqlite::SqliteMetaStore* meta() { return meta_.get(); }
  store::sqlite::SqliteFactStore* facts() { return facts_.get(); }
  const store::LinkedAccount& account() const { return account_; }

 private:
  std::filesystem::path dir_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  std::unique_ptr<store::sqlite::SqliteFactStore> facts_;
  store::LinkedAccount account_;
};

}  // namespace orchard::sync::testing
