#include "accounts/account_service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "apple/asc/asc_client.h"
#include "apple/idmsa/web_sign_in.h"
#include "apple/reporter/reporter_client.h"
#include "apple/searchads/search_ads_client.h"
#include "core/date.h"
#include "crypto/es256.h"
#include "crypto/jwt.h"

namespace orchard::accounts {
namespace {

using Json = nlohmann::json;
constexpr int64_t kDay = 86400;

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool IsUuid(const std::string& s) {  // 8-4-4-4-12
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsKeyId(const std::string& s) {  // 10 × [A-Z0-9]
  return s.size() == 10 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

bool IsVendorNumber(const std::string& s) {  // digits in practice; tolerate letters
  return !s.empty() && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

bool IsEmailLike(const std::string& s) {
  const auto at = s.find('@');
  return at != std::string::npos && at > 0 && at + 1 < s.size() && s.size() <= 254 &&
         s.find_first_of(" \t\r\n") == std::string::npos;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string LastFour(std::string_view secret) {
  std::string out;
  for (auto it = secret.rbegin(); it != secret.rend() && out.size() < 4; ++it) {
    if (*it != '-') out.insert(out.begin(), *it);
  }
  return out;
}

// The two-factor state between runs: the cookie jar and the step identifiers (sealed).
// `code_requested_at` (Unix s, 0 = none) starts the two-factor step's clock.
std::string SessionToJson(const apple::idmsa::WebSession& s, int64_t code_requested_at = 0) {
  Json j = {{"cookies", s.jar.cookies}, {"session_id", s.session_id}, {"scnt", s.scnt},
            {"widget_key", s.widget_key}, {"code_requested_at", code_requested_at}};
  return j.dump();
}

// The jar without Apple's two-factor trust cookies (DES…), so the next sign-in asks for a code.
std::string WithoutTrust(std::string_view jar_json) {
  Json j = Json::parse(jar_json, nullptr, false);
  if (!j.is_object() || !j.contains("cookies") || !j["cookies"].is_object()) return std::string(jar_json);
  Json kept = Json::object();
  for (const auto& [name, value] : j["cookies"].items()) {
    if (name.rfind("DES", 0) != 0) kept[name] = value;
  }
  j["cookies"] = kept;
  return j.dump();
}

int64_t CodeRequestedAt(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  return j.is_object() ? j.value("code_requested_at", int64_t{0}) : 0;
}

apple::idmsa::WebSession SessionFromJson(std::string_view text) {
  apple::idmsa::WebSession s;
  const Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return s;
  if (j.contains("cookies") && j["cookies"].is_object()) {
    for (const auto& [k, v] : j["cookies"].items()) {
      if (v.is_string()) s.jar.cookies[k] = v.get<std::string>();
    }
  }
  s.session_id = j.value("session_id", "");
  s.scnt = j.value("scnt", "");
  s.widget_key = j.value("widget_key", "");
  return s;
}

Capability Yes(std::string name) { return Capability{std::move(name), true, ""}; }
Capability No(std::string name, std::string why) {
  return Capability{std::move(name), false, std::move(why)};
}

// The first app id of a /v1/apps answer, or "".
std::string FirstAppId(const net::HttpResponse& r) {
  const Json j = Json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("data") && j["data"].is_array() && !j["data"].empty() &&
      j["data"][0].is_object()) {
    return j["data"][0].value("id", "");
  }
  return "";
}

}  // namespace

crypto::SealContext AccountSealContext(int64_t team_id, int64_t account_id, std::string_view column) {
  return crypto::SealContext{team_id, "linked_accounts", column == "state" ? "state" : "secret",
                             account_id};
}

// ---- Capabilities ----

bool Capabilities::Has(std::string_view name) const {
  return std::any_of(items.begin(), items.end(),
                     [&](const Capability& c) { return c.name == name && c.ok; });
}

std::string Capabilities::ToJson() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& c : items) {
    j[c.name] = c.ok ? nlohmann::ordered_json{{"ok", true}}
                     : nlohmann::ordered_json{{"ok", false}, {"why", c.why}};
  }
  return j.dump();
}

Capabilities Capabilities::FromJson(std::string_view json) {
  Capabilities out;
  const auto j = nlohmann::ordered_json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& [name, v] : j.items()) {
    if (!v.is_object()) continue;
    out.items.push_back(Capability{name, v.value("ok", false), v.value("why", "")});
  }
  return out;
}

Status SalesSyncable(const store::LinkedAccount& account) {
  // Skip only what is known not to read sales (accounts linked before capabilities were probed
  // have none recorded, and are tried).
  const auto caps = Capabilities::FromJson(account.capabilities);
  const auto sales = std::find_if(caps.items.begin(), caps.items.end(),
                                  [](const Capability& c) { return c.name == "sales"; });
  if (account.method == kAppleId || account.method == kSearchAds) {
    return Status(Code::kFailedPrecondition,
                  std::string(account.method == kAppleId ? "a sub-account" : "a Search Ads") +
                      " link has no Sales report source yet: link an API key or an app-specific password");
  }
  if (sales != caps.items.end() && !sales->ok) {
    return Status(Code::kFailedPrecondition,
                  "it cannot read sales: " + (sales->why.empty() ? "no sales capability" : sales->why));
  }
  return Status::Ok();
}

std::string Capabilities::Summary(bool with_reasons) const {
  static const std::map<std::string, std::string> kWords = {
      {"sales", "sales"}, {"finance", "payments"}, {"reviews_read", "reviews"},
      {"reviews_reply", "replies"}, {"usage", "usage"}, {"ads", "ads"}};
  std::string out;
  for (const auto& c : items) {
    if (!out.empty()) out += ", ";
    auto it = kWords.find(c.name);
    out += (it == kWords.end() ? c.name : it->second) + (c.ok ? " ✓" : " ✗");
    if (with_reasons && !c.ok && !c.why.empty()) out += " (" + c.why + ")";
  }
  return out;
}

// ---- Service ----

AccountService::AccountService(store::MetaStore* meta, store::AccessStore* access,
                               const crypto::Sealer* sealer, Config config, HttpFactory http,
                               const Clock* clock, ServiceOptions options)
    : meta_(meta), access_(access), sealer_(sealer), config_(std::move(config)),
      http_(std::move(http)), clock_(clock), options_(options) {}

Result<const crypto::Sealer*> AccountService::RequireSealer() const {
  if (sealer_ == nullptr) {
    return Error(Code::kFailedPrecondition,
                 "Orchard is sealed: the master key is not loaded, so credentials can be neither "
                 "stored nor used. Restore the master key file (ORCHARD_MASTER_KEY_FILE) and "
                 "restart");
  }
  return sealer_;
}

Status AccountService::SealedStatus() const {
  auto sealer = RequireSealer();
  return sealer.has_value() ? Status::Ok() : sealer.error();
}

std::string AccountService::Today() const {
  // Apple's report days are Pacific; two days back is always published or "no sales".
  return Date::FromDays(static_cast<int32_t>((clock_->NowSeconds() - 8 * 3600) / kDay)).Iso();
}

void AccountService::Audit(int64_t team_id, const Actor& actor, std::string action,
                           std::string target, std::string detail) {
  if (access_ == nullptr) return;
  store::AuditEvent e;
  e.team_id = team_id;
  e.user_id = actor.user_id;
  e.actor = actor.name.empty() ? "system" : actor.name;
  e.action = std::move(action);
  e.target = std::move(target);
  e.address = actor.address;
  e.detail = std::move(detail);
  e.at = clock_->NowSeconds();
  (void)access_->AppendAudit(e);
}

void AccountService::NotifyManagers(int64_t team_id, const std::string& kind,
                                    const std::string& message) {
  if (access_ == nullptr) return;
  auto members = access_->ListMembers(team_id);
  if (!members.has_value()) return;
  for (const auto& m : *members) {
    if (m.role < store::Role::kAdmin) continue;
    store::Notification n;
    n.team_id = team_id;
    n.user_id = m.user_id;
    n.kind = kind;
    n.message = message;
    n.created_at = clock_->NowSeconds();
    (void)access_->AddNotification(n);
  }
}

Result<store::LinkedAccount> AccountService::CreateSealed(const store::LinkedAccount& account,
                                                         std::string_view secret) {
  ORCHARD_ASSIGN_OR_RETURN(const crypto::Sealer* sealer, RequireSealer());
  return meta_->CreateAccount(account, [&](int64_t row_id) -> Result<store::SealedSecret> {
    ORCHARD_ASSIGN_OR_RETURN(std::string blob,
                             sealer->Seal(secret, AccountSealContext(account.team_id, row_id, "secret")));
    ORCHARD_ASSIGN_OR_RETURN(uint32_t version, crypto::Sealer::BlobKeyVersion(blob));
    return store::SealedSecret{std::move(blob), version};
  });
}

Status AccountService::Seal(const store::LinkedAccount& account, const std::string& column,
                            std::string_view plaintext) {
  ORCHARD_ASSIGN_OR_RETURN(const crypto::Sealer* sealer, RequireSealer());
  return meta_->PutAccountSealed(
      account.team_id, account.id, column, [&](int64_t row_id) -> Result<store::SealedSecret> {
        ORCHARD_ASSIGN_OR_RETURN(std::string blob,
                                 sealer->Seal(plaintext, AccountSealContext(account.team_id, row_id, column)));
        ORCHARD_ASSIGN_OR_RETURN(uint32_t version, crypto::Sealer::BlobKeyVersion(blob));
        return store::SealedSecret{std::move(blob), version};
      });
}

Result<Secret> AccountService::OpenSecret(const store::LinkedAccount& account,
                                          const std::string& column) {
  ORCHARD_ASSIGN_OR_RETURN(const crypto::Sealer* sealer, RequireSealer());
  ORCHARD_ASSIGN_OR_RETURN(store::SealedSecret sealed,
                           meta_->GetAccountSealed(account.team_id, account.id, column));
  auto opened = sealer->Open(sealed.blob, AccountSealContext(account.team_id, account.id, column));
  if (!opened.has_value()) {
    return Error(opened.error().WithContext("cannot unseal the " + column + " of account " +
                                            std::to_string(account.id)));
  }
  return opened;
}

Result<LinkOutcome> AccountService::Link(int64_t team_id, LinkRequest request, const Actor& actor) {
  ORCHARD_RETURN_IF_ERROR(SealedStatus());
  if (request.name.size() > 200) {
    return Error(Code::kInvalidArgument, "the name is longer than 200 characters");
  }
  // One sales source per vendor number and team: two would count every sale twice.
  if ((request.method == kAscKey || request.method == kAppPassword) && !request.vendor_number.empty()) {
    ORCHARD_ASSIGN_OR_RETURN(auto existing, meta_->ListAccounts(team_id));
    for (const auto& a : existing) {
      const bool same_identity = a.method == request.method &&
                                 (a.method == kAscKey ? a.key_id == request.key_id
                                                      : Lower(a.apple_id) == Lower(request.apple_id));
      if ((a.method == kAscKey || a.method == kAppPassword) && a.vendor_number == request.vendor_number &&
          !same_identity) {
        return Error(Code::kAlreadyExists,
                     "vendor number " + a.vendor_number + " is already linked in this team by account " +
                         std::to_string(a.id) + " (\"" + a.name + "\", " + a.method +
                         "); a second link would count its sales twice. Unlink that account first "
                         "(its synced data stays)");
      }
    }
  }
  Result<LinkOutcome> out = Error(Code::kInvalidArgument, "");
  if (request.method == kAscKey) {
    out = LinkAscKey(team_id, request, actor);
  } else if (request.method == kAppPassword) {
    out = LinkAppPassword(team_id, request, actor);
  } else if (request.method == kAppleId) {
    out = LinkAppleId(team_id, request, actor);
  } else if (request.method == kSearchAds) {
    out = LinkSearchAds(team_id, request, actor);
  } else {
    return Error(Code::kInvalidArgument,
                 "method must be one of asc-key, app-password, apple-id, search-ads");
  }
  if (out.has_value()) {
    Audit(team_id, actor, "account.link", "account:" + std::to_string(out->account.id),
          request.method + " \"" + out->account.name + "\"" +
              (out->needs_code ? ", waiting for the two-factor code" : ""));
  }
  return out;
}

// ---- asc-key ----

Result<Capabilities> AccountService::ProbeAscKey(const store::LinkedAccount& account,
                                                 const Secret& pem) {
  ORCHARD_ASSIGN_OR_RETURN(crypto::Es256PrivateKey key, crypto::Es256PrivateKey::FromPem(pem));
  auto http = http_();
  crypto::AscTokenSigner signer(account.issuer_id, account.key_id, std::move(key), clock_);
  apple::asc::AscClient client(config_.apple.asc_api_url, [&] { return signer.Token(); }, http.get());
  Capabilities caps;

  // Sales: a recent daily report. Data, "no sales" and "not yet" all prove access.
  apple::asc::SalesReportQuery q;
  q.vendor_number = account.vendor_number;
  q.report_date = Date::ParseIso(Today())->AddDays(-2).Iso();
  auto sales = client.GetSalesReport(q);
  if (sales.has_value()) {
    caps.items.push_back(Yes("sales"));
  } else if (sales.error().code() == Code::kUnauthenticated) {
    return Error(Code::kUnauthenticated,
                 "App Store Connect rejected the key: the issuer ID, key ID or .p8 file is wrong, "
                 "or the key has been revoked (App Store Connect → Users and Access → "
                 "Integrations shows its state)");
  } else if (sales.error().code() == Code::kInvalidArgument &&
             sales.error().message().find("vendor") != std::string::npos) {
    return Error(Code::kInvalidArgument,
                 "App Store Connect does not know vendor number " + account.vendor_number +
                     " for this key: copy it from Payments and Financial Reports (top left)");
  } else if (sales.error().code() == Code::kPermissionDenied) {
    caps.items.push_back(No("sales", sales.error().message().find("agreement") != std::string::npos
                                         ? "a required agreement is not accepted"
                                         : "the key lacks the Sales, Finance or Admin role "
                                           "(individual keys cannot read sales)"));
  } else {
    return Error(sales.error().WithContext("could not check the key"));
  }

  // Finance: last month's ZZ financial report; 404 (none yet) proves access too.
  const Date today = *Date::ParseIso(Today());
  const Date last_month = today.StartOfMonth().AddDays(-1);
  char period[8];
  std::snprintf(period, sizeof period, "%04d-%02u", last_month.year(), last_month.month());
  auto finance = client.Call("GET", "/v1/financeReports?filter%5BregionCode%5D=ZZ&filter%5BreportDate%5D=" +
                                        std::string(period) +
                                        "&filter%5BreportType%5D=FINANCIAL&filter%5BvendorNumber%5D=" +
                                        net::UrlEncode(account.vendor_number));
  if (!finance.has_value()) return Error(finance.error().WithContext("could not check the key"));
  caps.items.push_back(finance->status == 403
                           ? No("finance", "the key lacks the Finance or Admin role")
                           : Yes("finance"));

  // Reviews and usage need an app; replies are probed with an empty response document, which
  // a key allowed to reply gets refused as invalid (nothing is created) and others get 403.
  auto apps = client.Call("GET", "/v1/apps?limit=1");
  if (!apps.has_value()) return Error(apps.error().WithContext("could not check the key"));
  const std::string app = apps->status == 200 ? FirstAppId(*apps) : "";
  if (app.empty()) {
    const std::string why = apps->status == 403 ? "the key cannot list apps"
                                                : "the account has no apps yet";
    caps.items.push_back(No("reviews_read", why));
  } else {
    auto reviews = client.Call("GET", "/v1/apps/" + app + "/customerReviews?limit=1");
    if (!reviews.has_value()) return Error(reviews.error().WithContext("could not check the key"));
    caps.items.push_back(reviews->status == 200
                             ? Yes("reviews_read")
                             : No("reviews_read", "the key's role cannot read customer reviews"));
  }
  auto reply = client.Call("POST", "/v1/customerReviewResponses", "{}");
  if (!reply.has_value()) return Error(reply.error().WithContext("could not check the key"));
  caps.items.push_back(reply->status == 403
                           ? No("reviews_reply",
                                "the key lacks the Customer Support, App Manager or Admin role")
                           : Yes("reviews_reply"));
  if (app.empty()) {
    caps.items.push_back(No("usage", "the account has no apps yet"));
  } else {
    auto usage = client.Call("GET", "/v1/apps/" + app + "/analyticsReportRequests");
    if (!usage.has_value()) return Error(usage.error().WithContext("could not check the key"));
    caps.items.push_back(usage->status == 200
                             ? Yes("usage")
                             : No("usage", "the key lacks the Admin, Sales or Finance role for "
                                           "analytics reports"));
  }
  caps.items.push_back(No("ads", "Apple Search Ads is linked separately, with the search-ads method"));
  return caps;
}

Result<LinkOutcome> AccountService::LinkAscKey(int64_t team_id, LinkRequest& r, const Actor&) {
  if (!IsUuid(r.issuer_id)) {
    return Error(Code::kInvalidArgument,
                 "issuer_id must be the Issuer ID shown above the App Store Connect API keys list "
                 "(a UUID like 57246542-96fe-1a63-e053-0824d011072a)");
  }
  if (!IsKeyId(r.key_id)) {
    return Error(Code::kInvalidArgument,
                 "key_id must be the 10-character Key ID (upper-case letters and digits, e.g. "
                 "2X9R4HXF34)");
  }
  if (!IsVendorNumber(r.vendor_number)) {
    return Error(Code::kInvalidArgument,
                 "vendor_number must be the vendor number from Payments and Financial Reports "
                 "(e.g. 85442109)");
  }
  if (r.private_key.empty() || r.private_key.size() > 16384) {
    return Error(Code::kInvalidArgument,
                 "private_key must be the contents of the AuthKey_<KEYID>.p8 file");
  }
  auto key = crypto::Es256PrivateKey::FromPem(r.private_key);
  if (!key.has_value()) {
    return Error(Code::kInvalidArgument,
                 "private_key is not an App Store Connect API key (.p8): " + key.error().message());
  }
  store::LinkedAccount account;
  account.team_id = team_id;
  account.method = kAscKey;
  account.name = r.name.empty() ? "App Store Connect " + r.vendor_number : r.name;
  account.issuer_id = r.issuer_id;
  account.key_id = r.key_id;
  account.vendor_number = r.vendor_number;
  ORCHARD_ASSIGN_OR_RETURN(Capabilities caps, ProbeAscKey(account, r.private_key));
  if (std::none_of(caps.items.begin(), caps.items.end(), [](const Capability& c) { return c.ok; })) {
    return Error(Code::kPermissionDenied,
                 "the key works but can read nothing Orchard syncs: " + caps.Summary());
  }
  account.capabilities = caps.ToJson();
  account.capabilities_at = clock_->NowSeconds();
  account.last_used_at = clock_->NowSeconds();
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount created, CreateSealed(account, r.private_key.view()));
  return LinkOutcome{created, caps, false,
                     "Linked " + created.name + ": " + caps.Summary() + "."};
}

