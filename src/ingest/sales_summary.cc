#include "ingest/sales_summary.h"

#include <algorithm>
#include <array>
#include <optional>

#include "core/decimal.h"
#include "ingest/tsv.h"

namespace orchard::ingest {
namespace {

enum Col : size_t {
  kProvider, kProviderCountry, kSku, kDeveloper, kTitle, kVersion, kProductType, kUnits,
  kDeveloperProceeds, kBeginDate, kEndDate, kCustomerCurrency, kCountryCode, kProceedsCurrency,
  kAppleIdentifier, kCustomerPrice, kPromoCode, kParentIdentifier, kSubscription, kPeriod,
  kCategory, kCmb, kDevice, kSupportedPlatforms, kProceedsReason, kPreservedPricing, kClient,
  kOrderType, kColumnCount
};

constexpr std::array<std::string_view, kColumnCount> kNames = {
    "Provider", "Provider Country", "SKU", "Developer", "Title", "Version",
    "Product Type Identifier", "Units", "Developer Proceeds", "Begin Date", "End Date",
    "Customer Currency", "Country Code", "Currency of Proceeds", "Apple Identifier",
    "Customer Price", "Promo Code", "Parent Identifier", "Subscription", "Period", "Category",
    "CMB", "Device", "Supported Platforms", "Proceeds Reason", "Preserved Pricing", "Client",
    "Order Type"};

constexpr std::array<Col, 10> kRequired = {kProductType, kUnits, kDeveloperProceeds, kBeginDate,
                                           kEndDate, kCustomerCurrency, kCountryCode,
                                           kProceedsCurrency, kAppleIdentifier, kCustomerPrice};

// Dates repeat on every row of a daily report: parse each distinct text once.
struct DateCache {
  std::string_view text;
  Date value;
  Result<Date> Get(std::string_view s) {
    if (!text.empty() && s == text) return value;
    ORCHARD_ASSIGN_OR_RETURN(Date d, Date::ParseUs(s));
    text = s;
    value = d;
    return d;
  }
};

}  // namespace

Result<SalesParseStats> ParseSalesSummary(std::string_view tsv,
                                          const std::function<Status(const SalesRow&)>& on_row) {
  TsvReader reader(tsv);
  std::array<size_t, kColumnCount> index;
  index.fill(static_cast<size_t>(-1));
  size_t max_index = 0;
  for (size_t c = 0; c < kColumnCount; ++c) {
    if (auto i = reader.Column(kNames[c])) {
      index[c] = *i;
      max_index = std::max(max_index, *i);
    }
  }
  for (Col c : kRequired) {
    if (index[c] == static_cast<size_t>(-1)) {
      return Error(Code::kInvalidArgument,
                   "the Sales report has no '" + std::string(kNames[c]) + "' column");
    }
  }
  reader.LimitColumns(max_index + 1);

  SalesParseStats stats;
  SalesRow row;
  DateCache begin_cache, end_cache;
  auto field = [&](Col c) { return reader.field(index[c]); };
  auto fail = [&](Col c, const std::string& why) {
    ++stats.error_count;
    if (stats.errors.size() < 100) {
      stats.errors.push_back({reader.line(), "column '" + std::string(kNames[c]) + "': " + why});
    }
  };
  while (reader.Next()) {
    row.line = reader.line();
    row.provider = field(kProvider);
    row.provider_country = field(kProviderCountry);
    row.sku = field(kSku);
    row.developer = field(kDeveloper);
    row.title = field(kTitle);
    row.version = field(kVersion);
    row.product_type = field(kProductType);
    row.customer_currency = field(kCustomerCurrency);
    row.country = field(kCountryCode);
    row.proceeds_currency = field(kProceedsCurrency);
    row.apple_id = field(kAppleIdentifier);
    row.promo_code = field(kPromoCode);
    row.parent_id = field(kParentIdentifier);
    row.subscription = field(kSubscription);
    row.period = field(kPeriod);
    row.category = field(kCategory);
    row.cmb = field(kCmb);
    row.device = field(kDevice);
    row.supported_platforms = field(kSupportedPlatforms);
    row.proceeds_reason = field(kProceedsReason);
    row.preserved_pricing = field(kPreservedPricing);
    row.client = field(kClient);
    row.order_type = field(kOrderType);

    bool bad = false;
    for (Col c : {kProductType, kCountryCode, kAppleIdentifier, kCustomerCurrency, kProceedsCurrency}) {
      if (field(c).empty()) {
        fail(c, "empty");
        bad = true;
        break;
      }
    }
    if (bad) continue;
    auto units = ParseFixed(field(kUnits), kUnitDecimals);
    if (!units) { fail(kUnits, units.error().message()); continue; }
    auto proceeds = ParseFixed(field(kDeveloperProceeds), kMoneyDecimals);
    if (!proceeds) { fail(kDeveloperProceeds, proceeds.error().message()); continue; }
    auto price = ParseFixed(field(kCustomerPrice), kMoneyDecimals);
    if (!price) { fail(kCustomerPrice, price.error().message()); continue; }
    auto begin = begin_cache.Get(field(kBeginDate));
    if (!begin) { fail(kBeginDate, begin.error().message()); continue; }
    auto end = end_cache.Get(field(kEndDate));
    if (!end) { fail(kEndDate, end.error().message()); continue; }
    row.units = *units;
    row.developer_proceeds = *proceeds;
    row.customer_price = *price;
    row.begin_date = *begin;
    row.end_date = *end;
    ++stats.rows;
    ORCHARD_RETURN_IF_ERROR(on_row(row));
  }
  return stats;
}

}  // namespace orchard::ingest
