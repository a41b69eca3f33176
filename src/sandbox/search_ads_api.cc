// Apple Search Ads (apple-apis.md §7): the OAuth2 client-credentials token endpoint whose client
// secret is an ES256 JWT, GET /api/v5/acls and /api/v5/me, and POST /api/v5/reports/campaigns
// with granularity, groupBy, row and grand totals, selector conditions, ordering and paging.
#include <openssl/encoder.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>

#include "sandbox/generator_internal.h"
#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {

constexpr int kAccessTokenSeconds = 3600;
constexpr int64_t kMaxSecretSeconds = 180LL * 86400;

std::string PemSec1Of(EVP_PKEY* key) {
  OSSL_ENCODER_CTX* ctx = OSSL_ENCODER_CTX_new_for_pkey(key, OSSL_KEYMGMT_SELECT_KEYPAIR, "PEM",
                                                        "type-specific", nullptr);
  unsigned char* data = nullptr;
  size_t len = 0;
  std::string out;
  if (ctx != nullptr && OSSL_ENCODER_to_data(ctx, &data, &len) == 1) {
    out.assign(reinterpret_cast<char*>(data), len);
    OPENSSL_free(data);
  }
  OSSL_ENCODER_CTX_free(ctx);
  return out;
}

Json AdsError(const std::string& code, const std::string& message, const std::string& field) {
  return {{"data", nullptr},
          {"pagination", nullptr},
          {"error", {{"errors", Json::array({{{"messageCode", code},
                                              {"message", message},
                                              {"field", field}}})}}}};
}

struct Metrics {
  long impressions = 0, taps = 0, tap_new = 0, tap_re = 0, view_new = 0, view_re = 0;
  long long spend_cents = 0;
  Metrics& operator+=(const Metrics& o) {
    impressions += o.impressions;
    taps += o.taps;
    tap_new += o.tap_new;
    tap_re += o.tap_re;
    view_new += o.view_new;
    view_re += o.view_re;
    spend_cents += o.spend_cents;
    return *this;
  }
};

Json Money(long long cents) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", cents / 100, cents % 100);
  return {{"amount", buf}, {"currency", "USD"}};
}
// cents / divisor, rounded half up; 0 when there is nothing to divide by.
Json MoneyPer(long long cents, long divisor, long scale = 1) {
  if (divisor <= 0) return Money(0);
  return Money((cents * scale * 2 + divisor) / (2 * divisor));
}
double Ratio(long a, long b) { return b <= 0 ? 0.0 : std::round(10000.0 * a / b) / 10000.0; }

Json SpendRow(const Metrics& m) {
  const long tap_installs = m.tap_new + m.tap_re, view_installs = m.view_new + m.view_re;
  const long total = tap_installs + view_installs;
  return {{"impressions", m.impressions},
          {"taps", m.taps},
          {"ttr", Ratio(m.taps, m.impressions)},
          {"avgCPT", MoneyPer(m.spend_cents, m.taps)},
          {"avgCPM", MoneyPer(m.spend_cents, m.impressions, 1000)},
          {"localSpend", Money(m.spend_cents)},
          {"tapInstalls", tap_installs},
          {"tapNewDownloads", m.tap_new},
          {"tapRedownloads", m.tap_re},
          {"tapInstallCPI", MoneyPer(m.spend_cents, tap_installs)},
          {"tapInstallRate", Ratio(tap_installs, m.taps)},
          {"viewInstalls", view_installs},
          {"viewNewDownloads", m.view_new},
          {"viewRedownloads", m.view_re},
          {"totalInstalls", total},
          {"totalNewDownloads", m.tap_new + m.view_new},
          {"totalRedownloads", m.tap_re + m.view_re},
          {"totalAvgCPI", MoneyPer(m.spend_cents, total)},
          {"totalInstallRate", Ratio(total, m.taps)},
          {"tapPreOrdersPlaced", 0},
          {"viewPreOrdersPlaced", 0},
          {"totalPreOrdersPlaced", 0}};
}

