#include "sandbox/generator.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "sandbox/generator_internal.h"

namespace orchard::sandbox {
namespace internal {

// The portfolio. Apple Identifiers are 10 digits; IAPs point at their app's SKU.
const Product kProducts[] = {
    {"1476097583", "snapjournal", "Snap Journal", "Lifestyle", "iOS", Kind::kApp, 0, 0, 0, "1F",
     "3F", "7F", "iPhone,iPad,Desktop", 900, ""},
    {"1476097601", "snapjournal.pro", "Pro Unlock", "Lifestyle", "iOS", Kind::kIap, 0, 4.99, 0,
     "IA1", "", "", "iPhone,iPad", 40, ""},
    {"1476097602", "snapjournal.stickers", "Sticker Pack", "Lifestyle", "iOS", Kind::kIap, 0, 0.99,
     20, "IA1", "", "", "iPhone,iPad", 60, ""},
    {"1502233110", "trailmaps", "Trail Maps", "Navigation", "iOS", Kind::kApp, 3, 2.99, 30, "1",
     "3", "7", "iPhone", 120, ""},
    {"1523344771", "fitpulse", "FitPulse", "Health & Fitness", "iOS", Kind::kApp, 4, 0, 100, "1F",
     "3F", "7F", "iPhone,iPad,Apple Watch", 700, ""},
    {"1523344801", "fitpulse.monthly", "FitPulse Premium Monthly", "Health & Fitness", "iOS",
     Kind::kSubscription, 4, 9.99, 100, "IAY", "", "", "iPhone,iPad", 30, "1 Month"},
    {"1523344802", "fitpulse.yearly", "FitPulse Premium Yearly", "Health & Fitness", "iOS",
     Kind::kSubscription, 4, 59.99, 100, "IAY", "", "", "iPhone,iPad", 8, "1 Year"},
    {"1589901234", "pixelstudio.mac", "Pixel Studio", "Graphics & Design", "macOS", Kind::kApp, 7,
     9.99, 200, "F1", "F3", "F7", "Desktop", 25, ""},
    {"1589901250", "pixelstudio.brushes", "Brush Pack", "Graphics & Design", "macOS", Kind::kIap, 7,
     1.99, 200, "FI1", "", "", "Desktop", 6, ""},
    {"1611122233", "tabletsketch", "Tablet Sketch", "Productivity", "iOS", Kind::kApp, 9, 0, 330,
     "1T", "3T", "7T", "iPad", 200, ""},
    {"1611122240", "tabletsketch.layers", "Unlimited Layers", "Productivity", "iOS", Kind::kIap, 9,
     2.99, 330, "IA1", "", "", "iPad", 9, ""},
    {"1650007788", "wordquest", "Word Quest", "Games", "iOS", Kind::kApp, 11, 0, 600, "1F", "3F",
     "7F", "iPhone,iPad,Apple TV", 1500, ""},
    {"1650007801", "wordquest.coins.small", "Handful of Coins", "Games", "iOS", Kind::kIap, 11,
     0.99, 600, "IA1", "", "", "iPhone,iPad", 120, ""},
    {"1650007802", "wordquest.coins.chest", "Chest of Coins", "Games", "iOS", Kind::kIap, 11, 4.99,
     600, "IA1", "", "", "iPhone,iPad", 25, ""},
    // Taken as pre-orders for 60 days, then launched: the orders become downloads on launch day.
    {"1702345678", "starforge", "Star Forge", "Games", "iOS", Kind::kApp, 14, 4.99, 880, "1F", "3F",
     "7F", "iPhone,iPad", 260, "", 60},
};
const int kProductCount = static_cast<int>(std::size(kProducts));

const std::set<std::string_view>& ZeroDecimalCurrencies() {
  static const std::set<std::string_view> s = {"JPY", "KRW", "IDR", "HUF", "CLP", "COP",
                                               "VND", "TWD", "KZT", "NGN", "TZS", "PKR"};
  return s;
}

std::string Money(double v, std::string_view currency) {
  char buf[64];
  if (ZeroDecimalCurrencies().contains(currency)) {
    std::snprintf(buf, sizeof buf, "%.0f", std::round(v));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", std::round(v * 100) / 100);
  }
  return buf;
}

// A price tier in local currency: "x.99" style, or two significant figures for currencies
// without minor units.
double LocalPrice(double usd, const Storefront& s) {
  if (usd <= 0) return 0;
  const double raw = usd * s.per_usd;
  if (ZeroDecimalCurrencies().contains(s.currency)) {
    const double mag = std::pow(10.0, std::floor(std::log10(raw)) - 1);
    return std::round(raw / mag) * mag;
  }
  return std::ceil(raw) - 0.01;
}

std::string UsDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", d.month(), d.day(), d.year());
  return buf;
}

double ProceedsOf(double local_price, const Storefront& s, double rate) {
  const double v = local_price / (1.0 + s.vat) * rate;
  return ZeroDecimalCurrencies().contains(s.currency) ? std::round(v) : std::round(v * 100) / 100;
}

double StorefrontShare(size_t storefront_index) {
  static const double total = [] {
    double t = 0;
    for (const auto& s : Storefronts()) t += s.weight;
    return t;
  }();
  return Storefronts()[storefront_index].weight / total;
}

double DemandFactor(Date day, int days_since_launch) {
  // Weekends sell more, December more still; a slow upward trend; a launch spike.
  const double weekday = day.iso_weekday() >= 6 ? 1.25 : (day.iso_weekday() == 1 ? 0.92 : 1.0);
  const double season = day.month() == 12 ? 1.35 : (day.month() == 1 ? 1.15 : 1.0);
  const double growth = 1.0 + std::min(days_since_launch, 730) / 365.0 * 0.35;
  const double launch_spike = days_since_launch < 7 ? 3.0 - days_since_launch * 0.28 : 1.0;
  return weekday * season * growth * launch_spike;
}

long Draw(uint64_t key, double lambda) {
  const double noise = 0.7 + 0.6 * Unit(Key({key}));
  return static_cast<long>(std::floor(lambda * noise + Unit(Key({key, 99}))));
}

double DeviceShare(std::string_view device, std::string_view devices) {
  if (devices.find(',') == std::string_view::npos) return 1.0;
  if (device == "iPhone") return devices.find("Apple TV") != std::string_view::npos ? 0.66 : 0.70;
  if (device == "iPad") return 0.25;
  return 0.05;  // Desktop (iOS apps on Apple silicon Macs) or Apple TV
}

}  // namespace internal

