#include "reports/sales_report.h"

#include <algorithm>
#include <array>
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
  void Add(const Metrics& o) {
    downloads += o.downloads, redownloads += o.redownloads, updates += o.updates;
    returns += o.returns, iap += o.iap, other += o.other;
  }
};

struct Amounts {
  Wide revenue = 0, gross = 0, returns = 0;
  void Add(const Amounts& o) { revenue += o.revenue, gross += o.gross, returns += o.returns; }
};

// One group's figures, amounts converted to the query's currency.
struct Totals {
  Metrics metrics;
  Amounts amounts;
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

Date NextMonth(Date first) {
  return first.month() == 12 ? Date::FromYmd(first.year() + 1, 1, 1)
                             : Date::FromYmd(first.year(), first.month() + 1, 1);
}

// Latest rate on or before a day, per currency; a currency's history is read once, when a
// query first needs it.
class RateBook {
 public:
  RateBook(store::MetaStore& meta, Date until) : meta_(meta), until_(until) {}

  Result<int64_t> PerEur(const std::string& currency, int32_t day) {
    if (currency == "EUR") return kFxScale;
    auto it = by_currency_.find(currency);
    if (it == by_currency_.end()) {
      ORCHARD_ASSIGN_OR_RETURN(auto records, meta_.GetFxRates({currency}, until_));
      std::vector<std::pair<int32_t, int64_t>> v;
      v.reserve(records.size());
      for (const auto& r : records) v.emplace_back(r.day.days(), r.per_eur);
      std::sort(v.begin(), v.end());
      it = by_currency_.emplace(currency, std::move(v)).first;
    }
    const auto& v = it->second;
    auto pos = std::upper_bound(v.begin(), v.end(), std::make_pair(day, INT64_MAX));
    if (pos != v.begin()) return std::prev(pos)->second;
    return Error(Code::kFailedPrecondition,
                 "no exchange rate for " + currency + " on or before " +
                     Date::FromDays(day).Iso() +
                     "; import reference rates with `orchard fx import FILE` (ECB CSV layout)");
  }

 private:
  store::MetaStore& meta_;
  Date until_;
  std::unordered_map<std::string, std::vector<std::pair<int32_t, int64_t>>> by_currency_;
};

// Interns the values of one column; remembers the last one (consecutive records mostly repeat it).
class Interner {
 public:
  uint32_t Id(std::string_view v) {
    if (has_last_ && v == last_) return last_id_;
    auto [it, inserted] = ids_.try_emplace(std::string(v), static_cast<uint32_t>(values_.size()));
    if (inserted) values_.emplace_back(v);
    last_.assign(v);
    last_id_ = it->second;
    has_last_ = true;
    return last_id_;
  }
  const std::string& Value(uint32_t id) const { return values_[id]; }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> values_;
  std::string last_;
  uint32_t last_id_ = 0;
  bool has_last_ = false;
};

Number Units(int64_t hundredths) {
  // Units are whole numbers in practice; show decimals only when Apple sent some.
  if (hundredths % kUnitScale == 0) return {hundredths / kUnitScale, 0, 0};
  return {hundredths, kUnitDecimals, kUnitDecimals};
}

using GroupIds = std::array<uint32_t, 3>;
struct GroupIdsHash {
  size_t operator()(const GroupIds& g) const {
    uint64_t h = (uint64_t{g[0]} << 32 | g[1]) * 0x9E3779B97F4A7C15ull;
    h ^= g[2] + (h >> 31);
    return static_cast<size_t>(h * 0xBF58476D1CE4E5B9ull >> 7);
  }
};

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

struct SalesCache::Piece {
  std::vector<std::pair<std::vector<std::string>, Totals>> groups;
};

SalesCache::Stats SalesCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::shared_ptr<const SalesCache::Piece> SalesCache::Get(const std::string& key, uint64_t version) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.version != version) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.piece;
}

namespace {

// Roughly what a piece takes in memory: its keys and figures, plus the vectors' overhead.
size_t PieceBytes(const std::string& key, const SalesCache::Piece& piece);

}  // namespace

void SalesCache::Put(const std::string& key, uint64_t version, std::shared_ptr<const Piece> piece) {
  const size_t bytes = PieceBytes(key, *piece);
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    bytes_ -= it->second.bytes;
    it->second.version = version;
    it->second.piece = std::move(piece);
    it->second.bytes = bytes;
    bytes_ += bytes;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  } else {
    lru_.push_front(key);
    entries_.emplace(key, Entry{version, std::move(piece), lru_.begin(), bytes});
    bytes_ += bytes;
  }
  Evict();
}

void SalesCache::Evict() {
  while (!lru_.empty() && (entries_.size() > max_entries_ || bytes_ > max_bytes_)) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.bytes;
    entries_.erase(it);
    lru_.pop_back();
  }
}

