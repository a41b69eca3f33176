// Portfolio: the sandbox's seeded data generator.
//
// A developer's portfolio that looks and adds up like a real one: free, paid, freemium
// (auto-renewable subscriptions), Mac and iPad-only apps with in-app purchases, sold in all
// 175 storefronts with their real currencies, with weekday and December cycles, growth, launches, a
// price change, refunds, an education promo and the odd product type Orchard does not know.
// Every figure is a pure function of (seed, day, product, storefront …) through a counter-based
// RNG, so the same seed gives byte-identical reports whatever is asked in whatever order.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"

namespace orchard::sandbox {

struct Storefront {
  const char* country;   // ISO 3166 alpha-2
  const char* currency;  // customer currency (and currency of proceeds)
  double per_usd;        // rough local units per USD (for price tiers and FX levels)
  double vat;            // tax included in the customer price
  double weight;         // share of demand
};

const std::vector<Storefront>& Storefronts();

// Finance (apple-apis.md §3.4): the region a storefront is paid in ("EU", "US", "LL" for Latin
// America in USD, "WW" for the rest of the world in USD, else the storefront's own code), and
// all regions of the storefronts, sorted.
std::string FinanceRegionOf(const Storefront& storefront);
std::vector<std::string> FinanceRegions();
// First and last day of a period of Apple's fiscal calendar (see finance.cc); nothing when the
// period is not 1..12.
std::optional<std::pair<Date, Date>> FiscalPeriod(int fiscal_year, int period);

enum class Frequency { kDaily, kWeekly, kMonthly, kYearly };
// The last day of the period that starts on `start` (weeks run Monday–Sunday).
Date PeriodEnd(Frequency frequency, Date start);

struct SaleRow;

struct ReviewInfo {
  std::string id;         // opaque, e.g. "00000028-b08c-0014-9674-c54800000000"
  int rating = 0;         // 1..5
  std::string title;
  std::string body;
  std::string nickname;
  std::string created;    // RFC 3339 with the Pacific offset, e.g. 2026-01-02T11:19:36-08:00
  int64_t created_epoch = 0;
  std::string territory;  // alpha-3, e.g. USA
  std::string version;    // the app version reviewed
  std::string rss_id;     // the numeric id the public RSS feed uses (§8.1)
  // About one review in twenty-five is edited by its author days later: the review shows the
  // new rating and text; it keeps its id and createdDate.
  bool edited = false;
  int64_t edited_epoch = 0;
  std::string edited_date;  // RFC 3339, Pacific
};

// The app version a portfolio app had `days_since_launch` days after its launch.
std::string VersionOn(int days_since_launch);

// ISO 3166 alpha-3 → alpha-2 for the storefronts reviews come from ("USA" → "US"); "" if unknown.
std::string Alpha2Of(std::string_view alpha3);

// An app of the portfolio as /v1/apps describes it.
struct AppInfo {
  std::string id;  // Apple Identifier
  std::string name;
  std::string bundle_id;
  std::string sku;
  std::string platform;  // IOS | MAC_OS
  Date launch;
  double price_usd = 0;   // 0 = free
  std::string category;
};

// A USD price tier in a storefront's currency ("x.99", or two significant figures for
// currencies without minor units), as the sales reports use it.
double TierPrice(double usd, const Storefront& storefront);

// An Apple Search Ads campaign of the portfolio (apple-apis.md §7), spending in USD.
struct AdCampaign {
  int64_t id = 0;
  std::string name;
  std::string adam_id;  // the app's Apple Identifier
  std::string app_name;
  std::vector<std::string> countries;  // alpha-2
  Date start;
  std::optional<Date> paused;  // no delivery from this day on
  double daily_budget_usd = 0;
};
// One campaign's delivery in one country on one day.
struct AdDayRow {
  size_t campaign = 0;  // index into SearchAdsCampaigns()
  std::string country;
  long impressions = 0, taps = 0;
  long tap_new = 0, tap_re = 0, view_new = 0, view_re = 0;  // installs by attribution
  long long spend_cents = 0;                                // USD
};

// A report of the Analytics Reports API the sandbox generates (apple-apis.md §6.2–6.3).
struct AnalyticsReportInfo {
  const char* name;      // exact filter[name] string
  const char* category;  // APP_USAGE, COMMERCE, APP_STORE_ENGAGEMENT …
  const char* header;    // TSV header line, without the newline
};
const std::vector<AnalyticsReportInfo>& AnalyticsReports();

// An app of the public store: the portfolio's own apps and a field of competitors.
struct StoreApp {
  std::string id, name, artist, genre_id, genre_name;
  double price_usd = 0;
  double base = 0;  // daily first-time downloads in the US-weighted field
  bool iphone = false, ipad = false, mac = false, has_iap = false, ours = false;
  double rating_mean = 4.2;
  Date launch;
};
enum class ChartKind { kFree, kPaid, kGrossing };
// The top-level genres the store simulates (id, name), e.g. ("6014", "Games").
std::vector<std::pair<std::string, std::string>> StoreGenres();
enum class ChartDevice { kIphone, kIpad, kMac };
// A Today-tab story (Part II §B.4.1) and the apps it features.
struct Story {
  std::string id, label, title;
  Date date;
  std::vector<std::string> app_ids;
};

class Portfolio {
 public:
  // Scale knobs, for benchmarks:
  //   `scale` repeats the portfolio that many times (copies with their own ids and
  //     popularity): about 1,700 report rows a day per copy;
  //   `storefronts` sells in only the first N storefronts (biggest markets first; 0 = all 175);
  //   `history_days` starts the sales that many days before today (0 = January 2024, which keeps
  //     every past day's figures independent of today).
  Portfolio(uint64_t seed, Date today, int scale = 1, int storefronts = 0, int history_days = 0);
  size_t storefront_count() const { return storefronts_; }

