#include "apple/idmsa/web_sign_in.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>


namespace orchard::apple::idmsa {
namespace {

using Json = nlohmann::json;

constexpr const char* kN =
    "AC6BDB41324A9A9BF166DE5E1389582FAF72B6651987EE07FC3192943DB56050A37329CBB4A099ED8193E0757767A13D"
    "D52312AB4B03310DCD7F48A9DA04FD50E8083969EDB767B0CF6095179A163AB3661A05FBD5FAAAE82918A9962F0B93B8"
    "55F97993EC975EEAA80D740ADBF4FF747359D041D5C33EA71D281E446B14773BCA97B43A23FB801676BD207A436C6481"
    "F1D2B9078717461A5B9D32E688F87748544523B524B0D57D5EA77A2775D2ECFA032CFBDBF52FB3786160279004E57AE6"
    "AF874E7303CE53299CCC041C7BC308D82A5698F3A8D0C38271AE35F8E9DBFBB694B5C803D89F7AE435DE236D525F5475"
    "9B65E372FCD68EF20FA7111F9E4AFF73";

struct BnDelete {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnDelete>;
Bn NewBn() { return Bn(BN_new()); }
Bn FromBytes(std::string_view s) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()), nullptr));
}
std::string Bytes(const BIGNUM* b, int pad = 0) {
  std::string out(static_cast<size_t>(pad ? pad : BN_num_bytes(b)), '\0');
  if (pad) {
    BN_bn2binpad(b, reinterpret_cast<unsigned char*>(out.data()), pad);
  } else {
    BN_bn2bin(b, reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}
std::string Sha256(std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}
std::string Base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                 reinterpret_cast<const unsigned char*>(s.data()),
                                                 static_cast<int>(s.size()))));
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
std::string ServiceErrorCode(const std::string& body) {
  const Json j = Json::parse(body, nullptr, false);
  for (const char* key : {"serviceErrors", "service_errors"}) {
    if (j.is_object() && j.contains(key) && j[key].is_array() && !j[key].empty() && j[key][0].is_object()) {
      return j[key][0].value("code", "");
    }
  }
  return "";
}

}  // namespace

Result<SrpProofs> ClientProofs(std::string_view account, const Secret& password, std::string_view protocol,
                               std::string_view salt, int iterations, std::string_view a, std::string_view B) {
  if (protocol != "s2k" && protocol != "s2k_fo") {
    return Error(Code::kUnimplemented, "Apple asked for an unknown password protocol: " + std::string(protocol));
  }
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  BIGNUM* n_raw = nullptr;
  BN_hex2bn(&n_raw, kN);
  const Bn n(n_raw), g = NewBn();
  BN_set_word(g.get(), 2);
  const Bn b_num = FromBytes(B);
  Bn check = NewBn();
  BN_mod(check.get(), b_num.get(), n.get(), ctx.get());
  if (BN_is_zero(check.get())) return Error(Code::kDataLoss, "Apple's SRP value B is not valid");
  // §A.5: PBKDF2 over SHA-256(password), or its hex for s2k_fo.
  std::string p = Sha256(password.view());
  if (protocol == "s2k_fo") {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : p) {
      hex.push_back(kHex[c >> 4]);
      hex.push_back(kHex[c & 15]);
    }
    WipeString(p);
    p = std::move(hex);
  }
  unsigned char key[32];
  PKCS5_PBKDF2_HMAC(p.data(), static_cast<int>(p.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof key, key);
  WipeString(p);
  std::string inner = Sha256(":" + std::string(reinterpret_cast<char*>(key), sizeof key));
  OPENSSL_cleanse(key, sizeof key);
  const Bn x = FromBytes(Sha256(std::string(salt) + inner));
  WipeString(inner);
  const Bn a_num = FromBytes(a), A = NewBn();
  BN_mod_exp(A.get(), g.get(), a_num.get(), n.get(), ctx.get());
  const Bn k = FromBytes(Sha256(Bytes(n.get(), 256) + Bytes(g.get(), 256)));
  const Bn u = FromBytes(Sha256(Bytes(A.get(), 256) + Bytes(b_num.get(), 256)));
  if (BN_is_zero(u.get())) return Error(Code::kDataLoss, "Apple's SRP values give u = 0");
  // S = (B − k·g^x)^(a + u·x) mod N; K = H(S)
  Bn gx = NewBn(), kgx = NewBn(), base = NewBn(), ux = NewBn(), e = NewBn(), s = NewBn();
  BN_mod_exp(gx.get(), g.get(), x.get(), n.get(), ctx.get());
  BN_mod_mul(kgx.get(), k.get(), gx.get(), n.get(), ctx.get());
  BN_mod_sub(base.get(), b_num.get(), kgx.get(), n.get(), ctx.get());
  BN_mul(ux.get(), u.get(), x.get(), ctx.get());
  BN_add(e.get(), a_num.get(), ux.get());
  BN_mod_exp(s.get(), base.get(), e.get(), n.get(), ctx.get());
  std::string s_bytes = Bytes(s.get());
  const std::string K = Sha256(s_bytes);
  WipeString(s_bytes);
  std::string hng = Sha256(Bytes(n.get()));
  const std::string hg = Sha256(Bytes(g.get(), 256));
  for (size_t i = 0; i < hng.size(); ++i) hng[i] = static_cast<char>(hng[i] ^ hg[i]);
  SrpProofs out;
  out.A = Bytes(A.get());
  out.m1 = Sha256(hng + Sha256(account) + std::string(salt) + out.A + std::string(B) + K);
  out.m2 = Sha256(out.A + out.m1 + K);
  return out;
}