// ---- app-password (Reporter) ----

Result<Capabilities> AccountService::ProbeAppPassword(const store::LinkedAccount& account,
                                                      const Secret& token) {
  auto http = http_();
  apple::reporter::ReporterClient client(config_.apple.reporter_url, http.get());
  Capabilities caps;
  const Date day = Date::ParseIso(Today())->AddDays(-2);
  char ymd[9];
  std::snprintf(ymd, sizeof ymd, "%04d%02u%02u", day.year(), day.month(), day.day());
  auto sales = client.GetSalesReport(account.apple_id, token, account.vendor_number, "Sales",
                                     "Summary", "Daily", ymd);
  if (sales.has_value()) {
    caps.items.push_back(Yes("sales"));
  } else if (sales.error().code() == Code::kInvalidArgument &&
             sales.error().message().find("endor") != std::string::npos) {
    return Error(Code::kInvalidArgument,
                 "Apple does not know vendor number " + account.vendor_number +
                     " for this Apple ID: copy it from Payments and Financial Reports (top left)");
  } else if (sales.error().code() == Code::kUnauthenticated) {
    return Error(sales.error().WithContext("the Reporter token was refused"));
  } else if (sales.error().code() == Code::kInvalidArgument ||
             sales.error().code() == Code::kPermissionDenied) {
    caps.items.push_back(No("sales", "the Apple ID lacks the Sales, Finance or Admin role (" +
                                         sales.error().message() + ")"));
  } else {
    return Error(sales.error().WithContext("could not check the Apple ID"));
  }
  const Date last_month = Date::ParseIso(Today())->StartOfMonth().AddDays(-1);
  // Apple's fiscal period of last month is close enough for an access probe: any answer but a
  // refusal of the account proves the role.
  const int fiscal_year = last_month.month() >= 10 ? last_month.year() + 1 : last_month.year();
  const int fiscal_period = static_cast<int>((last_month.month() + 2) % 12 + 1);
  auto finance = client.GetFinanceReport(account.apple_id, token, account.vendor_number, "ZZ",
                                         fiscal_year, fiscal_period);
  if (finance.has_value() || finance.error().code() == Code::kNotFound) {
    caps.items.push_back(Yes("finance"));
  } else if (finance.error().code() == Code::kUnauthenticated) {
    return Error(finance.error().WithContext("the Reporter token was refused"));
  } else if (finance.error().code() == Code::kUnavailable) {
    return Error(finance.error().WithContext("could not check the Apple ID"));
  } else {
    caps.items.push_back(No("finance", "the Apple ID lacks the Finance or Admin role"));
  }
  caps.items.push_back(No("reviews_read", "an app-specific password reaches reports only; reviews "
                                          "come from the public store data"));
  caps.items.push_back(No("reviews_reply", "replies need an API key or a sub-account"));
  caps.items.push_back(No("usage", "usage needs an API key or a sub-account"));
  caps.items.push_back(No("ads", "Apple Search Ads is linked separately, with the search-ads method"));
  return caps;
}

