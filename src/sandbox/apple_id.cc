// Apple ID web sign-in and the App Store Connect web session (apple-apis.md Part II §A, the
// checklist of §A.14): the widget key, hashcash, SRP init/complete, the two-factor code (which
// the test reads from /_sandbox/appleid/code, standing in for the user's trusted device), trust
// (the DES cookie), olympus/v1/session, and cookie authentication for /iris/v1.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sys/stat.h>

#include "sandbox/generator_internal.h"
#include "sandbox/server.h"
#include "sandbox/srp.h"

namespace orchard::sandbox {
namespace {

constexpr int kHashcashBits = 11;
constexpr int kTrustSeconds = 2592000;  // 30 days (the DES cookie's Max-Age)
constexpr int kDqsidSeconds = 1800;
constexpr int kMaxPasswordFailures = 5;
constexpr int kMaxCodeFailures = 3;

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}
std::string RandomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return B64UrlEncode(raw);
}

// The cookies of a request: name → value (surrounding double quotes removed).
std::map<std::string, std::string> Cookies(const httplib::Request& req) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < req.get_header_value_count("Cookie"); ++i) {
    const std::string value = req.get_header_value("Cookie", i);
    size_t start = 0;
    while (start < value.size()) {
      size_t end = value.find(';', start);
      if (end == std::string::npos) end = value.size();
      std::string pair = value.substr(start, end - start);
      start = end + 1;
      const size_t a = pair.find_first_not_of(' ');
      if (a == std::string::npos) continue;
      pair = pair.substr(a);
      const size_t eq = pair.find('=');
      if (eq == std::string::npos) continue;
      std::string v = pair.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      out[pair.substr(0, eq)] = v;
    }
  }
  return out;
}

void ServiceError(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  res.status = status;
  res.set_content(Json{{"serviceErrors", Json::array({{{"code", code}, {"message", message}}})}}.dump(),
                  "application/json");
}

// SHA-1 of the stamp has at least `bits` leading zero bits.
bool LeadingZeroBits(const std::string& stamp, int bits) {
  unsigned char md[20];
  unsigned int len = 0;
  EVP_Digest(stamp.data(), stamp.size(), md, &len, EVP_sha1(), nullptr);
  for (int i = 0; i < bits; ++i) {
    if (md[i / 8] & (0x80 >> (i % 8))) return false;
  }
  return true;
}

}  // namespace

Status Sandbox::Impl::IssueWebAccount() {
  auto letters = [&](uint64_t salt, size_t n) {
    static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    for (size_t i = 0; i < n; ++i) out.push_back(kAlphabet[internal::Key({options.seed, salt, i}) % (sizeof kAlphabet - 1)]);
    return out;
  };
  web.apple_id = "support@orcharddemo.example";
  web.password = letters(95, 6) + "-" + letters(96, 6) + "-" + letters(97, 4);
  web.protocol = "s2k";
  web.iterations = 20012;
  web.salt.clear();
  for (uint64_t i = 0; i < 16; ++i) web.salt.push_back(static_cast<char>(internal::Key({options.seed, 98, i}) & 0xff));
  web.verifier = srp::Verifier(web.salt, srp::PasswordKey(web.password, web.protocol, web.salt, web.iterations));
  web.widget_key = RandomHex(32);
  static constexpr char kHex[] = "0123456789abcdef";
  web.trust_cookie_name = "DES";
  for (uint64_t i = 0; i < 33; ++i) web.trust_cookie_name.push_back(kHex[internal::Key({options.seed, 94, i}) % 16]);
  web.provider_id = 100000000 + static_cast<int64_t>(internal::Key({options.seed, 99}) % 900000000);
  const Json account = {{"apple_id", web.apple_id},
                        {"password", web.password},
                        {"roles", Json::array({"CUSTOMER_SUPPORT", "SALES"})},
                        {"phone_last_two_digits", "42"}};
  const auto path = options.keys_dir / "sub-account.json";
  std::filesystem::remove(path);
  std::ofstream(path) << account.dump(2) << "\n";
  ::chmod(path.c_str(), 0600);
  // The web session acts with the sub-account's roles, like a key would.
  ApiKey k;
  k.key_id = "web:" + web.apple_id;
  k.roles = {"CUSTOMER_SUPPORT", "SALES"};
  keys.emplace(k.key_id, std::move(k));
  return Status::Ok();
}

