// The sandbox server's internals: the Impl struct shared by the endpoint files (one per Apple
// section: sales_reports.cc, finance_reports.cc, apps_users.cc, reviews.cc, analytics_api.cc,
// reporter.cc, apple_id.cc, search_ads_api.cc, public_feeds.cc, store_api.cc; the shared front
// in server_common.cc; routes and control endpoints in sandbox.cc). Not for use outside
// src/sandbox/.
//
// Adding an Apple endpoint: declare its handler here, define it in the file of its Apple
// section (starting with `Admitted()` for auth, faults and the rate limit, then a role check
// with `KeyHasRole()`), register it in sandbox.cc (calling `Log()` after the handler, outside
// `mu`), and add a conformance test written from apple-apis.md. Handlers read the generator
// through `P()`, never by holding on to it, because the control API can replace it.
#pragma once

#include <httplib.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "sandbox/generator.h"
#include "sandbox/sandbox.h"

namespace orchard::sandbox {

using Json = nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

// --- Apple's words, verbatim from apple-apis.md -------------------------------------------
inline constexpr const char* kNotAuthorizedTitle =
    "Authentication credentials are missing or invalid.";
inline constexpr const char* kNotAuthorizedDetail =
    "Provide a properly configured and signed bearer token, and make sure that it has not "
    "expired. Learn more about Generating Tokens for API Requests "
    "https://developer.apple.com/go/?id=api-generating-tokens";
inline constexpr const char* kRateTitle = "The request rate limit has been reached.";
inline constexpr const char* kRateDetail =
    "We've received too many requests for this API. Please wait and try again or slow down your "
    "request rate.";
inline constexpr const char* kForbiddenTitle = "This request is forbidden for security reasons";
inline constexpr const char* kForbiddenDetail = "The API key in use does not allow this request";
inline constexpr const char* kNoSales = "There were no sales for the date specified.";
inline constexpr const char* kNotYet =
    "Report is not available yet. Daily reports for the Americas are available by 5 am Pacific "
    "Time; Japan, Australia, and New Zealand by 5 am Japan Standard Time; and 5 am Central "
    "European Time for all other territories.";
inline constexpr const char* kComboTitle =
    "Some provided parameters cannot be used in this combination.";
inline constexpr const char* kComboDetail =
    "Invalid combination of date type and date. For daily and weekly reports, use format "
    "YYYY-MM-DD. For monthly, use YYYY-MM. For yearly, use YYYY.";

// base64url and ES256, written here so the sandbox shares nothing with the client.
std::string B64UrlEncode(std::string_view in);
// Standard base64 with padding (the SRP values of Apple's sign-in travel in it).
std::string Base64(std::string_view in);
std::optional<std::string> Unbase64(std::string_view in);
std::optional<std::string> B64UrlDecode(std::string_view in);
// Verifies a JWS signature: exactly 64 bytes of R || S (Apple rejects DER).
bool VerifyRawEs256(EVP_PKEY* key, std::string_view message, std::string_view raw);
std::string PemOf(EVP_PKEY* key);  // PKCS#8 PEM
EVP_PKEY* KeyFromPem(const std::string& pem);
std::string ReadFile(const std::filesystem::path& p);

struct ApiKey {
  std::string issuer_id;
  std::string key_id;
  std::vector<std::string> roles;
  EVP_PKEY* key = nullptr;
  bool revoked = false;
  bool individual = false;  // a user's individual key: `sub: "user"`, no `iss`, no sales/finance
};

struct LoggedRequest {
  int64_t time_ms;
  std::string method, path, query, kid;
  int status;
};

struct Sandbox::Impl {
  SandboxOptions options;
  // The generator behind every answer; replaced when the control API moves "today". Handlers
  // take their own reference with P() so a swap never pulls it from under them.
  // Without --today the sandbox follows the machine's Pacific date, rolling over at midnight.
  mutable std::shared_ptr<const Portfolio> portfolio_;
  std::shared_ptr<const Portfolio> P() const {
    std::lock_guard lock(portfolio_mu);
    if (!options.today) {
      const Date now = Date::Today("America/Los_Angeles");
      if (now != portfolio_->today()) {
        portfolio_ = MakePortfolio(now);
      }
    }
    return portfolio_;
  }
  mutable std::mutex portfolio_mu;
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
  std::map<std::string, ReviewResponse> responses;              // by review id
  std::map<std::string, std::vector<ReviewInfo>> review_cache;  // by "<today>/<app id>"
  std::vector<LoggedRequest> log;

