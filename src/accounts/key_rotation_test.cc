// SEC-4: key rotation re-wraps every secret online (a concurrent reader sees no failure), and a
// kill -9 at any moment leaves every secret readable and the rotation resumable.
#include "accounts/key_rotation.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "accounts/account_service.h"
#include "core/clock.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "store/sqlite/sqlite_review_store.h"

namespace orchard::accounts {
namespace {

std::string Plain(int64_t i) { return "canary-secret-" + std::to_string(i) + "-" + std::string(40, 'x'); }

class KeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // tmpfs when there is one: 10,000 committed transactions need no real fsyncs to prove this.
    const std::filesystem::path base =
        std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path();
    dir_ = base / ("orchard-rotation-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "data");
    key_file_ = dir_ / "keys" / "master.key";
    ASSERT_TRUE(crypto::KeyRing::CreateFile(key_file_).has_value());
    auto db = store::sqlite::Database::Open(dir_ / "data" / "orchard.db");
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_ = *db;
    meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(db_, &SystemClock());
    auto team = meta_->EnsureDefaultTeam();
    ASSERT_TRUE(team.has_value());
    team_ = team->id;
  }
  void TearDown() override {
    meta_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // `n` accounts, each with a sealed secret Plain(i) under the key file's current version.
  void Seed(int n) {
    auto ring = crypto::KeyRing::LoadFile(key_file_);
    ASSERT_TRUE(ring.has_value());
    crypto::Sealer sealer(&*ring);
    for (int i = 0; i < n; ++i) {
      store::LinkedAccount a;
      a.team_id = team_;
      a.method = kAscKey;
      a.name = "account " + std::to_string(i);
      char kid[16];
      std::snprintf(kid, sizeof kid, "K%09d", i);
      a.key_id = kid;
      a.vendor_number = "1";
      auto created = meta_->CreateAccount(a, [&](int64_t row) -> Result<store::SealedSecret> {
        ORCHARD_ASSIGN_OR_RETURN(std::string blob,
                                 sealer.Seal(Plain(row), AccountSealContext(team_, row, "secret")));
        return store::SealedSecret{blob, ring->current_version()};
      });
      ASSERT_TRUE(created.has_value()) << created.error().ToString();
      ids_.push_back(created->id);
    }
  }

  // Opens every secret with a ring freshly read from the key file; returns the failures.
  int UnreadableSecrets(store::MetaStore& meta) {
    auto ring = crypto::KeyRing::LoadFile(key_file_);
    if (!ring.has_value()) return static_cast<int>(ids_.size());
    crypto::Sealer sealer(&*ring);
    int bad = 0;
    for (int64_t id : ids_) {
      auto sealed = meta.GetAccountSealed(team_, id, "secret");
      auto plain = sealed.has_value() ? sealer.Open(sealed->blob, AccountSealContext(team_, id, "secret"))
                                      : Result<Secret>(Error(sealed.error()));
      if (!plain.has_value() || plain->view() != Plain(id)) ++bad;
    }
    return bad;
  }

  std::filesystem::path dir_, key_file_;
  std::shared_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteMetaStore> meta_;
  int64_t team_ = 0;
  std::vector<int64_t> ids_;
};

TEST_F(KeyRotationTest, TenThousandSecretsRotateWhileAConcurrentReaderSeesNoFailure) {
  Seed(10000);
  // The reader is a running server: its own Sealer, following the key file.
  auto reader_ring = crypto::KeyRing::LoadFile(key_file_);
  ASSERT_TRUE(reader_ring.has_value());
  crypto::Sealer reader_sealer(&*reader_ring);
  reader_sealer.WatchKeyFile(key_file_);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> reads{0}, failures{0};
  std::thread reader([&] {
    std::mt19937 rng(7);
    while (!stop.load()) {
      const int64_t id = ids_[rng() % ids_.size()];
      auto sealed = meta_->GetAccountSealed(team_, id, "secret");
      bool ok = sealed.has_value();
      if (ok) {
        auto plain = reader_sealer.Open(sealed->blob, AccountSealContext(team_, id, "secret"));
        ok = plain.has_value() && plain->view() == Plain(id);
      }
      reads.fetch_add(1);
      if (!ok) failures.fetch_add(1);
    }
  });

  auto ring = crypto::KeyRing::LoadFile(key_file_);
  ASSERT_TRUE(ring.has_value());
  crypto::Sealer sealer(&*ring);
  auto report = RotateMasterKey(*meta_, *ring, key_file_, sealer);
  stop = true;
  reader.join();
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_FALSE(report->resumed);
  EXPECT_EQ(report->target_version, 2u);
  EXPECT_EQ(report->rewrapped, 10000);
  EXPECT_GT(reads.load(), 100);
  EXPECT_EQ(failures.load(), 0);
  auto behind = meta_->ListSealedBelow(2, 10);
  ASSERT_TRUE(behind.has_value());
  EXPECT_TRUE(behind->empty());
  EXPECT_EQ(UnreadableSecrets(*meta_), 0);
  // Every blob names version 2 now.
  auto sealed = meta_->GetAccountSealed(team_, ids_[1234], "secret");
  ASSERT_TRUE(sealed.has_value());
  EXPECT_EQ(crypto::Sealer::BlobKeyVersion(sealed->blob).value_or(0), 2u);
}

// A team's review webhook secret is a sealed value like an account's: rotated with them.
TEST_F(KeyRotationTest, ReviewWebhookSecretsAreRewrappedToo) {
  Seed(3);
  store::sqlite::SqliteReviewStore reviews(db_, &SystemClock());
  const crypto::SealContext where{team_, store::kWebhookTable, store::kWebhookSecretColumn, team_};
  {
    auto ring = crypto::KeyRing::LoadFile(key_file_);
    ASSERT_TRUE(ring.has_value());
    crypto::Sealer sealer(&*ring);
    store::ReviewWebhook hook;
    hook.url = "https://hooks.example/orchard";
    auto blob = sealer.Seal("whsec_example", where);
    ASSERT_TRUE(blob.has_value());
    hook.secret_blob = *blob;
    hook.secret_key_version = ring->current_version();
    ASSERT_TRUE(reviews.PutReviewWebhook(team_, hook).has_value());
  }
  EXPECT_EQ(*meta_->CountSealedSecrets(), 4);
  auto ring = crypto::KeyRing::LoadFile(key_file_);
  ASSERT_TRUE(ring.has_value());
  crypto::Sealer sealer(&*ring);
  auto report = RotateMasterKey(*meta_, *ring, key_file_, sealer);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rewrapped, 4);
  EXPECT_TRUE(meta_->ListSealedBelow(report->target_version, 10)->empty());
  auto stored = reviews.GetReviewWebhook(team_);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->secret_key_version, report->target_version);
  EXPECT_EQ(crypto::Sealer::BlobKeyVersion(stored->secret_blob).value_or(0), report->target_version);
  auto fresh = crypto::KeyRing::LoadFile(key_file_);
  ASSERT_TRUE(fresh.has_value());
  auto plain = crypto::Sealer(&*fresh).Open(stored->secret_blob, where);
  ASSERT_TRUE(plain.has_value()) << plain.error().ToString();
  EXPECT_EQ(plain->view(), "whsec_example");
  EXPECT_EQ(UnreadableSecrets(*meta_), 0);
}