// A day's delivery spread over its hours (a daytime curve), exactly: the hours sum to the day.
std::array<long long, 24> SplitHours(long long total) {
  static const std::array<double, 24> kCurve = [] {
    std::array<double, 24> w{};
    double sum = 0;
    for (int h = 0; h < 24; ++h) sum += w[h] = 1.0 + 0.8 * std::sin((h - 6) * 3.14159265 / 24.0 * 2) + (h >= 8 && h <= 22 ? 0.6 : 0);
    for (auto& x : w) x /= sum;
    return w;
  }();
  std::array<long long, 24> out{};
  long long given = 0;
  std::array<std::pair<double, int>, 24> remainders{};
  for (int h = 0; h < 24; ++h) {
    const double exact = static_cast<double>(total) * kCurve[h];
    out[h] = static_cast<long long>(std::floor(exact));
    given += out[h];
    remainders[h] = {exact - std::floor(exact), h};
  }
  std::sort(remainders.begin(), remainders.end(), std::greater<>());
  for (long long i = 0; i < total - given; ++i) ++out[remainders[i % 24].second];
  return out;
}

}  // namespace

Status Sandbox::Impl::IssueSearchAdsKey() {
  auto uuid_of = [&](uint64_t salt) {
    const uint64_t a = internal::Key({options.seed, salt}), b = internal::Key({options.seed, salt, 1});
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                  static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffull));
    return std::string(buf);
  };
  ads_client_id = "SEARCHADS." + uuid_of(85);
  ads_team_id = "SEARCHADS." + uuid_of(86);
  ads_key_id = uuid_of(87);
  ads_org_id = 1000000 + static_cast<int64_t>(internal::Key({options.seed, 88}) % 9000000);
  const auto pem_path = options.keys_dir / "searchads-private-key.pem";
  const auto json_path = options.keys_dir / "searchads.json";
  if (std::filesystem::exists(pem_path) && std::filesystem::exists(json_path)) {
    const Json old = Json::parse(ReadFile(json_path), nullptr, false);
    if (old.is_object() && old.value("key_id", "") == ads_key_id) ads_key = KeyFromPem(ReadFile(pem_path));
  }
  if (ads_key == nullptr) {
    ads_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (ads_key == nullptr) return Status(Code::kInternal, "cannot generate a P-256 key");
    std::filesystem::remove(pem_path);
    // SEC1 ("BEGIN EC PRIVATE KEY"), as `openssl ecparam -genkey` writes it (§7.1).
    std::ofstream(pem_path, std::ios::binary) << PemSec1Of(ads_key);
    ::chmod(pem_path.c_str(), 0600);
  }
  const Json meta = {{"client_id", ads_client_id},
                     {"team_id", ads_team_id},
                     {"key_id", ads_key_id},
                     {"org_id", ads_org_id},
                     {"private_key_file", pem_path.filename().string()}};
  std::ofstream(json_path) << meta.dump(2) << "\n";
  return Status::Ok();
}