namespace {
using namespace internal;

const char* kHeader =
    "Provider\tProvider Country\tSKU\tDeveloper\tTitle\tVersion\tProduct Type Identifier\tUnits\t"
    "Developer Proceeds\tBegin Date\tEnd Date\tCustomer Currency\tCountry Code\tCurrency of "
    "Proceeds\tApple Identifier\tCustomer Price\tPromo Code\tParent Identifier\tSubscription\t"
    "Period\tCategory\tCMB\tDevice\tSupported Platforms\tProceeds Reason\tPreserved Pricing\t"
    "Client\tOrder Type\n";

}  // namespace

struct Identity {
  std::string apple_id, sku, title;
};


namespace {

void AppendRow(std::string* out, const SaleRow& r, const std::string& begin,
               const std::string& end) {
  const bool iap = r.product->kind != Kind::kApp;
  char units[32];
  std::snprintf(units, sizeof units, "%ld", r.units);
  const char* fields[] = {"APPLE",
                          "US",
                          r.sku.c_str(),
                          iap ? " " : "Orchard Demo Apps Inc.",
                          r.title.c_str(),
                          iap ? " " : r.version.c_str(),
                          r.pti,
                          units,
                          r.proceeds.c_str(),
                          begin.c_str(),
                          end.c_str(),
                          r.store->currency,
                          r.store->country,
                          r.store->currency,
                          r.apple_id.c_str(),
                          r.price.c_str(),
                          r.promo,
                          iap ? r.parent_sku.c_str() : " ",
                          r.subscription,
                          r.period,
                          r.product->category,
                          "",
                          r.device.c_str(),
                          r.product->platforms,
                          r.proceeds_reason,
                          r.preserved,
                          " ",
                          r.order_type};
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i) out->push_back('\t');
    out->append(fields[i]);
  }
  out->push_back('\n');
}

}  // namespace

namespace {
// Copy 0 of a product is the template itself; copies (Portfolio's scale) get their own
// 10-digit Apple Identifier, SKU and title.
Identity IdentityOf(const Product& p, int copy, int index) {
  if (copy == 0) return {p.apple_id, p.sku, p.title};
  char id[16];
  std::snprintf(id, sizeof id, "2%09d", copy * 32 + index);
  return {id, std::string(p.sku) + "." + std::to_string(copy),
          std::string(p.title) + " " + std::to_string(copy + 1)};
}

int RevisionOf(const Portfolio::Revisions& revisions, Date day) {
  auto it = revisions.find(day.days());
  return it == revisions.end() ? 0 : it->second;
}
}  // namespace

double TierPrice(double usd, const Storefront& storefront) { return LocalPrice(usd, storefront); }

Date PeriodEnd(Frequency frequency, Date start) {
  switch (frequency) {
    case Frequency::kDaily:
      return start;
    case Frequency::kWeekly:
      return start.AddDays(6);
    case Frequency::kMonthly: {
      const Date next = start.month() == 12 ? Date::FromYmd(start.year() + 1, 1, 1)
                                            : Date::FromYmd(start.year(), start.month() + 1, 1);
      return next.AddDays(-1);
    }
    case Frequency::kYearly:
      return Date::FromYmd(start.year(), 12, 31);
  }
  return start;
}