Result<LinkOutcome> AccountService::LinkAppPassword(int64_t team_id, LinkRequest& r,
                                                    const Actor&) {
  r.apple_id = Lower(r.apple_id);
  if (!IsEmailLike(r.apple_id)) {
    return Error(Code::kInvalidArgument, "apple_id must be the Apple ID's e-mail address");
  }
  if (!IsVendorNumber(r.vendor_number)) {
    return Error(Code::kInvalidArgument,
                 "vendor_number must be the vendor number from Payments and Financial Reports "
                 "(e.g. 85442109)");
  }
  auto password = apple::reporter::NormalizeAppPassword(r.app_password.view());
  if (!password.has_value()) {
    return Error(Code::kInvalidArgument,
                 "app_password must be an app-specific password as appleid.apple.com shows it: "
                 "16 letters, e.g. abcd-efgh-ijkl-mnop (case and hyphens do not matter)");
  }
  auto http = http_();
  apple::reporter::ReporterClient client(config_.apple.reporter_url, http.get());
  // Reuse a live token (another tool of the team may use it: generating one revokes it).
  auto existing = client.ViewToken(r.apple_id, *password);
  if (!existing.has_value()) {
    if (existing.error().code() == Code::kUnauthenticated) {
      return Error(Code::kUnauthenticated,
                   "Apple refused the Apple ID or the app-specific password: check both, and make "
                   "a new password at appleid.apple.com → Sign-In and Security → App-Specific "
                   "Passwords if it was revoked");
    }
    return Error(existing.error().WithContext("could not check the Apple ID"));
  }
  const int64_t now = clock_->NowSeconds();
  apple::reporter::AccessToken token;
  if (existing->has_value() &&
      int64_t{(*existing)->expires.days()} * kDay > now + options_.reporter_renew_days * kDay) {
    token = std::move(**existing);
  } else {
    ORCHARD_ASSIGN_OR_RETURN(token, client.GenerateToken(r.apple_id, *password));
  }
  store::LinkedAccount account;
  account.team_id = team_id;
  account.method = kAppPassword;
  account.name = r.name.empty() ? r.apple_id + " (" + r.vendor_number + ")" : r.name;
  account.apple_id = r.apple_id;
  account.vendor_number = r.vendor_number;
  account.secret_hint = LastFour(password->view());
  account.expires_at = int64_t{token.expires.days()} * kDay;
  ORCHARD_ASSIGN_OR_RETURN(Capabilities caps, ProbeAppPassword(account, token.token));
  account.capabilities = caps.ToJson();
  account.capabilities_at = now;
  account.last_used_at = now;
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount created, CreateSealed(account, password->view()));
  ORCHARD_RETURN_IF_ERROR(Seal(created, "state", token.token.view()));
  return LinkOutcome{created, caps, false,
                     "Linked " + created.name + ": " + caps.Summary() +
                         ". The Reporter token is renewed automatically before " +
                         token.expires.Iso() + "."};
}

