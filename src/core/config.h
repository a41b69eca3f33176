// Configuration: a TOML file (`--config FILE`) over built-in defaults.
//
// Every key has a default, so no file is needed. Unknown keys are errors (a typo must not be
// silently ignored). Apple endpoints are part of the contract: each can point at the sandbox or
// a proxy, but `http://` is accepted only for loopback hosts.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "core/status.h"

namespace orchard {

// Every Apple base URL (apple-apis.md), so each can point at the sandbox or a proxy.
struct AppleConfig {
  std::string asc_api_url = "https://api.appstoreconnect.apple.com";
  std::string reporter_url = "https://reportingitc-reporter.apple.com";
  std::string idmsa_url = "https://idmsa.apple.com";
  std::string web_url = "https://appstoreconnect.apple.com";
  std::string search_ads_url = "https://api.searchads.apple.com";
  std::string search_ads_token_url = "https://appleid.apple.com/auth/oauth2/token";
  std::string itunes_url = "https://itunes.apple.com";
  // The store's Media API (ratings histograms, apple-apis.md Part II §B.2) and the service that
  // hands out its shared anonymous token (§B.0).
  std::string amp_api_url = "https://amp-api-edge.apps.apple.com";
  std::string amp_token_url = "https://sf-api-token-service.itunes.apple.com";
};

struct HttpConfig {
  int connect_timeout_seconds = 10;
  int total_timeout_seconds = 300;
  // Largest decompressed report accepted (a gzip bomb is refused past it).
  size_t max_report_bytes = size_t{2} << 30;
};

struct ReportConfig {
  std::string default_currency = "USD";
};

// The scheduler of `orchard serve` (issue 5).
struct SyncConfig {
  // The agreement's time zone: Apple's report day and when its reports come out.
  std::string time_zone = "America/Los_Angeles";
  int daily_hour = 8;             // the daily routine runs from this hour on (reports by ~5–8 am)
  int interval_seconds = 60;      // how often the scheduler looks for due work
  bool backfill_new_accounts = true;  // fetch everything Apple keeps when an account is linked
};

// Review and ratings syncs of `orchard serve` (issue 6).
struct ReviewsConfig {
  int linked_interval_minutes = 60;  // reviews of linked apps (App Store Connect API)
  int public_interval_hours = 6;     // public feeds of tracked apps, spread over this period
  int full_resync_hour = 4;          // local hour (sync.time_zone) of the daily full resync
  // The least time between two requests to Apple's public endpoints (RSS, lookup, Media API):
  // trackers pace them at about one a second (apple-apis.md Part II §B.8).
  int public_min_interval_ms = 1000;
};

// Reference exchange rates (product.md §3 Currency).
struct FxConfig {
  // The ECB's historical CSV, or any file of that layout; "" = never fetched (import only).
  std::string url = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.csv";
  int fetch_hour = 17;  // UTC; the ECB publishes around 16:00 CET on working days
};

// `orchard serve` itself.
struct ServerConfig {
  // The built dashboard (index.html + assets/); "" = the `dashboard` folder beside the binary.
  std::string web_root;
};

struct Config {
  AppleConfig apple;
  HttpConfig http;
  ReportConfig report;
  SyncConfig sync;
  FxConfig fx;
  ReviewsConfig reviews;
  ServerConfig server;
  std::string log_level = "warn";
};

// Loads `file` over the defaults; no file → defaults. A missing or malformed file, an unknown
// key, a wrongly typed value or a disallowed URL → kInvalidArgument naming the key.
Result<Config> LoadConfig(const std::optional<std::filesystem::path>& file);
Result<Config> ParseConfig(std::string_view toml_text, std::string_view source_name);

// Accepts https:// URLs and http:// URLs whose host is loopback (127.0.0.0/8, ::1, localhost).
Status ValidateEndpointUrl(std::string_view key, std::string_view url);

}  // namespace orchard