const std::vector<Storefront>& Storefronts() {
  static const std::vector<Storefront> s = {
      {"US", "USD", 1, 0, 30},
      {"GB", "GBP", 0.79, 0.2, 6},
      {"DE", "EUR", 0.92, 0.19, 6},
      {"FR", "EUR", 0.92, 0.2, 4},
      {"IT", "EUR", 0.92, 0.22, 3},
      {"ES", "EUR", 0.92, 0.21, 3},
      {"NL", "EUR", 0.92, 0.21, 2},
      {"BE", "EUR", 0.92, 0.21, 1},
      {"AT", "EUR", 0.92, 0.2, 1},
      {"IE", "EUR", 0.92, 0.23, 0.8},
      {"PT", "EUR", 0.92, 0.23, 0.8},
      {"FI", "EUR", 0.92, 0.24, 0.6},
      {"GR", "EUR", 0.92, 0.24, 0.6},
      {"SK", "EUR", 0.92, 0.2, 0.3},
      {"SI", "EUR", 0.92, 0.22, 0.2},
      {"EE", "EUR", 0.92, 0.22, 0.2},
      {"LV", "EUR", 0.92, 0.21, 0.2},
      {"LT", "EUR", 0.92, 0.21, 0.2},
      {"LU", "EUR", 0.92, 0.17, 0.2},
      {"HR", "EUR", 0.92, 0.25, 0.3},
      {"CH", "CHF", 0.88, 0.081, 1.5},
      {"SE", "SEK", 10.5, 0.25, 1.2},
      {"NO", "NOK", 10.6, 0.25, 1},
      {"DK", "DKK", 6.9, 0.25, 0.9},
      {"PL", "PLN", 4.0, 0.23, 1.2},
      {"CZ", "CZK", 23, 0.21, 0.6},
      {"HU", "HUF", 360, 0.27, 0.5},
      {"RO", "RON", 4.6, 0.19, 0.5},
      {"BG", "BGN", 1.8, 0.2, 0.3},
      {"TR", "TRY", 32, 0.2, 1.5},
      {"IL", "ILS", 3.7, 0.17, 0.7},
      {"AE", "AED", 3.67, 0.05, 0.7},
      {"SA", "SAR", 3.75, 0.15, 0.8},
      {"QA", "QAR", 3.64, 0, 0.2},
      {"EG", "EGP", 48, 0.14, 0.4},
      {"ZA", "ZAR", 18.5, 0.15, 0.7},
      {"NG", "NGN", 1500, 0.075, 0.4},
      {"KE", "USD", 1, 0.16, 0.2},
      {"JP", "JPY", 150, 0.1, 7},
      {"KR", "KRW", 1350, 0.1, 3},
      {"CN", "CNY", 7.2, 0.06, 6},
      {"HK", "HKD", 7.8, 0, 1},
      {"TW", "TWD", 32, 0.05, 1.2},
      {"SG", "SGD", 1.35, 0.09, 0.8},
      {"MY", "MYR", 4.7, 0.08, 0.6},
      {"TH", "THB", 36, 0.07, 0.8},
      {"VN", "VND", 24500, 0.1, 0.6},
      {"ID", "IDR", 15800, 0.11, 1},
      {"PH", "PHP", 56, 0.12, 0.7},
      {"IN", "INR", 83, 0.18, 2.5},
      {"AU", "AUD", 1.52, 0.1, 2},
      {"NZ", "NZD", 1.65, 0.15, 0.5},
      {"CA", "CAD", 1.36, 0.13, 2.5},
      {"MX", "MXN", 17, 0.16, 1.5},
      {"BR", "BRL", 5.0, 0.1, 3},
      {"AR", "USD", 1, 0.21, 0.6},
      {"CL", "CLP", 930, 0.19, 0.6},
      {"CO", "COP", 3950, 0.19, 0.6},
      {"PE", "PEN", 3.75, 0.18, 0.4},
      {"KZ", "KZT", 450, 0.12, 0.2},
      {"UA", "UAH", 39, 0.2, 0.5},
      {"IS", "USD", 1, 0.24, 0.1},
      {"UY", "USD", 1, 0.22, 0.1},
      // The rest of Apple's 175 storefronts: small markets, most priced and paid in USD.
      {"AF", "USD", 1, 0.1, 0.05},
      {"AG", "USD", 1, 0.1, 0.05},
      {"AI", "USD", 1, 0.1, 0.05},
      {"AL", "USD", 1, 0.1, 0.05},
      {"AM", "USD", 1, 0.1, 0.05},
      {"AO", "USD", 1, 0.1, 0.05},
      {"AZ", "USD", 1, 0.1, 0.05},
      {"BA", "USD", 1, 0.1, 0.05},
      {"BB", "USD", 1, 0.1, 0.05},
      {"BF", "USD", 1, 0.1, 0.05},
      {"BH", "USD", 1, 0.1, 0.05},
      {"BJ", "USD", 1, 0.1, 0.05},
      {"BM", "USD", 1, 0.1, 0.05},
      {"BN", "USD", 1, 0.1, 0.05},
      {"BO", "USD", 1, 0.1, 0.05},
      {"BS", "USD", 1, 0.1, 0.05},
      {"BT", "USD", 1, 0.1, 0.05},
      {"BW", "USD", 1, 0.1, 0.05},
      {"BY", "USD", 1, 0.1, 0.05},
      {"BZ", "USD", 1, 0.1, 0.05},
      {"CD", "USD", 1, 0.1, 0.05},
      {"CG", "USD", 1, 0.1, 0.05},
      {"CI", "USD", 1, 0.1, 0.05},
      {"CM", "USD", 1, 0.1, 0.05},
      {"CR", "USD", 1, 0.1, 0.05},
      {"CV", "USD", 1, 0.1, 0.05},
      {"CY", "EUR", 0.92, 0.19, 0.05},
      {"DM", "USD", 1, 0.1, 0.05},
      {"DO", "USD", 1, 0.1, 0.05},
      {"DZ", "USD", 1, 0.1, 0.05},
      {"EC", "USD", 1, 0.1, 0.05},
      {"FJ", "USD", 1, 0.1, 0.05},
      {"FM", "USD", 1, 0.1, 0.05},
      {"GA", "USD", 1, 0.1, 0.05},
      {"GD", "USD", 1, 0.1, 0.05},
      {"GE", "USD", 1, 0.1, 0.05},
      {"GH", "USD", 1, 0.1, 0.05},
      {"GM", "USD", 1, 0.1, 0.05},
      {"GT", "USD", 1, 0.1, 0.05},
      {"GW", "USD", 1, 0.1, 0.05},
      {"GY", "USD", 1, 0.1, 0.05},
      {"HN", "USD", 1, 0.1, 0.05},
      {"IQ", "USD", 1, 0.1, 0.05},
      {"JM", "USD", 1, 0.1, 0.05},
      {"JO", "USD", 1, 0.1, 0.05},
      {"KG", "USD", 1, 0.1, 0.05},
      {"KH", "USD", 1, 0.1, 0.05},
      {"KN", "USD", 1, 0.1, 0.05},
      {"KW", "USD", 1, 0.1, 0.05},
      {"KY", "USD", 1, 0.1, 0.05},
      {"LA", "USD", 1, 0.1, 0.05},
      {"LB", "USD", 1, 0.1, 0.05},
      {"LC", "USD", 1, 0.1, 0.05},
      {"LK", "USD", 1, 0.1, 0.05},
      {"LR", "USD", 1, 0.1, 0.05},
      {"LY", "USD", 1, 0.1, 0.05},
      {"MA", "USD", 1, 0.1, 0.05},
      {"MD", "USD", 1, 0.1, 0.05},
      {"ME", "USD", 1, 0.1, 0.05},
      {"MG", "USD", 1, 0.1, 0.05},
      {"MK", "USD", 1, 0.1, 0.05},
      {"ML", "USD", 1, 0.1, 0.05},
      {"MM", "USD", 1, 0.1, 0.05},
      {"MN", "USD", 1, 0.1, 0.05},
      {"MO", "USD", 1, 0.1, 0.05},
      {"MR", "USD", 1, 0.1, 0.05},
      {"MS", "USD", 1, 0.1, 0.05},
      {"MT", "EUR", 0.92, 0.18, 0.05},
      {"MU", "USD", 1, 0.1, 0.05},
      {"MV", "USD", 1, 0.1, 0.05},
      {"MW", "USD", 1, 0.1, 0.05},
      {"MZ", "USD", 1, 0.1, 0.05},
      {"NA", "USD", 1, 0.1, 0.05},
      {"NE", "USD", 1, 0.1, 0.05},
      {"NI", "USD", 1, 0.1, 0.05},
      {"NP", "USD", 1, 0.1, 0.05},
      {"NR", "USD", 1, 0.1, 0.05},
      {"OM", "USD", 1, 0.1, 0.05},
      {"PA", "USD", 1, 0.1, 0.05},
      {"PG", "USD", 1, 0.1, 0.05},
      {"PK", "PKR", 280, 0.17, 0.05},
      {"PW", "USD", 1, 0.1, 0.05},
      {"PY", "USD", 1, 0.1, 0.05},
      {"RS", "USD", 1, 0.1, 0.05},
      {"RU", "RUB", 92, 0.2, 0.05},
      {"RW", "USD", 1, 0.1, 0.05},
      {"SB", "USD", 1, 0.1, 0.05},
      {"SC", "USD", 1, 0.1, 0.05},
      {"SL", "USD", 1, 0.1, 0.05},
      {"SN", "USD", 1, 0.1, 0.05},
      {"SR", "USD", 1, 0.1, 0.05},
      {"ST", "USD", 1, 0.1, 0.05},
      {"SV", "USD", 1, 0.1, 0.05},
      {"SZ", "USD", 1, 0.1, 0.05},
      {"TC", "USD", 1, 0.1, 0.05},
      {"TD", "USD", 1, 0.1, 0.05},
      {"TJ", "USD", 1, 0.1, 0.05},
      {"TM", "USD", 1, 0.1, 0.05},
      {"TN", "USD", 1, 0.1, 0.05},
      {"TO", "USD", 1, 0.1, 0.05},
      {"TT", "USD", 1, 0.1, 0.05},
      {"TZ", "TZS", 2600, 0.18, 0.05},
      {"UG", "USD", 1, 0.1, 0.05},
      {"UZ", "USD", 1, 0.1, 0.05},
      {"VC", "USD", 1, 0.1, 0.05},
      {"VE", "USD", 1, 0.1, 0.05},
      {"VG", "USD", 1, 0.1, 0.05},
      {"VU", "USD", 1, 0.1, 0.05},
      {"XK", "USD", 1, 0.1, 0.05},
      {"YE", "USD", 1, 0.1, 0.05},
      {"ZM", "USD", 1, 0.1, 0.05},
      {"ZW", "USD", 1, 0.1, 0.05},
  };
  return s;
}