std::string MintHashcash(int bits, std::string_view challenge, std::string_view utc_timestamp) {
  const std::string prefix = "1:" + std::to_string(bits) + ":" + std::string(utc_timestamp) + ":" +
                             std::string(challenge) + "::";
  for (uint64_t counter = 0;; ++counter) {
    const std::string stamp = prefix + std::to_string(counter);
    unsigned char md[20];
    unsigned int len = 0;
    EVP_Digest(stamp.data(), stamp.size(), md, &len, EVP_sha1(), nullptr);
    bool ok = true;
    for (int i = 0; i < bits && ok; ++i) ok = !(md[i / 8] & (0x80 >> (i % 8)));
    if (ok) return stamp;
  }
}

void CookieJar::Absorb(const net::HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (name != "set-cookie") continue;
    const std::string pair = value.substr(0, value.find(';'));
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    cookies[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
}

std::string CookieJar::Header() const {
  std::string out;
  for (const auto& [name, value] : cookies) out += (out.empty() ? "" : "; ") + name + "=" + value;
  return out;
}

WebSignIn::WebSignIn(std::string base_url, net::HttpClient* http)
    : WebSignIn(base_url, base_url, http) {}

WebSignIn::WebSignIn(std::string idmsa_url, std::string web_url, net::HttpClient* http)
    : idmsa_url_(std::move(idmsa_url)), base_url_(std::move(web_url)), http_(http) {
  while (!idmsa_url_.empty() && idmsa_url_.back() == '/') idmsa_url_.pop_back();
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<net::HttpResponse> WebSignIn::Send(const std::string& method, const std::string& path, const std::string& body,
                                          WebSession* session, bool idmsa,
                                          const std::vector<std::pair<std::string, std::string>>& extra) {
  net::HttpRequest request;
  request.method = method;
  request.url = (idmsa ? idmsa_url_ : base_url_) + path;
  request.body = body;
  request.headers = {{"Accept", "application/json, text/javascript"}};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  if (idmsa) {
    request.headers.emplace_back("X-Apple-Widget-Key", session->widget_key);
    request.headers.emplace_back("X-Requested-With", "XMLHttpRequest");
    if (!session->session_id.empty()) {
      request.headers.emplace_back("X-Apple-ID-Session-Id", session->session_id);
      request.headers.emplace_back("scnt", session->scnt);
    }
  }
  if (!session->jar.cookies.empty()) request.headers.emplace_back("Cookie", session->jar.Header());
  for (const auto& h : extra) request.headers.push_back(h);
  auto response = http_->Send(request);
  WipeString(request.body);
  if (!response) return response;
  session->jar.Absorb(*response);
  // scnt and the session id rotate: always keep the newest non-empty values (§A.2).
  if (auto scnt = response->Header("scnt"); scnt && !scnt->empty()) session->scnt = *scnt;
  if (auto id = response->Header("x-apple-id-session-id"); id && !id->empty()) session->session_id = *id;
  return response;
}

Result<SignInStep> WebSignIn::Start(std::string_view apple_id, const Secret& password, WebSession* session) {
  session->session_id.clear();
  session->scnt.clear();
  // 1. The widget key.
  ORCHARD_ASSIGN_OR_RETURN(auto config, Send("GET", "/olympus/v1/app/config?hostname=itunesconnect.apple.com", "",
                                              session, false));
  const Json config_json = Json::parse(config.body, nullptr, false);
  if (config.status != 200 || !config_json.is_object() || !config_json.contains("authServiceKey")) {
    return Error(Code::kUnavailable, "App Store Connect did not give its sign-in key (HTTP " +
                                         std::to_string(config.status) + ")");
  }
  session->widget_key = config_json["authServiceKey"].get<std::string>();
  // 2. The hashcash puzzle.
  ORCHARD_ASSIGN_OR_RETURN(auto puzzle, Send("GET", "/appleauth/auth/signin?widgetKey=" + net::UrlEncode(session->widget_key),
                                              "", session, true));
  const auto bits = puzzle.Header("x-apple-hc-bits");
  const auto challenge = puzzle.Header("x-apple-hc-challenge");
  // 3. SRP init.
  unsigned char a[256];
  RAND_bytes(a, sizeof a);
  const std::string a_bytes(reinterpret_cast<char*>(a), sizeof a);
  OPENSSL_cleanse(a, sizeof a);
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  // A is needed before B: compute it the same way ClientProofs will.
  BIGNUM* n_raw = nullptr;
  BN_hex2bn(&n_raw, kN);
  const Bn n(n_raw), g = NewBn(), A = NewBn();
  BN_set_word(g.get(), 2);
  BN_mod_exp(A.get(), g.get(), FromBytes(a_bytes).get(), n.get(), ctx.get());
  const Json init_body = {{"a", Base64(Bytes(A.get()))}, {"accountName", apple_id},
                          {"protocols", Json::array({"s2k", "s2k_fo"})}};
  ORCHARD_ASSIGN_OR_RETURN(auto init, Send("POST", "/appleauth/auth/signin/init", init_body.dump(), session, true));
  if (init.status == 401 || init.status == 400) {
    return Error(Code::kUnauthenticated, "Apple did not accept the Apple ID " + std::string(apple_id));
  }
  const Json answer = Json::parse(init.body, nullptr, false);
  if (init.status != 200 || !answer.is_object() || !answer.contains("b") || !answer.contains("salt") ||
      !answer.contains("c") || !answer.contains("iteration")) {
    return Error(Code::kUnavailable, "Apple's sign-in did not start (HTTP " + std::to_string(init.status) + ")");
  }
  const auto salt = Unbase64(answer.value("salt", ""));
  const auto B = Unbase64(answer.value("b", ""));
  if (!salt || !B) return Error(Code::kDataLoss, "Apple's sign-in answer is not base64");
  // 4. Proofs.
  ORCHARD_ASSIGN_OR_RETURN(auto proofs, ClientProofs(apple_id, password, answer.value("protocol", "s2k"), *salt,
                                                     answer["iteration"].get<int>(), a_bytes, *B));
  // 5. Complete, with the hashcash stamp.
  char stamp_time[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp_time, sizeof stamp_time, "%Y%m%d%H%M%S", std::gmtime(&now));
  std::vector<std::pair<std::string, std::string>> extra;
  if (bits && challenge) extra.emplace_back("X-Apple-HC", MintHashcash(std::stoi(*bits), *challenge, stamp_time));
  const Json complete_body = {{"accountName", apple_id}, {"c", answer["c"]}, {"m1", Base64(proofs.m1)},
                              {"m2", Base64(proofs.m2)}, {"rememberMe", false}};
  ORCHARD_ASSIGN_OR_RETURN(auto complete, Send("POST", "/appleauth/auth/signin/complete?isRememberMeEnabled=false",
                                                complete_body.dump(), session, true, extra));
  switch (complete.status) {
    case 200:
      return SignInStep::kSignedIn;
    case 409:
      return SignInStep::kNeedsCode;
    case 401:
      return Error(Code::kUnauthenticated, "Apple refused the Apple ID or password (" + ServiceErrorCode(complete.body) + ")");
    case 403:
      return Error(Code::kPermissionDenied, "Apple has locked this Apple ID; unlock it at account.apple.com");
    default:
      return Error(complete.status >= 500 || complete.status == 429 ? Code::kUnavailable : Code::kInvalidArgument,
                   "Apple's sign-in failed (HTTP " + std::to_string(complete.status) + ")");
  }
}

Status WebSignIn::SubmitCode(std::string_view code, WebSession* session) {
  const Json body = {{"securityCode", {{"code", code}}}};
  ORCHARD_ASSIGN_OR_RETURN(auto submitted, Send("POST", "/appleauth/auth/verify/trusteddevice/securitycode",
                                                 body.dump(), session, true));
  if (submitted.status == 400 || submitted.status == 401) {
    return Status(Code::kInvalidArgument, "Apple did not accept that two-factor code (" +
                                              ServiceErrorCode(submitted.body) + "); check it and try again");
  }
  if (submitted.status == 423) {
    return Status(Code::kResourceExhausted, "Apple stopped accepting codes for this sign-in; start again later");
  }
  if (submitted.status != 200 && submitted.status != 204) {
    return Status(Code::kUnavailable, "Apple's code check failed (HTTP " + std::to_string(submitted.status) + ")");
  }
  ORCHARD_ASSIGN_OR_RETURN(auto trust, Send("GET", "/appleauth/auth/2sv/trust", "", session, true));
  if (trust.status != 200 && trust.status != 204) {
    return Status(Code::kUnavailable, "Apple did not trust this sign-in (HTTP " + std::to_string(trust.status) + ")");
  }
  return Status::Ok();
}

Result<ProviderInfo> WebSignIn::Session(WebSession* session) {
  ORCHARD_ASSIGN_OR_RETURN(auto r, Send("GET", "/olympus/v1/session", "", session, false));
  if (r.status == 401) return Error(Code::kUnauthenticated, "the App Store Connect web session has expired");
  const Json j = Json::parse(r.body, nullptr, false);
  if (r.status != 200 || !j.is_object() || !j.contains("provider") || !j["provider"].is_object()) {
    return Error(Code::kUnavailable, "App Store Connect did not describe the session (HTTP " + std::to_string(r.status) + ")");
  }
  ProviderInfo out;
  out.provider_id = j["provider"].value("providerId", int64_t{0});
  out.public_provider_id = j["provider"].value("publicProviderId", "");
  out.name = j["provider"].value("name", "");
  if (j.contains("user") && j["user"].is_object()) out.email = j["user"].value("emailAddress", "");
  return out;
}

}  // namespace orchard::apple::idmsa