namespace {

// Amounts of one group, day and currency, before conversion.
struct AmountKey {
  uint32_t group;
  int32_t day;
  uint32_t currency;
  bool operator==(const AmountKey&) const = default;
};
struct AmountKeyHash {
  size_t operator()(const AmountKey& k) const {
    uint64_t h = (uint64_t{k.group} << 32) ^ static_cast<uint32_t>(k.day);
    h = h * 0x9E3779B97F4A7C15ull ^ k.currency;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

// The figures of one piece of the date range (a month or part of one), every record read
// through the combined view with its weight.
Result<SalesCache::Piece> ComputePiece(store::FactStore& facts, RateBook& rates,
                                       const SalesQuery& query,
                                       const std::vector<store::ReportRole>& plan, Date from,
                                       Date to) {
  store::SalesScan scan;
  scan.plan = &plan;
  scan.team_id = query.team_id;
  scan.start = from;
  scan.end = to;
  scan.countries = query.countries;
  scan.products = query.products;

  // Group keys as small ids: a date key is its period's first day, the others are interned.
  // Records mostly repeat the previous record's values (a chunk is one product, a report one
  // day), so each key column and the group remember the last one.
  std::array<Interner, 3> columns;
  std::unordered_map<GroupIds, uint32_t, GroupIdsHash> group_index;
  std::vector<GroupIds> group_ids;
  std::vector<Metrics> metrics;
  std::unordered_map<AmountKey, Amounts, AmountKeyHash> amounts;
  Interner currencies;
  Interner product_types;
  std::vector<UnitBucket> buckets;  // by product type id
  int32_t last_day = INT32_MIN, last_period = 0;
  GroupIds last_group{};
  uint32_t last_group_index = UINT32_MAX;

  Status st = facts.ScanSales(scan, [&](const store::SalesRecord& r) {
    GroupIds ids{};
    for (size_t i = 0; i < query.group_by.size(); ++i) {
      switch (query.group_by[i]) {
        case GroupKey::kDate:
          if (r.day.days() != last_day) {
            last_day = r.day.days();
            last_period = PeriodStart(r.day, query.granularity).days();
          }
          ids[i] = static_cast<uint32_t>(last_period);
          break;
        case GroupKey::kProduct: ids[i] = columns[i].Id(r.apple_id); break;
        case GroupKey::kCountry: ids[i] = columns[i].Id(r.country); break;
        case GroupKey::kDevice: ids[i] = columns[i].Id(r.device); break;
      }
    }
    if (last_group_index == UINT32_MAX || ids != last_group) {
      auto [it, inserted] = group_index.try_emplace(ids, static_cast<uint32_t>(metrics.size()));
      if (inserted) {
        metrics.emplace_back();
        group_ids.push_back(ids);
      }
      last_group = ids;
      last_group_index = it->second;
    }
    const uint32_t group = last_group_index;
    Metrics& m = metrics[group];
    const int64_t units = r.weight * r.units;  // a −1 record takes a finer report out
    if (r.units < 0) {
      m.returns -= units;
    } else {
      const uint32_t type = product_types.Id(r.product_type);
      if (type == buckets.size()) buckets.push_back(ClassifyProductType(r.product_type));
      switch (buckets[type]) {
        case UnitBucket::kDownload: m.downloads += units; break;
        case UnitBucket::kRedownload: m.redownloads += units; break;
        case UnitBucket::kUpdate: m.updates += units; break;
        case UnitBucket::kIap: m.iap += units; break;
        case UnitBucket::kOther: m.other += units; break;
      }
    }
    if (r.developer_proceeds == 0 && r.customer_price == 0) return;  // free: no amounts
    // The sign of every amount follows Units (Apple writes refunds' Customer Price negative).
    const Wide proceeds = Wide{units} * r.developer_proceeds;
    const Wide price = r.customer_price < 0 ? -Wide{r.customer_price} : Wide{r.customer_price};
    Amounts& p = amounts[{group, r.day.days(), currencies.Id(r.proceeds_currency)}];
    p.revenue += proceeds;
    if (r.units < 0) p.returns -= proceeds;
    amounts[{group, r.day.days(), currencies.Id(r.customer_currency)}].gross += Wide{units} * price;
  });
  ORCHARD_RETURN_IF_ERROR(st);

  // Each (group, day, currency) converted with that day's rates, then summed per group.
  std::vector<Amounts> converted(metrics.size());
  std::optional<std::pair<int32_t, Status>> missing;
  for (const auto& [k, v] : amounts) {
    if (v.revenue == 0 && v.gross == 0 && v.returns == 0) continue;  // nothing to convert
    Amounts c = v;
    const std::string& currency = currencies.Value(k.currency);
    if (currency != query.currency) {
      auto from_rate = rates.PerEur(currency, k.day);
      auto to_rate = from_rate.has_value() ? rates.PerEur(query.currency, k.day) : from_rate;
      if (!to_rate.has_value()) {
        // Name the earliest day without a rate (the map's order is arbitrary).
        if (!missing || k.day < missing->first) missing.emplace(k.day, to_rate.error());
        continue;
      }
      c.revenue = MulDivRound(v.revenue, *to_rate, *from_rate);
      c.gross = MulDivRound(v.gross, *to_rate, *from_rate);
      c.returns = MulDivRound(v.returns, *to_rate, *from_rate);
    }
    converted[k.group].Add(c);
  }
  if (missing) return Error(missing->second);
  SalesCache::Piece piece;
  piece.groups.reserve(metrics.size());
  for (size_t g = 0; g < metrics.size(); ++g) {
    std::vector<std::string> keys;
    for (size_t i = 0; i < query.group_by.size(); ++i) {
      keys.push_back(query.group_by[i] == GroupKey::kDate
                         ? Date::FromDays(static_cast<int32_t>(group_ids[g][i])).Iso()
                         : columns[i].Value(group_ids[g][i]));
    }
    piece.groups.emplace_back(std::move(keys), Totals{metrics[g], converted[g]});
  }
  return piece;
}

size_t PieceBytes(const std::string& key, const SalesCache::Piece& piece) {
  size_t bytes = 2 * key.size() + 128;
  for (const auto& [keys, totals] : piece.groups) {
    bytes += sizeof(keys) + sizeof(totals);
    for (const auto& k : keys) bytes += sizeof(k) + (k.size() > 15 ? k.size() : 0);
  }
  return bytes;
}

// Everything but the dates: pieces of equal shape and range are the same figures.
std::string ShapeKey(const SalesQuery& q) {
  std::string key = std::to_string(q.team_id) + "|" + std::to_string(static_cast<int>(q.granularity)) + "|";
  for (GroupKey g : q.group_by) key += std::to_string(static_cast<int>(g));
  key += "|" + q.currency + "|";
  for (const auto& c : q.countries) key += c + ",";
  key += "|";
  for (const auto& p : q.products) key += p + ",";
  return key + "|";
}

uint64_t Mix(uint64_t h, int64_t v) {
  h ^= static_cast<uint64_t>(v) + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h;
}

}  // namespace

Result<Table> RunSalesReport(store::FactStore& facts, store::MetaStore& meta,
                             const SalesQuery& query, SalesCache* cache) {
  if (query.start && query.end && *query.start > *query.end) {
    return Error(Code::kInvalidArgument, "the start date " + query.start->Iso() +
                                             " is after the end date " + query.end->Iso());
  }
  // The days with data, and which reports answer them.
  ORCHARD_ASSIGN_OR_RETURN(auto reports, facts.ListSalesReports(query.team_id));
  const std::vector<store::ReportRole> roles = store::PlanCombinedView(reports);
  std::optional<Date> first, last;
  for (const auto& r : roles) {
    if (!first || r.first < *first) first = r.first;
    if (!last || r.last > *last) last = r.last;
  }
  std::map<std::vector<std::string>, Totals> groups;  // sorted by the keys
  if (first) {
    const Date from = query.start ? std::max(*query.start, *first) : *first;
    const Date to = query.end ? std::min(*query.end, *last) : *last;
    RateBook rates(meta, to);
    const std::string shape = cache ? ShapeKey(query) : std::string();
    for (Date month = from.StartOfMonth(); month <= to; month = NextMonth(month)) {
      const Date a = std::max(from, month);
      const Date b = std::min(to, NextMonth(month).AddDays(-1));
      // The piece's version: every report role counting on its days, and the rates up to it.
      uint64_t version = 0;
      bool any = false;
      for (const auto& r : roles) {
        if (r.first > b || r.last < a) continue;
        any = true;
        version = Mix(Mix(Mix(Mix(version, r.report_id), r.stamp), r.weight),
                      r.day ? r.day->days() : INT64_MIN);
      }
      if (!any) continue;
      std::shared_ptr<const SalesCache::Piece> piece;
      std::string key;
      if (cache) {
        ORCHARD_ASSIGN_OR_RETURN(int64_t fx, meta.FxVersion(b));
        version = Mix(version, fx);
        key = shape + a.Iso() + ".." + b.Iso();
        piece = cache->Get(key, version);
      }
      if (!piece) {
        ORCHARD_ASSIGN_OR_RETURN(SalesCache::Piece computed, ComputePiece(facts, rates, query, roles, a, b));
        piece = std::make_shared<const SalesCache::Piece>(std::move(computed));
        if (cache) cache->Put(key, version, piece);
      }
      for (const auto& [keys, totals] : piece->groups) {
        Totals& t = groups[keys];
        t.metrics.Add(totals.metrics);
        t.amounts.Add(totals.amounts);
      }
    }
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
  for (const auto& [keys, totals] : groups) {
    std::vector<Cell> row;
    for (size_t i = 0; i < keys.size(); ++i) {
      row.emplace_back(keys[i]);
      if (query.group_by[i] == GroupKey::kProduct) row.emplace_back(names[keys[i]]);
    }
    const Metrics& m = totals.metrics;
    const Amounts& a = totals.amounts;
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