void Sandbox::Impl::SearchAdsToken(const httplib::Request& req, httplib::Response& res) {
  auto fail = [&](const char* error) {
    res.status = 400;
    res.set_content(Json{{"error", error}}.dump(), "application/json");
  };
  if (req.get_param_value("grant_type") != "client_credentials") return fail("unsupported_grant_type");
  if (req.get_param_value("client_id") != ads_client_id) return fail("invalid_client");
  if (req.get_param_value("scope") != "searchadsorg") return fail("invalid_scope");
  // The client secret: an ES256 JWT signed with the uploaded key (§7.1).
  const std::string jwt = req.get_param_value("client_secret");
  const size_t a = jwt.find('.'), b = jwt.find('.', a == std::string::npos ? 0 : a + 1);
  if (a == std::string::npos || b == std::string::npos || jwt.find('.', b + 1) != std::string::npos) {
    return fail("invalid_client");
  }
  const auto header_text = B64UrlDecode(std::string_view(jwt).substr(0, a));
  const auto payload_text = B64UrlDecode(std::string_view(jwt).substr(a + 1, b - a - 1));
  const auto sig = B64UrlDecode(std::string_view(jwt).substr(b + 1));
  if (!header_text || !payload_text || !sig) return fail("invalid_client");
  const Json header = Json::parse(*header_text, nullptr, false);
  const Json payload = Json::parse(*payload_text, nullptr, false);
  if (!header.is_object() || !payload.is_object() || header.value("alg", "") != "ES256" ||
      header.value("kid", "") != ads_key_id || payload.value("iss", "") != ads_team_id ||
      payload.value("sub", "") != ads_client_id ||
      payload.value("aud", "") != "https://appleid.apple.com" || !payload.contains("iat") ||
      !payload.contains("exp") || !payload["iat"].is_number_integer() ||
      !payload["exp"].is_number_integer()) {
    return fail("invalid_client");
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t iat = payload["iat"].get<int64_t>(), exp = payload["exp"].get<int64_t>();
  if (exp <= now || iat > now + 60 || exp - iat > kMaxSecretSeconds) return fail("invalid_client");
  if (!VerifyRawEs256(ads_key, std::string_view(jwt).substr(0, b), *sig)) return fail("invalid_client");
  std::string token = B64UrlEncode(NewUuid() + NewUuid() + NewUuid());
  {
    std::lock_guard lock(mu);
    ads_tokens[token] = std::chrono::steady_clock::now() + std::chrono::seconds(kAccessTokenSeconds);
  }
  res.status = 200;
  res.set_content(Json{{"access_token", token},
                       {"token_type", "Bearer"},
                       {"expires_in", kAccessTokenSeconds},
                       {"scope", "searchadsorg"}}
                      .dump(),
                  "application/json");
}

bool Sandbox::Impl::SearchAdsAdmitted(const httplib::Request& req, httplib::Response& res,
                                      bool needs_org) {
  if (latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));
  if (InjectedFailure(res)) return false;
  const std::string auth = req.get_header_value("Authorization");
  bool valid = false;
  {
    std::lock_guard lock(mu);
    if (auth.rfind("Bearer ", 0) == 0) {
      auto it = ads_tokens.find(auth.substr(7));
      valid = it != ads_tokens.end() && it->second > std::chrono::steady_clock::now();
    }
  }
  if (!valid) {
    res.status = 401;
    res.set_content(AdsError("UNAUTHORIZED", "Invalid or expired access token.", "").dump(),
                     "application/json");
    return false;
  }
  if (needs_org && req.get_header_value("X-AP-Context") != "orgId=" + std::to_string(ads_org_id)) {
    res.status = 403;
    res.set_content(AdsError("FORBIDDEN", "A required header was not specified or was invalid.", "").dump(),
                    "application/json");
    return false;
  }
  return true;
}

void Sandbox::Impl::SearchAdsAcls(const httplib::Request& req, httplib::Response& res) {
  if (!SearchAdsAdmitted(req, res, false)) return;
  const Json acl = {{"orgId", ads_org_id},
                    {"orgName", "Orchard Demo Apps Inc."},
                    {"parentOrgId", ads_org_id - 1},
                    {"currency", "USD"},
                    {"timeZone", "America/Los_Angeles"},
                    {"paymentModel", "PAYG"},
                    {"roleNames", Json::array({"API Account Read Only"})},
                    {"displayName", "Orchard Demo Apps Inc."}};
  res.status = 200;
  res.set_content(Json{{"data", Json::array({acl})}, {"pagination", nullptr}, {"error", nullptr}}.dump(),
                  "application/json");
}

void Sandbox::Impl::SearchAdsMe(const httplib::Request& req, httplib::Response& res) {
  if (!SearchAdsAdmitted(req, res, false)) return;
  res.status = 200;
  res.set_content(Json{{"data", {{"userId", ads_org_id + 7}, {"parentOrgId", ads_org_id - 1}}},
                       {"pagination", nullptr},
                       {"error", nullptr}}
                      .dump(),
                  "application/json");
}

const std::vector<AdDayRow>& Sandbox::Impl::AdsDay(Date day) {
  {
    std::lock_guard lock(mu);
    if (auto it = ads_cache.find(day.days()); it != ads_cache.end()) return it->second;
  }
  auto rows = P()->SearchAdsDay(day);
  std::lock_guard lock(mu);
  return ads_cache.emplace(day.days(), std::move(rows)).first->second;
}

