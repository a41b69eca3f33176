#include "reports/sales_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "reports/product_types.h"

namespace orchard::reports {
namespace {

constexpr int kAmountDecimals = kUnitDecimals + kMoneyDecimals;  // units × per-unit money
constexpr int64_t kFxScale = 100'000'000;

struct Metrics {
  int64_t downloads = 0, redownloads = 0, updates = 0, returns = 0, iap = 0, other = 0;
};

// Amounts of one group, day and currency, before conversion.
struct AmountKey {
  size_t group;
  int32_t day;
  std::string currency;
  auto operator<=>(const AmountKey&) const = default;
};
struct Amounts {
  Wide revenue = 0, gross = 0, returns = 0;
};

Date PeriodStart(Date d, Granularity g) {
  switch (g) {
    case Granularity::kDaily: return d;
    case Granularity::kWeekly: return d.StartOfWeek();
    case Granularity::kMonthly: return d.StartOfMonth();
    case Granularity::kYearly: return d.StartOfYear();
  }
  return d;
}

// Latest rate on or before a day, per currency.
class RateBook {
 public:
  void Add(const store::FxRateRecord& r) { by_currency_[r.currency].emplace_back(r.day.days(), r.per_eur); }
  Result<int64_t> PerEur(const std::string& currency, int32_t day) const {
    if (currency == "EUR") return kFxScale;
    auto it = by_currency_.find(currency);
    if (it != by_currency_.end()) {
      const auto& v = it->second;  // sorted by day
      auto pos = std::upper_bound(v.begin(), v.end(), std::make_pair(day, INT64_MAX));
      if (pos != v.begin()) return std::prev(pos)->second;
    }
    return Error(Code::kFailedPrecondition,
                 "no exchange rate for " + currency + " on or before " +
                     Date::FromDays(day).Iso() +
                     "; import reference rates with `orchard fx import FILE` (ECB CSV layout)");
  }

 private:
  std::unordered_map<std::string, std::vector<std::pair<int32_t, int64_t>>> by_currency_;
};

Number Units(int64_t hundredths) {
  // Units are whole numbers in practice; show decimals only when Apple sent some.
  if (hundredths % kUnitScale == 0) return {hundredths / kUnitScale, 0, 0};
  return {hundredths, kUnitDecimals, kUnitDecimals};
}

}  // namespace

Result<Granularity> ParseGranularity(std::string_view name) {
  if (name == "daily") return Granularity::kDaily;
  if (name == "weekly") return Granularity::kWeekly;
  if (name == "monthly") return Granularity::kMonthly;
  if (name == "yearly") return Granularity::kYearly;
  return Error(Code::kInvalidArgument, "unknown granularity '" + std::string(name) +
                                           "' (use daily, weekly, monthly or yearly)");
}

Result<std::vector<GroupKey>> ParseGroupBy(std::string_view list) {
  std::vector<GroupKey> keys;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    GroupKey key;
    if (name == "date") key = GroupKey::kDate;
    else if (name == "product") key = GroupKey::kProduct;
    else if (name == "country") key = GroupKey::kCountry;
    else if (name == "device") key = GroupKey::kDevice;
    else {
      return Error(Code::kInvalidArgument, "unknown group key '" + std::string(name) +
                                               "' (use date, product, country, device)");
    }
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return Error(Code::kInvalidArgument, "group key '" + std::string(name) + "' given twice");
    }
    keys.push_back(key);
  }
  if (keys.size() > 3) return Error(Code::kInvalidArgument, "group by at most three keys");
  return keys;
}

