// Pieces of the portfolio generator shared by its files (generator.cc for sales, FX and reviews;
// subscriptions.cc for the subscription family and pre-orders). Not for use outside
// src/sandbox/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>

#include "core/date.h"
#include "sandbox/generator.h"

namespace orchard::sandbox::internal {

// splitmix64 over a mixed key: a counter-based RNG, so no value depends on call order.
inline uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
inline uint64_t Key(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x243F6A8885A308D3ull;
  for (uint64_t p : parts) h = Mix(h ^ p);
  return h;
}
// Uniform in [0, 1).
inline double Unit(uint64_t h) {
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

enum class Kind { kApp, kIap, kSubscription };

struct Product {
  const char* apple_id;
  const char* sku;
  const char* title;
  const char* category;
  const char* platforms;
  Kind kind;
  int app;            // index of the app (its own index for apps)
  double price_usd;   // 0 = free
  int launch_offset;  // days after the portfolio's first sales day
  // Product types and devices for apps: download / redownload / update, per device.
  const char* pti_download;
  const char* pti_redownload;
  const char* pti_update;
  const char* devices;  // comma list: iPhone,iPad,Desktop,Apple TV
  double base;          // daily first-time downloads (apps) or purchases (IAPs) worldwide
  const char* period;   // subscriptions: "1 Month" / "1 Year"
  int preorder_days = 0;  // apps: days of pre-orders before the launch
};

extern const Product kProducts[];
extern const int kProductCount;
// Indices into kProducts of the pieces with behaviour of their own.
inline constexpr int kPaidAppIndex = 3;     // Trail Maps: its price rises a year after launch
inline constexpr int kMonthlyIndex = 5;     // FitPulse Premium Monthly
inline constexpr int kYearlyIndex = 6;      // FitPulse Premium Yearly
inline constexpr int kPreOrderIndex = 14;   // Star Forge: pre-orders, then its launch

const std::set<std::string_view>& ZeroDecimalCurrencies();
// A customer price or proceeds figure as the reports print it (no minor units for JPY …).
std::string Money(double v, std::string_view currency);
// A USD price tier in a storefront's currency ("x.99", or two significant figures).
double LocalPrice(double usd, const Storefront& s);
// Proceeds per unit: the price without its tax, times Apple's rate (0.7, or 0.85 after a year),
// rounded as the currency is.
double ProceedsOf(double local_price, const Storefront& s, double rate);
std::string UsDate(Date d);  // MM/DD/YYYY
// The share of a product's units bought on `device`, given the product's device list.
double DeviceShare(std::string_view device, std::string_view devices);
// A storefront's share of worldwide demand.
double StorefrontShare(size_t storefront_index);
// Demand multiplier of a day: weekends, December/January, growth with age, a launch spike.
double DemandFactor(Date day, int days_since_launch);
// A Poisson-like draw around `lambda` (±30 % noise, stochastic rounding) from a random key.
long Draw(uint64_t key, double lambda);

}  // namespace orchard::sandbox::internal

namespace orchard::sandbox {
// One row of a Sales Summary report before it is written (declared in generator.h).
struct SaleRow {
  const internal::Product* product;
  const internal::Product* parent;
  std::string apple_id;  // of this copy of the product (see Portfolio's scale)
  std::string sku;
  std::string title;
  std::string parent_sku;
  std::string version;
  const char* pti;
  long units;
  std::string proceeds;
  std::string price;
  const Storefront* store;
  std::string device;
  const char* promo = " ";
  const char* subscription = " ";
  const char* period = " ";
  const char* proceeds_reason = " ";
  const char* preserved = " ";
  const char* order_type = " ";
};
}  // namespace orchard::sandbox
