// Apple ID web sign-in: the client side of SRP against apple-apis.md Appendix A.V, hashcash
// against §A.3's vectors, and the whole flow against the sandbox.
#include "apple/idmsa/web_sign_in.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apple/testing/sandbox_fixture.h"

namespace orchard::apple::idmsa {
namespace {

using Json = nlohmann::json;

std::string H(const std::string& s) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}
std::string B64(const std::string& s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                 reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()))));
  return out;
}
std::string Unb64(const std::string& s) {
  std::string out(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  size_t pad = 0;
  while (pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

TEST(SrpClientTest, ReproducesTheSpecsVector) {
  std::string salt, a;
  for (int i = 1; i <= 16; ++i) salt.push_back(static_cast<char>(i));
  for (int i = 0; i < 8; ++i) a += H("client-a-seed");
  struct Case {
    const char* protocol;
    const char* B;
    const char* m1;
    const char* m2;
  };
  const Case cases[] = {
      {"s2k",
       "bnK68x7znru6t1tWdCIonw5Q7YhKH+k8oekgSQBPKNYFACQTKzG/Zx4tfpchLsiq4dXhEhzkd7aIHSYOywYoBXP1MnWsZ6GeR1Mfa+mVIgcmMxplD+OcJwMjSnQp8Hg9k4sPaT7KUFuplyrcKTAn+Fdf0X2IaM4kShnRDkPR92fThv2I3OTtiA2P3KnAzHXUraQo4ThchbPN1owpG3y9wZbBz6c+ilqP6yE2wqBN/dbVvhnQzCK1U5ES8988Ti9tgwcqf8cr0Jn24cnAV4NJuWty3X+E8GrcnDT1MI+E96BXK6Ga28/mBPUjbrW7/DadafyOp0AsIlwGGiqhPD+E5A==",
       "bGvvb69JsfZWbneqPDfkVhixu/LviRNpPFidC23fcFc=", "A/4v0JmIBbNBpGIT+AiS3lm8hZxO+ZgEUvxwSV2YzcU="},
      {"s2k_fo",
       "RYBt7uCRAlRw2k4x4yuzydkvNIjKlJsZPjVi4nUoyYBIF9ui4Ap8otN0wtP0nHOMqUEDnmaHiqWEO/cchmTXYI4mPHySUKbRxADSU1sz4VBayGu607sGcNW3ph6YpI+unk36Pck0u/84GOB0OjQairaJMSPwHVa7eMJq2Vu0Lsha8I3nbzXZPdh2OBq1xgLlUCFMHrMgF92g+W11hKYOKtj/ABzCapntbRLsuhhHC4fiZp5sY7e2FT7oARFSYDe2KcYJBE3k5wa7twdmt29GqjLQ96O3xAK0URM+rmQyp4jplTdeTeQvFV0Pt+DtpvasJqcoI7EFtPXA6ay12hD6oA==",
       "nHCkUaWSUPAQhBVXkF8VYQqDbbzTAcA/l/dCaXRSJNA=", "KfMTNHRUAFY/yupcasH4QPtHF+SxViTqkEYq9B/2l/8="},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.protocol);
    auto proofs = ClientProofs("tester@example.com", Secret("Correct-Horse-1"), c.protocol, salt, 1000, a, Unb64(c.B));
    ASSERT_TRUE(proofs.has_value()) << proofs.error().ToString();
    EXPECT_EQ(B64(proofs->A).substr(0, 16), "op2zgJsZ4rRYWvz4");
    EXPECT_EQ(B64(proofs->m1), c.m1);
    EXPECT_EQ(B64(proofs->m2), c.m2);
  }
}

TEST(HashcashTest, MatchesTheSpecsVectors) {
  EXPECT_EQ(MintHashcash(11, "4d74fb15eb23f465f1f6fcbf534e5877", "20230223170600"),
            "1:11:20230223170600:4d74fb15eb23f465f1f6fcbf534e5877::6373");
  EXPECT_EQ(MintHashcash(12, "f8b58554b2f22960fc0dc99aea342276", "20230223213732"),
            "1:12:20230223213732:f8b58554b2f22960fc0dc99aea342276::2381");
}

class WebSignInTest : public testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    account_ = KeysFile("sub-account.json");
    key_ = KeysFile("key.json");
    client_ = std::make_unique<WebSignIn>(sandbox_->base_url(), http_.get());
  }
  std::string Code() {
    httplib::Client c("127.0.0.1", sandbox_->port());
    return Json::parse(c.Get("/_sandbox/appleid/code")->body)["code"];
  }
  Json account_, key_;
  std::unique_ptr<WebSignIn> client_;
};

TEST_F(WebSignInTest, SignsInWithACodeThenWithTheTrustAlone) {
  const std::string apple_id = account_["apple_id"];
  const Secret password(account_["password"].get<std::string>());
  WebSession session;
  auto wrong = client_->Start(apple_id, Secret("not the password"), &session);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), Code::kUnauthenticated);

  auto step = client_->Start(apple_id, password, &session);
  ASSERT_TRUE(step.has_value()) << step.error().ToString();
  ASSERT_EQ(*step, SignInStep::kNeedsCode);
  const std::string code = Code();
  const Status bad = client_->SubmitCode(code == "000000" ? "111111" : "000000", &session);
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  ASSERT_TRUE(client_->SubmitCode(code, &session).ok());
  auto provider = client_->Session(&session);
  ASSERT_TRUE(provider.has_value()) << provider.error().ToString();
  EXPECT_EQ(provider->public_provider_id, key_["issuer_id"]);
  EXPECT_EQ(provider->email, apple_id);
  bool trusted = false;
  for (const auto& [name, value] : session.jar.cookies) trusted |= name.rfind("DES", 0) == 0;
  EXPECT_TRUE(trusted);

  // The session ends; signing in again with the saved jar needs no code.
  httplib::Client control("127.0.0.1", sandbox_->port());
  ASSERT_EQ(control.Post("/_sandbox/appleid/expire-sessions", "", "application/json")->status, 200);
  auto expired = client_->Session(&session);
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code(), Code::kUnauthenticated);
  auto again = client_->Start(apple_id, password, &session);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(*again, SignInStep::kSignedIn);
  EXPECT_TRUE(client_->Session(&session).has_value());
}

}  // namespace
}  // namespace orchard::apple::idmsa
