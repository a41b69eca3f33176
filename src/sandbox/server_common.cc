// The front every /v1 endpoint shares: keys and JWT verification (apple-apis.md §1.6), the
// rolling-hour rate limit (§1.4), JSON:API errors (§1.5), injected faults, paging helpers and
// the request log.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "sandbox/generator_internal.h"
#include "sandbox/server.h"

namespace orchard::sandbox {

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
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
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
  const bool ok =
      der_len > 0 && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
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

std::string Base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Unbase64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return std::nullopt;
  std::string out(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Keys.
bool Sandbox::Impl::ScopeAllows(const Json& scope, const httplib::Request& req) {
  auto params_of = [](const std::string& query) {
    std::multiset<std::string> out;
    size_t start = 0;
    while (start < query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      std::string pair = httplib::detail::decode_url(query.substr(start, amp - start), true);
      const std::string name = pair.substr(0, pair.find('='));
      if (!pair.empty() && name != "limit" && name != "cursor" && name != "sort") out.insert(pair);
      start = amp + 1;
    }
    return out;
  };
  std::multiset<std::string> asked;
  for (const auto& [name, value] : req.params) {
    if (name != "limit" && name != "cursor" && name != "sort") asked.insert(name + "=" + value);
  }
  bool allowed = false;
  for (const auto& entry : scope) {
    if (!entry.is_string()) return false;
    const std::string text = entry.get<std::string>();
    if (text.rfind("GET ", 0) != 0) return false;  // only GET entries are valid
    const std::string target = text.substr(4);
    const size_t q = target.find('?');
    const std::string path = target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    if (req.method == "GET" && path == req.path && params_of(query) == asked) allowed = true;
  }
  return allowed;
}

bool Sandbox::Impl::TeamKey(const std::string& kid, httplib::Response& res) {
  {
    std::lock_guard lock(mu);
    if (!keys[kid].individual) return true;
  }
  JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle,
            "Individual API keys cannot access Sales and Finance reports. Use a team key.");
  return false;
}

Status Sandbox::Impl::IssueKey(int index, const std::vector<std::string>& roles,
                               const std::string& json_name, bool individual) {
  ApiKey k;
  k.individual = individual;
  k.issuer_id = P()->issuer_id();
  k.key_id = P()->key_id(index);
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
  Json meta = {{"issuer_id", k.issuer_id},
               {"key_id", k.key_id},
               {"vendor_number", P()->vendor_number()},
               {"key_file", p8.filename().string()},
               {"roles", roles}};
  if (individual) {
    // An individual key belongs to a user and has no issuer in its tokens.
    meta.erase("issuer_id");
    meta["individual"] = true;
    meta["user"] = "dana.admin@orcharddemo.example";
  }
  std::ofstream(json_path) << meta.dump(2) << "\n";
  keys.emplace(k.key_id, std::move(k));
  return Status::Ok();
}

// The credentials of the link methods other than API keys, derived from the seed.
Status Sandbox::Impl::IssueAppleIds() {
  auto letters = [&](uint64_t salt, size_t n) {
    std::string out;
    uint64_t h = internal::Key({options.seed, salt});
    for (size_t i = 0; i < n; ++i) {
      if (i % 13 == 0) h = internal::Key({h, i});
      out.push_back(static_cast<char>('a' + h % 26));
      h /= 26;
    }
    return out;
  };
  const std::string asp = letters(80, 16);
  reporter_apple_id = "reports@orcharddemo.example";
  reporter_password = asp.substr(0, 4) + "-" + asp.substr(4, 4) + "-" + asp.substr(8, 4) + "-" +
                      asp.substr(12, 4);
  reporter_account = std::to_string(100000 + internal::Key({options.seed, 81}) % 900000);
  const Json apple_id = {{"apple_id", reporter_apple_id},
                         {"app_specific_password", reporter_password},
                         {"account", reporter_account},
                         {"vendor_number", P()->vendor_number()}};
  const auto path = options.keys_dir / "apple-id.json";
  std::filesystem::remove(path);
  std::ofstream(path) << apple_id.dump(2) << "\n";
  ::chmod(path.c_str(), 0600);
  return Status::Ok();
}

bool Sandbox::Impl::RequiredParams(const httplib::Request& req, httplib::Response& res,
                                   std::initializer_list<const char*> required) {
  for (const char* name : required) {
    if (!req.has_param(name)) {
      JsonError(res, 400, "PARAMETER_ERROR.REQUIRED", "A parameter is required",
                std::string("You must provide a value for the parameter '") + name +
                    "' with this request",
                name);
      return false;
    }
  }
  return true;
}

void Sandbox::Impl::InvalidParam(httplib::Response& res, const std::string& parameter,
                                 const std::string& value) {
  JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
            "'" + value + "' is not a valid value for the parameter", parameter);
}