void Sandbox::Impl::AppleIdRoutes() {
  // Handlers hold `mu`; the request log (which takes it too) is written after they return.
  auto logged = [this](auto handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      handler(req, res);
      Log(req, res);
    };
  };
  auto json_of = [](const httplib::Request& req) { return Json::parse(req.body, nullptr, false); };
  // Every idmsa call carries the widget key.
  auto widget_ok = [this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("X-Apple-Widget-Key") == web.widget_key) return true;
    ServiceError(res, 401, "-20101", "Your Apple ID or password was incorrect.");
    return false;
  };
  // The 2FA calls: the session id and the newest scnt of a login in progress.
  auto login_of = [this](const httplib::Request& req, httplib::Response& res) -> WebLogin* {
    auto it = web_logins.find(req.get_header_value("X-Apple-ID-Session-Id"));
    if (it == web_logins.end() || req.get_header_value("scnt") != it->second.scnt) {
      ServiceError(res, 401, "-20101", "Your session has expired. Sign in again.");
      return nullptr;
    }
    it->second.scnt = RandomToken(24);  // rotates on every answer
    res.set_header("scnt", it->second.scnt);
    res.set_header("X-Apple-ID-Session-Id", it->first);
    return &it->second;
  };
  auto new_web_session = [this](httplib::Response& res) {
    const std::string token = RandomToken(48);
    web_sessions[token] = {web.apple_id, std::chrono::steady_clock::now() +
                                             std::chrono::seconds(options.web_session_seconds)};
    res.set_header("Set-Cookie", "myacinfo=" + token + "; Domain=.apple.com; Path=/; Secure; HttpOnly");
  };

  server.Get("/olympus/v1/app/config", logged([this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("hostname") != "itunesconnect.apple.com") {
      res.status = 404;
      res.set_content("{}", "application/json");
      return;
    }
    res.set_content(Json{{"authServiceUrl", "https://idmsa.apple.com/appleauth"},
                         {"authServiceKey", web.widget_key}}
                        .dump(),
                    "application/json");
  }));
  // The hashcash puzzle (§A.3).
  server.Get("/appleauth/auth/signin", logged([this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    const std::string challenge = RandomHex(16);
    web_hc_challenges.insert(challenge);
    res.set_header("X-Apple-HC-Bits", std::to_string(kHashcashBits));
    res.set_header("X-Apple-HC-Challenge", challenge);
    res.set_content("<html><body>Sign in</body></html>", "text/html");
    (void)req;
  }));
  server.Post("/appleauth/auth/signin/init", logged([this, json_of, widget_ok](const httplib::Request& req,
                                                                        httplib::Response& res) {
    std::lock_guard lock(mu);
    if (!widget_ok(req, res)) return;
    const Json body = json_of(req);
    const auto a = body.is_object() && body.contains("a") && body["a"].is_string()
                       ? Unbase64(body["a"].get<std::string>())
                       : std::nullopt;
    if (!a || !srp::ValidPublic(*a) || !body.contains("accountName") || !body["accountName"].is_string()) {
      ServiceError(res, 400, "-20101", "Your Apple ID or password was incorrect.");
      return;
    }
    if (body["accountName"] != web.apple_id) {
      res.status = 401;
      res.set_content("{}", "application/json");
      return;
    }
    WebSrp attempt;
    attempt.A = *a;
    attempt.b.resize(256);
    RAND_bytes(reinterpret_cast<unsigned char*>(attempt.b.data()), 256);
    attempt.B = srp::ServerPublic(web.verifier, attempt.b);
    const std::string c = "d-" + std::to_string(200 + web_srp.size() % 99) + "-" + NewUuid() + ":PRN";
    web_srp[c] = attempt;
    res.set_content(Json{{"iteration", web.iterations},
                         {"salt", Base64(web.salt)},
                         {"protocol", web.protocol},
                         {"b", Base64(attempt.B)},
                         {"c", c}}
                        .dump(),
                    "application/json");
  }));
  server.Post("/appleauth/auth/signin/complete", logged([this, json_of, widget_ok, new_web_session](
                                                     const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    if (!widget_ok(req, res)) return;
    // The hashcash stamp: 1:<bits>:<date>:<challenge>::<counter> (§A.3).
    const std::string stamp = req.get_header_value("X-Apple-HC");
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      const size_t colon = stamp.find(':', start);
      parts.push_back(stamp.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    bool stamp_ok = parts.size() == 6 && parts[0] == "1" && parts[1] == std::to_string(kHashcashBits) &&
                    parts[4].empty() && web_hc_challenges.contains(parts[3]) && parts[2].size() == 14 &&
                    LeadingZeroBits(stamp, kHashcashBits);
    if (stamp_ok) {
      std::tm tm{};
      tm.tm_year = std::stoi(parts[2].substr(0, 4)) - 1900;
      tm.tm_mon = std::stoi(parts[2].substr(4, 2)) - 1;
      tm.tm_mday = std::stoi(parts[2].substr(6, 2));
      const std::time_t minted = timegm(&tm);
      stamp_ok = std::llabs(static_cast<long long>(std::time(nullptr) - minted)) <= 2 * 86400;
    }
    if (!stamp_ok) {
      ServiceError(res, 400, "-20101", "Your Apple ID or password was incorrect.");
      return;
    }
    const Json body = json_of(req);
    auto it = body.is_object() && body.contains("c") && body["c"].is_string()
                  ? web_srp.find(body["c"].get<std::string>())
                  : web_srp.end();
    if (web.locked) {
      ServiceError(res, 403, "-20209", "This Apple ID has been locked for security reasons.");
      return;
    }
    const auto m1 = body.is_object() && body.contains("m1") && body["m1"].is_string() ? Unbase64(body["m1"].get<std::string>()) : std::nullopt;
    const auto m2 = body.is_object() && body.contains("m2") && body["m2"].is_string() ? Unbase64(body["m2"].get<std::string>()) : std::nullopt;
    const bool ok = it != web_srp.end() && m1 && m2 && body.value("accountName", "") == web.apple_id &&
                    srp::VerifyProofs(web.apple_id, web.salt, web.verifier, it->second.A, it->second.b,
                                      it->second.B, *m1, *m2);
    if (it != web_srp.end()) web_srp.erase(it);  // one attempt per challenge
    if (!ok) {
      if (++web.failures >= kMaxPasswordFailures) web.locked = true;
      ServiceError(res, 401, "-20101", "Your Apple ID or password was incorrect.");
      return;
    }
    web.failures = 0;
    // A trusted browser (a DES cookie from 2sv/trust that has not expired) skips the code.
    for (const auto& [name, value] : Cookies(req)) {
      if (name != web.trust_cookie_name) continue;
      auto t = web_trust.find(value);
      if (t != web_trust.end() && t->second > std::chrono::steady_clock::now()) {
        new_web_session(res);
        res.status = 200;
        res.set_content("{}", "application/json");
        return;
      }
    }
    WebLogin login;
    login.scnt = RandomToken(24);
    const std::string session_id = RandomToken(32);
    // Apple pushes a code to the trusted device as the 409 goes out.
    login.code = std::to_string(100000 + internal::Key({options.seed, 97, ++uuid_counter}) % 900000);
    web_last_code = login.code;
    res.set_header("scnt", login.scnt);
    res.set_header("X-Apple-ID-Session-Id", session_id);
    web_logins[session_id] = login;
    res.status = 409;
    res.set_content(Json{{"authType", "hsa2"}}.dump(), "application/json");
  }));
  server.Get("/appleauth/auth", logged([this, widget_ok, login_of](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    if (!widget_ok(req, res)) return;
    if (login_of(req, res) == nullptr) return;
    const Json phone = {{"numberWithDialCode", "+1 (\u2022\u2022\u2022) \u2022\u2022\u2022-\u2022\u202242"},
                        {"pushMode", "sms"},
                        {"obfuscatedNumber", "(\u2022\u2022\u2022) \u2022\u2022\u2022-\u2022\u202242"},
                        {"lastTwoDigits", "42"},
                        {"id", 1}};
    res.set_content(Json{{"trustedPhoneNumbers", Json::array({phone})},
                         {"trustedPhoneNumber", phone},
                         {"securityCode", {{"length", 6}, {"tooManyCodesSent", false},
                                           {"tooManyCodesValidated", false},
                                           {"securityCodeLocked", false},
                                           {"securityCodeCooldown", false}}},
                         {"trustedDeviceCount", 1},
                         {"mode", "sms"},
                         {"type", "verification"},
                         {"authenticationType", "hsa2"},
                         {"hsa2Account", true},
                         {"autoVerified", false},
                         {"restrictedAccount", false},
                         {"managedAccount", false},
                         {"supportsRecovery", true}}
                        .dump(),
                    "application/json");
  }));
  // Ask for a (new) code on the trusted device, or by SMS.
  auto send_code = [this, widget_ok, login_of](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    if (!widget_ok(req, res)) return;
    WebLogin* login = login_of(req, res);
    if (login == nullptr) return;
    login->code = std::to_string(100000 + internal::Key({options.seed, 97, ++uuid_counter}) % 900000);
    web_last_code = login->code;
    const bool phone = req.path.ends_with("/verify/phone");
    res.status = phone ? 200 : 202;
    res.set_content(phone ? Json{{"trustedPhoneNumber", {{"id", 1}, {"lastTwoDigits", "42"}}}}.dump() : "{}",
                    "application/json");
  };
  server.Put("/appleauth/auth/verify/trusteddevice/securitycode", logged(send_code));
  server.Put("/appleauth/auth/verify/phone", logged(send_code));
  auto submit_code = [this, json_of, widget_ok, login_of, new_web_session](const httplib::Request& req,
                                                                            httplib::Response& res) {
    std::lock_guard lock(mu);
    if (!widget_ok(req, res)) return;
    WebLogin* login = login_of(req, res);
    if (login == nullptr) return;
    const Json body = json_of(req);
    const std::string code = body.is_object() && body.contains("securityCode") && body["securityCode"].is_object()
                                 ? body["securityCode"].value("code", "")
                                 : "";
    if (login->wrong_codes >= kMaxCodeFailures) {
      res.status = 423;
      res.set_content(Json{{"securityCode", {{"securityCodeLocked", true}, {"tooManyCodesValidated", true}}}}.dump(),
                      "application/json");
      return;
    }
    if (code.empty() || code != login->code) {
      ++login->wrong_codes;
      res.status = 400;
      res.set_content(Json{{"serviceErrors", Json::array({{{"code", "-21669"},
                                                           {"title", "Incorrect Verification Code"},
                                                           {"message", "Incorrect verification code."}}})},
                           {"hasError", true}}
                          .dump(),
                      "application/json");
      return;
    }
    login->verified = true;
    new_web_session(res);
    res.status = req.path.find("/phone/") != std::string::npos ? 200 : 204;
  };
  server.Post("/appleauth/auth/verify/trusteddevice/securitycode", logged(submit_code));
  server.Post("/appleauth/auth/verify/phone/securitycode", logged(submit_code));
  // Trust this browser for 30 days: the DES cookie, and a fresh myacinfo.
  server.Get("/appleauth/auth/2sv/trust", logged([this, widget_ok, login_of, new_web_session](
                                              const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    if (!widget_ok(req, res)) return;
    WebLogin* login = login_of(req, res);
    if (login == nullptr) return;
    if (!login->verified) {
      ServiceError(res, 401, "-20101", "Verify the security code first.");
      return;
    }
    const std::string value = "HSARMTKNSRVXWFla" + RandomToken(96) + "SRVT";
    web_trust[value] = std::chrono::steady_clock::now() + std::chrono::seconds(kTrustSeconds);
    new_web_session(res);
    res.set_header("Set-Cookie", web.trust_cookie_name + "=\"" + value + "\"; Max-Age=" +
                                     std::to_string(kTrustSeconds) +
                                     "; Domain=idmsa.apple.com; Path=/; Secure; HttpOnly");
    res.set_header("X-Apple-TwoSV-Trust-Token", value);
    res.status = 204;
  }));
  // The App Store Connect session: 401 unless myacinfo is alive; sets dqsid and itctx.
  server.Get("/olympus/v1/session", logged([this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    if (!WebSessionAlive(req)) {
      res.status = 401;
      res.set_content("Unauthenticated\n", "text/plain");
      return;
    }
    IssueDqsid(res);
    res.set_header("Set-Cookie", "itctx=" + B64UrlEncode(Json{{"cp", web.provider_id}, {"ds", 8000000001LL}}.dump()) +
                                     "|" + RandomToken(12) + "|" + RandomToken(12) + "; Domain=.apple.com; Path=/");
    const Json provider = {{"providerId", web.provider_id},
                           {"publicProviderId", P()->issuer_id()},
                           {"name", "Orchard Demo Apps Inc."},
                           {"contentTypes", Json::array({"SOFTWARE"})},
                           {"subType", "ORGANIZATION"}};
    res.set_content(Json{{"user", {{"emailAddress", web.apple_id}, {"fullName", "Support Desk"},
                                   {"prsId", "8000000001"}}},
                         {"provider", provider},
                         {"availableProviders", Json::array({provider})},
                         {"backingType", "ITC"},
                         {"roles", Json::array({"CUSTOMER_SUPPORT", "SALES"})},
                         {"unverifiedRoles", Json::array()},
                         {"featureFlags", Json::array({"sandbox"})}}
                        .dump(),
                    "application/json");
  }));
}