Result<Secret> AccountService::ReporterToken(const store::LinkedAccount& account) {
  if (account.method != kAppPassword) {
    return Error(Code::kInvalidArgument, "account " + std::to_string(account.id) +
                                             " is not linked with an app-specific password");
  }
  const int64_t now = clock_->NowSeconds();
  if (account.expires_at > now + options_.reporter_renew_days * kDay) {
    // Not due by our records, but Apple may have ended the token early (another generateToken,
    // or an expiry we did not know): ask Apple which token is live before handing ours out.
    ORCHARD_ASSIGN_OR_RETURN(Secret token, OpenSecret(account, "state"));
    ORCHARD_ASSIGN_OR_RETURN(Secret password, OpenSecret(account, "secret"));
    auto http = http_();
    apple::reporter::ReporterClient client(config_.apple.reporter_url, http.get());
    auto live = client.ViewToken(account.apple_id, password);
    // Apple unreachable or refusing the password: the download itself will say so.
    if (!live.has_value()) return token;
    const Date today = *Date::ParseIso(Today());
    if (live->has_value() && (*live)->token.view() == token.view() && (*live)->expires > today) {
      return token;
    }
    if (live->has_value() &&
        int64_t{(*live)->expires.days()} * kDay > now + options_.reporter_renew_days * kDay) {
      // Another tool made a new token: adopt it (renewing would revoke theirs).
      store::LinkedAccount adopted = account;
      ORCHARD_RETURN_IF_ERROR(Seal(adopted, "state", (*live)->token.view()));
      adopted.expires_at = int64_t{(*live)->expires.days()} * kDay;
      ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(adopted));
      return std::move((*live)->token);
    }
  }
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount current, meta_->GetAccount(account.team_id, account.id));
  ORCHARD_ASSIGN_OR_RETURN(std::string words, RenewReporterToken(std::move(current)));
  (void)words;
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount fresh, meta_->GetAccount(account.team_id, account.id));
  return OpenSecret(fresh, "state");
}

// ---- apple-id (web sign-in) ----

Result<LinkOutcome> AccountService::LinkAppleId(int64_t team_id, LinkRequest& r, const Actor& actor) {
  r.apple_id = Lower(r.apple_id);
  if (!IsEmailLike(r.apple_id)) {
    return Error(Code::kInvalidArgument, "apple_id must be the sub-account's e-mail address");
  }
  if (r.password.empty() || r.password.size() > 1024) {
    return Error(Code::kInvalidArgument, "password must be the sub-account's Apple ID password");
  }
  store::LinkedAccount account;
  account.team_id = team_id;
  account.method = kAppleId;
  account.name = r.name.empty() ? r.apple_id : r.name;
  account.apple_id = r.apple_id;
  account.status = "pending";
  account.secret_hint = "";
  account.capabilities = "{}";
  // The row first (status pending), so the password and the jar can be sealed to it; a wrong
  // password deletes it again.
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount created, CreateSealed(account, r.password.view()));
  auto out = SignIn(created, r.password, "", actor, /*is_new=*/true);
  if (!out.has_value()) (void)meta_->DeleteAccount(team_id, created.id, /*purge_data=*/false);
  return out;
}

