#include "core/config.h"

#include <toml++/toml.h>

#include <fstream>
#include <vector>
#include <set>
#include <sstream>

namespace orchard {
namespace {

// The [apple] base URLs by key, so reading and validating them is one loop.
std::vector<std::pair<const char*, std::string*>> AppleUrls(Config& c) {
  return {{"asc_api_url", &c.apple.asc_api_url},       {"reporter_url", &c.apple.reporter_url},
          {"idmsa_url", &c.apple.idmsa_url},           {"web_url", &c.apple.web_url},
          {"search_ads_url", &c.apple.search_ads_url}, {"search_ads_token_url", &c.apple.search_ads_token_url},
          {"itunes_url", &c.apple.itunes_url},         {"amp_api_url", &c.apple.amp_api_url},
          {"amp_token_url", &c.apple.amp_token_url}};
}

std::string HostOf(std::string_view url, std::string_view scheme_end) {
  std::string_view rest = url.substr(scheme_end.size());
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    return std::string(authority.substr(1, close == std::string_view::npos ? authority.size() - 1
                                                                          : close - 1));
  }
  return std::string(authority.substr(0, authority.find(':')));
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  if (host.rfind("127.", 0) == 0) {
    int dots = 0;
    for (char c : host) {
      if (c == '.') ++dots;
      else if (c < '0' || c > '9') return false;
    }
    return dots == 3;
  }
  return false;
}

Status Unknown(const std::string& key) {
  return Status(Code::kInvalidArgument, "unknown configuration key '" + key + "'");
}

template <typename T>
Status Read(const toml::table& table, const std::string& prefix, const char* name, T* out) {
  const toml::node* node = table.get(name);
  if (node == nullptr) return Status::Ok();
  auto value = node->value<T>();
  if (!value) {
    return Status(Code::kInvalidArgument,
                  "configuration key '" + prefix + name + "' has the wrong type");
  }
  *out = *value;
  return Status::Ok();
}

Status CheckKeys(const toml::table& table, const std::string& prefix,
                 const std::set<std::string>& allowed) {
  for (const auto& [key, node] : table) {
    if (!allowed.contains(std::string(key.str()))) return Unknown(prefix + std::string(key.str()));
  }
  return Status::Ok();
}

const toml::table* Section(const toml::table& root, const char* name, Status* status) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    *status = Status(Code::kInvalidArgument, std::string("configuration key '") + name +
                                                 "' must be a table ([" + name + "])");
    return nullptr;
  }
  return node->as_table();
}

}  // namespace

Status ValidateEndpointUrl(std::string_view key, std::string_view url) {
  if (url.rfind("https://", 0) == 0) {
    if (HostOf(url, "https://").empty()) {
      return Status(Code::kInvalidArgument, std::string(key) + ": no host in '" + std::string(url) + "'");
    }
    return Status::Ok();
  }
  if (url.rfind("http://", 0) == 0) {
    if (IsLoopbackHost(HostOf(url, "http://"))) return Status::Ok();
    return Status(Code::kInvalidArgument,
                  std::string(key) + ": plain http:// is allowed only for loopback hosts; use "
                                     "https:// for '" + std::string(url) + "'");
  }
  return Status(Code::kInvalidArgument,
                std::string(key) + ": expected an https:// URL, got '" + std::string(url) + "'");
}

