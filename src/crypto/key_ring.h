// KeyRing: the versioned key-encryption keys (KEKs) that wrap every data key (security.md SEC-3).
//
// They live in a file outside the data dir (mode 0600), one line per version:
//   orchard-kek v<N> <base64 of 32 random bytes>
// The highest version is current; older ones stay to open older blobs until rotation re-wraps
// them. Keys are held in locked memory (Secret). Thread-safe for reads after construction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>

#include "core/secret.h"
#include "core/status.h"

namespace orchard::crypto {

inline constexpr size_t kKekBytes = 32;

class KeyRing {
 public:
  // Loads a key file. Refuses (kPermissionDenied) a file readable or writable by group/others;
  // a malformed file is kInvalidArgument with a message that never quotes key material.
  static Result<KeyRing> LoadFile(const std::filesystem::path& path);
  // Creates a new key file (0600, parent dir 0700 if created) holding one fresh key, v1.
  // kAlreadyExists if the file exists: a key is never overwritten.
  static Result<KeyRing> CreateFile(const std::filesystem::path& path);
  // Parses key-file text (e.g. from an environment variable).
  static Result<KeyRing> FromText(std::string_view text);

  uint32_t current_version() const { return keys_.empty() ? 0 : keys_.rbegin()->first; }
  const Secret* key(uint32_t version) const;
  size_t size() const { return keys_.size(); }

  // Adds version current+1 and rewrites the file atomically (temp file 0600, fsync, rename).
  Status AddVersionAndSave(const std::filesystem::path& path);

 private:
  std::map<uint32_t, Secret> keys_;
};

// `$ORCHARD_MASTER_KEY_FILE`, else `${XDG_CONFIG_HOME:-$HOME/.config}/orchard/master.key`.
// kInvalidArgument when that path lies inside the data dir.
Result<std::filesystem::path> DefaultMasterKeyPath(const std::filesystem::path& data_dir);

}  // namespace orchard::crypto
