#include "apple/searchads/search_ads_client.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/decimal.h"
#include "core/log.h"
#include "crypto/base64.h"

namespace orchard::apple::searchads {
namespace {

using Json = nlohmann::json;

constexpr const char* kRefusedCredentials =
    "Apple Search Ads refused the client credentials: check the client id, team id, key id and "
    "that the public key uploaded in Search Ads matches this private key";

// Apple's answers are echoed into messages; Redact() keeps anything token-like out of them even
// if a proxy or a future Apple error were to repeat a credential.
std::string Words(std::string_view text) { return Redact(text.substr(0, 300)); }

std::optional<int64_t> Int64Of(const Json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_string()) {
    // Apple's int64 fields are numbers in its examples; some clients see them quoted.
    const auto& s = j.get_ref<const std::string&>();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
  }
  return std::nullopt;
}
std::optional<int64_t> Int64Field(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? std::nullopt : Int64Of(*it);
}
std::string StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Apple's words from an error answer: the Search Ads envelope (error.errors[] of messageCode,
// message, field), an OAuth2 error ({"error":…}), or a JSON:API document from a front end.
std::string ErrorWords(const std::string& body) {
  const Json j = Json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto first_of = [](const Json& list) -> const Json* {
    return list.is_array() && !list.empty() && list[0].is_object() ? &list[0] : nullptr;
  };
  if (auto e = j.find("error"); e != j.end()) {
    if (e->is_string()) {
      const std::string description = StringField(j, "error_description");
      return Words(e->get<std::string>() + (description.empty() ? "" : ": " + description));
    }
    if (e->is_object()) {
      if (auto errors = e->find("errors"); errors != e->end()) {
        if (const Json* item = first_of(*errors)) {
          std::string out = StringField(*item, "messageCode");
          const std::string message = StringField(*item, "message");
          const std::string field = StringField(*item, "field");
          if (!message.empty()) out += (out.empty() ? "" : ": ") + message;
          if (!field.empty()) out += " (field " + field + ")";
          return Words(out);
        }
      }
    }
  }
  if (auto errors = j.find("errors"); errors != j.end()) {
    if (const Json* item = first_of(*errors)) {
      std::string out = StringField(*item, "code");
      const std::string detail = StringField(*item, "detail");
      if (!detail.empty()) out += (out.empty() ? "" : ": ") + detail;
      return Words(out);
    }
  }
  return "";
}

std::string Describe(const net::HttpResponse& r) {
  const std::string words = ErrorWords(r.body);
  return "HTTP " + std::to_string(r.status) + (words.empty() ? "" : " " + words);
}

// The error of a non-200 API answer, in plain words. `what` names the call.
Status ApiError(const net::HttpResponse& r, std::string_view what, int64_t org_id) {
  const std::string said = "Apple Search Ads answered " + Describe(r);
  switch (r.status) {
    case 401:
      // Only after a freshly issued token was refused too (Call() re-authenticates once).
      return Status(Code::kUnauthenticated,
                    said +
                        " to a freshly issued access token: the API user may have been "
                        "removed or its key revoked in Search Ads");
    case 403:
      if (org_id != 0) {
        return Status(
            Code::kPermissionDenied,
            said + ": the API user has no access to organization " + std::to_string(org_id) +
                " for " + std::string(what) +
                "; pick an orgId from the user's access list and check its API role there");
      }
      return Status(Code::kPermissionDenied,
                    said +
                        ": the API user lacks an API role; an account admin must give it API "
                        "Account Manager, API Account Read Only or a Limited Access API role");
    case 400:
      return Status(Code::kInvalidArgument, "Apple Search Ads refused the " + std::string(what) +
                                                " request: " + Describe(r));
    case 404:
      return Status(Code::kNotFound,
                    said + " for " + std::string(what) + ": check the Search Ads API base URL");
    case 429:
      return Status(Code::kResourceExhausted, said + ": rate limited; slow down and try again");
    default:
      if (r.status >= 500) {
        return Status(Code::kUnavailable, said + " for " + std::string(what) + "; try again later");
      }
      return Status(Code::kUnknown, "unexpected answer to " + std::string(what) + ": " + said);
  }
}

// `data` of a Search Ads envelope ({"data":…,"pagination":…,"error":…}).
Result<Json> EnvelopeOf(const std::string& body, std::string_view what) {
  Json j = Json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("data")) {
    return Error(Code::kDataLoss, "Apple Search Ads answered " + std::string(what) +
                                      " with a body that is not its JSON envelope");
  }
  return j;
}