Portfolio::Portfolio(uint64_t seed, Date today, int scale, int storefronts, int history_days)
    : book_(NewLazyBook()),
      seed_(seed),
      storefronts_(storefronts > 0 ? std::min<size_t>(static_cast<size_t>(storefronts), Storefronts().size())
                                   : Storefronts().size()),
      scale_(std::max(scale, 1)),
      today_(today),
      first_sales_day_(history_days > 0
                           ? today.AddDays(-history_days)
                           : Date::FromYmd(2024, 1, 1).AddDays(static_cast<int32_t>(Mix(seed) % 30))) {}

std::vector<AppInfo> Portfolio::Apps() const {
  std::vector<AppInfo> apps;
  for (int copy = 0; copy < scale_; ++copy) {
    for (int pi = 0; pi < kProductCount; ++pi) {
      const Product& p = kProducts[pi];
      if (p.kind != Kind::kApp) continue;
      const Date launch = first_sales_day_.AddDays(p.launch_offset);
      if (launch >= today_) continue;
      const Identity id = IdentityOf(p, copy, pi);
      std::string bundle = "com.orcharddemo." + id.sku;
      if (bundle.ends_with(".mac")) bundle.resize(bundle.size() - 4);
      apps.push_back({id.apple_id, id.title, bundle, id.sku,
                      std::string_view(p.platforms) == "macOS" ? "MAC_OS" : "IOS", launch,
                      p.price_usd, p.category});
    }
  }
  return apps;
}