Result<LinkOutcome> AccountService::SignIn(store::LinkedAccount account, const Secret& password,
                                           const std::string& jar_json, const Actor& actor,
                                           bool is_new) {
  const std::string who = Lower(account.apple_id);
  {
    std::lock_guard lock(sign_in_mu_);
    if (!signing_in_.insert(who).second) {
      return Error(Code::kAborted, "a sign-in of " + account.apple_id +
                                       " is already in progress; wait for it to finish");
    }
  }
  struct Release {
    AccountService* s;
    std::string who;
    ~Release() {
      std::lock_guard lock(s->sign_in_mu_);
      s->signing_in_.erase(who);
    }
  } release{this, who};

  apple::idmsa::WebSession session = SessionFromJson(jar_json);
  session.session_id.clear();
  session.scnt.clear();
  auto http = http_();
  apple::idmsa::WebSignIn web(config_.apple.idmsa_url, config_.apple.web_url, http.get());
  auto step = web.Start(account.apple_id, password, &session);
  if (!step.has_value()) {
    const Status& e = step.error();
    if (e.code() == Code::kUnauthenticated) {
      return Error(Code::kUnauthenticated,
                   "Apple refused the Apple ID or password of the sub-account " + account.apple_id +
                       (is_new ? "" : ": if the password was changed, unlink and link again"));
    }
    if (e.code() == Code::kPermissionDenied) {
      return Error(Code::kPermissionDenied,
                   "Apple has locked the Apple ID " + account.apple_id +
                       " after too many attempts: unlock it at iforgot.apple.com, then refresh");
    }
    return Error(e.WithContext("the sign-in did not complete"));
  }
  if (*step == apple::idmsa::SignInStep::kSignedIn) {
    return FinishWebSession(std::move(account), SessionToJson(session), actor);
  }
  // Apple sent a code to the sub-account's trusted device: keep the step's state sealed.
  ORCHARD_RETURN_IF_ERROR(Seal(account, "state", SessionToJson(session, clock_->NowSeconds())));
  account.status = "pending";
  account.last_error = "";
  ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(account));
  return LinkOutcome{account, Capabilities::FromJson(account.capabilities), true,
                     "Apple sent a six-digit code to the trusted devices of " + account.apple_id +
                         ". Enter it to finish (it is valid for " +
                         std::to_string(options_.code_timeout_seconds / 60) + " minutes)."};
}

Result<LinkOutcome> AccountService::SubmitCode(int64_t team_id, int64_t account_id,
                                               std::string_view code, const Actor& actor) {
  ORCHARD_RETURN_IF_ERROR(SealedStatus());
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount account, meta_->GetAccount(team_id, account_id));
  if (account.method != kAppleId) {
    return Error(Code::kInvalidArgument, "only apple-id accounts take a two-factor code");
  }
  if (account.status != "pending") {
    return Error(Code::kFailedPrecondition,
                 "no two-factor step is waiting for this account: refresh it first");
  }
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error(Code::kInvalidArgument, "the code is the six digits Apple showed on the trusted device");
  }
  ORCHARD_ASSIGN_OR_RETURN(Secret jar, OpenSecret(account, "state"));
  if (clock_->NowSeconds() - CodeRequestedAt(jar.view()) > options_.code_timeout_seconds) {
    return Error(Code::kDeadlineExceeded,
                 "the two-factor code has expired: codes are valid for " +
                     std::to_string(options_.code_timeout_seconds / 60) +
                     " minutes. Refresh the account to get a new one");
  }
  apple::idmsa::WebSession session = SessionFromJson(jar.view());
  auto http = http_();
  apple::idmsa::WebSignIn web(config_.apple.idmsa_url, config_.apple.web_url, http.get());
  Status st = web.SubmitCode(code, &session);
  if (!st.ok()) {
    // Apple rotates scnt on every answer, a refused code included, and accepts only the newest:
    // keep it, or the next (right) code is refused as a stale session.
    ORCHARD_RETURN_IF_ERROR(Seal(account, "state", SessionToJson(session, CodeRequestedAt(jar.view()))));
    if (st.code() == Code::kInvalidArgument) {
      return Error(Code::kInvalidArgument, "Apple did not accept the code: check the six digits and try again");
    }
    if (st.code() == Code::kResourceExhausted) {
      return Error(Code::kResourceExhausted,
                   "Apple stopped accepting codes after too many wrong ones: wait, then refresh "
                   "the account to get a new code");
    }
    return Error(st.WithContext("the two-factor step did not complete"));
  }
  account.expires_at = clock_->NowSeconds() + options_.trust_days * kDay;
  auto out = FinishWebSession(std::move(account), SessionToJson(session), actor);
  if (out.has_value()) {
    Audit(team_id, actor, "account.two_factor", "account:" + std::to_string(account_id),
          "two-factor code accepted; trust until " +
              Date::FromDays(static_cast<int32_t>(out->account.expires_at / kDay)).Iso());
  }
  return out;
}

