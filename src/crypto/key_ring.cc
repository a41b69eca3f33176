#include "crypto/key_ring.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/base64.h"

namespace orchard::crypto {
namespace {

std::string Serialize(const std::map<uint32_t, Secret>& keys) {
  std::string out = "# Orchard master key (key-encryption keys). Keep it secret, keep a backup.\n";
  for (const auto& [version, key] : keys) {
    out += "orchard-kek v" + std::to_string(version) + " " + Base64Encode(key.view()) + "\n";
  }
  return out;
}

Status WriteFileAtomically(const std::filesystem::path& path, std::string& text, bool exclusive) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const std::filesystem::path target = exclusive ? path : tmp;
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  const int fd = ::open(target.c_str(), flags, 0600);
  if (fd < 0) {
    const int err = errno;
    WipeString(text);
    if (err == EEXIST) return Status(Code::kAlreadyExists, target.string() + " already exists");
    return Status(Code::kPermissionDenied, "cannot create " + target.string() + ": " + std::strerror(err));
  }
  const ssize_t n = ::write(fd, text.data(), text.size());
  const bool ok = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  WipeString(text);
  if (!ok) {
    std::filesystem::remove(target);
    return Status(Code::kUnavailable, "cannot write " + target.string());
  }
  if (!exclusive) {
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) return Status(Code::kUnavailable, "cannot replace " + path.string() + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

Result<KeyRing> KeyRing::FromText(std::string_view text) {
  KeyRing ring;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto bad = [&](const char* why) {
      return Error(Code::kInvalidArgument,
                   "master key file, line " + std::to_string(line_no) + ": " + why);
    };
    if (!line.starts_with("orchard-kek v")) return bad("expected 'orchard-kek v<N> <key>'");
    line.remove_prefix(13);
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return bad("expected 'orchard-kek v<N> <key>'");
    uint32_t version = 0;
    for (char c : line.substr(0, space)) {
      if (c < '0' || c > '9' || version > 100000) return bad("bad key version");
      version = version * 10 + static_cast<uint32_t>(c - '0');
    }
    if (version == 0) return bad("key versions start at 1");
    auto key = Base64Decode(line.substr(space + 1));
    if (!key.has_value() || key->size() != kKekBytes) {
      if (key.has_value()) WipeString(*key);
      return bad("the key is not 32 bytes of base64");
    }
    if (ring.keys_.contains(version)) return bad("duplicate key version");
    ring.keys_.emplace(version, Secret(*key));
    WipeString(*key);
  }
  if (ring.keys_.empty()) return Error(Code::kInvalidArgument, "the master key file holds no key");
  return ring;
}

Result<KeyRing> KeyRing::LoadFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error(Code::kNotFound, "master key file " + path.string() + " not found");
  }
  if ((st.st_mode & 077) != 0) {
    return Error(Code::kPermissionDenied,
                 "the master key file " + path.string() +
                     " is readable by other users; run: chmod 600 " + path.string());
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  auto ring = FromText(text);
  WipeString(text);
  if (!ring.has_value()) return Error(ring.error().WithContext(path.string()));
  return ring;
}

Result<KeyRing> KeyRing::CreateFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), ec)) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return Error(Code::kPermissionDenied,
                   "cannot create " + path.parent_path().string() + ": " + ec.message());
    }
    ::chmod(path.parent_path().c_str(), 0700);
  }
  if (sodium_init() < 0) return Error(Code::kInternal, "libsodium failed to initialise");
  KeyRing ring;
  std::string raw(kKekBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  ring.keys_.emplace(1, Secret(raw));
  WipeString(raw);
  std::string text = Serialize(ring.keys_);
  ORCHARD_RETURN_IF_ERROR(WriteFileAtomically(path, text, /*exclusive=*/true));
  return ring;
}

const Secret* KeyRing::key(uint32_t version) const {
  auto it = keys_.find(version);
  return it == keys_.end() ? nullptr : &it->second;
}

Status KeyRing::AddVersionAndSave(const std::filesystem::path& path) {
  std::string raw(kKekBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  const uint32_t next = current_version() + 1;
  keys_.emplace(next, Secret(raw));
  WipeString(raw);
  std::string text = Serialize(keys_);
  Status st = WriteFileAtomically(path, text, /*exclusive=*/false);
  if (!st.ok()) keys_.erase(next);
  return st;
}

Result<std::filesystem::path> DefaultMasterKeyPath(const std::filesystem::path& data_dir) {
  std::filesystem::path path;
  if (const char* env = std::getenv("ORCHARD_MASTER_KEY_FILE"); env != nullptr && *env != '\0') {
    path = env;
  } else if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    path = std::filesystem::path(xdg) / "orchard" / "master.key";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    path = std::filesystem::path(home) / ".config" / "orchard" / "master.key";
  } else {
    return Error(Code::kFailedPrecondition,
                 "set ORCHARD_MASTER_KEY_FILE (no HOME to keep the master key in)");
  }
  const auto key = std::filesystem::weakly_canonical(std::filesystem::absolute(path));
  const auto dir = std::filesystem::weakly_canonical(std::filesystem::absolute(data_dir));
  auto [d, k] = std::mismatch(dir.begin(), dir.end(), key.begin(), key.end());
  if (d == dir.end()) {
    return Error(Code::kInvalidArgument,
                 "the master key file " + key.string() +
                     " must live outside the data dir " + dir.string());
  }
  return key;
}

}  // namespace orchard::crypto
