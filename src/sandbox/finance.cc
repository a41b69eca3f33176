// Finance reports of the portfolio (apple-apis.md §3): the Sales report's paid rows of a fiscal
// period, per region, in the FINANCIAL layout with its Total_* trailer, and the transaction-date
// FINANCE_DETAIL layout.
//
// Apple's fiscal calendar (as the sandbox keeps it): the fiscal year ends on the last Saturday of
// September; its twelve periods run Sunday to Saturday in quarters of 5, 4 and 4 weeks, and in a
// 53-week year the last period takes the extra week. `reportDate` YYYY-MM names fiscal year and
// period: 2026-01 is the period that starts on Sunday 28 September 2025.
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "sandbox/generator.h"
#include "sandbox/generator_internal.h"

namespace orchard::sandbox {
namespace {
using namespace internal;

// The last Saturday of September of `year`.
Date FiscalYearEnd(int year) {
  const Date last = Date::FromYmd(year, 9, 30);
  return last.AddDays(-static_cast<int32_t>((last.iso_weekday() + 1) % 7));  // Saturday = 6
}

// Minor units, exactly: proceeds and prices are printed with at most two decimals.
long long Cents(const std::string& text) {
  double v = std::stod(text);
  return std::llround(v * 100);
}
std::string FromCents(long long cents) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", cents < 0 ? "-" : "", std::llabs(cents) / 100,
                std::llabs(cents) % 100);
  return buf;
}

constexpr const char* kFinancialHeader =
    "Start Date\tEnd Date\tUPC\tISRC/ISBN\tVendor Identifier\tQuantity\tPartner Share\tExtended "
    "Partner Share\tPartner Share Currency\tSales or Return\tApple Identifier\tArtist/Show/"
    "Developer/Author\tTitle\tLabel/Studio/Network/Developer/Publisher\tGrid\tProduct Type "
    "Identifier\tISAN/Other Identifier\tCountry Of Sale\tPre-order Flag\tPromo Code\tCustomer "
    "Price\tCustomer Currency\n";
constexpr const char* kDetailHeader =
    "Transaction Date\tSettlement Date\tApple Identifier\tSKU\tTitle\tDeveloper Name\tProduct Type "
    "Identifier\tCountry of Sale\tQuantity\tPartner Share\tExtended Partner Share\tPartner Share "
    "Currency\tCustomer Price\tCustomer Currency\tSale or Return\tPromo Code\tOrder Type\tRegion\n";

// Latin American and Caribbean storefronts that are paid in USD form Apple's "LL" region.
bool LatinAmericaUsd(std::string_view country) {
  static const std::set<std::string_view> kLl = {
      "AR", "UY", "BO", "BS", "BB", "BZ", "CR", "DM", "DO", "EC", "GD", "GT", "GY", "HN", "JM", "KN",
      "KY", "LC", "MS", "NI", "PA", "PY", "SR", "SV", "TC", "TT", "VC", "VE", "VG", "AG", "AI", "BM"};
  return kLl.contains(country);
}

}  // namespace

std::string FinanceRegionOf(const Storefront& s) {
  const std::string_view currency = s.currency, country = s.country;
  if (currency == "EUR") return "EU";
  if (currency == "USD") return country == "US" ? "US" : LatinAmericaUsd(country) ? "LL" : "WW";
  // Every other currency is a region of its own, named by its storefront.
  return std::string(country);
}

std::vector<std::string> FinanceRegions() {
  std::set<std::string> regions;
  for (const auto& s : Storefronts()) regions.insert(FinanceRegionOf(s));
  return {regions.begin(), regions.end()};
}

std::optional<std::pair<Date, Date>> FiscalPeriod(int fiscal_year, int period) {
  if (period < 1 || period > 12 || fiscal_year < 2000 || fiscal_year > 2100) return std::nullopt;
  const Date start_of_year = FiscalYearEnd(fiscal_year - 1).AddDays(1);
  const Date end_of_year = FiscalYearEnd(fiscal_year);
  Date start = start_of_year;
  for (int p = 1; p < period; ++p) start = start.AddDays((p - 1) % 3 == 0 ? 35 : 28);
  const Date end = period == 12 ? end_of_year : start.AddDays(((period - 1) % 3 == 0 ? 35 : 28) - 1);
  return std::make_pair(start, end);
}

std::string Portfolio::FinancialTsv(const std::string& region, int fiscal_year, int period) const {
  const auto all = FinancialReports(fiscal_year, period);
  auto it = all.find(region);
  return it == all.end() ? "" : it->second;
}