  // The Reporter protocol (§9): one Apple ID with an app-specific password and its token.
  std::string reporter_apple_id, reporter_password, reporter_account;
  std::string reporter_token;        // "" = none
  Date reporter_token_expiry;
  std::string reporter_request_id;   // a pending two-step generateToken
  std::atomic<uint64_t> uuid_counter{0};

  // Apple Search Ads (§7): the API user's key and client, its access tokens, delivery by day.
  std::string ads_client_id, ads_team_id, ads_key_id;
  int64_t ads_org_id = 0;
  EVP_PKEY* ads_key = nullptr;
  std::map<std::string, SteadyTime> ads_tokens;  // access token → expiry
  std::map<int32_t, std::vector<AdDayRow>> ads_cache;

  // Apple ID web sign-in (Part II §A): one sub-account with two-factor authentication.
  struct WebAccount {
    std::string apple_id, password, protocol, salt, verifier, widget_key, trust_cookie_name;
    int iterations = 0;
    int64_t provider_id = 0;
    int failures = 0;
    bool locked = false;
  } web;
  struct WebSrp {
    std::string A, b, B;
  };
  struct WebLogin {  // a sign-in waiting for its second factor, by X-Apple-ID-Session-Id
    std::string scnt, code;
    int wrong_codes = 0;
    bool verified = false;
  };
  struct WebSession {  // myacinfo
    std::string account;
    SteadyTime expires;
  };
  std::map<std::string, WebSrp> web_srp;  // by the `c` of signin/init
  std::map<std::string, WebLogin> web_logins;
  std::map<std::string, WebSession> web_sessions;
  std::map<std::string, SteadyTime> web_trust;   // DES cookie value → expiry
  std::map<std::string, SteadyTime> web_dqsids;  // dqsid → expiry (sliding)
  std::set<std::string> web_hc_challenges;
  std::string web_last_code;  // what the trusted device shows
  std::set<std::string> web_csrf_guard;  // Sales & Trends CSRFGuard tokens handed out

  // The Analytics Reports API (§6).
  struct AnalyticsRequest {
    std::string id, app_id, access_type;
    Date created;
    bool stopped = false;  // stoppedDueToInactivity: no instances after `stopped_on`
    Date stopped_on;
  };
  std::map<std::string, AnalyticsRequest> analytics_requests;
  std::string analytics_secret;         // signs the segments' pre-signed URLs
  bool analytics_urls_expired = false;  // control: every pre-signed URL has expired

  // The store's media API (Part II §B.0): the key that signs developer tokens, and the tokens
  // handed out since the last rotation.
  EVP_PKEY* amp_key = nullptr;
  std::set<std::string> amp_tokens;
  // (report type, frequency, period start) → gzip bytes
  std::map<std::tuple<std::string, int, int32_t>, std::string> gzip_cache;

