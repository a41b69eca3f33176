#include "crypto/password_hash.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace orchard::crypto {
namespace {

TEST(PasswordHashTest, Argon2idWith64MiBAndTwoPassesVerifiesOnlyTheRightPassword) {
  auto hash = HashPassword(Secret("correct horse battery staple"));
  ASSERT_TRUE(hash.has_value()) << hash.error().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, Secret("correct horse battery staple")));
  EXPECT_FALSE(VerifyPassword(*hash, Secret("correct horse battery stapler")));
  EXPECT_FALSE(VerifyPassword(*hash, Secret("")));
  EXPECT_FALSE(VerifyPassword("not a hash", Secret("correct horse battery staple")));
  // Salted: the same password hashes differently each time.
  EXPECT_NE(*HashPassword(Secret("correct horse battery staple")), *hash);
  EXPECT_FALSE(PasswordNeedsRehash(*hash));
}

TEST(PasswordHashTest, ShortPasswordsAreRefusedLongPassphrasesAccepted) {
  auto short_one = HashPassword(Secret("1234567"));
  ASSERT_FALSE(short_one.has_value());
  EXPECT_EQ(short_one.error().code(), Code::kInvalidArgument);
  EXPECT_TRUE(HashPassword(Secret("12345678")).has_value());
  const std::string passphrase(1000, 'p');
  auto long_one = HashPassword(Secret(passphrase));
  ASSERT_TRUE(long_one.has_value());
  EXPECT_TRUE(VerifyPassword(*long_one, Secret(passphrase)));
}

TEST(PasswordHashTest, HashesWithOtherParametersAskToBeRedone) {
  ASSERT_GE(sodium_init(), 0);
  char weaker[crypto_pwhash_STRBYTES];
  const std::string pw = "an older account password";
  ASSERT_EQ(crypto_pwhash_str_alg(weaker, pw.data(), pw.size(), 1, size_t{8} << 20, crypto_pwhash_ALG_ARGON2ID13), 0);
  EXPECT_TRUE(VerifyPassword(weaker, Secret(pw))) << "old hashes still log in";
  EXPECT_TRUE(PasswordNeedsRehash(weaker));
  EXPECT_TRUE(PasswordNeedsRehash("$2b$12$somebcrypthash"));
}

}  // namespace
}  // namespace orchard::crypto
