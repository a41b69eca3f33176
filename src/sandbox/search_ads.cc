// Apple Search Ads campaigns of the portfolio (apple-apis.md §7): a handful of campaigns whose
// daily taps and installs are drawn from the App Store downloads of their app in their
// countries, so that ads never claim more first-time downloads than the Sales report has.
#include <algorithm>
#include <cmath>
#include <map>

#include "sandbox/generator.h"
#include "sandbox/generator_internal.h"

namespace orchard::sandbox {
namespace {
using namespace internal;

struct CampaignTemplate {
  int64_t id;
  const char* name;
  int product;            // index into kProducts (an app)
  const char* countries;  // comma list
  int start_after_launch;
  int paused_after_launch;  // 0 = still running
  double cpt_usd;           // cost per tap
  double capture;           // share of the country's first-time downloads the campaign gets
};
const CampaignTemplate kCampaigns[] = {
    {1054187701, "Word Quest - Search US", 11, "US", 10, 0, 1.10, 0.09},
    {1054187702, "Word Quest - Search Europe", 11, "DE,FR,GB", 40, 0, 0.85, 0.06},
    {1054187703, "FitPulse - Brand", 4, "US,CA,AU", 0, 0, 0.70, 0.12},
    {1054187704, "Snap Journal - Discovery", 0, "US", 30, 400, 0.95, 0.04},
    {1054187705, "Trail Maps - Generic", 3, "US,GB", 5, 0, 1.40, 0.10},
};

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::vector<AdCampaign> Portfolio::SearchAdsCampaigns() const {
  std::vector<AdCampaign> out;
  for (const auto& t : kCampaigns) {
    const Product& p = kProducts[t.product];
    const Date launch = first_sales_day_.AddDays(p.launch_offset);
    AdCampaign c;
    c.id = t.id;
    c.name = t.name;
    c.adam_id = p.apple_id;
    c.app_name = p.title;
    c.countries = SplitCommas(t.countries);
    c.start = launch.AddDays(t.start_after_launch);
    if (t.paused_after_launch > 0) c.paused = launch.AddDays(t.paused_after_launch);
    c.daily_budget_usd = std::round(t.cpt_usd * 400);
    if (c.start < today_) out.push_back(std::move(c));
  }
  return out;
}

std::vector<AdDayRow> Portfolio::SearchAdsDay(Date day) const {
  std::vector<AdDayRow> out;
  if (day >= today_) return out;
  const auto campaigns = SearchAdsCampaigns();
  // First-time downloads of the day per (app Apple ID, country).
  std::map<std::pair<std::string, std::string>, long> downloads;
  bool counted = false;
  for (size_t ci = 0; ci < campaigns.size(); ++ci) {
    const AdCampaign& c = campaigns[ci];
    if (day < c.start || (c.paused && day >= *c.paused)) continue;
    if (!counted) {
      ForEachSale(day, 0, [&](const SaleRow& r) {
        if (r.product->kind == Kind::kApp && r.pti == std::string_view(r.product->pti_download) &&
            r.units > 0 && std::string_view(r.order_type) != "Pre-Order") {
          downloads[{r.apple_id, r.store->country}] += r.units;
        }
      });
      counted = true;
    }
    const CampaignTemplate& t = kCampaigns[std::find_if(std::begin(kCampaigns), std::end(kCampaigns),
                                                        [&](const CampaignTemplate& x) { return x.id == c.id; }) -
                                           std::begin(kCampaigns)];
    for (const std::string& country : c.countries) {
      const uint64_t k = Key({seed_, 50, static_cast<uint64_t>(day.days()), static_cast<uint64_t>(c.id),
                              std::hash<std::string>{}(country)});
      const long organic = downloads[{c.adam_id, country}];
      AdDayRow row;
      row.campaign = ci;
      row.country = country;
      row.tap_new = std::min(organic, Draw(Key({k, 1}), organic * t.capture));
      row.tap_re = Draw(Key({k, 2}), row.tap_new * 0.12);
      row.view_new = std::min(organic - row.tap_new, Draw(Key({k, 3}), row.tap_new * 0.15));
      row.view_re = Draw(Key({k, 4}), row.view_new * 0.1);
      // Taps convert at 50–70 %; taps come from 5–9 % of impressions.
      const double conversion = 0.5 + 0.2 * Unit(Key({k, 5}));
      row.taps = std::max(row.tap_new + row.tap_re,
                          static_cast<long>(std::ceil((row.tap_new + row.tap_re) / conversion)) +
                              Draw(Key({k, 6}), 3));
      const double ttr = 0.05 + 0.04 * Unit(Key({k, 7}));
      row.impressions = static_cast<long>(std::ceil(row.taps / ttr)) + Draw(Key({k, 8}), 20);
      const double cpt = t.cpt_usd * (0.85 + 0.3 * Unit(Key({k, 9})));
      row.spend_cents = static_cast<long long>(std::llround(row.taps * cpt * 100));
      out.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace orchard::sandbox
