// The sandbox's SRP server against the test vector of apple-apis.md Appendix A.V.
#include "sandbox/srp.h"

#include <gtest/gtest.h>

#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

std::string Hex(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}
std::string Base64(const std::string& s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}
std::string EightTimes(const std::string& seed) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += srp::Sha256(seed);
  return out;
}

const char* kA =
    "op2zgJsZ4rRYWvz4jn2ek7wdvBiJwO/pkD6zXZ3YfyrrBFPDxyUC5H2H6tN6eOnYNITM5srfNY3+Br12OoHtX6PiqJXQLcvKLvY4"
    "4ajxBmfh1BlDixl1gHMRnjQF4b/xgq533wKHn4xzMHn8TJiTZveF5GudasrlWQ/7juI65zal1GxQ1tLXQ9WBM1MMFh9um+MnIWHp"
    "hR8U5M1Q16JsyWutebVkjqr4VLWzBt2ie+LvLsotXF6lLUNfAL5qYzJB9n/OBjJm8uX7n19LhNDo5DHp5geon1/4eSHdog91VelM"
    "TsICGqE0XEm+AUQtPD+jFeAdyTagPr/arLFfulAYjg==";

struct Vector {
  const char* protocol;
  const char* key_hex;
  const char* b64_B;
  const char* m1;
  const char* m2;
};
const Vector kVectors[] = {
    {"s2k", "401659037570a66abac56fef43630fa3ce6ac52b84028f87ef6cdd7f2ac6ea65",
     "bnK68x7znru6t1tWdCIonw5Q7YhKH+k8oekgSQBPKNYFACQTKzG/Zx4tfpchLsiq4dXhEhzkd7aIHSYOywYoBXP1MnWsZ6GeR1Mf"
     "a+mVIgcmMxplD+OcJwMjSnQp8Hg9k4sPaT7KUFuplyrcKTAn+Fdf0X2IaM4kShnRDkPR92fThv2I3OTtiA2P3KnAzHXUraQo4Thc"
     "hbPN1owpG3y9wZbBz6c+ilqP6yE2wqBN/dbVvhnQzCK1U5ES8988Ti9tgwcqf8cr0Jn24cnAV4NJuWty3X+E8GrcnDT1MI+E96BX"
     "K6Ga28/mBPUjbrW7/DadafyOp0AsIlwGGiqhPD+E5A==",
     "bGvvb69JsfZWbneqPDfkVhixu/LviRNpPFidC23fcFc=", "A/4v0JmIBbNBpGIT+AiS3lm8hZxO+ZgEUvxwSV2YzcU="},
    {"s2k_fo", "c013d7d128a84ccc995f4e194d9c8dceb69a44e91b3b9b6b3790dbc1985165c9",
     "RYBt7uCRAlRw2k4x4yuzydkvNIjKlJsZPjVi4nUoyYBIF9ui4Ap8otN0wtP0nHOMqUEDnmaHiqWEO/cchmTXYI4mPHySUKbRxADS"
     "U1sz4VBayGu607sGcNW3ph6YpI+unk36Pck0u/84GOB0OjQairaJMSPwHVa7eMJq2Vu0Lsha8I3nbzXZPdh2OBq1xgLlUCFMHrMg"
     "F92g+W11hKYOKtj/ABzCapntbRLsuhhHC4fiZp5sY7e2FT7oARFSYDe2KcYJBE3k5wa7twdmt29GqjLQ96O3xAK0URM+rmQyp4jp"
     "lTdeTeQvFV0Pt+DtpvasJqcoI7EFtPXA6ay12hD6oA==",
     "nHCkUaWSUPAQhBVXkF8VYQqDbbzTAcA/l/dCaXRSJNA=", "KfMTNHRUAFY/yupcasH4QPtHF+SxViTqkEYq9B/2l/8="},
};

std::string Unbase64(const std::string& s) {
  std::string out(s.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  size_t pad = 0;
  while (pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

TEST(SrpTest, MatchesTheAppendixVectorForBothProtocols) {
  std::string salt;
  for (int i = 1; i <= 16; ++i) salt.push_back(static_cast<char>(i));
  const std::string a = EightTimes("client-a-seed"), b = EightTimes("server-b-seed");
  ASSERT_EQ(Hex(a).substr(0, 8), "54cb4fbb");
  EXPECT_EQ(Base64(srp::ClientPublic(a)), kA);
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(v.protocol);
    const std::string key = srp::PasswordKey("Correct-Horse-1", v.protocol, salt, 1000);
    EXPECT_EQ(Hex(key), v.key_hex);
    const std::string verifier = srp::Verifier(salt, key);
    const std::string B = srp::ServerPublic(verifier, b);
    EXPECT_EQ(Base64(B), v.b64_B);
    const std::string A = Unbase64(kA), m1 = Unbase64(v.m1), m2 = Unbase64(v.m2);
    EXPECT_TRUE(srp::VerifyProofs("tester@example.com", salt, verifier, A, b, B, m1, m2));
    // A wrong proof, another account name or a wrong password's verifier fail.
    std::string bad = m1;
    bad[5] ^= 1;
    EXPECT_FALSE(srp::VerifyProofs("tester@example.com", salt, verifier, A, b, B, bad, m2));
    EXPECT_FALSE(srp::VerifyProofs("other@example.com", salt, verifier, A, b, B, m1, m2));
    const std::string wrong = srp::Verifier(salt, srp::PasswordKey("Correct-Horse-2", v.protocol, salt, 1000));
    EXPECT_FALSE(srp::VerifyProofs("tester@example.com", salt, wrong, A, b, srp::ServerPublic(wrong, b), m1, m2));
  }
  EXPECT_FALSE(srp::ValidPublic(std::string(256, '\0')));
  EXPECT_FALSE(srp::ValidPublic(""));
}

}  // namespace
}  // namespace orchard::sandbox
