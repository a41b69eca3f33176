#include "core/log.h"

#include <gtest/gtest.h>

namespace orchard {
namespace {

TEST(RedactTest, MasksPemBlocks) {
  const std::string out = Redact(
      "key: -----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n"
      "-----END PRIVATE KEY----- done");
  EXPECT_EQ(out.find("MIGHAgEAMBMG"), std::string::npos);
  EXPECT_NE(out.find("key: [redacted PEM] done"), std::string::npos);
  EXPECT_NE(out.find("done"), std::string::npos);
}

TEST(RedactTest, MasksJwtsBearerTokensAndAppSpecificPasswords) {
  const std::string jwt = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl";
  EXPECT_EQ(Redact("token " + jwt).find("eyJpc3Mi"), std::string::npos);
  EXPECT_EQ(Redact("Authorization: Bearer abc.def").find("abc.def"), std::string::npos);
  EXPECT_EQ(Redact("pw abcd-efgh-ijkl-mnop end").find("abcd-efgh"), std::string::npos);
}

TEST(RedactTest, LeavesOrdinaryMessagesAlone) {
  EXPECT_EQ(Redact("synced 2026-01-01: 1234 rows for vendor 85442109"),
            "synced 2026-01-01: 1234 rows for vendor 85442109");
}

}  // namespace
}  // namespace orchard
