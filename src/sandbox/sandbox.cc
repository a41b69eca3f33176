#include "sandbox/sandbox.h"

#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "sandbox/generator.h"

namespace orchard::sandbox {
namespace {

using Json = nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

// --- Apple's words, verbatim from apple-apis.md -------------------------------------------
constexpr const char* kNotAuthorizedTitle = "Authentication credentials are missing or invalid.";
constexpr const char* kNotAuthorizedDetail =
    "Provide a properly configured and signed bearer token, and make sure that it has not "
    "expired. Learn more about Generating Tokens for API Requests "
    "https://developer.apple.com/go/?id=api-generating-tokens";
constexpr const char* kRateTitle = "The request rate limit has been reached.";
constexpr const char* kRateDetail =
    "We've received too many requests for this API. Please wait and try again or slow down your "
    "request rate.";
constexpr const char* kForbiddenTitle = "This request is forbidden for security reasons";
constexpr const char* kForbiddenDetail = "The API key in use does not allow this request";
constexpr const char* kNoSales = "There were no sales for the date specified.";
constexpr const char* kNotYet =
    "Report is not available yet. Daily reports for the Americas are available by 5 am Pacific "
    "Time; Japan, Australia, and New Zealand by 5 am Japan Standard Time; and 5 am Central "
    "European Time for all other territories.";
constexpr const char* kComboTitle = "Some provided parameters cannot be used in this combination.";
constexpr const char* kComboDetail =
    "Invalid combination of date type and date. For daily and weekly reports, use format "
    "YYYY-MM-DD. For monthly, use YYYY-MM. For yearly, use YYYY.";

// §2.2 allowed combinations: type → (subtype, frequencies, versions).
struct Combo {
  const char* type;
  const char* subtype;
  std::set<std::string> frequencies;
  std::vector<std::string> versions;  // the last one is the latest
};
const std::vector<Combo>& Combos() {
  static const std::vector<Combo> c = {
      {"FIRST_ANNUAL", "DETAILED", {"DAILY"}, {"1_0"}},
      {"FIRST_ANNUAL", "SUMMARY", {"YEARLY"}, {"1_0"}},
      {"INSTALLS", "SUMMARY_CHANNEL", {"YEARLY"}, {"1_0", "1_1"}},
      {"INSTALLS", "SUMMARY_INSTALL_TYPE", {"YEARLY"}, {"1_0", "1_1"}},
      {"INSTALLS", "SUMMARY", {"MONTHLY"}, {"1_2"}},
      {"INSTALLS", "SUMMARY_TERRITORY", {"YEARLY"}, {"1_0", "1_1"}},
      {"INSTALLS", "DETAILED", {"MONTHLY"}, {"1_2"}},
      {"INSTALLS", "DETAILED", {"YEARLY"}, {"1_0", "1_1"}},
      {"NEWSSTAND", "DETAILED", {"DAILY", "WEEKLY"}, {"1_0"}},
      {"PRE_ORDER", "SUMMARY", {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}, {"1_0"}},
      {"SALES", "SUMMARY", {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}, {"1_0"}},
      {"SUBSCRIBER", "DETAILED", {"DAILY"}, {"1_3"}},
      {"SUBSCRIPTION", "SUMMARY", {"DAILY"}, {"1_3"}},
      {"SUBSCRIPTION_EVENT", "SUMMARY", {"DAILY"}, {"1_3"}},
      {"SUBSCRIPTION_OFFER_CODE_REDEMPTION", "SUMMARY", {"DAILY"}, {"1_0"}},
      {"WIN_BACK_ELIGIBILITY", "SUMMARY", {"DAILY"}, {"1_0"}},
  };
  return c;
}
const std::set<std::string> kReportTypes = {
    "SALES", "PRE_ORDER", "NEWSSTAND", "SUBSCRIPTION", "SUBSCRIPTION_EVENT", "SUBSCRIBER",
    "SUBSCRIPTION_OFFER_CODE_REDEMPTION", "INSTALLS", "FIRST_ANNUAL", "WIN_BACK_ELIGIBILITY"};
const std::set<std::string> kSubTypes = {"SUMMARY", "DETAILED", "SUMMARY_INSTALL_TYPE",
                                         "SUMMARY_TERRITORY", "SUMMARY_CHANNEL"};
const std::set<std::string> kFrequencies = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
const std::set<std::string> kSalesParams = {"filter[vendorNumber]", "filter[reportType]",
                                            "filter[reportSubType]", "filter[frequency]",
                                            "filter[reportDate]", "filter[version]"};

// --- base64url and ES256, written here so the sandbox shares nothing with the client -------
std::string B64UrlEncode(std::string_view in) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    if (i + 1 < in.size()) out += kB64[(n >> 6) & 63];
    if (i + 2 < in.size()) out += kB64[n & 63];
  }
  return out;
}

std::optional<std::string> B64UrlDecode(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else if (c == '=') break;
    else return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  return out;
}