  Date today() const { return today_; }
  Date first_sales_day() const { return first_sales_day_; }
  bool HasSales(Date day) const { return day >= first_sales_day_ && day < today_; }

  // The decompressed Sales Summary report of a day (28 columns, Apple's layout), or "" when
  // the day has no sales.
  // `revisions` maps a day to how many times Apple has revised its report (0 = as first
  // published); a revision adds its number to the units of every sale of that day.
  using Revisions = std::map<int32_t, int>;
  std::string SalesSummaryDailyTsv(Date day, const Revisions& revisions = {}) const;
  // A weekly (start = Monday), monthly (start = the 1st) or yearly (start = 1 January) report:
  // the days of the period summed row by row, with the period's Begin and End Date; "" when
  // the period has no sales.
  std::string SalesSummaryTsv(Frequency frequency, Date start, const Revisions& revisions = {}) const;

  // The subscription family of a day (apple-apis.md §2.8–2.10), simulated subscriber by
  // subscriber for the original portfolio, so that the reports agree with each other and with
  // the Sales report: "" when the day has nothing to report.
  // SUBSCRIPTION: the day's snapshot of active subscriptions (end of day) per slice.
  std::string SubscriptionTsv(Date day) const;
  // SUBSCRIPTION_EVENT: the day's events, identical ones counted in `Quantity`.
  std::string SubscriptionEventTsv(Date day) const;
  // SUBSCRIBER: one row per paid transaction or refund of the day.
  std::string SubscriberTsv(Date day) const;
  // PRE_ORDER (§2.11) of a period: orders and cancellations in the period, cumulative figures
  // at its end; "" when no pre-orders were open in it.
  std::string PreOrderTsv(Frequency frequency, Date start) const;

  // FINANCIAL report of a region (or "ZZ": every region's block in turn) for a fiscal period:
  // the period's paid Sales rows summed, with the Total_* trailer; "" when the region earned
  // nothing or the period has not ended.
  std::string FinancialTsv(const std::string& region, int fiscal_year, int period) const;
  // Every region's FINANCIAL report of a period (and "ZZ"), computed in one pass.
  std::map<std::string, std::string> FinancialReports(int fiscal_year, int period) const;
  // FINANCE_DETAIL (region Z1): the period's paid Sales rows day by day, all regions.
  std::string FinanceDetailTsv(int fiscal_year, int period) const;