TEST_F(KeyRotationTest, AWriterDuringRotationWinsAndIsRewrappedToo) {
  Seed(300);
  auto ring = crypto::KeyRing::LoadFile(key_file_);
  ASSERT_TRUE(ring.has_value());
  crypto::Sealer sealer(&*ring);
  ASSERT_TRUE(ring->AddVersionAndSave(key_file_).ok());
  // A value changes after the rotation listed it (sealed with the old key by a process that
  // has not seen the new one): the swap must not overwrite it, and a later round re-wraps it.
  const int64_t id = ids_[17];
  auto listed = meta_->ListSealedBelow(2, 1000);
  ASSERT_TRUE(listed.has_value());
  // Write a new value with the current (v2) key; the listed ref still holds the v1 blob.
  ASSERT_TRUE(meta_->PutAccountSealed(team_, id, "secret", [&](int64_t row) -> Result<store::SealedSecret> {
                     ORCHARD_ASSIGN_OR_RETURN(std::string blob,
                                              sealer.Seal("changed-" + Plain(row), AccountSealContext(team_, row, "secret")));
                     return store::SealedSecret{blob, 2};
                   }).ok());
  for (const auto& ref : *listed) {
    if (ref.row_id != id) continue;
    auto rewrapped = sealer.Rewrap(ref.sealed.blob, AccountSealContext(team_, id, "secret"));
    ASSERT_TRUE(rewrapped.has_value());
    EXPECT_EQ(meta_->SwapSealed(ref, store::SealedSecret{*rewrapped, 2}).code(), Code::kAborted);
  }
  auto report = RewrapAll(*meta_, sealer, 2);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rewrapped, 299);  // the changed one was already at version 2
  auto sealed = meta_->GetAccountSealed(team_, id, "secret");
  ASSERT_TRUE(sealed.has_value());
  auto plain = sealer.Open(sealed->blob, AccountSealContext(team_, id, "secret"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->view(), "changed-" + Plain(id));
}