namespace {

struct ReviewLanguage {
  const char* territories;  // alpha-3 list
  const char* good_titles[3];
  const char* good_bodies[3];
  const char* mixed_titles[2];
  const char* mixed_bodies[2];
  const char* bad_titles[3];
  const char* bad_bodies[3];
};

const ReviewLanguage kLanguages[] = {
    {"USA,GBR,CAN,AUS,IND",
     {"Love it", "Pretty Stellar", "Does exactly what I need"},
     {"I love how simple it is. Five stars!", "Best app of its kind, and the updates keep coming.",
      "Clean design, no clutter, works offline. Worth every penny."},
     {"Good but…", "Almost there"},
     {"Nice app, but it crashes now and then when I switch screens.",
      "Useful, though the subscription is a bit pricey."},
     {"Crashes constantly", "Lost my data", "Not worth it"},
     {"Since the last update it crashes every time I open it.",
      "After the update all my entries are gone. Please fix!",
      "Too many pop-ups asking me to pay."}},
    {"DEU,AUT,CHE",
     {"Super App", "Sehr gut", "Genau richtig"},
     {"Einfach zu bedienen und sehr zuverlässig.", "Die beste App dieser Art, klare Empfehlung!",
      "Übersichtlich und schnell. Gerne mehr davon."},
     {"Ganz okay", "Gut, aber"},
     {"Funktioniert, aber manchmal etwas langsam.", "Gute Idee, das Abo ist mir zu teuer."},
     {"Stürzt ständig ab", "Enttäuscht", "Nicht empfehlenswert"},
     {"Seit dem Update stürzt die App beim Start ab.", "Meine Daten sind weg. Schade.",
      "Zu viel Werbung für das Abo."}},
    {"FRA",
     {"Génial", "Très bien", "Parfait"},
     {"Simple et efficace, je recommande.", "Application très agréable à utiliser.",
      "Exactement ce qu'il me fallait."},
     {"Pas mal", "Bien mais"},
     {"Bonne appli, mais quelques bugs.", "Utile, mais l'abonnement est cher."},
     {"Plante sans arrêt", "Déçu", "Inutilisable"},
     {"Depuis la mise à jour, elle plante au démarrage.", "J'ai perdu toutes mes données.",
      "Trop de publicités."}},
    {"ESP,MEX",
     {"Me encanta", "Excelente", "Muy útil"},
     {"Muy fácil de usar, la recomiendo.", "La mejor aplicación de su tipo.",
      "Justo lo que necesitaba."},
     {"Está bien", "Buena, pero"},
     {"Funciona, aunque a veces se cierra.", "Útil, pero la suscripción es cara."},
     {"Se cierra sola", "Decepcionado", "No vale la pena"},
     {"Desde la actualización se cierra al abrirla.", "Perdí todos mis datos.",
      "Demasiados anuncios."}},
    {"JPN",
     {"最高です", "とても便利", "使いやすい"},
     {"シンプルで使いやすいです。", "毎日使っています。おすすめ！", "デザインがきれいで動作も軽いです。"},
     {"まあまあ", "惜しい"},
     {"便利ですが、時々落ちます。", "良いアプリですがサブスクが高いです。"},
     {"すぐ落ちる", "残念", "使えない"},
     {"アップデート後、起動するとすぐ落ちます。", "データが消えました。", "課金の案内が多すぎます。"}},
    {"BRA",
     {"Adorei", "Muito bom", "Perfeito"},
     {"Fácil de usar e muito útil.", "O melhor app do tipo!", "Exatamente o que eu precisava."},
     {"Razoável", "Bom, mas"},
     {"Funciona, mas às vezes trava.", "Útil, mas a assinatura é cara."},
     {"Trava toda hora", "Decepcionado", "Não recomendo"},
     {"Depois da atualização fecha sozinho.", "Perdi meus dados.", "Propaganda demais."}},
};

const char* kNicknames[] = {"Juan Chavez", "appfan42", "Mia K.", "sunnyday", "T. Nguyen",
                            "Lukas M.", "Claire D.", "Hiro", "ana_b", "ReviewerX", "pat.s",
                            "Ola N.", "Keiko", "marc0", "Priya R."};

std::string Rfc3339Pacific(int64_t epoch) {
  // Pacific time: -07:00 from the second Sunday of March to the first Sunday of November.
  const Date day = Date::FromDays(static_cast<int32_t>(epoch / 86400));
  const Date march = Date::FromYmd(day.year(), 3, 1), november = Date::FromYmd(day.year(), 11, 1);
  const Date dst_start = march.AddDays((7 - static_cast<int32_t>(march.iso_weekday())) % 7 + 7);
  const Date dst_end = november.AddDays((7 - static_cast<int32_t>(november.iso_weekday())) % 7);
  const int offset_h = (day >= dst_start && day < dst_end) ? -7 : -8;
  const int64_t local = epoch + offset_h * 3600;
  const Date local_day = Date::FromDays(static_cast<int32_t>(local / 86400));
  const int64_t secs = local % 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d-%02d:00", local_day.Iso().c_str(),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), -offset_h);
  return buf;
}

}  // namespace

std::string VersionOn(int days_since_launch) {
  return "2." + std::to_string(days_since_launch / 45) + "." +
         std::to_string((days_since_launch / 9) % 5);
}

