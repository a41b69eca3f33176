// SearchAdsClient: the Apple Search Ads Campaign Management API v5 (apple-apis.md §7) for the
// "search-ads" link method: the OAuth2 client-credentials token whose client secret is an ES256
// JWT, the user's access control list, the API user, and campaign-level reports.
//
// Talks to the configured token URL and API base URL (Apple's, a proxy's or the sandbox's)
// through the HttpClient seam. Credentials never leave memory: the client secret is minted per
// token request and wiped after it; the access token is cached in a Secret, reused until
// kTokenReuseMargin before Apple says it expires, and re-requested once when Apple answers 401.
// No message this client returns holds the private key, the client secret or the access token.
// Retries of transient failures (kUnavailable, kResourceExhausted) are the caller's: the client
// sends every request once, apart from that one re-authentication. Thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/date.h"
#include "core/secret.h"
#include "core/status.h"
#include "crypto/es256.h"
#include "net/http_client.h"

namespace orchard::apple::searchads {

// Apple's endpoints (§7.1–7.2), as the configuration's defaults (apple.search_ads_token_url,
// apple.search_ads_url) name them.
inline constexpr std::string_view kAppleTokenUrl = "https://appleid.apple.com/auth/oauth2/token";
inline constexpr std::string_view kAppleApiBaseUrl = "https://api.searchads.apple.com";

// What Search Ads shows an API user after the public key is uploaded (Account Settings → API).
struct SearchAdsCredentials {
  std::string client_id;        // "SEARCHADS.<uuid>"
  std::string team_id;          // "SEARCHADS.<uuid>"
  std::string key_id;           // "<uuid>"
  crypto::Es256PrivateKey key;  // the P-256 key whose public half was uploaded
};

struct SearchAdsEndpoints {
  std::string token_url;     // the full OAuth2 token URL (kAppleTokenUrl)
  std::string api_base_url;  // scheme and host (kAppleApiBaseUrl); "/api/v5/…" is appended
};

// The client secret of §7.1: header {"alg":"ES256","kid":key_id}, claims {"sub":client_id,
// "aud":"https://appleid.apple.com","iat":now,"exp":now+lifetime,"iss":team_id}, raw R||S
// signature. `lifetime` is clamped to (0, 180 days], Apple's maximum. Public for tests.
inline constexpr std::chrono::seconds kMaxClientSecretLifetime{180LL * 86400};
Result<Secret> MintClientSecret(const SearchAdsCredentials& credentials, int64_t now_seconds,
                                std::chrono::seconds lifetime);

// One organization the API user can act in (UserAcl). `org_id` goes into X-AP-Context.
struct Acl {
  int64_t org_id = 0;
  std::string org_name;
  std::optional<int64_t> parent_org_id;
  std::string currency;                 // ISO 4217, the currency of the org's spend
  std::string time_zone;                // IANA name, or "ORTZ"
  std::string payment_model;            // "PAYG", "LOC" or ""
  std::vector<std::string> role_names;  // "API Account Read Only", …
  std::string display_name;
};

// The API user behind the credentials (GET /api/v5/me).
struct Me {
  int64_t user_id = 0;
  std::optional<int64_t> parent_org_id;
};

enum class Granularity { kHourly, kDaily, kWeekly, kMonthly };

struct CampaignReportQuery {
  int64_t org_id = 0;
  Date start;  // first day, inclusive, in the org's time zone (timeZone ORTZ)
  Date end;    // last day, inclusive
  // Apple's limits: HOURLY ≤ 7 days starting within 30 days; DAILY ≤ 90 days within 90 days;
  // WEEKLY 15–365 days; MONTHLY over 3 months. A request outside them → kInvalidArgument.
  Granularity granularity = Granularity::kDaily;
  bool by_country = false;  // groupBy countryOrRegion
  int page_size = 1000;     // rows per request (Apple allows 1–1000); every page is fetched
};

// One campaign (and country, when grouped) in one granularity bucket. Metrics are Apple's v5
// names; installs are attributed by tap (30 days) and by view (1 day), as Apple reports them.
struct CampaignReportRow {
  int64_t campaign_id = 0;
  std::string campaign_name;
  int64_t adam_id = 0;            // the app's Apple Identifier (0 when Apple omits it)
  std::string country_or_region;  // alpha-2; empty unless by_country
  Date date;                      // the day, or the Monday / 1st of a weekly / monthly bucket
  int hour = -1;                  // 0–23 for HOURLY, else -1
  int64_t impressions = 0;
  int64_t taps = 0;
  int64_t tap_installs = 0;
  int64_t view_installs = 0;
  int64_t total_installs = 0;
  int64_t spend = 0;  // localSpend in millionths (kMoneyScale) of `currency`
  std::string currency;
};

class SearchAdsClient {
 public:
  // Seconds before Apple's expiry at which a cached access token is no longer used.
  static constexpr std::chrono::seconds kTokenReuseMargin{300};
  // Each token request mints a new client secret valid this long (it is used once, at once).
  static constexpr std::chrono::seconds kClientSecretLifetime{3600};

  // `http` and `clock` must outlive the client.
  SearchAdsClient(SearchAdsCredentials credentials, SearchAdsEndpoints endpoints,
                  net::HttpClient* http, const Clock* clock = &SystemClock());

  // Makes sure a valid access token is cached, requesting one if needed: the check that the
  // credentials work. kUnauthenticated when Apple refuses the client id, team id, key id or
  // key (the message says what to check); kUnavailable for 5xx and network failures.
  Status Authenticate();

  // GET /api/v5/acls: every organization the API user can read. kPermissionDenied when the user has
  // no API role.
  Result<std::vector<Acl>> Acls();
  // GET /api/v5/me.
  Result<Me> GetMe();
  // POST /api/v5/reports/campaigns, every page. kPermissionDenied when the user cannot act in
  // `org_id`; kInvalidArgument for a range Apple refuses (its words in the message).
  Result<std::vector<CampaignReportRow>> CampaignReport(const CampaignReportQuery& query);

 private:
  // POST to the token URL; replaces the cached token.
  Status RequestToken();
  // One API call with the cached token (requested first if needed), and once more with a new
  // token after a 401. `org_id` 0 sends no X-AP-Context.
  Result<net::HttpResponse> Call(const std::string& method, const std::string& path,
                                 const std::string& body, int64_t org_id);

  SearchAdsCredentials credentials_;
  SearchAdsEndpoints endpoints_;
  net::HttpClient* http_;
  const Clock* clock_;
  Secret access_token_;           // empty = none
  int64_t token_expires_at_ = 0;  // Unix seconds, by `clock_`
};

}  // namespace orchard::apple::searchads
