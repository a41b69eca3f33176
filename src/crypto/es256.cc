#include "crypto/es256.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

namespace orchard::crypto {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

bool IsP256(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof name, &len) != 1) return false;
  return std::string_view(name, len) == "prime256v1" || std::string_view(name, len) == "P-256";
}

}  // namespace

void Es256PrivateKey::Free::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

Result<Es256PrivateKey> Es256PrivateKey::FromPem(const Secret& pem) {
  if (pem.view().find("-----BEGIN") == std::string_view::npos) {
    return Error(Code::kInvalidArgument, "not a PEM private key (.p8)");
  }
  Bio bio(BIO_new_mem_buf(pem.view().data(), static_cast<int>(pem.size())));
  if (!bio) return Error(Code::kInternal, "out of memory");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return Error(Code::kInvalidArgument, "not a readable PEM private key (.p8)");
  }
  if (!IsP256(key)) {
    EVP_PKEY_free(key);
    return Error(Code::kInvalidArgument,
                 "not a P-256 private key (.p8): App Store Connect keys are EC keys on prime256v1");
  }
  return Es256PrivateKey(key);
}

Result<std::string> Es256PrivateKey::SignRaw(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSignUpdate(ctx.get(), message.data(), message.size()) != 1) {
    return Error(Code::kInternal, "ES256 signing failed to start");
  }
  size_t der_len = 0;
  if (EVP_DigestSignFinal(ctx.get(), nullptr, &der_len) != 1) {
    return Error(Code::kInternal, "ES256 signing failed");
  }
  std::string der(der_len, '\0');
  if (EVP_DigestSignFinal(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len) != 1) {
    return Error(Code::kInternal, "ES256 signing failed");
  }
  // OpenSSL gives DER; JWS wants the fixed-width R || S.
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return Error(Code::kInternal, "ES256 signature is not DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(64, '\0');
  if (BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32) != 32 ||
      BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32) != 32) {
    return Error(Code::kInternal, "ES256 signature does not fit 64 bytes");
  }
  return raw;
}

Result<std::string> Es256PrivateKey::PublicKeyPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return Error(Code::kInternal, "cannot export the public key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<bool> VerifyEs256Raw(std::string_view public_key_pem, std::string_view message,
                            std::string_view raw_signature) {
  if (raw_signature.size() != 64) return false;
  Bio bio(BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())));
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || !IsP256(key.get())) return Error(Code::kInvalidArgument, "not a P-256 public key");
  EcdsaSig sig(ECDSA_SIG_new());
  const auto* raw = reinterpret_cast<const unsigned char*>(raw_signature.data());
  BIGNUM* r = BN_bin2bn(raw, 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return Error(Code::kInternal, "out of memory");
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return Error(Code::kInternal, "cannot encode the signature");
  MdCtx ctx(EVP_MD_CTX_new());
  const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len),
                                   reinterpret_cast<const unsigned char*>(message.data()),
                                   message.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

}  // namespace orchard::crypto