Result<Capabilities> AccountService::ProbeWebSession(apple::idmsa::WebSession* session,
                                                     int64_t provider_id) {
  auto http = http_();
  // One request of the web session: cookies in, rotated cookies kept.
  auto call = [&](const std::string& method, const std::string& path, const std::string& body,
                  std::vector<std::pair<std::string, std::string>> headers) -> Result<net::HttpResponse> {
    net::HttpRequest req;
    req.method = method;
    req.url = config_.apple.web_url + path;
    req.headers = std::move(headers);
    req.headers.emplace_back("Cookie", session->jar.Header());
    if (!body.empty()) req.body = body;
    auto r = http->Send(req);
    if (r.has_value()) session->jar.Absorb(*r);
    return r;
  };
  const std::vector<std::pair<std::string, std::string>> iris = {
      {"Accept", "application/vnd.api+json, application/json"}, {"x-csrf-itc", "[asc-ui]"},
      {"Content-Type", "application/json"}};
  const Date today = *Date::ParseIso(Today());
  const std::string from = today.AddDays(-8).Iso(), to = today.AddDays(-2).Iso();
  Capabilities caps;

  // Sales & Trends (§A.12.4): prime the CSRF guard, then one week of units.
  ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse guard,
                           call("POST", "/trends/gsf/owasp/csrf-guard.js", "", {{"fetch-csrf-token", "1"}}));
  if (guard.status == 401) return Error(Code::kUnauthenticated, "the App Store Connect web session has expired");
  // The token comes as a `csrf` header or in the script's text (UNCONFIRMED: both are read).
  std::string csrf = guard.Header("csrf").value_or("");
  if (const auto at = guard.body.find("OWASP_CSRFTOKEN:"); csrf.empty() && at != std::string::npos) {
    csrf = guard.body.substr(at + 16, guard.body.find_first_of("\r\n\"';", at + 16) - at - 16);
  }
  const std::string trends_body =
      Json{{"measures", Json::array({{{"key", "units_utc"}}})},
           {"group", nullptr},
           {"filters", Json::array()},
           {"cubeName", "sales"},
           {"cubeApiType", "TIMESERIES"},
           {"interval", {{"key", "day"}, {"startDate", from + "T00:00:00.000Z"}, {"endDate", to + "T00:00:00.000Z"}}},
           {"componentName", "table"},
           {"sorting", "DESC"},
           {"limit", 100}}
          .dump();
  ORCHARD_ASSIGN_OR_RETURN(
      net::HttpResponse trends,
      call("POST", "/trends/gsf/salesTrendsApp/businessareas/InternetServices/subjectareas/iTunes/vcubes/700/timeseries",
           trends_body,
           {{"Content-Type", "text/plain;charset=UTF-8"}, {"csrf", csrf.empty() ? "null" : csrf},
            {"x-requested-with", "OWASP CSRFGuard Project"}, {"uicomponentname", "table"}}));
  caps.items.push_back(trends.status == 200 ? Yes("sales")
                                            : No("sales", trends.status == 403
                                                              ? "the sub-account lacks the Sales or Finance role"
                                                              : "Sales and Trends answered HTTP " +
                                                                    std::to_string(trends.status)));

  // Payments (§A.12.2, legacy WebObjects): the vendor list needs the Finance role.
  ORCHARD_ASSIGN_OR_RETURN(
      net::HttpResponse payments,
      call("GET", "/WebObjects/iTunesConnect.woa/ra/paymentConsolidation/providers/" + std::to_string(provider_id) +
                      "/sapVendorNumbers",
           "", {{"Accept", "application/json"}, {"x-csrf-itc", "itc"}}));
  const Json envelope = Json::parse(payments.body, nullptr, false);
  const bool paid = payments.status == 200 && envelope.is_object() && envelope.value("statusCode", "") == "SUCCESS";
  caps.items.push_back(paid ? Yes("finance") : No("finance", "the sub-account lacks the Finance role"));

  // Reviews and replies (iris, §A.12.1).
  ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse apps, call("GET", "/iris/v1/apps?limit=1", "", iris));
  if (apps.status == 401) {
    return Error(Code::kUnauthenticated, "the App Store Connect web session has expired");
  }
  const std::string app = apps.status == 200 ? FirstAppId(apps) : "";
  if (app.empty()) {
    caps.items.push_back(No("reviews_read", apps.status == 403 ? "the sub-account cannot see apps"
                                                               : "the account has no apps yet"));
  } else {
    ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse reviews,
                             call("GET", "/iris/v1/apps/" + app + "/customerReviews?limit=1", "", iris));
    caps.items.push_back(reviews.status == 200
                             ? Yes("reviews_read")
                             : No("reviews_read", "the sub-account's role cannot read reviews"));
  }
  ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse reply, call("POST", "/iris/v1/customerReviewResponses", "{}", iris));
  caps.items.push_back(reply.status == 403
                           ? No("reviews_reply", "the sub-account lacks the Customer Support role")
                           : Yes("reviews_reply"));

  // Usage (§A.12.3, App Analytics): a week of one app's units.
  if (app.empty()) {
    caps.items.push_back(No("usage", "the account has no apps yet"));
  } else {
    const std::string usage_body = Json{{"adamId", Json::array({app})},
                                        {"measures", Json::array({"units"})},
                                        {"frequency", "day"},
                                        {"startTime", from + "T00:00:00Z"},
                                        {"endTime", to + "T00:00:00Z"},
                                        {"group", nullptr},
                                        {"dimensionFilters", Json::array()}}
                                       .dump();
    ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse usage,
                             call("POST", "/analytics/api/v1/data/time-series", usage_body,
                                  {{"Content-Type", "application/json"}, {"X-Requested-By", "appstoreconnect.apple.com"},
                                   {"Accept", "application/json"}}));
    caps.items.push_back(usage.status == 200
                             ? Yes("usage")
                             : No("usage", usage.status == 403 ? "the sub-account's roles do not include App Analytics"
                                                               : "App Analytics answered HTTP " +
                                                                     std::to_string(usage.status)));
  }
  caps.items.push_back(No("ads", "Apple Search Ads is linked separately, with the search-ads method"));
  return caps;
}

Result<LinkOutcome> AccountService::FinishWebSession(store::LinkedAccount account,
                                                     const std::string& jar_json, const Actor&) {
  apple::idmsa::WebSession session = SessionFromJson(jar_json);
  auto http = http_();
  apple::idmsa::WebSignIn web(config_.apple.idmsa_url, config_.apple.web_url, http.get());
  ORCHARD_ASSIGN_OR_RETURN(apple::idmsa::ProviderInfo provider, web.Session(&session));
  ORCHARD_ASSIGN_OR_RETURN(Capabilities caps, ProbeWebSession(&session, provider.provider_id));
  ORCHARD_RETURN_IF_ERROR(Seal(account, "state", SessionToJson(session)));
  const int64_t now = clock_->NowSeconds();
  if (account.expires_at == 0) account.expires_at = now + options_.trust_days * kDay;
  account.issuer_id = provider.public_provider_id;
  account.status = "active";
  account.last_error = "";
  account.capabilities = caps.ToJson();
  account.capabilities_at = now;
  account.last_used_at = now;
  ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(account));
  // UpdateAccount leaves the use times alone; the health update records them.
  ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccountHealth(account.team_id, account.id, account.status,
                                                     account.last_error, now, 0));
  return LinkOutcome{account, caps, false,
                     "Signed in to App Store Connect as " + account.apple_id + " (" +
                         provider.name + "): " + caps.Summary() + "."};
}

// ---- search-ads ----

Result<Capabilities> AccountService::ProbeSearchAds(const store::LinkedAccount& account,
                                                    const Secret& pem, std::string* org_names) {
  auto http = http_();
  ORCHARD_ASSIGN_OR_RETURN(crypto::Es256PrivateKey key, crypto::Es256PrivateKey::FromPem(pem));
  apple::searchads::SearchAdsClient client(
      apple::searchads::SearchAdsCredentials{account.client_id, account.ads_team_id, account.key_id,
                                             std::move(key)},
      apple::searchads::SearchAdsEndpoints{config_.apple.search_ads_token_url,
                                           config_.apple.search_ads_url},
      http.get(), clock_);
  ORCHARD_ASSIGN_OR_RETURN(auto acls, client.Acls());
  Capabilities caps;
  for (const char* name : {"sales", "finance", "reviews_read", "reviews_reply", "usage"}) {
    caps.items.push_back(No(name, "a Search Ads link reaches campaigns only"));
  }
  if (acls.empty()) {
    caps.items.push_back(No("ads", "the API user has no access to any Search Ads organisation"));
  } else {
    caps.items.push_back(Yes("ads"));
  }
  for (const auto& acl : acls) {
    if (!org_names->empty()) *org_names += ", ";
    *org_names += acl.org_name + " (" + std::to_string(acl.org_id) + ")";
  }
  return caps;
}