std::map<std::string, std::string> Portfolio::FinancialReports(int fiscal_year, int period) const {
  const auto range = FiscalPeriod(fiscal_year, period);
  if (!range || range->second >= today_) return {};
  // Per region: (SKU, Apple ID, title, PTI, country, return, partner share, price, currency,
  // promo, pre-order) → quantity, in first-seen order.
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string, bool,
                         std::string, std::string, std::string, std::string, bool>;
  struct Region {
    std::map<Key, long> quantity;
    std::vector<Key> order;
  };
  std::map<std::string, Region> regions;
  for (Date day = range->first; day <= range->second; day = day.AddDays(1)) {
    ForEachSale(day, 0, [&](const SaleRow& r) {
      if (Cents(r.proceeds) == 0) return;
      Region& region = regions[FinanceRegionOf(*r.store)];
      const bool refund = r.units < 0;
      std::string price = r.price;
      if (!price.empty() && price[0] == '-') price.erase(0, 1);
      Key key{r.sku,
              r.apple_id,
              r.title,
              r.pti,
              r.store->country,
              refund,
              r.proceeds,
              price,
              r.store->currency,
              std::string_view(r.promo) == " " ? "" : r.promo,
              std::string_view(r.order_type) == "Pre-Order"};
      auto [it, inserted] = region.quantity.try_emplace(key, 0);
      if (inserted) region.order.push_back(key);
      it->second += r.units;
    });
  }
  std::map<std::string, std::string> out;
  const std::string start = UsDate(range->first), end = UsDate(range->second);
  for (auto& [code, region] : regions) {
    std::string& tsv = out[code];
    tsv = kFinancialHeader;
    long long total_amount = 0;
    long total_units = 0;
    for (const Key& k : region.order) {
      const auto& [sku, apple_id, title, pti, country, refund, share, price, currency, promo, pre] = k;
      const long q = region.quantity[k];
      const long long extended = q * Cents(share);
      total_amount += extended;
      total_units += q;
      const std::string fields[] = {start, end, "", sku, sku, std::to_string(q),
                                    FromCents(Cents(share)), FromCents(extended), currency,
                                    refund ? "R" : "S", apple_id, "Orchard Demo Apps Inc.", title,
                                    "", "", pti, "", country, pre ? "P" : "", promo,
                                    (refund ? "-" : "") + FromCents(Cents(price)), currency};
      for (size_t i = 0; i < std::size(fields); ++i) {
        if (i) tsv += '\t';
        tsv += fields[i];
      }
      tsv += '\n';
    }
    tsv += "Total_Rows\t" + std::to_string(region.order.size()) + "\n";
    tsv += "Total_Amount\t" + FromCents(total_amount) + "\n";
    tsv += "Total_Units\t" + std::to_string(total_units) + "\n";
  }
  // The consolidated report: every region's block, header and trailer, one after another.
  std::string zz;
  for (const auto& [code, tsv] : out) zz += tsv;
  if (!zz.empty()) out["ZZ"] = zz;
  return out;
}

std::string Portfolio::FinanceDetailTsv(int fiscal_year, int period) const {
  const auto range = FiscalPeriod(fiscal_year, period);
  if (!range || range->second >= today_) return "";
  std::string out;
  const std::string settled = UsDate(range->second);
  for (Date day = range->first; day <= range->second; day = day.AddDays(1)) {
    // One row per paid line of the day's Sales report, in its order.
    const std::string date = UsDate(day);
    ForEachSale(day, 0, [&](const SaleRow& r) {
      if (Cents(r.proceeds) == 0) return;
      if (out.empty()) out = kDetailHeader;
      const long long extended = r.units * Cents(r.proceeds);
      const std::string fields[] = {date, settled, r.apple_id, r.sku, r.title,
                                    "Orchard Demo Apps Inc.", r.pti, r.store->country,
                                    std::to_string(r.units), FromCents(Cents(r.proceeds)),
                                    FromCents(extended), r.store->currency,
                                    FromCents(Cents(r.price)), r.store->currency,
                                    r.units < 0 ? "R" : "S",
                                    std::string(r.promo) == " " ? "" : r.promo,
                                    std::string(r.order_type) == " " ? "" : r.order_type,
                                    FinanceRegionOf(*r.store)};
      for (size_t i = 0; i < std::size(fields); ++i) {
        if (i) out += '\t';
        out += fields[i];
      }
      out += '\n';
    });
  }
  return out;
}

}  // namespace orchard::sandbox