bool Sandbox::Impl::WebSessionAlive(const httplib::Request& req) {
  const auto cookies = Cookies(req);
  auto it = cookies.find("myacinfo");
  if (it == cookies.end()) return false;
  auto s = web_sessions.find(it->second);
  return s != web_sessions.end() && s->second.expires > std::chrono::steady_clock::now();
}

void Sandbox::Impl::IssueDqsid(httplib::Response& res) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string dqsid = B64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            B64UrlEncode(Json{{"iat", now}, {"jti", RandomToken(16).substr(0, 22)}}.dump()) +
                            "." + RandomToken(32);
  web_dqsids[dqsid] = std::chrono::steady_clock::now() + std::chrono::seconds(kDqsidSeconds);
  res.set_header("Set-Cookie", "dqsid=" + dqsid + "; Max-Age=" + std::to_string(kDqsidSeconds) +
                                   "; Path=/; Secure; HttpOnly");
}

std::optional<std::string> Sandbox::Impl::AuthenticateWeb(const httplib::Request& req, httplib::Response& res,
                                                          const char* csrf_header, const char* csrf_value) {
  std::lock_guard lock(mu);
  const auto cookies = Cookies(req);
  auto dq = cookies.find("dqsid");
  const bool dqsid_ok = dq != cookies.end() && web_dqsids.contains(dq->second) &&
                        web_dqsids[dq->second] > std::chrono::steady_clock::now();
  if (!WebSessionAlive(req) || !dqsid_ok) {
    JsonError(res, 401, "NOT_AUTHORIZED", kNotAuthorizedTitle,
              "The web session has expired or is not valid. Sign in again.");
    return std::nullopt;
  }
  if (csrf_header != nullptr && req.get_header_value(csrf_header) != csrf_value) {
    JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle,
              std::string("The ") + csrf_header + " header is missing.");
    return std::nullopt;
  }
  // Activity slides the 30-minute dqsid.
  web_dqsids[dq->second] = std::chrono::steady_clock::now() + std::chrono::seconds(kDqsidSeconds);
  return "web:" + web.apple_id;
}

}  // namespace orchard::sandbox
