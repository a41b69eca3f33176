#include "cli/secret_input.h"

#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace orchard::cli {

Result<Secret> ReadSecretLine(const std::string& prompt, const std::string& what) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got || line.empty()) {
    WipeString(line);
    return Error(Code::kInvalidArgument, "no " + what + " on stdin (pipe it in, e.g. from a password manager)");
  }
  Secret out(line);
  WipeString(line);
  return out;
}

Result<Secret> ReadSecretFile(const std::string& path, size_t max_bytes, const std::string& what) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) return Error(Code::kInvalidArgument, "cannot read " + what + " file " + path);
  if (size > max_bytes) return Error(Code::kInvalidArgument, path + " is too large to be " + what);
  std::string raw(size, '\0');
  if (!in.read(raw.data(), static_cast<std::streamsize>(size))) {
    WipeString(raw);
    return Error(Code::kInvalidArgument, "cannot read " + what + " file " + path);
  }
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r') && max_bytes < 4096) raw.pop_back();
  Secret out(raw);
  WipeString(raw);
  return out;
}

Result<Secret> ReadSecret(const std::string& env, const std::string& file, const std::string& prompt,
                          const std::string& what) {
  if (char* value = std::getenv(env.c_str()); value != nullptr && *value != '\0') {
    Secret out{std::string_view(value)};
    // Overwrite the environment's copy too (it stays in /proc/<pid>/environ otherwise).
    sodium_memzero(value, std::strlen(value));
    ::unsetenv(env.c_str());
    return out;
  }
  if (!file.empty()) return ReadSecretFile(file, 1024, what);
  return ReadSecretLine(prompt, what);
}

}  // namespace orchard::cli
