// Tokens are checked with an independent verifier: the openssl command-line tool.
#include "crypto/jwt.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/base64.h"

namespace orchard::crypto {
namespace {

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// DER for ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, written here so the check does
// not reuse the code under test.
std::string DerInteger(std::string_view big_endian) {
  size_t i = 0;
  while (i + 1 < big_endian.size() && big_endian[i] == 0) ++i;
  std::string v(big_endian.substr(i));
  if (static_cast<unsigned char>(v[0]) & 0x80) v.insert(v.begin(), '\0');
  return std::string("\x02", 1) + static_cast<char>(v.size()) + v;
}
std::string RawToDer(std::string_view raw) {
  const std::string body = DerInteger(raw.substr(0, 32)) + DerInteger(raw.substr(32, 32));
  return std::string("\x30", 1) + static_cast<char>(body.size()) + body;
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("orchard-jwt-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    Shell("openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out " +
        (dir_ / "AuthKey.p8").string());
    pem_ = ReadFile(dir_ / "AuthKey.p8");
    ASSERT_NE(pem_.find("BEGIN PRIVATE KEY"), std::string::npos) << pem_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Es256PrivateKey Key() { return *Es256PrivateKey::FromPem(Secret(pem_)); }

  // Verifies `token` with `openssl dgst -verify`; returns openssl's output.
  std::string OpensslVerify(const std::string& token) {
    const size_t dot = token.rfind('.');
    std::ofstream(dir_ / "input", std::ios::binary) << token.substr(0, dot);
    const std::string raw = *Base64UrlDecode(token.substr(dot + 1));
    EXPECT_EQ(raw.size(), 64u);
    std::ofstream(dir_ / "sig.der", std::ios::binary) << RawToDer(raw);
    Shell("openssl pkey -in " + (dir_ / "AuthKey.p8").string() + " -pubout -out " + (dir_ / "pub.pem").string());
    return Shell("openssl dgst -sha256 -verify " + (dir_ / "pub.pem").string() + " -signature " +
               (dir_ / "sig.der").string() + " " + (dir_ / "input").string());
  }

  std::filesystem::path dir_;
  std::string pem_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
};

TEST_F(JwtTest, TokensHaveApplesHeaderAndClaimsAndVerifyWithOpenssl) {
  AscTokenSigner signer("57246542-96fe-1a63-e053-0824d011072a", "2X9R4HXF34", Key(), &clock_);
  const std::string token = *signer.Token();
  const size_t a = token.find('.'), b = token.rfind('.');
  const auto header = nlohmann::json::parse(*Base64UrlDecode(token.substr(0, a)));
  const auto payload = nlohmann::json::parse(*Base64UrlDecode(token.substr(a + 1, b - a - 1)));
  EXPECT_EQ(header, nlohmann::json({{"alg", "ES256"}, {"kid", "2X9R4HXF34"}, {"typ", "JWT"}}));
  EXPECT_EQ(payload["iss"], "57246542-96fe-1a63-e053-0824d011072a");
  EXPECT_EQ(payload["aud"], "appstoreconnect-v1");
  EXPECT_EQ(payload["iat"], 1'800'000'000);
  EXPECT_LE(payload["exp"].get<int64_t>() - payload["iat"].get<int64_t>(), 1200);
  EXPECT_EQ(token.find('='), std::string::npos);  // base64url without padding
  EXPECT_NE(OpensslVerify(token).find("Verified OK"), std::string::npos);
}

TEST_F(JwtTest, OpensslRejectsATamperedSignature) {
  AscTokenSigner signer("i", "K", Key(), &clock_);
  std::string token = *signer.Token();
  std::string raw = *Base64UrlDecode(token.substr(token.rfind('.') + 1));
  raw[10] = static_cast<char>(raw[10] ^ 1);
  token = token.substr(0, token.rfind('.') + 1) + Base64UrlEncode(raw);
  EXPECT_EQ(OpensslVerify(token).find("Verified OK"), std::string::npos);
}

TEST_F(JwtTest, ATokenIsReusedUntilAMinuteBeforeExpiry) {
  AscTokenSigner signer("i", "K", Key(), &clock_);  // 19-minute lifetime
  const std::string first = *signer.Token();
  clock_.Advance(std::chrono::minutes(17));
  EXPECT_EQ(*signer.Token(), first);
  clock_.Advance(std::chrono::seconds(61));  // 18:01 → less than 60 s left of 19:00
  EXPECT_NE(*signer.Token(), first);
}

TEST_F(JwtTest, LifetimeIsClampedToTwentyMinutes) {
  AscTokenSigner signer("i", "K", Key(), &clock_, std::chrono::hours(2));
  const std::string token = *signer.Token();
  const size_t a = token.find('.'), b = token.rfind('.');
  const auto payload = nlohmann::json::parse(*Base64UrlDecode(token.substr(a + 1, b - a - 1)));
  EXPECT_EQ(payload["exp"].get<int64_t>() - payload["iat"].get<int64_t>(), 1200);
}

TEST_F(JwtTest, OurVerifierAcceptsRawAndRejectsDerSignatures) {
  Es256PrivateKey key = Key();
  const std::string raw = *key.SignRaw("message");
  const std::string pub = *key.PublicKeyPem();
  EXPECT_TRUE(*VerifyEs256Raw(pub, "message", raw));
  EXPECT_FALSE(*VerifyEs256Raw(pub, "other", raw));
  EXPECT_FALSE(*VerifyEs256Raw(pub, "message", RawToDer(raw)));
}

TEST_F(JwtTest, NonP256KeysAndGarbageAreRefusedInPlainWords) {
  Shell("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out " + (dir_ / "rsa.pem").string());
  auto rsa = Es256PrivateKey::FromPem(Secret(ReadFile(dir_ / "rsa.pem")));
  ASSERT_FALSE(rsa.has_value());
  EXPECT_NE(rsa.error().message().find("P-256"), std::string::npos);
  Shell("openssl ecparam -name secp384r1 -genkey -noout -out " + (dir_ / "p384.pem").string());
  EXPECT_FALSE(Es256PrivateKey::FromPem(Secret(ReadFile(dir_ / "p384.pem"))).has_value());
  EXPECT_FALSE(Es256PrivateKey::FromPem(Secret("hello")).has_value());
  EXPECT_FALSE(Es256PrivateKey::FromPem(Secret("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")).has_value());
  // A SEC1 P-256 key (Search Ads style) is accepted.
  Shell("openssl ecparam -name prime256v1 -genkey -noout -out " + (dir_ / "sec1.pem").string());
  EXPECT_TRUE(Es256PrivateKey::FromPem(Secret(ReadFile(dir_ / "sec1.pem"))).has_value());
}

}  // namespace
}  // namespace orchard::crypto
