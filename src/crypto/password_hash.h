// Passwords of Orchard's own users (security.md SEC-6): argon2id with 64 MiB and two passes,
// in the PHC string format libsodium writes ("$argon2id$v=19$m=65536,t=2,p=1$…"), so the
// parameters travel with each hash and an older hash can be recognised and redone at login.
#pragma once

#include <string>

#include "core/secret.h"
#include "core/status.h"

namespace orchard::crypto {

inline constexpr size_t kMinPasswordLength = 8;

// kInvalidArgument for a password shorter than 8 characters (bytes of UTF-8); passphrases of
// any length are accepted. kResourceExhausted when the 64 MiB cannot be had.
Result<std::string> HashPassword(const Secret& password);
// True when `password` matches `encoded` (constant time inside libsodium).
bool VerifyPassword(const std::string& encoded, const Secret& password);
// True when `encoded` was made with other parameters (or another algorithm) than today's.
bool PasswordNeedsRehash(const std::string& encoded);

}  // namespace orchard::crypto
