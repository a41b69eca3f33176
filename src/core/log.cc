#include "core/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>
#include <mutex>
#include <algorithm>

namespace orchard {
namespace {

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=' || c == '_' || c == '-' || c == '.';
}

bool IsAppSpecificPassword(std::string_view w) {
  if (w.size() != 19) return false;
  for (size_t i = 0; i < w.size(); ++i) {
    const bool dash = i % 5 == 4;
    if (dash ? w[i] != '-' : (w[i] < 'a' || w[i] > 'z')) return false;
  }
  return true;
}

// A word is credential-like when it is a JWT, an app-specific password, or a long run of
// base64/hex characters (keys, tokens, cookies).
bool LooksSecret(std::string_view w) {
  if (w.starts_with("eyJ") && std::count(w.begin(), w.end(), '.') >= 2) return true;
  if (IsAppSpecificPassword(w)) return true;
  size_t run = 0;
  for (char c : w) {
    run = (c == '.' || c == '-' ) ? 0 : run + 1;
    if (run >= 40) return true;
  }
  return false;
}

// A sink wrapper that redacts the payload before the real sink formats it.
template <typename Mutex>
class RedactingSink final : public spdlog::sinks::base_sink<Mutex> {
 public:
  explicit RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string clean = Redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy(msg);
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace

std::string Redact(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  size_t i = 0;
  bool redact_next_word = false;
  while (i < message.size()) {
    if (message.compare(i, 11, "-----BEGIN ") == 0) {
      // Drop the whole armoured block, up to and including its END line.
      size_t end = message.find("-----END ", i);
      end = end == std::string_view::npos ? message.size() : message.find("-----", end + 9);
      i = end == std::string_view::npos ? message.size() : end + 5;
      out += "[redacted PEM]";
      continue;
    }
    if (!IsTokenChar(message[i])) {
      out.push_back(message[i++]);
      continue;
    }
    size_t j = i;
    while (j < message.size() && IsTokenChar(message[j]) && message.compare(j, 5, "-----") != 0) ++j;
    const std::string_view word = message.substr(i, j - i);
    if (redact_next_word || LooksSecret(word)) {
      out += word.starts_with("eyJ") ? "[redacted JWT]" : "[redacted]";
      redact_next_word = false;
    } else {
      out += word;
      redact_next_word = word == "Bearer" || word == "Basic" || word == "bearer";
    }
    i = j;
  }
  return out;
}

LogLevel ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "error") return LogLevel::kError;
  if (name == "off") return LogLevel::kOff;
  return LogLevel::kWarn;
}

void InitLogging(LogLevel level) {
  auto inner = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  inner->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  auto sink = std::make_shared<RedactingSink<std::mutex>>(std::move(inner));
  auto logger = std::make_shared<spdlog::logger>("orchard", std::move(sink));
  switch (level) {
    case LogLevel::kDebug: logger->set_level(spdlog::level::debug); break;
    case LogLevel::kInfo: logger->set_level(spdlog::level::info); break;
    case LogLevel::kWarn: logger->set_level(spdlog::level::warn); break;
    case LogLevel::kError: logger->set_level(spdlog::level::err); break;
    case LogLevel::kOff: logger->set_level(spdlog::level::off); break;
  }
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace orchard