const char* GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kHourly:
      return "HOURLY";
    case Granularity::kDaily:
      return "DAILY";
    case Granularity::kWeekly:
      return "WEEKLY";
    case Granularity::kMonthly:
      return "MONTHLY";
  }
  return "DAILY";
}

// Money is {"amount":"0.95","currency":"USD"}: the amount is a string (§7.3), kept exact.
Status ParseMoney(const Json& money, int64_t* micros, std::string* currency) {
  if (!money.is_object()) return Status(Code::kDataLoss, "a Search Ads amount is not an object");
  auto amount = money.find("amount");
  if (amount == money.end()) return Status(Code::kDataLoss, "a Search Ads amount has no value");
  const std::string text = amount->is_string() ? amount->get<std::string>() : amount->dump();
  auto parsed = ParseFixed(text, kMoneyDecimals);
  if (!parsed) {
    return Status(Code::kDataLoss, "a Search Ads amount is not a decimal: " + Words(text));
  }
  *micros = *parsed;
  *currency = StringField(money, "currency");
  return Status::Ok();
}

// An ExtendedSpendRow of a granularity bucket: the metrics and its "YYYY-MM-DD[ HH]" date.
Status ParseBucket(const Json& b, CampaignReportRow* row) {
  if (!b.is_object()) return Status(Code::kDataLoss, "a Search Ads report bucket is not an object");
  const std::string date = StringField(b, "date");
  auto day = Date::ParseIso(std::string_view(date).substr(0, 10));
  if (!day)
    return Status(Code::kDataLoss, "a Search Ads report bucket has no date: " + Words(date));
  row->date = *day;
  if (date.size() > 10) {
    int hour = -1;
    const char* first = date.data() + 11;
    auto [p, ec] = std::from_chars(first, date.data() + date.size(), hour);
    if (date[10] != ' ' || ec != std::errc() || p != date.data() + date.size() || hour < 0 ||
        hour > 23) {
      return Status(Code::kDataLoss, "a Search Ads report bucket has a bad hour: " + Words(date));
    }
    row->hour = hour;
  }
  auto count = [&](const char* v5, const char* before_v5) -> int64_t {
    if (auto v = Int64Field(b, v5)) return *v;
    if (before_v5 != nullptr) {
      if (auto v = Int64Field(b, before_v5)) return *v;
    }
    return 0;
  };
  row->impressions = count("impressions", nullptr);
  row->taps = count("taps", nullptr);
  row->tap_installs = count("tapInstalls", "installs");
  row->view_installs = count("viewInstalls", nullptr);
  row->total_installs = b.contains("totalInstalls") ? count("totalInstalls", nullptr)
                                                    : row->tap_installs + row->view_installs;
  if (auto spend = b.find("localSpend"); spend != b.end() && !spend->is_null()) {
    return ParseMoney(*spend, &row->spend, &row->currency);
  }
  return Status::Ok();
}