bool VerifyRawEs256(EVP_PKEY* key, std::string_view message, std::string_view raw) {
  if (raw.size() != 64) return false;  // Apple rejects DER-encoded signatures
  ECDSA_SIG* sig = ECDSA_SIG_new();
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG_set0(sig, BN_bin2bn(p, 32, nullptr), BN_bin2bn(p + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = der_len > 0 && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                                   reinterpret_cast<const unsigned char*>(message.data()),
                                   message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

std::string PemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);  // PKCS#8
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

EVP_PKEY* KeyFromPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ApiKey {
  std::string issuer_id;
  std::string key_id;
  std::vector<std::string> roles;
  EVP_PKEY* key = nullptr;
  bool revoked = false;
};

struct LoggedRequest {
  int64_t time_ms;
  std::string method, path, query, kid;
  int status;
};

}  // namespace

struct Sandbox::Impl {
  SandboxOptions options;
  Portfolio portfolio;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool stopped = false;

  std::mutex mu;  // guards everything below
  std::map<std::string, ApiKey> keys;
  std::map<std::string, std::deque<SteadyTime>> windows;
  // Misbehaviour on purpose (POST /_sandbox/faults, or --faults at start).
  std::set<int32_t> not_yet_days;  // reports held back as "not available yet"
  int fail_status = 0;             // the next fail_count requests answer this 5xx
  int fail_count = 0;
  int rate_limit_next = 0;         // the next N requests answer 429 …
  int retry_after = -1;            // … with this Retry-After (seconds), or none when < 0
  int latency_ms = 0;              // every /v1 answer waits this long
  int truncate_next = 0;           // the next N reports are cut in half (a broken gzip)
  int drop_next = 0;               // the next N reports stop mid-body (connection closed)
  Portfolio::Revisions revisions;  // day → revision count of its published report
  int publish_delay_ms = 60000;    // a review response stays PENDING_PUBLISH this long

  struct ReviewResponse {
    std::string id;
    std::string review_id;
    std::string body;
    std::string last_modified;  // RFC 3339
    SteadyTime created;
  };
  std::map<std::string, ReviewResponse> responses;           // by review id
  std::map<std::string, std::vector<ReviewInfo>> review_cache;  // by app id
  std::vector<LoggedRequest> log;
  std::map<std::pair<int, int32_t>, std::string> gzip_cache;  // (frequency, period start)

  Impl(SandboxOptions o, Date today)
      : options(std::move(o)), portfolio(options.seed, today, options.scale) {}
  ~Impl() {
    for (auto& [kid, k] : keys) EVP_PKEY_free(k.key);
  }

  // ---- keys --------------------------------------------------------------------------------
  Status IssueKey(int index, const std::vector<std::string>& roles, const std::string& json_name) {
    ApiKey k;
    k.issuer_id = portfolio.issuer_id();
    k.key_id = portfolio.key_id(index);
    k.roles = roles;
    const auto p8 = options.keys_dir / ("AuthKey_" + k.key_id + ".p8");
    const auto json_path = options.keys_dir / json_name;
    // Reuse a key issued by an earlier run with the same seed, so linked accounts stay valid.
    if (std::filesystem::exists(p8) && std::filesystem::exists(json_path)) {
      const Json old = Json::parse(ReadFile(json_path), nullptr, false);
      if (old.is_object() && old.value("key_id", "") == k.key_id) k.key = KeyFromPem(ReadFile(p8));
    }
    if (k.key == nullptr) {
      k.key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      if (k.key == nullptr) return Status(Code::kInternal, "cannot generate a P-256 key");
      std::filesystem::remove(p8);
      std::ofstream(p8, std::ios::binary) << PemOf(k.key);
      ::chmod(p8.c_str(), 0600);
    }
    const Json meta = {{"issuer_id", k.issuer_id},
                       {"key_id", k.key_id},
                       {"vendor_number", portfolio.vendor_number()},
                       {"key_file", p8.filename().string()},
                       {"roles", roles}};
    std::ofstream(json_path) << meta.dump(2) << "\n";
    keys.emplace(k.key_id, std::move(k));
    return Status::Ok();
  }

  // ---- responses ---------------------------------------------------------------------------
  static void JsonError(httplib::Response& res, int status, const std::string& code,
                        const std::string& title, const std::string& detail,
                        const std::string& parameter = "") {
    static std::atomic<uint64_t> counter{0};
    Json e = {{"id", "sandbox-" + std::to_string(++counter)},
              {"status", std::to_string(status)},
              {"code", code},
              {"title", title},
              {"detail", detail}};
    if (!parameter.empty()) e["source"] = {{"parameter", parameter}};
    res.status = status;
    res.set_content(Json{{"errors", Json::array({e})}}.dump(), "application/json");
  }

  // Applies a faults document; the caller holds `mu`.
  Status ApplyFaults(const Json& body) {
    if (!body.is_object()) return Status(Code::kInvalidArgument, "faults: expected a JSON object");
    try {
      for (const auto& [key, value] : body.items()) {
        if (key == "not_yet_dates" || key == "revise_dates") {
          for (const auto& d : value) {
            auto day = Date::ParseIso(d.get<std::string>());
            if (!day) return day.error();
            if (key == "not_yet_dates") {
              not_yet_days.insert(day->days());
            } else {
              ++revisions[day->days()];
              gzip_cache.clear();
            }
          }
        } else if (key == "fail_next") {
          fail_status = value.value("status", 500);
          fail_count = value.value("count", 1);
        } else if (key == "rate_limit_next") {
          rate_limit_next = value.get<int>();
        } else if (key == "retry_after") {
          retry_after = value.get<int>();
        } else if (key == "latency_ms") {
          latency_ms = value.get<int>();
        } else if (key == "truncate_next") {
          truncate_next = value.get<int>();
        } else if (key == "drop_next") {
          drop_next = value.get<int>();
        } else if (key == "publish_delay_ms") {
          publish_delay_ms = value.get<int>();
        } else {
          return Status(Code::kInvalidArgument, "faults: unknown key '" + key + "'");
        }
      }
    } catch (const Json::exception& e) {
      return Status(Code::kInvalidArgument, std::string("faults: ") + e.what());
    }
    return Status::Ok();
  }

  // Verifies the bearer token (apple-apis.md §1.6); returns the key id or answers 401.
  std::optional<std::string> Authenticate(const httplib::Request& req, httplib::Response& res) {
    auto unauthorized = [&]() -> std::optional<std::string> {
      JsonError(res, 401, "NOT_AUTHORIZED", kNotAuthorizedTitle, kNotAuthorizedDetail);
      return std::nullopt;
    };
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0) return unauthorized();
    const std::string token = auth.substr(7);
    const size_t a = token.find('.');
    const size_t b = token.find('.', a == std::string::npos ? 0 : a + 1);
    if (a == std::string::npos || b == std::string::npos || token.find('.', b + 1) != std::string::npos) {
      return unauthorized();
    }
    const auto header_text = B64UrlDecode(std::string_view(token).substr(0, a));
    const auto payload_text = B64UrlDecode(std::string_view(token).substr(a + 1, b - a - 1));
    const auto sig = B64UrlDecode(std::string_view(token).substr(b + 1));
    if (!header_text || !payload_text || !sig) return unauthorized();
    const Json header = Json::parse(*header_text, nullptr, false);
    const Json payload = Json::parse(*payload_text, nullptr, false);
    if (!header.is_object() || !payload.is_object()) return unauthorized();
    if (header.value("alg", "") != "ES256") return unauthorized();
    if (header.contains("typ") && header["typ"] != "JWT") return unauthorized();
    const std::string kid = header.value("kid", "");
    std::lock_guard lock(mu);
    auto it = keys.find(kid);
    if (it == keys.end() || it->second.revoked) return unauthorized();
    if (payload.value("aud", "") != "appstoreconnect-v1") return unauthorized();
    if (payload.contains("iss")) {
      if (payload["iss"] != it->second.issuer_id) return unauthorized();
    } else if (payload.value("sub", "") != "user") {
      return unauthorized();
    }
    if (!payload.contains("iat") || !payload.contains("exp") || !payload["iat"].is_number_integer() ||
        !payload["exp"].is_number_integer()) {
      return unauthorized();
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    const int64_t iat = payload["iat"].get<int64_t>();
    const int64_t exp = payload["exp"].get<int64_t>();
    if (exp <= now || exp - iat > 1200 || iat > now + 60) return unauthorized();
    if (!VerifyRawEs256(it->second.key, std::string_view(token).substr(0, b), *sig)) return unauthorized();
    return kid;
  }

  // Rolling-hour window per key; answers 429 when it is exhausted. Caller holds no lock.
  bool Admit(const std::string& kid, httplib::Response& res) {
    std::lock_guard lock(mu);
    const auto now = std::chrono::steady_clock::now();
    auto& window = windows[kid];
    while (!window.empty() && now - window.front() >= std::chrono::hours(1)) window.pop_front();
    const int limit = options.rate_limit_per_hour;
    bool forced = false;
    if (rate_limit_next > 0) {
      --rate_limit_next;
      forced = true;
    }
    if (forced || static_cast<int>(window.size()) >= limit) {
      res.set_header("X-Rate-Limit", "user-hour-lim:" + std::to_string(limit) + ";user-hour-rem:0;");
      if (forced && retry_after >= 0) res.set_header("Retry-After", std::to_string(retry_after));
      JsonError(res, 429, "RATE_LIMIT_EXCEEDED", kRateTitle, kRateDetail);
      return false;
    }
    window.push_back(now);
    res.set_header("X-Rate-Limit", "user-hour-lim:" + std::to_string(limit) + ";user-hour-rem:" +
                                       std::to_string(limit - static_cast<int>(window.size())) + ";");
    return true;
  }

  bool InjectedFailure(httplib::Response& res) {
    std::lock_guard lock(mu);
    if (fail_count <= 0) return false;
    --fail_count;
    JsonError(res, fail_status, "UNEXPECTED_ERROR", "An unexpected error occurred.",
              "The server encountered an unexpected error. Try again later.");
    return true;
  }

  // The gzip bytes of a report, or "" when the period has no sales.
  std::string GzipReport(Frequency frequency, Date start) {
    const std::pair<int, int32_t> key{static_cast<int>(frequency), start.days()};
    {
      std::lock_guard lock(mu);
      if (auto it = gzip_cache.find(key); it != gzip_cache.end()) return it->second;
    }
    Portfolio::Revisions revised;
    {
      std::lock_guard lock(mu);
      revised = revisions;
    }
    const std::string tsv = portfolio.SalesSummaryTsv(frequency, start, revised);
    std::string gz = tsv.empty() ? std::string() : GzipBytes(tsv);
    std::lock_guard lock(mu);
    gzip_cache.emplace(key, gz);
    return gz;
  }

  // Apple publishes daily reports the next day, weekly ones on the Monday after the week,
  // monthly ones about five days after the month and yearly ones about six days after the year.
  bool Published(Frequency frequency, Date start) const {
    const Date end = PeriodEnd(frequency, start);
    const int lag = frequency == Frequency::kMonthly ? 5 : frequency == Frequency::kYearly ? 6 : 1;
    return end.AddDays(lag) <= portfolio.today();
  }

  // The latest published period of a frequency (what Apple serves when the date is omitted).
  Date LatestPeriod(Frequency frequency) const {
    Date day = portfolio.today().AddDays(-1);
    for (int i = 0; i < 800; ++i, day = day.AddDays(-1)) {
      const Date start = frequency == Frequency::kWeekly    ? day.StartOfWeek()
                         : frequency == Frequency::kMonthly ? day.StartOfMonth()
                         : frequency == Frequency::kYearly  ? day.StartOfYear()
                                                            : day;
      if (Published(frequency, start)) return start;
    }
    return day;
  }

  void SalesReports(const httplib::Request& req, httplib::Response& res) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    {
      std::lock_guard lock(mu);
      const auto& roles = keys[*kid].roles;
      const bool allowed = std::any_of(roles.begin(), roles.end(), [](const std::string& r) {
        return r == "ADMIN" || r == "FINANCE" || r == "SALES" || r == "ACCOUNT_HOLDER";
      });
      if (!allowed) {
        JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
        return;
      }
    }
    for (const auto& [name, value] : req.params) {
      if (!kSalesParams.contains(name)) {
        JsonError(res, 400, "PARAMETER_ERROR.ILLEGAL", "A parameter isn't allowed for this request",
                  "'" + name + "' is not a valid filter type", name);
        return;
      }
    }
    for (const char* required : {"filter[vendorNumber]", "filter[reportType]",
                                 "filter[reportSubType]", "filter[frequency]"}) {
      if (!req.has_param(required)) {
        JsonError(res, 400, "PARAMETER_ERROR.REQUIRED", "A parameter is required",
                  std::string("You must provide a value for the parameter '") + required +
                      "' with this request",
                  required);
        return;
      }
    }
    const std::string type = req.get_param_value("filter[reportType]");
    const std::string subtype = req.get_param_value("filter[reportSubType]");
    const std::string frequency = req.get_param_value("filter[frequency]");
    const std::string vendor = req.get_param_value("filter[vendorNumber]");
    const std::string date = req.get_param_value("filter[reportDate]");
    auto invalid = [&](const std::string& parameter, const std::string& value) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "'" + value + "' is not a valid value for the parameter", parameter);
    };
    if (!kReportTypes.contains(type)) return invalid("filter[reportType]", type);
    if (!kSubTypes.contains(subtype)) return invalid("filter[reportSubType]", subtype);
    if (!kFrequencies.contains(frequency)) return invalid("filter[frequency]", frequency);
    const Combo* combo = nullptr;
    for (const auto& c : Combos()) {
      if (c.type == type && c.subtype == subtype && c.frequencies.contains(frequency)) combo = &c;
    }
    if (combo == nullptr) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID.INVALID_COMBINATION", kComboTitle, kComboDetail);
      return;
    }
    const std::string version =
        req.has_param("filter[version]") ? req.get_param_value("filter[version]") : combo->versions.back();
    if (std::find(combo->versions.begin(), combo->versions.end(), version) == combo->versions.end()) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "The version parameter you have specified is invalid. The latest version for "
                "this report is " + combo->versions.back() + ".",
                "filter[version]");
      return;
    }
    // Date format by frequency (§2.3); `start` becomes the first day of the period.
    const Frequency freq = frequency == "DAILY"    ? Frequency::kDaily
                           : frequency == "WEEKLY"  ? Frequency::kWeekly
                           : frequency == "MONTHLY" ? Frequency::kMonthly
                                                    : Frequency::kYearly;
    std::optional<Date> start;
    if (!date.empty()) {
      if (freq == Frequency::kDaily || freq == Frequency::kWeekly) {
        if (auto d = Date::ParseIso(date)) start = freq == Frequency::kDaily ? *d : d->StartOfWeek();
      } else if (freq == Frequency::kMonthly) {
        if (date.size() == 7 && date[4] == '-') {
          if (auto d = Date::ParseIso(date + "-01")) start = *d;
        }
      } else if (date.size() == 4 && std::all_of(date.begin(), date.end(), ::isdigit)) {
        start = Date::FromYmd(std::stoi(date), 1, 1);
      }
      if (!start) {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID.INVALID_COMBINATION", kComboTitle, kComboDetail);
        return;
      }
      // Strict where apple-apis.md is unsure: a weekly report is named by its Sunday.
      if (freq == Frequency::kWeekly && Date::ParseIso(date)->iso_weekday() != 7) {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                  "For weekly reports, use the date of the Sunday that ends the week.",
                  "filter[reportDate]");
        return;
      }
    }
    if (vendor != portfolio.vendor_number()) {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "Invalid vendor number specified", "filter[vendorNumber]");
      return;
    }
    if (type != "SALES") {
      // This sandbox generates Sales Summary reports only (the other kinds arrive with the
      // complete sandbox); every other valid report is an empty period.
      JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNoSales);
      return;
    }
    const Date period = start.value_or(LatestPeriod(freq));
    bool held_back = false;
    {
      std::lock_guard lock(mu);
      held_back = freq == Frequency::kDaily && not_yet_days.contains(period.days());
    }
    if (!Published(freq, period) || held_back) {
      JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNotYet);
      return;
    }
    std::string gz = GzipReport(freq, period);
    if (gz.empty()) {
      JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNoSales);
      return;
    }
    bool truncate = false, drop = false;
    {
      std::lock_guard lock(mu);
      if (truncate_next > 0) {
        --truncate_next;
        truncate = true;
      } else if (drop_next > 0) {
        --drop_next;
        drop = true;
      }
    }
    res.status = 200;
    if (truncate) gz.resize(gz.size() / 2);
    if (drop) {
      // Announce the full length, send half, then hang up.
      auto body = std::make_shared<std::string>(std::move(gz));
      res.set_content_provider(body->size(), "application/a-gzip",
                               [body](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset >= body->size() / 2) return false;  // closes the connection
                                 sink.write(body->data() + offset, body->size() / 2 - offset);
                                 return true;
                               });
      return;
    }
    res.set_content(gz, "application/a-gzip");
  }

  // The shared front of every /v1 endpoint: latency, authentication, injected failures and the
  // rate limit. Returns the key id, or nothing when `res` already holds the answer.
  std::optional<std::string> Admitted(const httplib::Request& req, httplib::Response& res) {
    int delay = 0;
    {
      std::lock_guard lock(mu);
      delay = latency_ms;
    }
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    auto kid = Authenticate(req, res);
    if (!kid || InjectedFailure(res) || !Admit(*kid, res)) return std::nullopt;
    return kid;
  }

  static std::string Encode(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
        out.push_back(static_cast<char>(c));
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
    return out;
  }

  // GET /v1/apps and /v1/apps/{id} (apple-apis.md §4.3): filters, sort, sparse fieldsets and
  // cursor paging through links.next (the cursor is opaque: base64 of the offset).
  void Apps(const httplib::Request& req, httplib::Response& res, const std::string& one) {
    if (!Admitted(req, res)) return;
    static const std::set<std::string> kParams = {
        "filter[name]", "filter[bundleId]", "filter[sku]", "filter[id]",
        "filter[appStoreVersions.platform]", "sort", "fields[apps]", "limit", "cursor"};
    for (const auto& [name, value] : req.params) {
      if (!kParams.contains(name) || (!one.empty() && name != "fields[apps]")) {
        JsonError(res, 400, "PARAMETER_ERROR.ILLEGAL", "A parameter isn't allowed for this request",
                  "'" + name + "' is not a valid parameter for this request", name);
        return;
      }
    }
    auto list = [&](const char* name) { return ListParam(req, name); };
    std::vector<AppInfo> apps = portfolio.Apps();
    const auto names = list("filter[name]"), bundles = list("filter[bundleId]"), skus = list("filter[sku]"),
               ids = list("filter[id]"), platforms = list("filter[appStoreVersions.platform]"),
               fields = list("fields[apps]");
    std::erase_if(apps, [&](const AppInfo& a) {
      return (!one.empty() && a.id != one) || (!names.empty() && !names.contains(a.name)) ||
             (!bundles.empty() && !bundles.contains(a.bundle_id)) ||
             (!skus.empty() && !skus.contains(a.sku)) || (!ids.empty() && !ids.contains(a.id)) ||
             (!platforms.empty() && !platforms.contains(a.platform));
    });
    if (req.has_param("sort")) {
      std::string key = req.get_param_value("sort");
      const bool desc = !key.empty() && key[0] == '-';
      if (desc) key.erase(0, 1);
      if (key != "name" && key != "bundleId" && key != "sku") {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                  "'" + req.get_param_value("sort") + "' is not a valid sort", "sort");
        return;
      }
      auto field = [&](const AppInfo& a) -> const std::string& {
        return key == "name" ? a.name : key == "bundleId" ? a.bundle_id : a.sku;
      };
      std::stable_sort(apps.begin(), apps.end(), [&](const AppInfo& a, const AppInfo& b) {
        return desc ? field(b) < field(a) : field(a) < field(b);
      });
    }
    const std::string base = "http://" + req.get_header_value("Host");
    auto resource = [&](const AppInfo& a) {
      Json attributes = {{"name", a.name},
                         {"bundleId", a.bundle_id},
                         {"sku", a.sku},
                         {"primaryLocale", "en-US"},
                         {"isOrEverWasMadeForKids", false},
                         {"contentRightsDeclaration", "DOES_NOT_USE_THIRD_PARTY_CONTENT"},
                         {"streamlinedPurchasingEnabled", true}};
      KeepFields(&attributes, fields);
      const std::string self = base + "/v1/apps/" + a.id;
      return Json{{"type", "apps"},
                  {"id", a.id},
                  {"attributes", attributes},
                  {"relationships",
                   {{"customerReviews", {{"links", {{"related", self + "/customerReviews"}}}}}}},
                  {"links", {{"self", self}}}};
    };
    if (!one.empty()) {
      if (apps.empty()) {
        JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                  "There is no resource of type 'apps' with id '" + one + "'");
        return;
      }
      res.status = 200;
      res.set_content(Json{{"data", resource(apps[0])}, {"links", {{"self", base + req.path}}}}.dump(),
                      "application/json");
      return;
    }
    Paged(req, res, apps.size(), [&](size_t i, const std::string&) { return resource(apps[i]); },
          [](size_t, size_t, const std::string&) { return Json::array(); });
  }

  bool KeyHasRole(const std::string& kid, std::initializer_list<const char*> allowed) {
    std::lock_guard lock(mu);
    for (const auto& role : keys[kid].roles) {
      for (const char* a : allowed) {
        if (role == a) return true;
      }
    }
    return false;
  }

  const std::vector<ReviewInfo>& ReviewsOf(const std::string& app_id) {
    std::lock_guard lock(mu);
    auto it = review_cache.find(app_id);
    if (it == review_cache.end()) it = review_cache.emplace(app_id, portfolio.Reviews(app_id)).first;
    return it->second;
  }

  const ReviewInfo* FindReview(const std::string& review_id) {
    for (const auto& app : portfolio.Apps()) {
      for (const auto& r : ReviewsOf(app.id)) {
        if (r.id == review_id) return &r;
      }
    }
    return nullptr;
  }

  Json ResponseResource(const ReviewResponse& r, const std::string& base) {
    const bool published = std::chrono::steady_clock::now() - r.created >=
                           std::chrono::milliseconds(publish_delay_ms);
    return Json{{"type", "customerReviewResponses"},
                {"id", r.id},
                {"attributes",
                 {{"responseBody", r.body},
                  {"lastModifiedDate", r.last_modified},
                  {"state", published ? "PUBLISHED" : "PENDING_PUBLISH"}}},
                {"relationships", {{"review", {{"data", {{"type", "customerReviews"}, {"id", r.review_id}}}}}}},
                {"links", {{"self", base + "/v1/customerReviewResponses/" + r.id}}}};
  }

  Json ReviewResource(const ReviewInfo& r, const std::string& base, const std::set<std::string>& fields) {
    Json attributes = {{"rating", r.rating}, {"title", r.title}, {"body", r.body},
                       {"reviewerNickname", r.nickname}, {"createdDate", r.created},
                       {"territory", r.territory}};
    KeepFields(&attributes, fields);
    const std::string self = base + "/v1/customerReviews/" + r.id;
    Json response = {{"links", {{"self", self + "/relationships/response"}, {"related", self + "/response"}}}};
    {
      std::lock_guard lock(mu);
      if (auto it = responses.find(r.id); it != responses.end()) {
        response["data"] = {{"type", "customerReviewResponses"}, {"id", it->second.id}};
      }
    }
    return Json{{"type", "customerReviews"},
                {"id", r.id},
                {"attributes", attributes},
                {"relationships", {{"response", response},
                                   {"reviewTerritory", {{"data", {{"type", "territories"}, {"id", r.territory}}}}}}},
                {"links", {{"self", self}}}};
  }

  // Sparse fieldsets (fields[type]=a,b): keep only the named attributes; none named keeps all.
  static void KeepFields(Json* attributes, const std::set<std::string>& fields) {
    if (fields.empty()) return;
    for (auto it = attributes->begin(); it != attributes->end();) {
      it = fields.contains(it.key()) ? std::next(it) : attributes->erase(it);
    }
  }

  static std::set<std::string> ListParam(const httplib::Request& req, const char* name) {
    std::set<std::string> out;
    if (!req.has_param(name)) return out;
    std::stringstream in(req.get_param_value(name));
    for (std::string item; std::getline(in, item, ',');) out.insert(item);
    return out;
  }

  // GET /v1/apps/{id}/customerReviews (§4.1).
  void CustomerReviews(const httplib::Request& req, httplib::Response& res, const std::string& app_id) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    if (!KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER", "APP_MANAGER", "CUSTOMER_SUPPORT", "MARKETING",
                           "DEVELOPER", "SALES"})) {
      JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
      return;
    }
    static const std::set<std::string> kParams = {
        "filter[territory]", "filter[rating]", "filter[reviewTerritory]", "exists[publishedResponse]",
        "sort", "fields[customerReviews]", "fields[customerReviewResponses]", "fields[territories]",
        "include", "limit", "cursor"};
    for (const auto& [name, value] : req.params) {
      if (!kParams.contains(name)) {
        JsonError(res, 400, "PARAMETER_ERROR.ILLEGAL", "A parameter isn't allowed for this request",
                  "'" + name + "' is not a valid parameter for this request", name);
        return;
      }
    }
    const auto apps = portfolio.Apps();
    if (std::none_of(apps.begin(), apps.end(), [&](const AppInfo& a) { return a.id == app_id; })) {
      JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                "There is no resource of type 'apps' with id '" + app_id + "'");
      return;
    }
    auto territories = ListParam(req, "filter[territory]");
    for (const auto& t : ListParam(req, "filter[reviewTerritory]")) territories.insert(t);
    const auto ratings = ListParam(req, "filter[rating]");
    const auto fields = ListParam(req, "fields[customerReviews]");
    const auto include = ListParam(req, "include");
    for (const auto& r : ratings) {
      if (r.size() != 1 || r[0] < '1' || r[0] > '5') {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                  "'" + r + "' is not a valid value for the parameter", "filter[rating]");
        return;
      }
    }
    std::optional<bool> has_response;
    if (req.has_param("exists[publishedResponse]")) {
      has_response = req.get_param_value("exists[publishedResponse]") == "true";
    }
    std::vector<const ReviewInfo*> selected;
    for (const auto& r : ReviewsOf(app_id)) {
      if (!territories.empty() && !territories.contains(r.territory)) continue;
      if (!ratings.empty() && !ratings.contains(std::to_string(r.rating))) continue;
      if (has_response) {
        bool published = false;
        std::lock_guard lock(mu);
        if (auto it = responses.find(r.id); it != responses.end()) {
          published = std::chrono::steady_clock::now() - it->second.created >=
                      std::chrono::milliseconds(publish_delay_ms);
        }
        if (published != *has_response) continue;
      }
      selected.push_back(&r);
    }
    // sort: comma list of rating/createdDate with '-' for descending; default newest first.
    std::vector<std::pair<std::string, bool>> sort_keys;
    std::stringstream sort_in(req.has_param("sort") ? req.get_param_value("sort") : "-createdDate");
    for (std::string key; std::getline(sort_in, key, ',');) {
      const bool desc = !key.empty() && key[0] == '-';
      if (desc) key.erase(0, 1);
      if (key != "rating" && key != "createdDate") {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                  "'" + req.get_param_value("sort") + "' is not a valid sort", "sort");
        return;
      }
      sort_keys.emplace_back(key, desc);
    }
    std::stable_sort(selected.begin(), selected.end(), [&](const ReviewInfo* a, const ReviewInfo* b) {
      for (const auto& [key, desc] : sort_keys) {
        const int64_t x = key == "rating" ? a->rating : a->created_epoch;
        const int64_t y = key == "rating" ? b->rating : b->created_epoch;
        if (x != y) return desc ? x > y : x < y;
      }
      return false;
    });
    Paged(req, res, selected.size(), [&](size_t i, const std::string& base) {
      return ReviewResource(*selected[i], base, fields);
    }, [&](size_t from, size_t to, const std::string& base) {
      Json included = Json::array();
      if (!include.contains("response")) return included;
      std::lock_guard lock(mu);
      for (size_t i = from; i < to; ++i) {
        if (auto it = responses.find(selected[i]->id); it != responses.end()) {
          included.push_back(ResponseResource(it->second, base));
        }
      }
      return included;
    });
  }

  // Shared cursor paging (opaque cursor = base64url("offset:N"); links.next repeats the query).
  template <typename Item, typename Included>
  void Paged(const httplib::Request& req, httplib::Response& res, size_t total, Item item, Included included) {
    size_t limit = 50;
    if (req.has_param("limit")) {
      const std::string v = req.get_param_value("limit");
      const bool digits = !v.empty() && v.size() < 6 && std::all_of(v.begin(), v.end(), ::isdigit);
      limit = digits ? std::stoul(v) : 0;
      if (limit < 1 || limit > 200) {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                  "The limit must be between 1 and 200", "limit");
        return;
      }
    }
    size_t offset = 0;
    if (req.has_param("cursor")) {
      const auto decoded = B64UrlDecode(req.get_param_value("cursor"));
      if (!decoded || decoded->rfind("offset:", 0) != 0 || decoded->size() > 20 || decoded->size() == 7 ||
          !std::all_of(decoded->begin() + 7, decoded->end(), ::isdigit)) {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                  "The cursor is not valid", "cursor");
        return;
      }
      offset = std::stoul(decoded->substr(7));
    }
    const std::string base = "http://" + req.get_header_value("Host");
    std::string query;
    for (const auto& [name, value] : req.params) {
      if (name == "cursor") continue;
      query += (query.empty() ? "" : "&") + Encode(name) + "=" + Encode(value);
    }
    const size_t end = std::min(total, offset + limit);
    Json data = Json::array();
    for (size_t i = offset; i < end; ++i) data.push_back(item(i, base));
    Json links = {{"self", base + req.path + (req.params.empty() ? "" : "?" + query)}};
    if (end < total) {
      links["next"] = base + req.path + "?" + (query.empty() ? "" : query + "&") +
                      "cursor=" + B64UrlEncode("offset:" + std::to_string(end));
    }
    Json doc = {{"data", data}, {"links", links}, {"meta", {{"paging", {{"total", total}, {"limit", limit}}}}}};
    Json inc = included(offset, end, base);
    if (!inc.empty()) doc["included"] = inc;
    res.status = 200;
    res.set_content(doc.dump(), "application/json");
  }

  // GET /v1/users (§5): the team's people and their roles. Admin / Account Holder only.
  void Users(const httplib::Request& req, httplib::Response& res) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    if (!KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER"})) {
      JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
      return;
    }
    static const std::set<std::string> kParams = {"filter[username]", "filter[roles]", "filter[visibleApps]",
                                                  "sort", "fields[users]", "include", "limit", "cursor",
                                                  "limit[visibleApps]"};
    for (const auto& [name, value] : req.params) {
      if (!kParams.contains(name)) {
        JsonError(res, 400, "PARAMETER_ERROR.ILLEGAL", "A parameter isn't allowed for this request",
                  "'" + name + "' is not a valid parameter for this request", name);
        return;
      }
    }
    struct Person {
      const char* first;
      const char* last;
      std::vector<std::string> roles;
    };
    static const std::vector<Person> kPeople = {
        {"Avery", "Holder", {"ACCOUNT_HOLDER", "ADMIN"}}, {"Blake", "Admin", {"ADMIN"}},
        {"Casey", "Numbers", {"FINANCE"}},                {"Devon", "Reports", {"SALES", "ACCESS_TO_REPORTS"}},
        {"Emery", "Support", {"CUSTOMER_SUPPORT"}},       {"Finley", "Builder", {"DEVELOPER"}},
        {"Gray", "Market", {"MARKETING", "APP_MANAGER"}}};
    const auto usernames = ListParam(req, "filter[username]");
    const auto roles = ListParam(req, "filter[roles]");
    const auto fields = ListParam(req, "fields[users]");
    std::vector<Json> users;
    const std::string domain = "@orcharddemo.example";
    for (size_t i = 0; i < kPeople.size(); ++i) {
      const Person& p = kPeople[i];
      std::string username = std::string(p.first) + "." + p.last + domain;
      for (char& c : username) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!usernames.empty() && !usernames.contains(username)) continue;
      if (!roles.empty() && std::none_of(p.roles.begin(), p.roles.end(),
                                         [&](const std::string& r) { return roles.contains(r); })) {
        continue;
      }
      Json attributes = {{"username", username}, {"firstName", p.first}, {"lastName", p.last},
                         {"roles", p.roles}, {"allAppsVisible", true}, {"provisioningAllowed", false}};
      KeepFields(&attributes, fields);
      char id[64];
      std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012zx", static_cast<unsigned>(options.seed & 0xffffffff), i + 1);
      users.push_back(Json{{"type", "users"}, {"id", id}, {"attributes", attributes}});
    }
    if (req.has_param("sort")) {
      std::string key = req.get_param_value("sort");
      const bool desc = !key.empty() && key[0] == '-';
      if (desc) key.erase(0, 1);
      if (key != "username" && key != "lastName") {
        JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                  "'" + req.get_param_value("sort") + "' is not a valid sort", "sort");
        return;
      }
      std::stable_sort(users.begin(), users.end(), [&](const Json& a, const Json& b) {
        const std::string x = a["attributes"].value(key, ""), y = b["attributes"].value(key, "");
        return desc ? y < x : x < y;
      });
    }
    Paged(req, res, users.size(), [&](size_t i, const std::string& base) {
      Json u = users[i];
      u["links"] = {{"self", base + "/v1/users/" + u["id"].get<std::string>()}};
      return u;
    }, [](size_t, size_t, const std::string&) { return Json::array(); });
  }

  // POST /v1/customerReviewResponses: create or replace (§4.2).
  void CreateResponse(const httplib::Request& req, httplib::Response& res) {
    auto kid = Admitted(req, res);
    if (!kid) return;
    if (!KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER", "APP_MANAGER", "CUSTOMER_SUPPORT"})) {
      JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
      return;
    }
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      res.status = 415;
      res.set_content("Unsupported Media Type", "text/plain");
      return;
    }
    const Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
      JsonError(res, 400, "ENTITY_INVALID", "The provided entity is invalid", "The request body is not valid JSON");
      return;
    }
    const Json* data = body.is_object() && body.contains("data") ? &body["data"] : nullptr;
    const bool shaped = data != nullptr && data->is_object() && data->value("type", "") == "customerReviewResponses" &&
                        data->contains("attributes") && (*data)["attributes"].is_object() &&
                        (*data)["attributes"].contains("responseBody") &&
                        (*data)["attributes"]["responseBody"].is_string() && data->contains("relationships") &&
                        (*data)["relationships"].contains("review") &&
                        (*data)["relationships"]["review"].contains("data") &&
                        (*data)["relationships"]["review"]["data"].value("type", "") == "customerReviews";
    if (!shaped) {
      JsonError(res, 422, "ENTITY_UNPROCESSABLE", "The request entity is not valid",
                "Expected data.type customerReviewResponses with attributes.responseBody and relationships.review");
      return;
    }
    const std::string review_id = (*data)["relationships"]["review"]["data"].value("id", "");
    const std::string text = (*data)["attributes"]["responseBody"];
    if (FindReview(review_id) == nullptr) {
      JsonError(res, 409, "ENTITY_ERROR.RELATIONSHIP.INVALID", "The provided entity includes a relationship with an invalid value",
                "'" + review_id + "' is not a valid id for this relationship", "");
      return;
    }
    if (text.empty()) {
      JsonError(res, 409, "ENTITY_ERROR.ATTRIBUTE.REQUIRED", "The provided entity is missing a required field",
                "You must provide a value for the attribute 'responseBody' with this request");
      return;
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    ReviewResponse r{"resp-" + review_id.substr(0, 8) + "-" + std::to_string(now % 100000), review_id, text,
                     Rfc3339Utc(now), std::chrono::steady_clock::now()};
    Json out;
    {
      std::lock_guard lock(mu);
      responses[review_id] = r;  // a second POST replaces the first
      out = ResponseResource(r, "http://" + req.get_header_value("Host"));
    }
    res.status = 201;
    res.set_content(Json{{"data", out}, {"links", {{"self", out["links"]["self"]}}}}.dump(), "application/json");
  }

  static std::string Rfc3339Utc(int64_t epoch) {
    const Date d = Date::FromDays(static_cast<int32_t>(epoch / 86400));
    const int64_t s = epoch % 86400;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", d.Iso().c_str(), static_cast<int>(s / 3600),
                  static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
    return buf;
  }

  void Log(const httplib::Request& req, const httplib::Response& res) {
    if (req.path.rfind("/v1/", 0) != 0) return;
    LoggedRequest entry;
    entry.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    entry.method = req.method;
    entry.path = req.path;
    for (const auto& [k, v] : req.params) entry.query += (entry.query.empty() ? "" : "&") + k + "=" + v;
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) == 0) {
      const std::string token = auth.substr(7);
      if (auto h = B64UrlDecode(std::string_view(token).substr(0, token.find('.')))) {
        const Json header = Json::parse(*h, nullptr, false);
        if (header.is_object()) entry.kid = header.value("kid", "");
      }
    }
    entry.status = res.status;
    std::lock_guard lock(mu);
    log.push_back(std::move(entry));
  }

  void Routes() {
    // Every /v1 handler logs before it returns, so the entry exists before the client has the
    // answer (a logger run after the response would race the test reading the log).
    server.Get("/v1/salesReports", [this](const httplib::Request& req, httplib::Response& res) {
      SalesReports(req, res);
      Log(req, res);
    });
    server.Get("/v1/apps", [this](const httplib::Request& req, httplib::Response& res) {
      Apps(req, res, "");
      Log(req, res);
    });
    server.Get(R"(/v1/apps/([0-9]+))", [this](const httplib::Request& req, httplib::Response& res) {
      Apps(req, res, req.matches[1]);
      Log(req, res);
    });
    server.Get(R"(/v1/apps/([0-9]+)/customerReviews)", [this](const httplib::Request& req, httplib::Response& res) {
      CustomerReviews(req, res, req.matches[1]);
      Log(req, res);
    });
    server.Get(R"(/v1/customerReviews/([^/]+)(/response)?)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Admitted(req, res)) return Log(req, res);
      const std::string base = "http://" + req.get_header_value("Host");
      const ReviewInfo* review = FindReview(req.matches[1]);
      if (review == nullptr) {
        JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                  "There is no resource of type 'customerReviews' with id '" + std::string(req.matches[1]) + "'");
      } else if (req.matches[2].length() > 0) {
        std::lock_guard lock(mu);
        auto it = responses.find(review->id);
        if (it == responses.end()) {
          JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                    "The review has no response");
        } else {
          res.status = 200;
          res.set_content(Json{{"data", ResponseResource(it->second, base)}, {"links", {{"self", base + req.path}}}}.dump(),
                          "application/json");
        }
      } else {
        res.status = 200;
        res.set_content(Json{{"data", ReviewResource(*review, base, {})}, {"links", {{"self", base + req.path}}}}.dump(),
                        "application/json");
      }
      Log(req, res);
    });
    server.Get("/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
      Users(req, res);
      Log(req, res);
    });
    server.Post("/v1/customerReviewResponses", [this](const httplib::Request& req, httplib::Response& res) {
      CreateResponse(req, res);
      Log(req, res);
    });
    auto response_by_id = [this](const httplib::Request& req, httplib::Response& res) {
      auto kid = Admitted(req, res);
      if (!kid) return Log(req, res);
      if (req.method == "DELETE" && !KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER", "APP_MANAGER", "CUSTOMER_SUPPORT"})) {
        JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
        return Log(req, res);
      }
      const std::string id = req.matches[1];
      const std::string base = "http://" + req.get_header_value("Host");
      std::unique_lock lock(mu);
      auto it = std::find_if(responses.begin(), responses.end(), [&](const auto& kv) { return kv.second.id == id; });
      if (it == responses.end()) {
        JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                  "There is no resource of type 'customerReviewResponses' with id '" + id + "'");
      } else if (req.method == "DELETE") {
        responses.erase(it);
        res.status = 204;
      } else {
        res.status = 200;
        res.set_content(Json{{"data", ResponseResource(it->second, base)}, {"links", {{"self", base + req.path}}}}.dump(),
                        "application/json");
      }
      lock.unlock();  // Log takes the lock itself
      Log(req, res);
    };
    server.Get(R"(/v1/customerReviewResponses/([^/]+))", response_by_id);
    server.Delete(R"(/v1/customerReviewResponses/([^/]+))", response_by_id);
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
      auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        JsonError(res, 405, "METHOD_NOT_ALLOWED", "The request method is not valid for the resource path.",
                  "The request method is not valid for the resource path.");
        Log(req, res);
      };
      if (std::string_view(method) == "POST") server.Post("/v1/salesReports", handler);
      if (std::string_view(method) == "PUT") server.Put("/v1/salesReports", handler);
      if (std::string_view(method) == "PATCH") server.Patch("/v1/salesReports", handler);
      if (std::string_view(method) == "DELETE") server.Delete("/v1/salesReports", handler);
    }

    // --- control endpoints for tests (no auth) ---
    // ?date=YYYY-MM-DD (the first day of the period) [&frequency=DAILY|WEEKLY|MONTHLY|YEARLY]
    server.Get("/_sandbox/salesReports", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string f = req.has_param("frequency") ? req.get_param_value("frequency") : "DAILY";
      const Frequency freq = f == "WEEKLY" ? Frequency::kWeekly : f == "MONTHLY" ? Frequency::kMonthly
                             : f == "YEARLY" ? Frequency::kYearly : Frequency::kDaily;
      auto day = Date::ParseIso(req.get_param_value("date"));
      const std::string gz = day ? GzipReport(freq, *day) : std::string();
      if (gz.empty()) {
        res.status = 404;
        res.set_content("no report for that period\n", "text/plain");
        return;
      }
      res.set_content(gz, "application/a-gzip");
    });
    server.Get("/_sandbox/fx/eurofxref-hist.csv", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(portfolio.EcbFxCsv(portfolio.first_sales_day().AddDays(-10), portfolio.today()),
                      "text/csv");
    });
    server.Post(R"(/_sandbox/keys/([A-Z0-9]+)/revoke)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      auto it = keys.find(req.matches[1]);
      if (it == keys.end()) {
        res.status = 404;
        res.set_content(R"({"error":"unknown key"})", "application/json");
        return;
      }
      it->second.revoked = true;
      res.set_content(Json{{"revoked", it->first}}.dump(), "application/json");
    });
    server.Post("/_sandbox/faults", [this](const httplib::Request& req, httplib::Response& res) {
      const Json body = Json::parse(req.body, nullptr, false);
      std::lock_guard lock(mu);
      if (Status st = ApplyFaults(body); !st.ok()) {
        res.status = 400;
        res.set_content(Json{{"error", st.message()}}.dump(), "application/json");
        return;
      }
      res.set_content(R"({"ok":true})", "application/json");
    });
    server.Post("/_sandbox/faults/clear", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu);
      not_yet_days.clear();
      fail_count = 0;
      rate_limit_next = 0;
      retry_after = -1;
      latency_ms = 0;
      truncate_next = 0;
      drop_next = 0;
      res.set_content(R"({"ok":true})", "application/json");
    });
    server.Get("/_sandbox/requests", [this](const httplib::Request&, httplib::Response& res) {
      Json out = Json::array();
      std::lock_guard lock(mu);
      for (const auto& e : log) {
        out.push_back({{"time", e.time_ms}, {"method", e.method}, {"path", e.path},
                       {"query", e.query}, {"kid", e.kid}, {"status", e.status}});
      }
      res.set_content(out.dump(), "application/json");
    });

    // Anything else under /v1 is an unknown path, in Apple's words.
    auto unknown = [this](const httplib::Request& req, httplib::Response& res) {
      JsonError(res, 404, "PATH_ERROR", "The URL path is not valid",
                "The resource '" + req.path + "' does not exist");
      Log(req, res);
    };
    server.Get(".*", unknown);
    server.Post(".*", unknown);
    server.Delete(".*", unknown);
  }
};

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Sandbox>> Sandbox::Start(SandboxOptions options) {
  const Date today = options.today.value_or(Date::Today("America/Los_Angeles"));
  if (options.keys_dir.empty()) return Error(Code::kInvalidArgument, "the sandbox needs a keys dir");
  std::error_code ec;
  std::filesystem::create_directories(options.keys_dir, ec);
  if (ec) {
    return Error(Code::kPermissionDenied,
                 "cannot create " + options.keys_dir.string() + ": " + ec.message());
  }
  auto impl = std::make_unique<Impl>(options, today);
  if (!options.faults_json.empty()) {
    std::lock_guard lock(impl->mu);
    ORCHARD_RETURN_IF_ERROR(impl->ApplyFaults(Json::parse(options.faults_json, nullptr, false)));
  }
  // The main team key (Admin) and a key without access to Sales and Trends (Developer).
  ORCHARD_RETURN_IF_ERROR(impl->IssueKey(0, {"ADMIN"}, "key.json"));
  ORCHARD_RETURN_IF_ERROR(impl->IssueKey(1, {"DEVELOPER"}, "key-developer.json"));
  std::ofstream(options.keys_dir / "eurofxref-hist.csv")
      << impl->portfolio.EcbFxCsv(impl->portfolio.first_sales_day().AddDays(-10), today);
  impl->Routes();
  impl->port = options.port == 0 ? impl->server.bind_to_any_port(options.host)
                                 : (impl->server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (impl->port <= 0) {
    return Error(Code::kUnavailable, "the sandbox cannot listen on " + options.host + ":" +
                                         std::to_string(options.port) + " (port in use?)");
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  // Until the accept loop runs, stop() would be a no-op and a later join would hang.
  for (int i = 0; i < 5000 && !impl->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<Sandbox>(new Sandbox(std::move(impl)));
}

Sandbox::~Sandbox() { Stop(); }

void Sandbox::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int Sandbox::port() const { return impl_->port; }
std::string Sandbox::base_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port);
}

}  // namespace orchard::sandbox