void Sandbox::Impl::SearchAdsCampaignReport(const httplib::Request& req, httplib::Response& res) {
  if (!SearchAdsAdmitted(req, res, true)) return;
  auto bad = [&](const std::string& message, const std::string& field) {
    res.status = 400;
    res.set_content(AdsError("INVALID_INPUT", message, field).dump(), "application/json");
  };
  const Json body = Json::parse(req.body, nullptr, false);
  if (!body.is_object()) return bad("The request body is not a valid ReportingRequest.", "");
  auto date_of = [&](const char* field) -> std::optional<Date> {
    if (!body.contains(field) || !body[field].is_string()) return std::nullopt;
    auto d = Date::ParseIso(body[field].get<std::string>());
    return d ? std::optional<Date>(*d) : std::nullopt;
  };
  const auto start = date_of("startTime"), end = date_of("endTime");
  if (!start) return bad("startTime is required, as YYYY-MM-DD.", "startTime");
  if (!end) return bad("endTime is required, as YYYY-MM-DD.", "endTime");
  if (*end < *start) return bad("endTime must not be before startTime.", "endTime");
  if (!body.contains("selector") || !body["selector"].is_object()) {
    return bad("selector is required.", "selector");
  }
  const Json& selector = body["selector"];
  if (!selector.contains("orderBy") || !selector["orderBy"].is_array() || selector["orderBy"].size() != 1 ||
      !selector["orderBy"][0].is_object()) {
    return bad("selector.orderBy takes exactly one field.", "selector.orderBy");
  }
  auto flag = [&](const char* name) { return body.contains(name) && body[name].is_boolean() && body[name].get<bool>(); };
  const bool row_totals = flag("returnRowTotals"), grand_totals = flag("returnGrandTotals");
  const bool with_no_metrics = flag("returnRecordsWithNoMetrics");
  const std::string granularity = body.value("granularity", "");
  const std::string time_zone = body.value("timeZone", "ORTZ");
  if (time_zone != "UTC" && time_zone != "ORTZ") return bad("timeZone must be UTC or ORTZ.", "timeZone");
  const Date today = P()->today();
  const int days = end->days() - start->days() + 1;
  if (granularity.empty()) {
    if (!row_totals) return bad("returnRowTotals must be true when no granularity is given.", "returnRowTotals");
  } else {
    if (grand_totals) return bad("returnGrandTotals must be false when a granularity is given.", "returnGrandTotals");
    if (granularity == "HOURLY") {
      if (days > 7) return bad("HOURLY granularity allows a range of at most 7 days.", "granularity");
      if (*start < today.AddDays(-30)) return bad("HOURLY reports start within the last 30 days.", "startTime");
    } else if (granularity == "DAILY") {
      if (days > 90) return bad("DAILY granularity allows a range of at most 90 days.", "granularity");
      if (*start < today.AddDays(-90)) return bad("DAILY reports start within the last 90 days.", "startTime");
    } else if (granularity == "WEEKLY") {
      if (days <= 14 || days > 365) return bad("WEEKLY granularity needs a range of 15 to 365 days.", "granularity");
      if (*start < today.AddDays(-730)) return bad("WEEKLY reports start within the last 24 months.", "startTime");
    } else if (granularity == "MONTHLY") {
      if (days <= 92) return bad("MONTHLY granularity needs a range of more than 3 months.", "granularity");
      if (*start < today.AddDays(-730)) return bad("MONTHLY reports start within the last 24 months.", "startTime");
    } else {
      return bad("granularity must be HOURLY, DAILY, WEEKLY or MONTHLY.", "granularity");
    }
  }
  bool by_country = false;
  if (body.contains("groupBy")) {
    if (!body["groupBy"].is_array()) return bad("groupBy is a list.", "groupBy");
    for (const auto& g : body["groupBy"]) {
      if (g != "countryOrRegion") {
        return bad("The sandbox groups campaign reports by countryOrRegion only.", "groupBy");
      }
      by_country = true;
    }
  }
  // Selector conditions on campaign fields.
  const auto campaigns = P()->SearchAdsCampaigns();
  auto status_of = [&](const AdCampaign& c) {
    return c.paused && *c.paused <= today ? "PAUSED" : "ENABLED";
  };
  std::vector<std::function<bool(const AdCampaign&, const std::string&)>> keep;
  if (selector.contains("conditions")) {
    if (!selector["conditions"].is_array()) return bad("selector.conditions is a list.", "selector.conditions");
    for (const auto& c : selector["conditions"]) {
      if (!c.is_object() || !c.contains("values") || !c["values"].is_array()) {
        return bad("A condition has field, operator and values.", "selector.conditions");
      }
      const std::string field = c.value("field", ""), op = c.value("operator", "");
      const bool ignore_case = c.value("ignoreCase", false);
      std::vector<std::string> values;
      for (const auto& v : c["values"]) values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      auto lower = [ignore_case](std::string s) {
        if (ignore_case) std::transform(s.begin(), s.end(), s.begin(), ::tolower);
        return s;
      };
      auto match = [values, op, lower](const std::string& actual) -> bool {
        for (const auto& v : values) {
          const std::string a = lower(actual), w = lower(v);
          if ((op == "EQUALS" || op == "IN") && a == w) return true;
          if (op == "CONTAINS" && a.find(w) != std::string::npos) return true;
          if (op == "STARTSWITH" && a.rfind(w, 0) == 0) return true;
          if (op == "ENDSWITH" && a.size() >= w.size() && a.compare(a.size() - w.size(), w.size(), w) == 0) return true;
        }
        return false;
      };
      static const std::set<std::string> kOperators = {"EQUALS", "IN", "CONTAINS", "STARTSWITH", "ENDSWITH"};
      if (!kOperators.contains(op)) return bad("The sandbox does not support operator " + op + " here.", "selector.conditions");
      if (field == "campaignId") {
        keep.push_back([match](const AdCampaign& x, const std::string&) { return match(std::to_string(x.id)); });
      } else if (field == "campaignName") {
        keep.push_back([match](const AdCampaign& x, const std::string&) { return match(x.name); });
      } else if (field == "campaignStatus") {
        keep.push_back([match, status_of](const AdCampaign& x, const std::string&) { return match(status_of(x)); });
      } else if (field == "countryOrRegion") {
        keep.push_back([match](const AdCampaign&, const std::string& country) { return match(country); });
      } else {
        return bad("Unknown condition field " + field + ".", "selector.conditions");
      }
    }
  }
  const std::string order_field = selector["orderBy"][0].value("field", "");
  const std::string sort_order = selector["orderBy"][0].value("sortOrder", "ASCENDING");
  static const std::set<std::string> kOrderFields = {"impressions", "taps", "localSpend", "tapInstalls",
                                                     "totalInstalls", "ttr", "campaignId", "campaignName",
                                                     "countryOrRegion"};
  if (!kOrderFields.contains(order_field)) return bad("Cannot order by " + order_field + ".", "selector.orderBy");
  if (sort_order != "ASCENDING" && sort_order != "DESCENDING") return bad("sortOrder is ASCENDING or DESCENDING.", "selector.orderBy");
  size_t offset = 0, limit = 20;
  if (selector.contains("pagination")) {
    const Json& p = selector["pagination"];
    if (!p.is_object() || (p.contains("offset") && !p["offset"].is_number_unsigned()) ||
        (p.contains("limit") && !p["limit"].is_number_unsigned())) {
      return bad("pagination has a non-negative offset and limit.", "selector.pagination");
    }
    offset = p.value("offset", 0u);
    limit = p.value("limit", 20u);
    if (limit < 1 || limit > 1000) return bad("pagination.limit is 1 to 1000.", "selector.pagination");
  }

  // Rows (campaign, or campaign and country), their totals and their buckets.
  struct Row {
    size_t campaign;
    std::string country;  // grouped by country only
    Metrics total;
    std::map<std::string, Metrics> buckets;
  };
  std::vector<Row> rows;
  auto row_of = [&](size_t campaign, const std::string& country) -> Row& {
    for (auto& r : rows) {
      if (r.campaign == campaign && r.country == country) return r;
    }
    rows.push_back({campaign, country, {}, {}});
    return rows.back();
  };
  for (size_t ci = 0; ci < campaigns.size(); ++ci) {
    for (const std::string& country : campaigns[ci].countries) {
      if (!std::all_of(keep.begin(), keep.end(), [&](const auto& k) { return k(campaigns[ci], country); })) continue;
      if (with_no_metrics) row_of(ci, by_country ? country : "");
    }
  }
  for (Date day = *start; day <= *end && day < today; day = day.AddDays(1)) {
    for (const AdDayRow& d : AdsDay(day)) {
      if (!std::all_of(keep.begin(), keep.end(), [&](const auto& k) { return k(campaigns[d.campaign], d.country); })) continue;
      const Metrics m{d.impressions, d.taps, d.tap_new, d.tap_re, d.view_new, d.view_re, d.spend_cents};
      Row& row = row_of(d.campaign, by_country ? d.country : "");
      row.total += m;
      if (granularity == "HOURLY") {
        const auto impressions = SplitHours(m.impressions), taps = SplitHours(m.taps),
                   tap_new = SplitHours(m.tap_new), tap_re = SplitHours(m.tap_re),
                   view_new = SplitHours(m.view_new), view_re = SplitHours(m.view_re),
                   spend = SplitHours(m.spend_cents);
        for (int h = 0; h < 24; ++h) {
          char key[32];
          std::snprintf(key, sizeof key, "%s %02d", day.Iso().c_str(), h);
          row.buckets[key] += Metrics{impressions[h], taps[h], tap_new[h], tap_re[h],
                                      view_new[h], view_re[h], spend[h]};
        }
      } else if (!granularity.empty()) {
        const Date bucket = granularity == "DAILY"    ? day
                            : granularity == "WEEKLY" ? day.StartOfWeek()
                                                      : day.StartOfMonth();
        row.buckets[bucket.Iso()] += m;
      }
    }
  }
  if (!with_no_metrics) std::erase_if(rows, [](const Row& r) { return r.total.impressions == 0; });
  auto sort_key = [&](const Row& r) -> std::pair<double, std::string> {
    const AdCampaign& c = campaigns[r.campaign];
    if (order_field == "campaignId") return {static_cast<double>(c.id), r.country};
    if (order_field == "campaignName") return {0, c.name + "\t" + r.country};
    if (order_field == "countryOrRegion") return {0, r.country + "\t" + std::to_string(c.id)};
    const Metrics& m = r.total;
    const double v = order_field == "impressions"     ? m.impressions
                     : order_field == "taps"          ? m.taps
                     : order_field == "localSpend"    ? static_cast<double>(m.spend_cents)
                     : order_field == "tapInstalls"   ? m.tap_new + m.tap_re
                     : order_field == "totalInstalls" ? m.tap_new + m.tap_re + m.view_new + m.view_re
                                                      : Ratio(m.taps, m.impressions);
    return {v, std::to_string(c.id) + "\t" + r.country};
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    return sort_order == "ASCENDING" ? sort_key(a) < sort_key(b) : sort_key(b) < sort_key(a);
  });

  Metrics grand;
  for (const auto& r : rows) grand += r.total;
  Json out_rows = Json::array();
  for (size_t i = offset; i < rows.size() && i < offset + limit; ++i) {
    const Row& r = rows[i];
    const AdCampaign& c = campaigns[r.campaign];
    const bool paused = c.paused && *c.paused <= today;
    Json metadata = {{"campaignId", c.id},
                     {"campaignName", c.name},
                     {"deleted", false},
                     {"campaignStatus", paused ? "PAUSED" : "ENABLED"},
                     {"app", {{"appName", c.app_name}, {"adamId", std::stoll(c.adam_id)}}},
                     {"servingStatus", paused ? "NOT_RUNNING" : "RUNNING"},
                     {"servingStateReasons", paused ? Json::array({"PAUSED_BY_USER"}) : Json(nullptr)},
                     {"countriesOrRegions", c.countries},
                     {"modificationTime", c.start.Iso() + "T09:30:00.000"},
                     {"totalBudget", nullptr},
                     {"dailyBudgetAmount", Money(std::llround(c.daily_budget_usd * 100))},
                     {"displayStatus", paused ? "PAUSED" : "RUNNING"},
                     {"supplySources", Json::array({"APPSTORE_SEARCH_RESULTS"})},
                     {"adChannelType", "SEARCH"},
                     {"billingEvent", "TAPS"},
                     {"orgId", ads_org_id},
                     {"countryOrRegionServingStateReasons", Json::object()}};
    if (by_country) metadata["countryOrRegion"] = r.country;
    Json row = {{"other", false}, {"metadata", metadata}};
    if (row_totals) row["total"] = SpendRow(r.total);
    if (!granularity.empty()) {
      Json buckets = Json::array();
      for (const auto& [date, m] : r.buckets) {
        if (m.impressions == 0 && !with_no_metrics) continue;
        Json b = SpendRow(m);
        b["date"] = date;
        buckets.push_back(b);
      }
      row["granularity"] = buckets;
    }
    out_rows.push_back(row);
  }
  Json reporting = {{"row", out_rows}};
  if (grand_totals) reporting["grandTotals"] = {{"other", false}, {"total", SpendRow(grand)}};
  res.status = 200;
  res.set_content(Json{{"data", {{"reportingDataResponse", reporting}}},
                       {"pagination",
                        {{"totalResults", rows.size()},
                         {"startIndex", offset},
                         {"itemsPerPage", out_rows.size()}}},
                       {"error", nullptr}}
                      .dump(),
                  "application/json");
}

}  // namespace orchard::sandbox