Result<LinkOutcome> AccountService::LinkSearchAds(int64_t team_id, LinkRequest& r, const Actor&) {
  auto token_like = [](const std::string& s, std::string_view prefix) {
    return s.size() > prefix.size() && s.size() <= 128 && s.compare(0, prefix.size(), prefix) == 0;
  };
  if (!token_like(r.client_id, "SEARCHADS.")) {
    return Error(Code::kInvalidArgument,
                 "client_id must be the Search Ads API client id (SEARCHADS.…), from Search Ads → "
                 "Account Settings → API");
  }
  if (!token_like(r.ads_team_id, "SEARCHADS.")) {
    return Error(Code::kInvalidArgument, "team_id must be the Search Ads team id (SEARCHADS.…)");
  }
  if (r.key_id.empty() || r.key_id.size() > 128) {
    return Error(Code::kInvalidArgument, "key_id must be the Search Ads key id shown next to the public key");
  }
  if (r.private_key.empty() || r.private_key.size() > 16384) {
    return Error(Code::kInvalidArgument, "private_key must be the EC private key PEM (prime256v1)");
  }
  if (!crypto::Es256PrivateKey::FromPem(r.private_key).has_value()) {
    return Error(Code::kInvalidArgument,
                 "private_key is not an EC P-256 private key in PEM form (openssl ecparam -genkey "
                 "-name prime256v1 makes one)");
  }
  store::LinkedAccount account;
  account.team_id = team_id;
  account.method = kSearchAds;
  account.name = r.name.empty() ? "Apple Search Ads" : r.name;
  account.client_id = r.client_id;
  account.ads_team_id = r.ads_team_id;
  account.key_id = r.key_id;
  std::string orgs;
  ORCHARD_ASSIGN_OR_RETURN(Capabilities caps, ProbeSearchAds(account, r.private_key, &orgs));
  account.capabilities = caps.ToJson();
  account.capabilities_at = clock_->NowSeconds();
  account.last_used_at = clock_->NowSeconds();
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount created, CreateSealed(account, r.private_key.view()));
  return LinkOutcome{created, caps, false,
                     "Linked Apple Search Ads" + (orgs.empty() ? std::string() : " (" + orgs + ")") +
                         ": " + caps.Summary() + "."};
}

// ---- refresh, maintenance, health, unlink ----

Result<LinkOutcome> AccountService::Refresh(int64_t team_id, int64_t account_id, const Actor& actor) {
  ORCHARD_RETURN_IF_ERROR(SealedStatus());
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount account, meta_->GetAccount(team_id, account_id));
  Result<LinkOutcome> out = Error(Code::kInternal, "");
  if (account.method == kAppleId) {
    ORCHARD_ASSIGN_OR_RETURN(Secret password, OpenSecret(account, "secret"));
    auto jar = OpenSecret(account, "state");
    std::string jar_json = jar.has_value() ? std::string(jar->view()) : "";
    // Before the refresh is due, a refresh signs in silently on the trust Apple granted. From
    // day 25 it is what the user was asked to do: sign in without the trust cookie, so Apple
    // asks for a code and a new 30-day trust starts (a silent sign-in cannot extend it).
    const int64_t due_at = account.expires_at - (options_.trust_days - options_.refresh_due_days) * kDay;
    if (account.expires_at != 0 && clock_->NowSeconds() >= due_at) {
      jar_json = WithoutTrust(jar_json);
      account.expires_at = 0;
    }
    out = SignIn(account, password, jar_json, actor, /*is_new=*/false);
  } else {
    Result<Capabilities> caps = Error(Code::kInternal, "");
    if (account.method == kAscKey) {
      ORCHARD_ASSIGN_OR_RETURN(Secret pem, OpenSecret(account, "secret"));
      caps = ProbeAscKey(account, pem);
    } else if (account.method == kAppPassword) {
      ORCHARD_ASSIGN_OR_RETURN(std::string renewed, Maintain(team_id, account_id));
      (void)renewed;
      ORCHARD_ASSIGN_OR_RETURN(account, meta_->GetAccount(team_id, account_id));
      ORCHARD_ASSIGN_OR_RETURN(Secret token, OpenSecret(account, "state"));
      caps = ProbeAppPassword(account, token);
    } else if (account.method == kSearchAds) {
      ORCHARD_ASSIGN_OR_RETURN(Secret pem, OpenSecret(account, "secret"));
      std::string orgs;
      caps = ProbeSearchAds(account, pem, &orgs);
    }
    const int64_t now = clock_->NowSeconds();
    if (!caps.has_value()) {
      account.status = "needs_attention";
      account.last_error = caps.error().message();
      (void)meta_->UpdateAccount(account);
      Audit(team_id, actor, "account.refresh", "account:" + std::to_string(account_id),
            "failed: " + caps.error().message());
      return Error(caps.error());
    }
    account.status = "active";
    account.last_error = "";
    account.capabilities = caps->ToJson();
    account.capabilities_at = now;
    account.last_used_at = now;
    ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(account));
    ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccountHealth(team_id, account_id, account.status,
                                                       account.last_error, now, 0));
    out = LinkOutcome{account, *caps, false, "Checked " + account.name + ": " + caps->Summary() + "."};
  }
  if (out.has_value()) {
    Audit(team_id, actor, "account.refresh", "account:" + std::to_string(account_id),
          out->needs_code ? "waiting for the two-factor code" : "ok");
  } else if (account.method == kAppleId && out.error().code() != Code::kAborted) {
    // (kAborted: another sign-in of this Apple ID is running; the account is not at fault, and
    // writing it here could overwrite what that sign-in records.)
    account.status = "needs_refresh";
    account.last_error = out.error().message();
    (void)meta_->UpdateAccount(account);
  }
  return out;
}

Result<std::string> AccountService::RenewReporterToken(store::LinkedAccount account) {
  ORCHARD_RETURN_IF_ERROR(SealedStatus());
  ORCHARD_ASSIGN_OR_RETURN(Secret password, OpenSecret(account, "secret"));
  auto http = http_();
  apple::reporter::ReporterClient client(config_.apple.reporter_url, http.get());
  auto token = client.GenerateToken(account.apple_id, password);
  if (!token.has_value()) {
    account.status = "needs_attention";
    account.last_error = token.error().code() == Code::kUnauthenticated
                             ? "Apple refused the app-specific password while renewing the "
                               "Reporter token: it was probably revoked. Link the account again "
                               "with a new app-specific password"
                             : "could not renew the Reporter token: " + token.error().message();
    (void)meta_->UpdateAccount(account);
    NotifyManagers(account.team_id, "account_needs_attention", account.name + ": " + account.last_error);
    return Error(Code::kUnauthenticated, account.last_error);
  }
  ORCHARD_RETURN_IF_ERROR(Seal(account, "state", token->token.view()));
  account.expires_at = int64_t{token->expires.days()} * kDay;
  account.status = "active";
  account.last_error = "";
  ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(account));
  const std::string words = "renewed the Reporter token of " + account.name + " until " + token->expires.Iso();
  Audit(account.team_id, Actor{0, "system", ""}, "account.renew", "account:" + std::to_string(account.id),
        words);
  return words;
}