Result<Table> RunSalesReport(store::FactStore& facts, store::MetaStore& meta,
                             const SalesQuery& query) {
  if (query.start && query.end && *query.start > *query.end) {
    return Error(Code::kInvalidArgument, "the start date " + query.start->Iso() +
                                             " is after the end date " + query.end->Iso());
  }
  store::SalesScan scan;
  scan.team_id = query.team_id;
  scan.start = query.start;
  scan.end = query.end;
  scan.countries = query.countries;
  scan.products = query.products;

  // Group keys → dense group index.
  std::map<std::vector<std::string>, size_t> group_index;
  std::vector<Metrics> metrics;
  std::map<AmountKey, Amounts> amounts;
  std::vector<std::string> key;
  key.reserve(query.group_by.size());

  Status st = facts.ScanSales(scan, [&](const store::SalesRecord& r) {
    key.clear();
    for (GroupKey g : query.group_by) {
      switch (g) {
        case GroupKey::kDate: key.push_back(PeriodStart(r.day, query.granularity).Iso()); break;
        case GroupKey::kProduct: key.emplace_back(r.apple_id); break;
        case GroupKey::kCountry: key.emplace_back(r.country); break;
        case GroupKey::kDevice: key.emplace_back(r.device); break;
      }
    }
    auto [it, inserted] = group_index.try_emplace(key, metrics.size());
    if (inserted) metrics.emplace_back();
    Metrics& m = metrics[it->second];
    if (r.units < 0) {
      m.returns += -r.units;
    } else {
      switch (ClassifyProductType(r.product_type)) {
        case UnitBucket::kDownload: m.downloads += r.units; break;
        case UnitBucket::kRedownload: m.redownloads += r.units; break;
        case UnitBucket::kUpdate: m.updates += r.units; break;
        case UnitBucket::kIap: m.iap += r.units; break;
        case UnitBucket::kOther: m.other += r.units; break;
      }
    }
    // The sign of every amount follows Units (Apple writes refunds' Customer Price negative).
    const Wide proceeds = Wide{r.units} * r.developer_proceeds;
    const Wide price = r.customer_price < 0 ? -Wide{r.customer_price} : Wide{r.customer_price};
    Amounts& p = amounts[{it->second, r.day.days(), std::string(r.proceeds_currency)}];
    p.revenue += proceeds;
    if (r.units < 0) p.returns += -proceeds;
    amounts[{it->second, r.day.days(), std::string(r.customer_currency)}].gross += Wide{r.units} * price;
  });
  ORCHARD_RETURN_IF_ERROR(st);

  // Rates for every currency seen, up to the last day seen.
  std::set<std::string> currencies;
  int32_t last_day = INT32_MIN;
  for (const auto& [k, v] : amounts) {
    if (k.currency != query.currency) currencies.insert(k.currency);
    last_day = std::max(last_day, k.day);
  }
  currencies.erase("EUR");
  RateBook rates;
  if (!amounts.empty() && (!currencies.empty() || query.currency != "EUR")) {
    std::vector<std::string> wanted(currencies.begin(), currencies.end());
    if (!currencies.empty() && query.currency != "EUR") wanted.push_back(query.currency);
    ORCHARD_ASSIGN_OR_RETURN(auto records, meta.GetFxRates(wanted, Date::FromDays(last_day)));
    for (const auto& r : records) rates.Add(r);
  }

  std::vector<Amounts> converted(metrics.size());
  for (const auto& [k, v] : amounts) {
    Amounts c = v;
    if (k.currency != query.currency) {
      ORCHARD_ASSIGN_OR_RETURN(int64_t from, rates.PerEur(k.currency, k.day));
      ORCHARD_ASSIGN_OR_RETURN(int64_t to, rates.PerEur(query.currency, k.day));
      c.revenue = MulDivRound(v.revenue, to, from);
      c.gross = MulDivRound(v.gross, to, from);
      c.returns = MulDivRound(v.returns, to, from);
    }
    converted[k.group].revenue += c.revenue;
    converted[k.group].gross += c.gross;
    converted[k.group].returns += c.returns;
  }

  // Product names for the product key.
  std::unordered_map<std::string, std::string> names;
  const bool by_product =
      std::find(query.group_by.begin(), query.group_by.end(), GroupKey::kProduct) != query.group_by.end();
  if (by_product) {
    ORCHARD_ASSIGN_OR_RETURN(auto products, facts.ListProducts(query.team_id));
    for (auto& p : products) names[p.apple_id] = p.title;
  }

  Table table;
  for (GroupKey g : query.group_by) {
    switch (g) {
      case GroupKey::kDate: table.columns.push_back("date"); break;
      case GroupKey::kProduct:
        table.columns.push_back("product");
        table.columns.push_back("product_name");
        break;
      case GroupKey::kCountry: table.columns.push_back("country"); break;
      case GroupKey::kDevice: table.columns.push_back("device"); break;
    }
  }
  for (const char* c : {"downloads", "redownloads", "updates", "returns", "iap", "revenue",
                        "gross_revenue", "other_units", "returns_amount"}) {
    table.columns.push_back(c);
  }
  for (const auto& [keys, index] : group_index) {  // std::map: sorted by the keys
    std::vector<Cell> row;
    for (size_t i = 0; i < keys.size(); ++i) {
      row.emplace_back(keys[i]);
      if (query.group_by[i] == GroupKey::kProduct) row.emplace_back(names[keys[i]]);
    }
    const Metrics& m = metrics[index];
    const Amounts& a = converted[index];
    row.emplace_back(Units(m.downloads));
    row.emplace_back(Units(m.redownloads));
    row.emplace_back(Units(m.updates));
    row.emplace_back(Units(m.returns));
    row.emplace_back(Units(m.iap));
    row.emplace_back(Number{a.revenue, kAmountDecimals, 2});
    row.emplace_back(Number{a.gross, kAmountDecimals, 2});
    row.emplace_back(Units(m.other));
    row.emplace_back(Number{a.returns, kAmountDecimals, 2});
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace orchard::reports
