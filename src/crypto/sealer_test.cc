#include "crypto/sealer.h"

#include <gtest/gtest.h>

#include "crypto/base64.h"

namespace orchard::crypto {
namespace {

// Two fixed keys (v1, v2), as in a key file after one rotation.
const char* kTwoKeys =
    "orchard-kek v1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    "orchard-kek v2 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n";
const char* kCanary = "-----BEGIN PRIVATE KEY-----\nCANARY-p8-secret-0123456789\n-----END PRIVATE KEY-----";

class SealerTest : public ::testing::Test {
 protected:
  SealerTest() : ring_(*KeyRing::FromText(kTwoKeys)), sealer_(&ring_) {}
  SealContext Here() const { return {7, "linked_accounts", "secret", 42}; }
  std::string SealCanary() { return *sealer_.Seal(kCanary, Here()); }
  KeyRing ring_;
  Sealer sealer_;
};

TEST_F(SealerTest, RoundTripsUnderTheCurrentKeyVersion) {
  const std::string blob = SealCanary();
  EXPECT_EQ(*Sealer::BlobKeyVersion(blob), 2u);
  auto opened = sealer_.Open(blob, Here());
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EXPECT_EQ(opened->view(), kCanary);
}

TEST_F(SealerTest, SealingTwiceGivesDifferentBlobs) {
  EXPECT_NE(SealCanary(), SealCanary());
}

TEST_F(SealerTest, FlippingAnyByteFailsClosed) {
  const std::string blob = SealCanary();
  for (size_t i = 0; i < blob.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80}) {
      std::string bad = blob;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      auto opened = sealer_.Open(bad, Here());
      ASSERT_FALSE(opened.has_value()) << "byte " << i;
      ASSERT_EQ(opened.error().code(), Code::kDataLoss) << "byte " << i;
    }
  }
}

TEST_F(SealerTest, EveryTruncationFailsClosed) {
  const std::string blob = SealCanary();
  for (size_t n = 0; n < blob.size(); ++n) {
    auto opened = sealer_.Open(std::string_view(blob).substr(0, n), Here());
    ASSERT_FALSE(opened.has_value()) << n;
    ASSERT_EQ(opened.error().code(), Code::kDataLoss) << n;
  }
  EXPECT_FALSE(sealer_.Open(blob + "x", Here()).has_value());
}

TEST_F(SealerTest, ABlobMovedToAnotherRowColumnTableOrTeamFailsClosed) {
  const std::string blob = SealCanary();
  for (const SealContext& other : {SealContext{8, "linked_accounts", "secret", 42},
                                   SealContext{7, "linked_accounts", "secret", 43},
                                   SealContext{7, "linked_accounts", "cookie", 42},
                                   SealContext{7, "searchads_accounts", "secret", 42}}) {
    auto opened = sealer_.Open(blob, other);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code(), Code::kDataLoss);
  }
}

TEST_F(SealerTest, EditingTheKeyVersionFailsClosedEvenWhenThatVersionExists) {
  std::string blob = SealCanary();
  blob[7] = 1;  // claims v1, which the ring has
  EXPECT_EQ(sealer_.Open(blob, Here()).error().code(), Code::kDataLoss);
  blob[7] = 9;  // a version the ring lacks
  EXPECT_EQ(sealer_.Open(blob, Here()).error().code(), Code::kDataLoss);
}

TEST_F(SealerTest, RewrapMovesOldBlobsToTheCurrentVersion) {
  KeyRing old_ring = *KeyRing::FromText(std::string(kTwoKeys).substr(0, std::string(kTwoKeys).find('\n') + 1));
  Sealer old_sealer(&old_ring);
  const std::string v1 = *old_sealer.Seal(kCanary, Here());
  ASSERT_EQ(*Sealer::BlobKeyVersion(v1), 1u);
  auto v2 = sealer_.Rewrap(v1, Here());
  ASSERT_TRUE(v2.has_value()) << v2.error().ToString();
  EXPECT_EQ(*Sealer::BlobKeyVersion(*v2), 2u);
  EXPECT_EQ(sealer_.Open(*v2, Here())->view(), kCanary);
  EXPECT_EQ(sealer_.Open(v1, Here())->view(), kCanary);  // old blobs stay readable
  EXPECT_FALSE(old_sealer.Open(*v2, Here()).has_value());
}

TEST_F(SealerTest, TheBlobHoldsNoTraceOfThePlaintext) {
  const std::string blob = SealCanary();
  const std::string canary = "CANARY-p8-secret-0123456789";
  for (const std::string& form : {canary, Base64Encode(canary).substr(0, 20),
                                  std::string("43414e415259")}) {  // hex of "CANARY"
    EXPECT_EQ(blob.find(form), std::string::npos) << form;
    EXPECT_EQ(Base64Encode(blob).find(form), std::string::npos) << form;
  }
}

}  // namespace
}  // namespace orchard::crypto
