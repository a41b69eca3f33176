#include "crypto/key_ring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "crypto/sealer.h"

namespace orchard::crypto {
namespace {

class KeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("orchard-keys-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KeyRingTest, CreatesAPrivateFileAndNeverOverwritesIt) {
  const auto path = dir_ / "conf" / "master.key";
  auto ring = KeyRing::CreateFile(path);
  ASSERT_TRUE(ring.has_value()) << ring.error().ToString();
  EXPECT_EQ(ring->current_version(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(path.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(KeyRing::CreateFile(path).error().code(), Code::kAlreadyExists);
  auto loaded = KeyRing::LoadFile(path);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->key(1)->view(), ring->key(1)->view());
}

TEST_F(KeyRingTest, RefusesAKeyFileOthersCanRead) {
  const auto path = dir_ / "master.key";
  ASSERT_TRUE(KeyRing::CreateFile(path).has_value());
  ::chmod(path.c_str(), 0644);
  auto loaded = KeyRing::LoadFile(path);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), Code::kPermissionDenied);
  EXPECT_NE(loaded.error().message().find("chmod 600"), std::string::npos);
}

TEST_F(KeyRingTest, MalformedFilesNeverEchoKeyMaterial) {
  auto ring = KeyRing::FromText("orchard-kek v1 SECRETSECRETSECRET!!\n");
  ASSERT_FALSE(ring.has_value());
  EXPECT_EQ(ring.error().message().find("SECRETSECRET"), std::string::npos);
  EXPECT_FALSE(KeyRing::FromText("").has_value());
  EXPECT_FALSE(KeyRing::FromText("orchard-kek v0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").has_value());
}

TEST_F(KeyRingTest, RotationAddsAVersionAndKeepsOldBlobsReadable) {
  const auto path = dir_ / "master.key";
  auto ring = KeyRing::CreateFile(path);
  Sealer sealer(&*ring);
  const SealContext where{1, "t", "c", 1};
  const std::string v1 = *sealer.Seal("secret", where);
  ASSERT_TRUE(ring->AddVersionAndSave(path).ok());
  auto reloaded = KeyRing::LoadFile(path);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ(reloaded->current_version(), 2u);
  Sealer after(&*reloaded);
  EXPECT_EQ(after.Open(v1, where)->view(), "secret");
  EXPECT_EQ(*Sealer::BlobKeyVersion(*after.Seal("x", where)), 2u);
}

TEST_F(KeyRingTest, TheMasterKeyMustLiveOutsideTheDataDir) {
  ::setenv("ORCHARD_MASTER_KEY_FILE", (dir_ / "data" / "master.key").c_str(), 1);
  EXPECT_EQ(DefaultMasterKeyPath(dir_ / "data").error().code(), Code::kInvalidArgument);
  ::setenv("ORCHARD_MASTER_KEY_FILE", (dir_ / "keys" / "master.key").c_str(), 1);
  auto path = DefaultMasterKeyPath(dir_ / "data");
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->filename(), "master.key");
  ::unsetenv("ORCHARD_MASTER_KEY_FILE");
}

}  // namespace
}  // namespace orchard::crypto