// Responses.
void Sandbox::Impl::JsonError(httplib::Response& res, int status, const std::string& code,
                              const std::string& title, const std::string& detail,
                              const std::string& parameter) {
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
Status Sandbox::Impl::ApplyFaults(const Json& body) {
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
std::optional<std::string> Sandbox::Impl::Authenticate(const httplib::Request& req,
                                                       httplib::Response& res) {
  auto unauthorized = [&]() -> std::optional<std::string> {
    JsonError(res, 401, "NOT_AUTHORIZED", kNotAuthorizedTitle, kNotAuthorizedDetail);
    return std::nullopt;
  };
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) return unauthorized();
  const std::string token = auth.substr(7);
  const size_t a = token.find('.');
  const size_t b = token.find('.', a == std::string::npos ? 0 : a + 1);
  if (a == std::string::npos || b == std::string::npos ||
      token.find('.', b + 1) != std::string::npos) {
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
  if (it == keys.end() || it->second.revoked || it->second.key == nullptr) return unauthorized();
  if (payload.value("aud", "") != "appstoreconnect-v1") return unauthorized();
  if (it->second.individual) {
    // Individual keys: `sub: "user"` instead of `iss` (§1.1, §1.3).
    if (payload.contains("iss") || payload.value("sub", "") != "user") return unauthorized();
  } else if (!payload.contains("iss") || payload["iss"] != it->second.issuer_id) {
    return unauthorized();
  }
  // A scoped token works only for the GET requests it names (limit, cursor and sort aside).
  if (payload.contains("scope")) {
    if (!payload["scope"].is_array() || !ScopeAllows(payload["scope"], req)) return unauthorized();
  }
  if (!payload.contains("iat") || !payload.contains("exp") || !payload["iat"].is_number_integer() ||
      !payload["exp"].is_number_integer()) {
    return unauthorized();
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t iat = payload["iat"].get<int64_t>();
  const int64_t exp = payload["exp"].get<int64_t>();
  if (exp <= now || exp - iat > 1200 || iat > now + 60) return unauthorized();
  if (!VerifyRawEs256(it->second.key, std::string_view(token).substr(0, b), *sig))
    return unauthorized();
  return kid;
}

// Rolling-hour window per key; answers 429 when it is exhausted. Caller holds no lock.
bool Sandbox::Impl::Admit(const std::string& kid, httplib::Response& res) {
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

bool Sandbox::Impl::InjectedFailure(httplib::Response& res) {
  std::lock_guard lock(mu);
  if (fail_count <= 0) return false;
  --fail_count;
  JsonError(res, fail_status, "UNEXPECTED_ERROR", "An unexpected error occurred.",
            "The server encountered an unexpected error. Try again later.");
  return true;
}

// The shared front of every /v1 endpoint: latency, authentication, injected failures and the
// rate limit. Returns the key id, or nothing when `res` already holds the answer.
std::optional<std::string> Sandbox::Impl::Admitted(const httplib::Request& req,
                                                   httplib::Response& res) {
  int delay = 0;
  {
    std::lock_guard lock(mu);
    delay = latency_ms;
  }
  if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  auto kid = req.path.rfind("/iris/", 0) == 0 ? AuthenticateWeb(req, res) : Authenticate(req, res);
  if (!kid || InjectedFailure(res) || !Admit(*kid, res)) return std::nullopt;
  return kid;
}

std::string Sandbox::Impl::Encode(const std::string& s) {
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

bool Sandbox::Impl::KeyHasRole(const std::string& kid, std::initializer_list<const char*> allowed) {
  std::lock_guard lock(mu);
  for (const auto& role : keys[kid].roles) {
    for (const char* a : allowed) {
      if (role == a) return true;
    }
  }
  return false;
}

// Sparse fieldsets (fields[type]=a,b): keep only the named attributes; none named keeps all.
void Sandbox::Impl::KeepFields(Json* attributes, const std::set<std::string>& fields) {
  if (fields.empty()) return;
  for (auto it = attributes->begin(); it != attributes->end();) {
    it = fields.contains(it.key()) ? std::next(it) : attributes->erase(it);
  }
}

bool Sandbox::Impl::OnlyParams(const httplib::Request& req, httplib::Response& res,
                               const std::set<std::string>& allowed) {
  for (const auto& [name, value] : req.params) {
    if (!allowed.contains(name)) {
      JsonError(res, 400, "PARAMETER_ERROR.ILLEGAL", "A parameter isn't allowed for this request",
                "'" + name + "' is not a valid parameter for this request", name);
      return false;
    }
  }
  return true;
}

std::set<std::string> Sandbox::Impl::ListParam(const httplib::Request& req, const char* name) {
  std::set<std::string> out;
  if (!req.has_param(name)) return out;
  std::stringstream in(req.get_param_value(name));
  for (std::string item; std::getline(in, item, ',');) out.insert(item);
  return out;
}

std::string Sandbox::Impl::Rfc3339Utc(int64_t epoch) {
  const Date d = Date::FromDays(static_cast<int32_t>(epoch / 86400));
  const int64_t s = epoch % 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", d.Iso().c_str(), static_cast<int>(s / 3600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return buf;
}

void Sandbox::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  if (req.path.rfind("/_sandbox/", 0) == 0) return;  // tests' own calls are not Apple traffic
  LoggedRequest entry;
  entry.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  entry.method = req.method;
  entry.path = req.path;
  for (const auto& [k, v] : req.params)
    entry.query += (entry.query.empty() ? "" : "&") + k + "=" + v;
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

}  // namespace orchard::sandbox
