#include "crypto/sealer.h"

#include <sodium.h>

#include <array>

namespace orchard::crypto {
namespace {

constexpr std::string_view kMagic = "ORS1";
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr size_t kDataKey = crypto_aead_xchacha20poly1305_ietf_KEYBYTES; // 32
constexpr size_t kWrapAt = 4 + 4;
constexpr size_t kPayloadAt = kWrapAt + kNonce + kDataKey + kTag;
constexpr size_t kHeader = kPayloadAt + kNonce;

static_assert(kDataKey == kKekBytes);

void AppendField(std::string* out, std::string_view field) {
  const auto n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  out->append(field);
}

std::string AssociatedData(const SealContext& w, uint32_t version) {
  std::string ad;
  AppendField(&ad, "orchard-seal-v1");
  AppendField(&ad, std::to_string(w.team_id));
  AppendField(&ad, w.table);
  AppendField(&ad, w.column);
  AppendField(&ad, std::to_string(w.row_id));
  AppendField(&ad, std::to_string(version));
  return ad;
}

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// A data key in locked memory for the few microseconds it is needed.
class DataKey {
 public:
  DataKey() : bytes_(static_cast<unsigned char*>(sodium_malloc(kDataKey))) {}
  ~DataKey() { sodium_free(bytes_); }
  DataKey(const DataKey&) = delete;
  DataKey& operator=(const DataKey&) = delete;
  unsigned char* get() { return bytes_; }
  bool ok() const { return bytes_ != nullptr; }

 private:
  unsigned char* bytes_;
};

Status DataLoss() {
  // One message for every failure: no oracle about which part was wrong.
  return Status(Code::kDataLoss, "sealed secret failed to open (tampered, moved or wrong key)");
}

bool InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

// Opens the wrapped data key of `blob` into `key`.
Status Unwrap(const KeyRing& ring, std::string_view blob, const SealContext& where, uint32_t* version,
              DataKey* key) {
  if (blob.size() < kHeader + kTag || blob.substr(0, 4) != kMagic) return DataLoss();
  const auto* p = U(blob);
  *version = static_cast<uint32_t>(p[4]) << 24 | static_cast<uint32_t>(p[5]) << 16 |
             static_cast<uint32_t>(p[6]) << 8 | static_cast<uint32_t>(p[7]);
  const Secret* kek = ring.key(*version);
  if (kek == nullptr || !key->ok()) return DataLoss();
  const std::string ad = AssociatedData(where, *version);
  unsigned long long n = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(key->get(), &n, nullptr, p + kWrapAt + kNonce,
                                                 kDataKey + kTag, U(ad), ad.size(), p + kWrapAt,
                                                 kek->bytes()) != 0 ||
      n != kDataKey) {
    return DataLoss();
  }
  return Status::Ok();
}

// Writes header + wrapped `key` under the ring's current KEK into `out` (resized to kHeader).
Status Wrap(const KeyRing& ring, const SealContext& where, DataKey* key, std::string* out) {
  const uint32_t version = ring.current_version();
  const Secret* kek = ring.key(version);
  if (kek == nullptr) return Status(Code::kFailedPrecondition, "no master key loaded");
  out->assign(kHeader, '\0');
  auto* p = U(*out);
  std::copy(kMagic.begin(), kMagic.end(), out->begin());
  p[4] = static_cast<unsigned char>(version >> 24);
  p[5] = static_cast<unsigned char>(version >> 16);
  p[6] = static_cast<unsigned char>(version >> 8);
  p[7] = static_cast<unsigned char>(version);
  randombytes_buf(p + kWrapAt, kNonce);
  const std::string ad = AssociatedData(where, version);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(p + kWrapAt + kNonce, &n, key->get(), kDataKey,
                                             U(ad), ad.size(), nullptr, p + kWrapAt, kek->bytes());
  return n == kDataKey + kTag ? Status::Ok() : Status(Code::kInternal, "key wrap failed");
}

}  // namespace

void Sealer::WatchKeyFile(std::filesystem::path path) {
  std::lock_guard lock(mu_);
  key_file_ = std::move(path);
  std::error_code ec;
  key_file_time_ = std::filesystem::last_write_time(key_file_, ec);
}