// The rows of one report page: one CampaignReportRow per (row, granularity bucket).
Status ParseReportRows(const Json& rows, std::vector<CampaignReportRow>* out) {
  if (!rows.is_array()) return Status(Code::kDataLoss, "a Search Ads report has no row list");
  for (const Json& r : rows) {
    if (!r.is_object()) return Status(Code::kDataLoss, "a Search Ads report row is not an object");
    auto metadata = r.find("metadata");
    if (metadata == r.end() || !metadata->is_object()) {
      return Status(Code::kDataLoss, "a Search Ads report row has no campaign metadata");
    }
    CampaignReportRow base;
    auto campaign_id = Int64Field(*metadata, "campaignId");
    if (!campaign_id) return Status(Code::kDataLoss, "a Search Ads report row has no campaignId");
    base.campaign_id = *campaign_id;
    base.campaign_name = StringField(*metadata, "campaignName");
    if (auto app = metadata->find("app"); app != metadata->end() && app->is_object()) {
      base.adam_id = Int64Field(*app, "adamId").value_or(0);
    }
    base.country_or_region = StringField(*metadata, "countryOrRegion");
    auto buckets = r.find("granularity");
    if (buckets == r.end() || buckets->is_null()) continue;  // a row without delivery
    if (!buckets->is_array()) {
      return Status(Code::kDataLoss, "a Search Ads report row's granularity is not a list");
    }
    for (const Json& b : *buckets) {
      CampaignReportRow row = base;
      ORCHARD_RETURN_IF_ERROR(ParseBucket(b, &row));
      out->push_back(std::move(row));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Secret> MintClientSecret(const SearchAdsCredentials& credentials, int64_t now_seconds,
                                std::chrono::seconds lifetime) {
  const int64_t seconds =
      std::clamp<int64_t>(lifetime.count(), 1, kMaxClientSecretLifetime.count());
  // ordered_json: the claims in the order §7.1 lists them, which makes the tokens diffable.
  const nlohmann::ordered_json header = {{"alg", "ES256"}, {"kid", credentials.key_id}};
  const nlohmann::ordered_json claims = {{"sub", credentials.client_id},
                                         {"aud", "https://appleid.apple.com"},
                                         {"iat", now_seconds},
                                         {"exp", now_seconds + seconds},
                                         {"iss", credentials.team_id}};
  std::string jwt =
      crypto::Base64UrlEncode(header.dump()) + "." + crypto::Base64UrlEncode(claims.dump());
  ORCHARD_ASSIGN_OR_RETURN(std::string signature, credentials.key.SignRaw(jwt));
  jwt += "." + crypto::Base64UrlEncode(signature);
  Secret out(jwt);
  WipeString(jwt);
  return out;
}

SearchAdsClient::SearchAdsClient(SearchAdsCredentials credentials, SearchAdsEndpoints endpoints,
                                 net::HttpClient* http, const Clock* clock)
    : credentials_(std::move(credentials)),
      endpoints_(std::move(endpoints)),
      http_(http),
      clock_(clock) {
  while (!endpoints_.api_base_url.empty() && endpoints_.api_base_url.back() == '/') {
    endpoints_.api_base_url.pop_back();
  }
}

Status SearchAdsClient::RequestToken() {
  access_token_ = Secret();
  const int64_t now = clock_->NowSeconds();
  ORCHARD_ASSIGN_OR_RETURN(Secret client_secret,
                           MintClientSecret(credentials_, now, kClientSecretLifetime));
  net::HttpRequest request;
  request.method = "POST";
  request.url = endpoints_.token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  // In the form body rather than Apple's example query string, so the secret stays out of URL
  // logs. A JWT is base64url and dots, all unreserved characters, so it needs no encoding (and
  // no unwiped encoded copy).
  const std::string head =
      "grant_type=client_credentials&client_id=" + net::UrlEncode(credentials_.client_id) +
      "&client_secret=";
  constexpr std::string_view kTail = "&scope=searchadsorg";
  // Reserved up front: a reallocation would free a copy of the secret unwiped.
  request.body.reserve(head.size() + client_secret.size() + kTail.size());
  request.body.append(head).append(client_secret.view()).append(kTail);
  auto response = http_->Send(request);
  WipeString(request.body);
  if (!response) {
    return response.error().WithContext("cannot reach the Apple Search Ads token endpoint");
  }
  if (response->status != 200) {
    const Json j = Json::parse(response->body, nullptr, false);
    const std::string oauth_error = j.is_object() ? StringField(j, "error") : "";
    if (oauth_error == "invalid_client" || oauth_error == "unauthorized_client" ||
        oauth_error == "invalid_grant" || response->status == 401) {
      return Status(Code::kUnauthenticated,
                    std::string(kRefusedCredentials) + " (" + Describe(*response) + ")");
    }
    if (response->status == 429) {
      return Status(
          Code::kResourceExhausted,
          "the Apple Search Ads token endpoint is rate limiting (" + Describe(*response) + ")");
    }
    if (response->status >= 500) {
      return Status(Code::kUnavailable, "the Apple Search Ads token endpoint answered " +
                                            Describe(*response) + "; try again later");
    }
    return Status(Code::kInvalidArgument,
                  "the Apple Search Ads token endpoint refused the request (" +
                      Describe(*response) + "): check the token URL");
  }
  Json j = Json::parse(response->body, nullptr, false);
  WipeString(response->body);
  auto token = j.is_object() ? j.find("access_token") : j.end();
  if (!j.is_object() || token == j.end() || !token->is_string() ||
      token->get_ref<const std::string&>().empty()) {
    return Status(Code::kDataLoss,
                  "the Apple Search Ads token endpoint answered without an access token");
  }
  std::string& text = token->get_ref<std::string&>();
  access_token_ = Secret(text);
  WipeString(text);  // the JSON value would otherwise free it unwiped
  const std::string type = StringField(j, "token_type");
  if (!type.empty() && type != "Bearer" && type != "bearer") {
    access_token_ = Secret();
    return Status(Code::kDataLoss, "the Apple Search Ads token endpoint issued a " + Words(type) +
                                       " token, not a Bearer one");
  }
  // Apple documents an hour; without a lifetime the token is kept for that long, and a 401
  // earlier still replaces it (Call()).
  const int64_t expires_in = Int64Field(j, "expires_in").value_or(3600);
  token_expires_at_ = now + expires_in;
  return Status::Ok();
}

Status SearchAdsClient::Authenticate() {
  if (!access_token_.empty() &&
      clock_->NowSeconds() + kTokenReuseMargin.count() < token_expires_at_) {
    return Status::Ok();
  }
  return RequestToken();
}

Result<net::HttpResponse> SearchAdsClient::Call(const std::string& method, const std::string& path,
                                                const std::string& body, int64_t org_id) {
  for (int attempt = 0;; ++attempt) {
    ORCHARD_RETURN_IF_ERROR(Authenticate());
    net::HttpRequest request;
    request.method = method;
    request.url = endpoints_.api_base_url + path;
    // Built in place (an initializer list would leave an unwiped copy of the token behind);
    // the reserve keeps later headers from moving it.
    request.headers.reserve(4);
    request.headers.emplace_back("Authorization", "Bearer ");
    request.headers.back().second.append(access_token_.view());
    request.headers.emplace_back("Accept", "application/json");
    // Every call but /acls and /me names the organization it acts in (§7.2).
    if (org_id != 0) {
      request.headers.emplace_back("X-AP-Context", "orgId=" + std::to_string(org_id));
    }
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    auto response = http_->Send(request);
    WipeString(request.headers[0].second);
    if (!response) return Error(response.error().WithContext("cannot reach Apple Search Ads"));
    // An access token can die before its expiry (revoked, or Apple's clock ahead of ours): one
    // new token, then Apple's answer stands.
    if (response->status == 401 && attempt == 0) {
      access_token_ = Secret();
      continue;
    }
    return response;
  }
}

Result<std::vector<Acl>> SearchAdsClient::Acls() {
  ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse r, Call("GET", "/api/v5/acls", "", 0));
  if (r.status != 200) return Error(ApiError(r, "the access list", 0));
  ORCHARD_ASSIGN_OR_RETURN(const Json envelope, EnvelopeOf(r.body, "the access list"));
  const Json& data = envelope["data"];
  // Apple's documentation shows one UserAcl object; the service answers a list (§7.2).
  std::vector<const Json*> items;
  if (data.is_object()) {
    items.push_back(&data);
  } else if (data.is_array()) {
    for (const Json& item : data) items.push_back(&item);
  } else {
    return Error(Code::kDataLoss, "Apple Search Ads answered the access list without data");
  }
  std::vector<Acl> out;
  for (const Json* item : items) {
    if (!item->is_object())
      return Error(Code::kDataLoss, "a Search Ads access list entry is not an object");
    Acl acl;
    auto org_id = Int64Field(*item, "orgId");
    if (!org_id) return Error(Code::kDataLoss, "a Search Ads access list entry has no orgId");
    acl.org_id = *org_id;
    acl.org_name = StringField(*item, "orgName");
    acl.parent_org_id = Int64Field(*item, "parentOrgId");
    acl.currency = StringField(*item, "currency");
    acl.time_zone = StringField(*item, "timeZone");
    acl.payment_model = StringField(*item, "paymentModel");
    acl.display_name = StringField(*item, "displayName");
    if (auto roles = item->find("roleNames"); roles != item->end() && roles->is_array()) {
      for (const Json& role : *roles) {
        if (role.is_string()) acl.role_names.push_back(role.get<std::string>());
      }
    }
    out.push_back(std::move(acl));
  }
  return out;
}

Result<Me> SearchAdsClient::GetMe() {
  ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse r, Call("GET", "/api/v5/me", "", 0));
  if (r.status != 200) return Error(ApiError(r, "the API user", 0));
  ORCHARD_ASSIGN_OR_RETURN(const Json envelope, EnvelopeOf(r.body, "the API user"));
  const Json& data = envelope["data"];
  if (!data.is_object())
    return Error(Code::kDataLoss, "Apple Search Ads answered /me without data");
  auto user_id = Int64Field(data, "userId");
  if (!user_id) return Error(Code::kDataLoss, "Apple Search Ads answered /me without a userId");
  return Me{*user_id, Int64Field(data, "parentOrgId")};
}

Result<std::vector<CampaignReportRow>> SearchAdsClient::CampaignReport(
    const CampaignReportQuery& query) {
  if (query.org_id <= 0) return Error(Code::kInvalidArgument, "a campaign report needs the orgId");
  if (query.end < query.start) {
    return Error(Code::kInvalidArgument, "a campaign report's end day is before its start day");
  }
  if (query.page_size < 1 || query.page_size > 1000) {
    return Error(Code::kInvalidArgument, "a campaign report page holds 1 to 1000 rows");
  }
  std::vector<CampaignReportRow> out;
  // Ordered by campaign id so that pages do not shift while they are read.
  Json request = {
      {"startTime", query.start.Iso()},
      {"endTime", query.end.Iso()},
      {"granularity", GranularityName(query.granularity)},
      {"timeZone", "ORTZ"},
      // Totals are the caller's sum of the buckets; Apple forbids grand totals with a
      // granularity anyway (§7.3).
      {"returnRowTotals", false},
      {"returnGrandTotals", false},
      {"returnRecordsWithNoMetrics", false},
      {"selector",
       {{"orderBy", Json::array({{{"field", "campaignId"}, {"sortOrder", "ASCENDING"}}})},
        {"pagination", {{"offset", 0}, {"limit", query.page_size}}}}}};
  if (query.by_country) request["groupBy"] = Json::array({"countryOrRegion"});
  // Each page must move the offset on; the cap only stops a server that never says it is done.
  for (int64_t offset = 0, pages = 0; pages < 100000; ++pages) {
    request["selector"]["pagination"]["offset"] = offset;
    ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse r, Call("POST", "/api/v5/reports/campaigns",
                                                       request.dump(), query.org_id));
    if (r.status != 200) return Error(ApiError(r, "the campaign report", query.org_id));
    ORCHARD_ASSIGN_OR_RETURN(const Json envelope, EnvelopeOf(r.body, "the campaign report"));
    const Json& data = envelope["data"];
    // The object model wraps the rows in reportingDataResponse; some of Apple's examples do not.
    const Json* reporting = &data;
    if (data.is_object()) {
      if (auto inner = data.find("reportingDataResponse"); inner != data.end()) reporting = &*inner;
    }
    if (!reporting->is_object() || !reporting->contains("row")) {
      return Error(Code::kDataLoss, "Apple Search Ads answered the campaign report without rows");
    }
    const Json& rows = (*reporting)["row"];
    ORCHARD_RETURN_IF_ERROR(ParseReportRows(rows, &out));
    const int64_t on_page = rows.is_array() ? static_cast<int64_t>(rows.size()) : 0;
    int64_t total = offset + on_page;
    if (auto pagination = envelope.find("pagination");
        pagination != envelope.end() && pagination->is_object()) {
      total = Int64Field(*pagination, "totalResults").value_or(total);
    }
    offset += on_page;
    if (offset >= total) return out;
    if (on_page == 0) {
      return Error(Code::kDataLoss, "Apple Search Ads promised " + std::to_string(total) +
                                        " campaign report rows but sent an empty page at " +
                                        std::to_string(offset));
    }
  }
  return Error(Code::kDataLoss, "Apple Search Ads kept paging the campaign report without end");
}

}  // namespace orchard::apple::searchads