// kill -9 at random moments of a rotation in another process: every secret stays readable with
// the key file as it is on disk, and running the rotation again finishes it.
TEST_F(KeyRotationTest, KillNineAtRandomMomentsLeavesEverySecretReadableAndResumable) {
  Seed(2000);
  const int kills = std::getenv("ORCHARD_SOAK") ? 50 : 6;
  std::mt19937 rng(42);
  int interrupted = 0;
  for (int round = 0; round < kills; ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // A fresh connection and ring, as `orchard keys rotate` would have.
      auto db = store::sqlite::Database::Open(dir_ / "data" / "orchard.db");
      if (!db.has_value()) ::_exit(2);
      store::sqlite::SqliteMetaStore meta(*db, &SystemClock());
      auto ring = crypto::KeyRing::LoadFile(key_file_);
      if (!ring.has_value()) ::_exit(3);
      crypto::Sealer sealer(&*ring);
      auto report = RotateMasterKey(meta, *ring, key_file_, sealer);
      ::_exit(report.has_value() ? 0 : 4);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 400000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (WIFSIGNALED(status)) ++interrupted;
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "the rotation failed on its own in round " << round;
    }
    // After every kill: all secrets open with the key file on disk; the database is sound.
    auto db = store::sqlite::Database::Open(dir_ / "data" / "orchard.db");
    ASSERT_TRUE(db.has_value());
    auto ok = (*db)->IntegrityOk();
    ASSERT_TRUE(ok.has_value());
    EXPECT_TRUE(*ok);
    store::sqlite::SqliteMetaStore meta(*db, &SystemClock());
    ASSERT_EQ(UnreadableSecrets(meta), 0) << "after the kill of round " << round;
  }
  EXPECT_GT(interrupted, 0) << "no round was interrupted; the kill came too late every time";
  // Finish: whatever state the kills left, one more run leaves nothing behind the current key.
  auto ring = crypto::KeyRing::LoadFile(key_file_);
  ASSERT_TRUE(ring.has_value());
  crypto::Sealer sealer(&*ring);
  auto behind_before = meta_->ListSealedBelow(ring->current_version(), 1);
  ASSERT_TRUE(behind_before.has_value());
  auto report = RotateMasterKey(*meta_, *ring, key_file_, sealer);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->resumed, !behind_before->empty());
  auto behind = meta_->ListSealedBelow(ring->current_version(), 10);
  ASSERT_TRUE(behind.has_value());
  EXPECT_TRUE(behind->empty());
  EXPECT_EQ(UnreadableSecrets(*meta_), 0);
}

}  // namespace
}  // namespace orchard::accounts