const KeyRing& Sealer::Ring(bool check_file) const {
  std::lock_guard lock(mu_);
  if (check_file && !key_file_.empty()) {
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(key_file_, ec);
    if (!ec && mtime != key_file_time_) {
      auto fresh = KeyRing::LoadFile(key_file_);
      // Only ever move forward: a half-written or older file is ignored.
      if (fresh.has_value() && fresh->current_version() >= ring_->current_version()) {
        reloaded_.push_back(std::make_unique<KeyRing>(std::move(*fresh)));
        ring_ = reloaded_.back().get();
        key_file_time_ = mtime;
      }
    }
  }
  return *ring_;
}

Result<std::string> Sealer::Seal(std::string_view plaintext, const SealContext& where) const {
  if (!InitSodium()) return Error(Code::kInternal, "libsodium failed to initialise");
  DataKey key;
  if (!key.ok()) return Error(Code::kInternal, "out of locked memory");
  crypto_aead_xchacha20poly1305_ietf_keygen(key.get());
  const KeyRing& ring = Ring(/*check_file=*/true);
  std::string blob;
  ORCHARD_RETURN_IF_ERROR(Wrap(ring, where, &key, &blob));
  auto* p = U(blob);
  randombytes_buf(p + kPayloadAt, kNonce);
  const uint32_t version = ring.current_version();
  const std::string ad = AssociatedData(where, version);
  blob.resize(kHeader + plaintext.size() + kTag);
  p = U(blob);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(p + kHeader, &n, U(plaintext), plaintext.size(),
                                             U(ad), ad.size(), nullptr, p + kPayloadAt, key.get());
  blob.resize(kHeader + n);
  return blob;
}

Result<Secret> Sealer::Open(std::string_view blob, const SealContext& where) const {
  if (!InitSodium()) return Error(Code::kInternal, "libsodium failed to initialise");
  DataKey key;
  uint32_t version = 0;
  const KeyRing* ring = &Ring(/*check_file=*/false);
  // A version newer than ours: another process rotated the key; read the key file again.
  if (auto v = BlobKeyVersion(blob); v.has_value() && *v > ring->current_version()) {
    ring = &Ring(/*check_file=*/true);
  }
  ORCHARD_RETURN_IF_ERROR(Unwrap(*ring, blob, where, &version, &key));
  const std::string ad = AssociatedData(where, version);
  const size_t cipher = blob.size() - kHeader;
  // Decrypt straight into locked memory.
  auto* plain = static_cast<unsigned char*>(sodium_malloc(cipher));
  if (plain == nullptr) return Error(Code::kInternal, "out of locked memory");
  unsigned long long n = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      plain, &n, nullptr, U(blob) + kHeader, cipher, U(ad), ad.size(), U(blob) + kPayloadAt, key.get());
  if (rc != 0) {
    sodium_free(plain);
    return Error(DataLoss());
  }
  Secret out(std::string_view(reinterpret_cast<const char*>(plain), n));
  sodium_free(plain);
  return out;
}

Result<std::string> Sealer::Rewrap(std::string_view blob, const SealContext& where) const {
  if (!InitSodium()) return Error(Code::kInternal, "libsodium failed to initialise");
  DataKey key;
  uint32_t version = 0;
  const KeyRing& ring = Ring(/*check_file=*/true);
  ORCHARD_RETURN_IF_ERROR(Unwrap(ring, blob, where, &version, &key));
  // The payload's associated data names the version too, so the payload is re-sealed under the
  // same data key with the new version bound in.
  auto plain = Open(blob, where);
  if (!plain.has_value()) return Error(plain.error());
  std::string out;
  ORCHARD_RETURN_IF_ERROR(Wrap(ring, where, &key, &out));
  auto* p = U(out);
  randombytes_buf(p + kPayloadAt, kNonce);
  const std::string ad = AssociatedData(where, ring.current_version());
  out.resize(kHeader + plain->size() + kTag);
  p = U(out);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(p + kHeader, &n, plain->bytes(), plain->size(),
                                             U(ad), ad.size(), nullptr, p + kPayloadAt, key.get());
  out.resize(kHeader + n);
  return out;
}

Result<uint32_t> Sealer::BlobKeyVersion(std::string_view blob) {
  if (blob.size() < kHeader + kTag || blob.substr(0, 4) != kMagic) return Error(DataLoss());
  const auto* p = U(blob);
  return static_cast<uint32_t>(p[4]) << 24 | static_cast<uint32_t>(p[5]) << 16 |
         static_cast<uint32_t>(p[6]) << 8 | static_cast<uint32_t>(p[7]);
}

}  // namespace orchard::crypto