  // Search Ads: the campaigns started before today, and a day's delivery (nothing from today on).
  // Tap-through first-time downloads never exceed the day's App Store downloads of the app in
  // the country (Sales report, all devices).
  std::vector<AdCampaign> SearchAdsCampaigns() const;
  std::vector<AdDayRow> SearchAdsDay(Date day) const;

  // Rows (no header) of an analytics report for one app: the activity of [from, to] labelled with
  // `label` (the day, or the Monday / 1st of a weekly / monthly row); counts scaled by
  // `completeness` (1 = final; below 1 = a preliminary figure a later instance replaces).
  std::string AnalyticsRows(const std::string& report, const std::string& app_id, Date from, Date to,
                            Date label, double completeness) const;

  // The public store (§8.2, Part II §B): its apps, the ranking of a chart (genre "36" = all
  // apps) in an hour (hours since 1970-01-01 UTC), up to 200 deep; the apps a search term finds,
  // best first, on a day; the 1..5-star rating counts of an app in a storefront (the portfolio's
  // apps: the ratings of their reviews there); the Today stories of a day.
  std::vector<StoreApp> StoreApps() const;
  std::vector<std::string> ChartRanking(const std::string& country, const std::string& genre_id,
                                        ChartKind kind, ChartDevice device, int64_t hour) const;
  std::vector<std::string> SearchRanking(const std::string& country, const std::string& term,
                                         Date day) const;
  std::array<long, 5> RatingHistogram(const std::string& app_id, const std::string& country) const;
  std::vector<Story> TodayStories(const std::string& country, Date day) const;

  // Reference rates in the ECB historical CSV layout for [from, to]: weekdays only, newest
  // first, every non-EUR currency of the storefronts, units per 1 EUR, trailing commas.
  std::string EcbFxCsv(Date from, Date to) const;

  // Customer reviews of an app (apple-apis.md §4.1), newest first: a few a day from launch to
  // yesterday, in the languages of their storefronts, rated around the app's own average.
  std::vector<ReviewInfo> Reviews(const std::string& app_id) const;

  // The apps launched before `today`, in launch order.
  std::vector<AppInfo> Apps() const;

  // Identities derived from the seed.
  std::string issuer_id() const;
  std::string key_id(int index) const;  // 10 × [A-Z0-9]
  std::string vendor_number() const;    // 8 digits

 private:
  struct Book;  // the subscribers of the portfolio's subscriptions (subscriptions.cc)
  struct LazyBook;
  struct PreOrderCounts {
    long ordered = 0, canceled = 0;                        // in the period asked for
    long cumulative_ordered = 0, cumulative_canceled = 0;  // from the first pre-order day
  };

  void ForEachSale(Date day, int revision, const std::function<void(const SaleRow&)>& emit) const;
  // Built on first use (thread-safe) and kept: about 40,000 subscribers over two years.
  const Book& Subscribers() const;
  // The auto-renewable subscription rows of a day's Sales report.
  void ForEachSubscriptionSale(Date day, const std::function<void(const SaleRow&)>& emit) const;
  // Pre-orders of the pre-ordered app in one storefront and device, up to and including `end`.
  PreOrderCounts PreOrdersThrough(size_t storefront, const std::string& device, Date end,
                                  Date period_start = Date()) const;

  static std::shared_ptr<LazyBook> NewLazyBook();
  std::shared_ptr<LazyBook> book_;
  uint64_t seed_;
  size_t storefronts_;
  int scale_;
  Date today_;
  Date first_sales_day_;
};

// gzip (RFC 1952) with zlib.
std::string GzipBytes(std::string_view data);

}  // namespace orchard::sandbox