  Impl(SandboxOptions o, Date today)
      : options(std::move(o)),
        portfolio_(MakePortfolio(today)) {}
  std::shared_ptr<const Portfolio> MakePortfolio(Date today) const {
    return std::make_shared<const Portfolio>(options.seed, today, options.scale, options.storefronts,
                                             options.history_days);
  }
  // Moves "today" (POST /_sandbox/today): a new generator, and every cache emptied.
  void SetToday(Date today);
  ~Impl() {
    for (auto& [kid, k] : keys) EVP_PKEY_free(k.key);
    EVP_PKEY_free(ads_key);
    EVP_PKEY_free(amp_key);
  }
  // Issues (or reuses, for the same seed) an API key and writes its files into keys_dir.
  Status IssueKey(int index, const std::vector<std::string>& roles, const std::string& json_name,
                  bool individual = false);
  // A JWT `scope` (§1.3): GET entries only, matching the request's path and query.
  static bool ScopeAllows(const Json& scope, const httplib::Request& req);
  // Team keys only (§1.1): false, with a 403, for an individual key.
  bool TeamKey(const std::string& kid, httplib::Response& res);
  // A JSON:API error document (apple-apis.md §1.5) as the answer.
  static void JsonError(httplib::Response& res, int status, const std::string& code,
                        const std::string& title, const std::string& detail,
                        const std::string& parameter = "");
  // Applies a faults document; the caller holds `mu`.
  Status ApplyFaults(const Json& body);
  // Verifies the bearer token (apple-apis.md §1.6); returns the key id or answers 401.
  std::optional<std::string> Authenticate(const httplib::Request& req, httplib::Response& res);
  // Rolling-hour window per key; answers 429 when it is exhausted. Caller holds no lock.
  bool Admit(const std::string& kid, httplib::Response& res);
  bool InjectedFailure(httplib::Response& res);
  // The gzip bytes of a report, or "" when the period has no sales.
  std::string GzipReport(const std::string& type, Frequency frequency, Date start);
  // Apple publishes daily reports the next day, weekly ones on the Monday after the week,
  // monthly ones about five days after the month and yearly ones about six days after the year.
  bool Published(Frequency frequency, Date start) const;
  static int PacificHourNow();
  // Daily, weekly and monthly reports are kept 365 days; yearly ones indefinitely.
  bool Retained(Frequency frequency, Date start) const;
  // The latest published period of a frequency (what Apple serves when the date is omitted).
  Date LatestPeriod(Frequency frequency) const;
  void SalesReports(const httplib::Request& req, httplib::Response& res);
  // GET /v1/financeReports (§3).
  void FinanceReports(const httplib::Request& req, httplib::Response& res);
  // The shared front of every /v1 endpoint: latency, authentication, injected failures and the
  // rate limit. Returns the key id, or nothing when `res` already holds the answer.
  std::optional<std::string> Admitted(const httplib::Request& req, httplib::Response& res);
  static std::string Encode(const std::string& s);
  // GET /v1/apps and /v1/apps/{id} (apple-apis.md §4.3): filters, sort, sparse fieldsets and
  // cursor paging through links.next (the cursor is opaque: base64 of the offset).
  void Apps(const httplib::Request& req, httplib::Response& res, const std::string& one);
  bool KeyHasRole(const std::string& kid, std::initializer_list<const char*> allowed);
  const std::vector<ReviewInfo>& ReviewsOf(const std::string& app_id);
  const ReviewInfo* FindReview(const std::string& review_id);
  Json ResponseResource(const ReviewResponse& r, const std::string& base);
  Json ReviewResource(const ReviewInfo& r, const std::string& base,
                      const std::set<std::string>& fields);
  // Sparse fieldsets (fields[type]=a,b): keep only the named attributes; none named keeps all.
  static void KeepFields(Json* attributes, const std::set<std::string>& fields);
  static std::set<std::string> ListParam(const httplib::Request& req, const char* name);
  // False (and a 400 PARAMETER_ERROR.REQUIRED answer naming the first) when one is missing.
  static bool RequiredParams(const httplib::Request& req, httplib::Response& res,
                             std::initializer_list<const char*> required);
  // A 400 PARAMETER_ERROR.INVALID for a value the parameter does not take.
  static void InvalidParam(httplib::Response& res, const std::string& parameter,
                           const std::string& value);
  // False (and a 400 PARAMETER_ERROR.ILLEGAL answer) when the request has another parameter.
  static bool OnlyParams(const httplib::Request& req, httplib::Response& res,
                         const std::set<std::string>& allowed);
  // GET /v1/apps/{id}/customerReviews (§4.1).
  void CustomerReviews(const httplib::Request& req, httplib::Response& res,
                       const std::string& app_id);
  // Shared cursor paging (opaque cursor = base64url("offset:N"); links.next repeats the query).
  template <typename Item, typename Included>
  void Paged(const httplib::Request& req, httplib::Response& res, size_t total, Item item,
             Included included) {
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
      if (!decoded || decoded->rfind("offset:", 0) != 0 || decoded->size() > 20 ||
          decoded->size() == 7 || !std::all_of(decoded->begin() + 7, decoded->end(), ::isdigit)) {
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
    Json doc = {{"data", data},
                {"links", links},
                {"meta", {{"paging", {{"total", total}, {"limit", limit}}}}}};
    Json inc = included(offset, end, base);
    if (!inc.empty()) doc["included"] = inc;
    res.status = 200;
    res.set_content(doc.dump(), "application/json");
  }
  // GET /v1/users (§5): the team's people and their roles. Admin / Account Holder only.
  void Users(const httplib::Request& req, httplib::Response& res);
  // POST /v1/customerReviewResponses: create or replace (§4.2).
  void CreateResponse(const httplib::Request& req, httplib::Response& res);
  static std::string Rfc3339Utc(int64_t epoch);
  // GET /{cc}/rss/customerreviews/…/json (§8.1), public.
  void ReviewsRss(const httplib::Request& req, httplib::Response& res);
  // GET /lookup and /search (§8.4), public.
  void ItunesSearch(const httplib::Request& req, httplib::Response& res, bool lookup);
  Json SoftwareResult(const AppInfo& app, const std::string& country);
  // GET /api/v2/{cc}/apps/{top-free|top-paid}/{limit}/apps.json (§8.2), public.
  void TopChartV2(const httplib::Request& req, httplib::Response& res);
  void Log(const httplib::Request& req, const httplib::Response& res);
  // POST /reportservice/{sales,finance}/v1 (§9).
  void Reporter(const httplib::Request& req, httplib::Response& res, bool finance);
  // A random-looking UUID (seeded: the same sequence each run).
  std::string NewUuid();
  // Writes the credentials of the other link methods into keys_dir (apple-id.json …).
  Status IssueAppleIds();
  // Part II §A: sub-account.json (Apple ID, password, roles), the SRP verifier, widget key.
  Status IssueWebAccount();
  void AppleIdRoutes();
  bool WebSessionAlive(const httplib::Request& req);  // caller holds mu
  void IssueDqsid(httplib::Response& res);            // caller holds mu
  // /iris/v1: a live myacinfo + dqsid and x-csrf-itc: [asc-ui]; the session's pseudo key id.
  // Other web sources pass their own CSRF header check (legacy WebObjects: x-csrf-itc: itc;
  // Sales & Trends: the CSRFGuard header pair, checked by the caller).
  std::optional<std::string> AuthenticateWeb(const httplib::Request& req, httplib::Response& res,
                                             const char* csrf_header = "x-csrf-itc",
                                             const char* csrf_value = "[asc-ui]");
  // Part II §A.12.2–A.12.4 over the web session: Sales & Trends time series (with its CSRF
  // guard), App Analytics time series, and the legacy payments vendor list (web_reports.cc).
  void WebReportRoutes();
  // Public store data (§8.2 legacy feeds, Part II §B): amp-api, ws/charts, viewTop, genres, search.
  void StoreRoutes();
  int64_t CurrentHour() const;  // hours since the epoch: today at the clock's UTC hour
  std::string IssueAmpToken();  // caller holds mu
  bool AmpAdmitted(const httplib::Request& req, httplib::Response& res);
  Json CatalogApp(const StoreApp& app, const std::string& cc, int64_t hour, bool with_reviews);
  // The Analytics Reports API (§6): requests, reports, instances, segments, storage URLs.
  void AnalyticsRoutes();
  std::string SegmentSignature(const std::string& segment, int64_t date);
  std::vector<std::pair<std::string, Date>> AnalyticsInstances(const AnalyticsRequest& r);
  std::vector<std::string> AnalyticsSegments(const AnalyticsRequest& r, size_t report,
                                             const std::string& granularity, Date processing);
  // Search Ads (§7): searchads.json and the SEC1 private key the API user uploaded.
  Status IssueSearchAdsKey();
  // POST /auth/oauth2/token (client credentials, client secret = ES256 JWT).
  void SearchAdsToken(const httplib::Request& req, httplib::Response& res);
  // A valid bearer token (401 otherwise) and, when `needs_org`, X-AP-Context: orgId=… (403).
  bool SearchAdsAdmitted(const httplib::Request& req, httplib::Response& res, bool needs_org);
  void SearchAdsAcls(const httplib::Request& req, httplib::Response& res);
  void SearchAdsMe(const httplib::Request& req, httplib::Response& res);
  // POST /api/v5/reports/campaigns.
  void SearchAdsCampaignReport(const httplib::Request& req, httplib::Response& res);
  const std::vector<AdDayRow>& AdsDay(Date day);
  void Routes();
};

}  // namespace orchard::sandbox
