// Sandbox: a simulated App Store Connect on loopback (apple-apis.md §0–2, §1.6, §2.13).
//
// An independent implementation of Apple's side: it shares no code with Orchard's client.
// Control endpoints for tests live under /_sandbox/ (see README.md in this folder).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/status.h"

namespace orchard::sandbox {

struct SandboxOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  uint64_t seed = 1;
  std::filesystem::path keys_dir;  // issued keys and the FX file are written here
  std::optional<Date> today;       // default: today in Pacific time
  int rate_limit_per_hour = 3600;  // per key, rolling hour
  std::string faults_json;         // initial misbehaviour, as POST /_sandbox/faults takes it
  int scale = 1;                   // copies of the portfolio (benchmarks: ~1,700 rows/day each)
  int64_t web_session_seconds = 30LL * 86400;  // lifetime of an Apple ID web session (myacinfo)
  int storefronts = 0;   // sell in the first N storefronts only (0 = all 175)
  int history_days = 0;  // sales start this many days before today (0 = January 2024)
};

class Sandbox {
 public:
  // Listening when it returns.
  static Result<std::unique_ptr<Sandbox>> Start(SandboxOptions options);
  ~Sandbox();

  int port() const;
  std::string base_url() const;
  void Stop();  // idempotent

  struct Impl;

 private:
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace orchard::sandbox