std::string Alpha2Of(std::string_view alpha3) {
  static const std::map<std::string_view, std::string_view> kCodes = {
      {"USA", "US"}, {"GBR", "GB"}, {"CAN", "CA"}, {"AUS", "AU"}, {"IND", "IN"}, {"DEU", "DE"},
      {"AUT", "AT"}, {"CHE", "CH"}, {"FRA", "FR"}, {"ESP", "ES"}, {"MEX", "MX"}, {"JPN", "JP"},
      {"BRA", "BR"}};
  auto it = kCodes.find(alpha3);
  return it == kCodes.end() ? "" : std::string(it->second);
}

std::vector<ReviewInfo> Portfolio::Reviews(const std::string& app_id) const {
  std::vector<ReviewInfo> out;
  for (const AppInfo& app : Apps()) {
    if (app.id != app_id) continue;
    const uint64_t ah = std::hash<std::string>{}(app_id);
    // Each app has its own average; Trail Maps (paid, crash-prone) rates lower.
    const double mean = app.sku.rfind("trailmaps", 0) == 0 ? 3.6 : 4.0 + 0.6 * Unit(Key({seed_, ah, 1}));
    for (Date day = today_.AddDays(-1); day >= app.launch; day = day.AddDays(-1)) {
      const uint64_t k = Key({seed_, ah, static_cast<uint64_t>(day.days())});
      const int count = static_cast<int>(Unit(k) * 8.0);  // 0..7 a day
      std::vector<ReviewInfo> today_reviews;
      for (int i = 0; i < count; ++i) {
        const uint64_t r = Key({k, static_cast<uint64_t>(i)});
        ReviewInfo rv;
        const double u = Unit(Key({r, 1}));
        // Ratings skew to the mean: mostly 5/4 for good apps, a tail of 1s.
        rv.rating = u < (5 - mean) * 0.18 ? 1 : u < (5 - mean) * 0.28 ? 2 : u < (5 - mean) * 0.4 ? 3
                  : u < 0.55 ? 4 : 5;
        // Half the reviews are in English; within a language the first storefront (the US for
        // English) writes most of them.
        static constexpr double kLanguageShare[] = {0.5, 0.12, 0.1, 0.1, 0.1, 0.08};
        static_assert(std::size(kLanguageShare) == std::size(kLanguages));
        double pick_language = Unit(Key({r, 2}));
        size_t li = 0;
        while (li + 1 < std::size(kLanguages) && pick_language >= kLanguageShare[li]) {
          pick_language -= kLanguageShare[li];
          ++li;
        }
        const ReviewLanguage& lang = kLanguages[li];
        std::vector<std::string> territories;
        std::stringstream list(lang.territories);
        for (std::string t; std::getline(list, t, ',');) territories.push_back(t);
        rv.territory = Unit(Key({r, 3})) < 0.6 || territories.size() == 1
                           ? territories[0]
                           : territories[1 + Key({r, 10}) % (territories.size() - 1)];
        const size_t pick = Key({r, 4});
        if (rv.rating >= 4) {
          rv.title = lang.good_titles[pick % 3];
          rv.body = lang.good_bodies[(pick >> 8) % 3];
        } else if (rv.rating == 3) {
          rv.title = lang.mixed_titles[pick % 2];
          rv.body = lang.mixed_bodies[(pick >> 8) % 2];
        } else {
          rv.title = lang.bad_titles[pick % 3];
          rv.body = lang.bad_bodies[(pick >> 8) % 3];
        }
        rv.nickname = kNicknames[Key({r, 5}) % std::size(kNicknames)];
        // Within the Pacific day: 08:00 UTC to 07:00 UTC the next day fits PST and PDT.
        rv.created_epoch = static_cast<int64_t>(day.days()) * 86400 + 8 * 3600 +
                           static_cast<int64_t>(Key({r, 6}) % (86400 - 3600));
        rv.created = Rfc3339Pacific(rv.created_epoch);
        char id[40];
        std::snprintf(id, sizeof id, "%08llx-%04llx-%04llx-%04llx-%012llx",
                      static_cast<unsigned long long>(r >> 32), static_cast<unsigned long long>((r >> 16) & 0xffff),
                      static_cast<unsigned long long>(r & 0xffff),
                      static_cast<unsigned long long>(Key({r, 7}) & 0xffff),
                      static_cast<unsigned long long>(Key({r, 8}) & 0xffffffffffffull));
        rv.id = id;
        rv.rss_id = std::to_string(2'000'000'000 + Key({r, 9}) % 8'000'000'000ull);
        rv.version = VersionOn(day.days() - app.launch.days());
        if (Unit(Key({r, 11})) < 0.04) {
          const int64_t later = rv.created_epoch + static_cast<int64_t>(1 + Key({r, 12}) % 20) * 86400;
          if (later < static_cast<int64_t>(today_.days()) * 86400) {
            rv.edited = true;
            rv.edited_epoch = later;
            rv.edited_date = Rfc3339Pacific(later);
            // Fixed bugs lift bad ratings; disappointments sink good ones.
            rv.rating = rv.rating <= 3 ? std::min(5, rv.rating + 2) : std::max(1, rv.rating - 3);
            rv.title = "Update: " + rv.title;
          }
        }
        today_reviews.push_back(std::move(rv));
      }
      std::sort(today_reviews.begin(), today_reviews.end(),
                [](const ReviewInfo& a, const ReviewInfo& b) { return a.created_epoch > b.created_epoch; });
      for (auto& rv : today_reviews) out.push_back(std::move(rv));
    }
  }
  return out;
}

