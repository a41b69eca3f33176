// Logging: spdlog behind one seam, with redaction as a second line of defence.
//
// The first line of defence is the type system: credentials live in `Secret`, which cannot be
// formatted. The second is here: every message passes through Redact() before any sink sees
// it, which masks PEM blocks, JWTs, bearer tokens, app-specific passwords and long base64 runs.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace orchard {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

// Installs the process-wide logger (stderr). Safe to call more than once; the last call wins.
void InitLogging(LogLevel level);
// Parses "debug" | "info" | "warn" | "error" | "off"; unknown → kWarn.
LogLevel ParseLogLevel(std::string_view name);

// Masks anything that looks like a credential. Pure function, used by the log sink.
std::string Redact(std::string_view message);

}  // namespace orchard

#define ORCHARD_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define ORCHARD_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define ORCHARD_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define ORCHARD_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
