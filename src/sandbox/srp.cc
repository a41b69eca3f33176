#include "sandbox/srp.h"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>
#include <vector>

namespace orchard::sandbox::srp {
namespace {

constexpr const char* kNHex =
    "AC6BDB41324A9A9BF166DE5E1389582FAF72B6651987EE07FC3192943DB56050A37329CBB4A099ED8193E0757767A13D"
    "D52312AB4B03310DCD7F48A9DA04FD50E8083969EDB767B0CF6095179A163AB3661A05FBD5FAAAE82918A9962F0B93B8"
    "55F97993EC975EEAA80D740ADBF4FF747359D041D5C33EA71D281E446B14773BCA97B43A23FB801676BD207A436C6481"
    "F1D2B9078717461A5B9D32E688F87748544523B524B0D57D5EA77A2775D2ECFA032CFBDBF52FB3786160279004E57AE6"
    "AF874E7303CE53299CCC041C7BC308D82A5698F3A8D0C38271AE35F8E9DBFBB694B5C803D89F7AE435DE236D525F5475"
    "9B65E372FCD68EF20FA7111F9E4AFF73";
constexpr size_t kLen = 256;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};

Bn FromBytes(std::string_view s) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()), nullptr));
}
std::string Minimal(const BIGNUM* b) {
  std::string out(static_cast<size_t>(BN_num_bytes(b)), '\0');
  BN_bn2bin(b, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}
std::string Pad(const BIGNUM* b) {
  std::string out(kLen, '\0');
  BN_bn2binpad(b, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(kLen));
  return out;
}
std::string Pad(std::string_view bytes) {
  if (bytes.size() >= kLen) return std::string(bytes);
  return std::string(kLen - bytes.size(), '\0') + std::string(bytes);
}
std::string StripZeros(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == '\0') ++i;
  return std::string(s.substr(i));
}
const BIGNUM* N() {
  static BIGNUM* n = [] {
    BIGNUM* b = nullptr;
    BN_hex2bn(&b, kNHex);
    return b;
  }();
  return n;
}
Bn G() {
  Bn g(BN_new());
  BN_set_word(g.get(), 2);
  return g;
}
Bn K() { return FromBytes(Sha256(Pad(N()) + Pad(G().get()))); }
Bn X(std::string_view salt, std::string_view key) {
  return FromBytes(Sha256(std::string(salt) + Sha256(":" + std::string(key))));
}
std::string Xor(const std::string& a, const std::string& b) {
  std::string out = a;
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ b[i]);
  return out;
}

}  // namespace

std::string Sha256(std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string PasswordKey(std::string_view password, std::string_view protocol,
                        std::string_view salt, int iterations) {
  std::string p = Sha256(password);
  if (protocol == "s2k_fo") {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : p) {
      hex.push_back(kHex[c >> 4]);
      hex.push_back(kHex[c & 15]);
    }
    p = hex;
  }
  unsigned char out[32];
  PKCS5_PBKDF2_HMAC(p.data(), static_cast<int>(p.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                    iterations, EVP_sha256(), sizeof out, out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string Verifier(std::string_view salt, std::string_view key) {
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
  Bn v(BN_new());
  BN_mod_exp(v.get(), G().get(), X(salt, key).get(), N(), ctx.get());
  return Minimal(v.get());
}

std::string ServerPublic(std::string_view verifier, std::string_view b) {
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
  Bn kv(BN_new()), gb(BN_new()), out(BN_new());
  BN_mod_mul(kv.get(), K().get(), FromBytes(verifier).get(), N(), ctx.get());
  BN_mod_exp(gb.get(), G().get(), FromBytes(b).get(), N(), ctx.get());
  BN_mod_add(out.get(), kv.get(), gb.get(), N(), ctx.get());
  return Minimal(out.get());
}

std::string ClientPublic(std::string_view a) {
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
  Bn out(BN_new());
  BN_mod_exp(out.get(), G().get(), FromBytes(a).get(), N(), ctx.get());
  return Minimal(out.get());
}

bool ValidPublic(std::string_view a_bytes) {
  if (a_bytes.empty() || a_bytes.size() > kLen) return false;
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
  Bn r(BN_new());
  BN_mod(r.get(), FromBytes(a_bytes).get(), N(), ctx.get());
  return !BN_is_zero(r.get());
}

bool VerifyProofs(std::string_view account, std::string_view salt, std::string_view verifier,
                  std::string_view A, std::string_view b, std::string_view B,
                  std::string_view m1, std::string_view m2) {
  if (!ValidPublic(A)) return false;
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
  const Bn a_num = FromBytes(A), v = FromBytes(verifier);
  const Bn u = FromBytes(Sha256(Pad(a_num.get()) + Pad(FromBytes(B).get())));
  if (BN_is_zero(u.get())) return false;
  // S = (A · v^u)^b mod N
  Bn vu(BN_new()), base(BN_new()), s(BN_new());
  BN_mod_exp(vu.get(), v.get(), u.get(), N(), ctx.get());
  BN_mod_mul(base.get(), a_num.get(), vu.get(), N(), ctx.get());
  BN_mod_exp(s.get(), base.get(), FromBytes(b).get(), N(), ctx.get());
  const std::string hng = Xor(Sha256(Minimal(N())), Sha256(Pad(G().get())));
  const std::string hu = Sha256(account);
  for (const std::string& key : {Sha256(Minimal(s.get())), Sha256(Pad(s.get()))}) {
    for (const std::string& a_form : {std::string(A), Pad(A)}) {
      for (const std::string& b_form : {std::string(B), Pad(B)}) {
        const std::string expected = Sha256(hng + hu + std::string(salt) + a_form + b_form + key);
        if (expected != m1) continue;
        const std::string amk = Sha256(a_form + expected + key);
        return StripZeros(amk) == StripZeros(m2);
      }
    }
  }
  return false;
}

}  // namespace orchard::sandbox::srp
