// Reading secrets for the CLI: from a file, the environment or stdin — never from arguments
// (they show in `ps` and shell history). On a terminal, stdin is read without echo.
#pragma once

#include <string>

#include "core/secret.h"
#include "core/status.h"

namespace orchard::cli {

// The first line of stdin (without its newline). On a terminal, `prompt` goes to stderr and
// echo is off. kInvalidArgument when stdin is empty.
Result<Secret> ReadSecretLine(const std::string& prompt, const std::string& what);
// A whole file (at most `max_bytes`), e.g. a .p8 key.
Result<Secret> ReadSecretFile(const std::string& path, size_t max_bytes, const std::string& what);
// `env` if set (then unset in this process), else `file` if given, else stdin.
Result<Secret> ReadSecret(const std::string& env, const std::string& file, const std::string& prompt,
                          const std::string& what);

}  // namespace orchard::cli