Result<std::string> AccountService::Maintain(int64_t team_id, int64_t account_id) {
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount account, meta_->GetAccount(team_id, account_id));
  const int64_t now = clock_->NowSeconds();
  if (account.method == kAppPassword) {
    if (account.expires_at > now + options_.reporter_renew_days * kDay) return std::string();
    return RenewReporterToken(std::move(account));
  }
  const Actor system{0, "system", ""};
  std::string renewed;
  if (account.method == kAppleId && (account.status == "active" || account.status == "refresh_due") &&
      now < account.expires_at && sealer_ != nullptr) {
    // Keep the web session alive (apple-apis.md A.13): check it with olympus, and when Apple
    // has ended it, sign in again with the stored password while the trust spares the code.
    ORCHARD_ASSIGN_OR_RETURN(Secret jar, OpenSecret(account, "state"));
    apple::idmsa::WebSession session = SessionFromJson(jar.view());
    auto http = http_();
    apple::idmsa::WebSignIn web(config_.apple.idmsa_url, config_.apple.web_url, http.get());
    auto info = web.Session(&session);
    if (info.has_value()) {
      ORCHARD_RETURN_IF_ERROR(Seal(account, "state", SessionToJson(session)));  // rotated cookies
    } else if (info.error().code() == Code::kUnauthenticated) {
      ORCHARD_ASSIGN_OR_RETURN(Secret password, OpenSecret(account, "secret"));
      auto again = SignIn(account, password, std::string(jar.view()), system, /*is_new=*/false);
      if (again.has_value() && !again->needs_code) {
        renewed = "renewed the web session of " + account.name;
        Audit(team_id, system, "account.renew", "account:" + std::to_string(account_id), renewed);
      } else if (!again.has_value() && again.error().code() == Code::kAborted) {
        return std::string();  // someone is signing in right now
      } else {
        ORCHARD_ASSIGN_OR_RETURN(account, meta_->GetAccount(team_id, account_id));
        account.status = "needs_refresh";
        account.last_error = again.has_value()
                                 ? "Apple asked for a new two-factor code: syncing is paused until "
                                   "someone refreshes the account and enters it"
                                 : "could not sign in again: " + again.error().message();
        ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(account));
        NotifyManagers(team_id, "account_needs_refresh", account.name + ": " + account.last_error);
        return account.name + ": needs_refresh";
      }
      ORCHARD_ASSIGN_OR_RETURN(account, meta_->GetAccount(team_id, account_id));
    }
  }
  if (account.method == kAppleId && account.status != "pending" && account.expires_at != 0) {
    const int64_t due_at = account.expires_at - (options_.trust_days - options_.refresh_due_days) * kDay;
    std::string state = now >= account.expires_at ? "needs_refresh" : now >= due_at ? "refresh_due" : "";
    if (state.empty() || state == account.status) return renewed;
    if (account.status == "needs_attention" && state == "refresh_due") return renewed;
    account.status = state;
    account.last_error = state == "needs_refresh"
                             ? "the two-factor trust has expired: syncing is paused until someone "
                               "refreshes the account and enters a new code"
                             : "the two-factor trust expires on " +
                                   Date::FromDays(static_cast<int32_t>(account.expires_at / kDay)).Iso() +
                                   ": refresh the account before then";
    ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(account));
    NotifyManagers(team_id, "account_" + state, account.name + ": " + account.last_error);
    return account.name + ": " + state;
  }
  return renewed;
}

Result<Health> AccountService::GetHealth(int64_t team_id, int64_t account_id) {
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount account, meta_->GetAccount(team_id, account_id));
  Health h;
  h.capabilities = Capabilities::FromJson(account.capabilities);
  h.state = account.status;
  const int64_t now = clock_->NowSeconds();
  if (account.method == kAppleId && account.expires_at != 0) {
    h.refresh_due_at = account.expires_at - (options_.trust_days - options_.refresh_due_days) * kDay;
    if (account.status == "active" || account.status == "refresh_due") {
      if (now >= account.expires_at) {
        h.state = "needs_refresh";
      } else if (now >= h.refresh_due_at) {
        h.state = "refresh_due";
      }
    }
  }
  if (h.state == "active") {
    h.message = "Working: " + h.capabilities.Summary() + ".";
  } else if (h.state == "refresh_due") {
    h.message = "Refresh due: the two-factor trust ends on " +
                Date::FromDays(static_cast<int32_t>(account.expires_at / kDay)).Iso() +
                "; refresh and enter a new code to keep syncing.";
  } else if (h.state == "needs_refresh") {
    h.message = "Needs refresh: syncing is paused (nothing is lost) until the account is "
                "refreshed with a new two-factor code.";
  } else if (h.state == "pending") {
    h.message = "Waiting for the two-factor code.";
  } else {
    h.message = account.last_error.empty() ? "Needs attention." : account.last_error;
  }
  h.account = std::move(account);
  return h;
}

Status AccountService::ReportAppleRefusal(int64_t team_id, int64_t account_id, const Status& refusal) {
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount account, meta_->GetAccount(team_id, account_id));
  if (refusal.code() == Code::kUnauthenticated) {
    account.status = "needs_attention";
    account.last_error = account.method == kAscKey
                             ? "App Store Connect no longer accepts this key: it was probably "
                               "revoked. Create a new key and link it"
                             : "Apple no longer accepts these credentials: " + refusal.message();
  } else if (refusal.code() == Code::kPermissionDenied) {
    // Roles change: probe again so the capabilities say what still works.
    auto refreshed = Refresh(team_id, account_id, Actor{0, "system", ""});
    if (refreshed.has_value()) return Status::Ok();
    ORCHARD_ASSIGN_OR_RETURN(account, meta_->GetAccount(team_id, account_id));
    account.status = "needs_attention";
    account.last_error = refusal.message();
  } else {
    return Status::Ok();
  }
  ORCHARD_RETURN_IF_ERROR(meta_->UpdateAccount(account));
  NotifyManagers(team_id, "account_needs_attention", account.name + ": " + account.last_error);
  return Status::Ok();
}

Status AccountService::Unlink(int64_t team_id, int64_t account_id, bool purge_data, const Actor& actor) {
  ORCHARD_ASSIGN_OR_RETURN(store::LinkedAccount account, meta_->GetAccount(team_id, account_id));
  ORCHARD_RETURN_IF_ERROR(meta_->DeleteAccount(team_id, account_id, purge_data));
  Audit(team_id, actor, "account.unlink", "account:" + std::to_string(account_id),
        account.method + " \"" + account.name + "\"" + (purge_data ? ", synced data purged" : ", synced data kept"));
  return Status::Ok();
}

}  // namespace orchard::accounts