std::string Portfolio::issuer_id() const {
  char buf[40];
  const uint64_t a = Key({seed_, 1}), b = Key({seed_, 2});
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

std::string Portfolio::key_id(int index) const {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  uint64_t h = Key({seed_, 3, static_cast<uint64_t>(index)});
  for (int i = 0; i < 10; ++i) {
    out.push_back(kAlphabet[h % 36]);
    h /= 36;
  }
  return out;
}

std::string Portfolio::vendor_number() const {
  return std::to_string(80000000 + Key({seed_, 4}) % 10000000);
}

std::string Portfolio::SalesSummaryDailyTsv(Date day, const Revisions& revisions) const {
  if (!HasSales(day)) return "";
  std::string out = kHeader;
  out.reserve(400 * 1024);
  const std::string date = UsDate(day);
  ForEachSale(day, RevisionOf(revisions, day),
              [&](const SaleRow& row) { AppendRow(&out, row, date, date); });
  return out;
}

std::string Portfolio::SalesSummaryTsv(Frequency frequency, Date start,
                                       const Revisions& revisions) const {
  if (frequency == Frequency::kDaily) return SalesSummaryDailyTsv(start, revisions);
  const Date end = PeriodEnd(frequency, start);
  // A longer report is the sum of its days: rows that differ only in units (and dates) merge,
  // in the order they first appear, so weekly/monthly/yearly figures equal the daily ones.
  std::vector<SaleRow> rows;
  std::unordered_map<std::string, size_t> index;
  std::string key;
  for (Date day = start; day <= end; day = day.AddDays(1)) {
    if (!HasSales(day)) continue;
    ForEachSale(day, RevisionOf(revisions, day), [&](const SaleRow& row) {
      key.clear();
      SaleRow unitless = row;
      unitless.units = 0;
      AppendRow(&key, unitless, "", "");
      auto [it, inserted] = index.try_emplace(key, rows.size());
      if (inserted) {
        rows.push_back(row);
      } else {
        rows[it->second].units += row.units;
      }
    });
  }
  if (rows.empty()) return "";
  std::string out = kHeader;
  const std::string begin_text = UsDate(start), end_text = UsDate(end);
  for (const auto& row : rows) {
    if (row.units != 0) AppendRow(&out, row, begin_text, end_text);
  }
  return out;
}

void Portfolio::ForEachSale(Date day, int revision,
                            const std::function<void(const SaleRow&)>& raw_emit) const {
  // A revised report: every sale of the day gains `revision` units (refunds are unchanged).
  const auto emit = [&](const SaleRow& row) {
    if (revision == 0 || row.units <= 0) return raw_emit(row);
    SaleRow revised = row;
    revised.units += revision;
    raw_emit(revised);
  };
  const auto d = static_cast<uint64_t>(day.days());
  const int age = day.days() - first_sales_day_.days();

  for (int copy = 0; copy < scale_; ++copy) {
    for (int pi = 0; pi < kProductCount; ++pi) {
      const Product& p = kProducts[pi];
      const Product& app = kProducts[p.app];
      const int since_launch = age - p.launch_offset;
      if (since_launch < 0) continue;
      if (p.kind == Kind::kSubscription) {
        // Auto-renewable subscriptions come from the subscriber-by-subscriber simulation, so
        // that they agree with the subscription reports; the copies of `scale` sell none.
        if (copy == 0 && pi == kMonthlyIndex) ForEachSubscriptionSale(day, emit);
        continue;
      }
      const Identity id = IdentityOf(p, copy, pi);
      const Identity parent = IdentityOf(app, copy, p.app);
      // Copies differ in popularity; copy 0 is the portfolio as designed.
      const double popularity =
          copy == 0 ? 1.0 : 0.4 + 1.2 * Unit(Key({seed_, 31, static_cast<uint64_t>(copy)}));
      const double demand = DemandFactor(day, since_launch);
      // The paid app changes price a year after launch (2.99 → 3.99).
      double price_usd = p.price_usd;
      if (pi == kPaidAppIndex && since_launch >= 365) price_usd = 3.99;
      const std::string version = VersionOn(since_launch);
      for (size_t si = 0; si < storefronts_; ++si) {
        const Storefront& s = Storefronts()[si];
        const double lambda_base = p.base * popularity * StorefrontShare(si) * demand;
        const double local = LocalPrice(price_usd, s);
        std::string devices = p.devices;
        size_t start = 0;
        while (start <= devices.size()) {
          const size_t comma = devices.find(',', start);
          const std::string device =
              devices.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          start = comma == std::string::npos ? devices.size() + 1 : comma + 1;
          const double dev_lambda = lambda_base * DeviceShare(device, p.devices);
          const uint64_t k =
              Key({seed_, d, static_cast<uint64_t>(copy) * 64 + static_cast<uint64_t>(pi), si,
                   std::hash<std::string>{}(device)});
          auto draw = [&](uint64_t salt, double lambda) { return Draw(Key({k, salt}), lambda); };
          SaleRow row{&p, &app, id.apple_id, id.sku, id.title, parent.sku, version, p.pti_download,
                      0,  "0",  "0",         &s,     device};
          // A refund repeats the sale with negative units and price; proceeds stay positive.
          auto refund = [&](const SaleRow& sale, long units) {
            if (units <= 0) return;
            SaleRow r = sale;
            r.units = -units;
            r.price = "-" + sale.price;
            emit(r);
          };
          if (p.kind == Kind::kApp) {
            // Launch day of a pre-ordered app: every order still standing is delivered.
            if (copy == 0 && p.preorder_days > 0 && since_launch == 0) {
              const PreOrderCounts pre = PreOrdersThrough(si, device, day.AddDays(-1));
              if (const long units = pre.cumulative_ordered - pre.cumulative_canceled; units > 0) {
                SaleRow delivered = row;
                delivered.units = units;
                delivered.price = Money(local, s.currency);
                delivered.proceeds = Money(ProceedsOf(local, s, 0.7), s.currency);
                delivered.order_type = "Pre-Order";
                emit(delivered);
              }
            }
            const long downloads = draw(1, dev_lambda);
            if (downloads > 0) {
              row.units = downloads;
              row.price = Money(local, s.currency);
              row.proceeds = Money(ProceedsOf(local, s, 0.7), s.currency);
              emit(row);
              if (local > 0) refund(row, draw(7, downloads * 0.02));
              // Education volume purchases of the paid app, at half price.
              if (local > 0 && Unit(Key({k, 9})) < 0.01) {
                SaleRow edu = row;
                edu.promo = "EDU";
                edu.units = 5 + static_cast<long>(Unit(Key({k, 10})) * 20);
                edu.price = Money(local / 2, s.currency);
                edu.proceeds = Money(ProceedsOf(local / 2, s, 0.7), s.currency);
                emit(edu);
              }
              // Gifts: bought at full price (GP), redeemed later as a free download (GR).
              if (local > 0) {
                SaleRow gift = row;
                gift.promo = "GP";
                if (const long given = draw(13, downloads * 0.015); given > 0) {
                  gift.units = given;
                  emit(gift);
                }
                gift.promo = "GR";
                gift.price = "0";
                gift.proceeds = "0";
                if (const long redeemed = draw(14, downloads * 0.012); redeemed > 0) {
                  gift.units = redeemed;
                  emit(gift);
                }
                // Promo codes the developer handed out: free downloads of the paid app.
                gift.promo = "CR-RW";
                if (const long codes = draw(15, dev_lambda * 0.01); codes > 0) {
                  gift.units = codes;
                  emit(gift);
                }
              }
            }
            row.price = "0";
            row.proceeds = "0";
            if (const long re = draw(2, dev_lambda * 0.18); re > 0) {
              row.pti = p.pti_redownload;
              row.units = re;
              emit(row);
            }
            // Updates follow releases: a new version (every nine days) brings a wave over three
            // days; between releases only stragglers update.
            double release = 0.6;
            for (int back = 0; back < 3; ++back) {
              if (since_launch - back > 0 && VersionOn(since_launch - back) != VersionOn(since_launch - back - 1)) {
                release = 3.0 - back;
                break;
              }
            }
            if (const long up = draw(3, dev_lambda * 0.9 * release * std::min(1.0, since_launch / 60.0));
                up > 0) {
              row.pti = p.pti_update;
              row.units = up;
              emit(row);
            }
            // Now and then a product type Orchard does not know yet (Apple adds new ones).
            if (copy == 0 && pi == 0 && si == 0 && device == "iPhone" && Unit(Key({k, 11})) < 0.2) {
              row.pti = "1-G";
              row.units = 1 + static_cast<long>(Unit(Key({k, 12})) * 3);
              emit(row);
            }
          } else {  // a one-off in-app purchase
            const long units = draw(1, dev_lambda);
            if (units > 0) {
              row.units = units;
              row.price = Money(local, s.currency);
              row.proceeds = Money(ProceedsOf(local, s, 0.7), s.currency);
              emit(row);
              refund(row, draw(7, units * 0.015));
            }
          }
        }
      }
    }
  }
}

std::string Portfolio::EcbFxCsv(Date from, Date to) const {
  std::vector<const Storefront*> currencies;
  std::set<std::string_view> seen;
  for (const auto& s : Storefronts()) {
    if (std::string_view(s.currency) == "EUR" || !seen.insert(s.currency).second) continue;
    currencies.push_back(&s);
  }
  std::string out = "Date";
  for (const auto* c : currencies) out += std::string(",") + c->currency;
  out += ",\n";
  const double usd_per_eur = 1.08;
  for (Date day = to; day >= from; day = day.AddDays(-1)) {
    if (day.iso_weekday() >= 6) continue;  // the ECB publishes on business days only
    out += day.Iso();
    for (const auto* c : currencies) {
      const uint64_t ch = std::hash<std::string_view>{}(c->currency);
      // A slow deterministic wander around the level, plus a little daily noise.
      const double phase = Unit(Key({seed_, ch})) * 6.28;
      const double wander =
          0.03 * std::sin(day.days() / 97.0 + phase) +
          0.004 * (Unit(Key({seed_, ch, static_cast<uint64_t>(day.days())})) - 0.5);
      const double level =
          (std::string_view(c->currency) == "USD" ? 1.0 : c->per_usd) * usd_per_eur;
      const double rate = level * std::exp(wander);
      const bool missing = std::string_view(c->currency) == "TRY" && day != from &&
                           Key({seed_, 77, static_cast<uint64_t>(day.days())}) % 37 == 0;
      char buf[48];
      if (missing) {
        std::snprintf(buf, sizeof buf, ",N/A");
      } else if (rate < 1) {
        std::snprintf(buf, sizeof buf, ",%.5f", rate);
      } else if (rate < 100) {
        std::snprintf(buf, sizeof buf, ",%.4f", rate);
      } else {
        std::snprintf(buf, sizeof buf, ",%.2f", rate);
      }
      out += buf;
    }
    out += ",\n";
  }
  return out;
}

std::string GzipBytes(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip wrapper
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace orchard::sandbox