Result<Config> ParseConfig(std::string_view toml_text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ":" << e.source().begin.line << ": " << e.description();
    return Error(Code::kInvalidArgument, msg.str());
  }
  Config config;
  ORCHARD_RETURN_IF_ERROR(CheckKeys(root, "", {"apple", "http", "report", "sync", "fx", "reviews",
                                                     "server", "log_level"}));
  ORCHARD_RETURN_IF_ERROR(Read(root, "", "log_level", &config.log_level));

  Status section_status;
  if (const auto* apple = Section(root, "apple", &section_status)) {
    ORCHARD_RETURN_IF_ERROR(CheckKeys(*apple, "apple.",
                                      {"asc_api_url", "reporter_url", "idmsa_url", "web_url",
                                       "search_ads_url", "search_ads_token_url", "itunes_url",
                                       "amp_api_url", "amp_token_url"}));
    for (auto& [key, field] : AppleUrls(config)) {
      ORCHARD_RETURN_IF_ERROR(Read(*apple, "apple.", key, field));
    }
  }
  ORCHARD_RETURN_IF_ERROR(section_status);
  if (const auto* http = Section(root, "http", &section_status)) {
    ORCHARD_RETURN_IF_ERROR(CheckKeys(
        *http, "http.", {"connect_timeout_seconds", "total_timeout_seconds", "max_report_bytes"}));
    int64_t connect = config.http.connect_timeout_seconds;
    int64_t total = config.http.total_timeout_seconds;
    int64_t max_bytes = static_cast<int64_t>(config.http.max_report_bytes);
    ORCHARD_RETURN_IF_ERROR(Read(*http, "http.", "connect_timeout_seconds", &connect));
    ORCHARD_RETURN_IF_ERROR(Read(*http, "http.", "total_timeout_seconds", &total));
    ORCHARD_RETURN_IF_ERROR(Read(*http, "http.", "max_report_bytes", &max_bytes));
    if (connect <= 0 || total <= 0 || max_bytes <= 0) {
      return Error(Code::kInvalidArgument, "[http] timeouts and sizes must be positive");
    }
    config.http.connect_timeout_seconds = static_cast<int>(connect);
    config.http.total_timeout_seconds = static_cast<int>(total);
    config.http.max_report_bytes = static_cast<size_t>(max_bytes);
  }
  ORCHARD_RETURN_IF_ERROR(section_status);
  if (const auto* report = Section(root, "report", &section_status)) {
    ORCHARD_RETURN_IF_ERROR(CheckKeys(*report, "report.", {"default_currency"}));
    ORCHARD_RETURN_IF_ERROR(
        Read(*report, "report.", "default_currency", &config.report.default_currency));
  }
  ORCHARD_RETURN_IF_ERROR(section_status);
  if (const auto* sync = Section(root, "sync", &section_status)) {
    ORCHARD_RETURN_IF_ERROR(CheckKeys(*sync, "sync.", {"time_zone", "daily_hour", "interval_seconds",
                                                       "backfill_new_accounts"}));
    int64_t hour = config.sync.daily_hour;
    int64_t interval = config.sync.interval_seconds;
    ORCHARD_RETURN_IF_ERROR(Read(*sync, "sync.", "time_zone", &config.sync.time_zone));
    ORCHARD_RETURN_IF_ERROR(Read(*sync, "sync.", "daily_hour", &hour));
    ORCHARD_RETURN_IF_ERROR(Read(*sync, "sync.", "interval_seconds", &interval));
    ORCHARD_RETURN_IF_ERROR(
        Read(*sync, "sync.", "backfill_new_accounts", &config.sync.backfill_new_accounts));
    if (hour < 0 || hour > 23) return Error(Code::kInvalidArgument, "sync.daily_hour must be 0–23");
    if (interval < 1 || interval > 86400) {
      return Error(Code::kInvalidArgument, "sync.interval_seconds must be 1–86400");
    }
    config.sync.daily_hour = static_cast<int>(hour);
    config.sync.interval_seconds = static_cast<int>(interval);
  }
  ORCHARD_RETURN_IF_ERROR(section_status);
  if (const auto* server = Section(root, "server", &section_status)) {
    ORCHARD_RETURN_IF_ERROR(CheckKeys(*server, "server.", {"web_root"}));
    ORCHARD_RETURN_IF_ERROR(Read(*server, "server.", "web_root", &config.server.web_root));
  }
  ORCHARD_RETURN_IF_ERROR(section_status);
  if (const auto* fx = Section(root, "fx", &section_status)) {
    ORCHARD_RETURN_IF_ERROR(CheckKeys(*fx, "fx.", {"url", "fetch_hour"}));
    int64_t hour = config.fx.fetch_hour;
    ORCHARD_RETURN_IF_ERROR(Read(*fx, "fx.", "url", &config.fx.url));
    ORCHARD_RETURN_IF_ERROR(Read(*fx, "fx.", "fetch_hour", &hour));
    if (hour < 0 || hour > 23) return Error(Code::kInvalidArgument, "fx.fetch_hour must be 0–23");
    config.fx.fetch_hour = static_cast<int>(hour);
    if (!config.fx.url.empty()) ORCHARD_RETURN_IF_ERROR(ValidateEndpointUrl("fx.url", config.fx.url));
  }
  ORCHARD_RETURN_IF_ERROR(section_status);
  if (const auto* reviews = Section(root, "reviews", &section_status)) {
    ORCHARD_RETURN_IF_ERROR(CheckKeys(*reviews, "reviews.",
                                      {"linked_interval_minutes", "public_interval_hours",
                                       "full_resync_hour", "public_min_interval_ms"}));
    struct Bounded {
      const char* key;
      int* field;
      int64_t low, high;
    };
    for (const Bounded& b : {Bounded{"linked_interval_minutes", &config.reviews.linked_interval_minutes, 1, 1440},
                             Bounded{"public_interval_hours", &config.reviews.public_interval_hours, 1, 168},
                             Bounded{"full_resync_hour", &config.reviews.full_resync_hour, 0, 23},
                             Bounded{"public_min_interval_ms", &config.reviews.public_min_interval_ms, 0, 60000}}) {
      int64_t value = *b.field;
      ORCHARD_RETURN_IF_ERROR(Read(*reviews, "reviews.", b.key, &value));
      if (value < b.low || value > b.high) {
        return Error(Code::kInvalidArgument, "reviews." + std::string(b.key) + " must be " +
                                                 std::to_string(b.low) + "–" + std::to_string(b.high));
      }
      *b.field = static_cast<int>(value);
    }
  }
  ORCHARD_RETURN_IF_ERROR(section_status);
  for (auto& [key, field] : AppleUrls(config)) {
    ORCHARD_RETURN_IF_ERROR(ValidateEndpointUrl("apple." + std::string(key), *field));
    while (!field->empty() && field->back() == '/') field->pop_back();
  }
  return config;
}

Result<Config> LoadConfig(const std::optional<std::filesystem::path>& file) {
  if (!file) return ParseConfig("", "defaults");
  std::ifstream in(*file, std::ios::binary);
  if (!in) {
    return Error(Code::kInvalidArgument, "cannot read config file '" + file->string() + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), file->string());
}

}  // namespace orchard
