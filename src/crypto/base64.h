// Base64 (RFC 4648) in its standard and URL-safe forms, over libsodium.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace orchard::crypto {

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);  // padding required, whitespace ignored
std::string Base64UrlEncode(std::string_view bytes);      // no padding (JWS)
Result<std::string> Base64UrlDecode(std::string_view text);  // padding optional

}  // namespace orchard::crypto
