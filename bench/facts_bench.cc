// Facts benchmark (issue: a facts store holding 5 years × 100 apps × 175 storefronts of daily
// sales; the dashboard's typical queries against the same queries run by sqlite3 on a plain
// table of the raw rows, in the same run; targets ≤ 50 ms median and ≥ 20× the baseline).
//
// Data set (generated once, cached in DIR/facts-v<kDataFormat>-y<years>-a<apps>-s<storefronts>/):
//   orchard.db  Orchard's store, written through SqliteFactStore (one DAILY report per day,
//               team 1, account 1) and SqliteMetaStore::PutFxRates (ECB-like: weekdays only);
//   plain.db    the baseline: one SQL row per fact (table `facts`) and a `rates` table;
//   complete    written last; without it the folder is deleted and generated again.
// The generator is deterministic (splitmix64, fixed seed): per (day, app, storefront) a free or
// paid download row most of the time, sometimes an update row, an in-app purchase row for the
// apps that sell one (its own Apple ID, the app's SKU as parent), and the odd refund.
//
// Queries (each Orchard query is one whole RunSalesReport call, table building included; each
// baseline query is one `/usr/bin/sqlite3 -batch -init /dev/null plain.db < qN.sql` child
// process timed from spawn to exit, so its startup and opening the file are included — a few
// ms against seconds of work):
//   q1 a year of daily downloads and revenue (USD) for all apps   (group by date)
//   q2 one mid-popularity (paid) app by country for the last full quarter
//   q3 all-time totals by product
// Orchard runs each query without a cache (--uncached-runs; every month computed from the store)
// and with one reports::SalesCache kept across runs as `orchard serve` keeps it (--runs; the
// first run fills it, later ones reuse every month whose reports and rates are unchanged).
// Runs of the two sides are interleaved; the first run of each is reported as "cold" (first in
// this process: Orchard's database is open, the OS page cache is whatever generation or the
// previous run left), then the median of all runs and the ratio of the medians.
// The answers are compared group by group (downloads exactly, revenue within 0.01 USD a
// group); a mismatch exits 1. Missed targets still exit 0: this is a measurement.
//
// Usage: facts_bench [--years 5] [--apps 100] [--storefronts 175] [--runs 15]
//                    [--uncached-runs 5] [--baseline-runs 3] [--dir DIR]       (Release build: cmake --preset release)
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/decimal.h"
#include "reports/sales_report.h"
#include "reports/table.h"
#include "sandbox/generator.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace {

// Bump when the store format (Orchard's schema or chunk encoding) or the generator changes, so
// that a cached data set of the old format is not reused.
constexpr int kDataFormat = 2;  // 2: chunks per product (migration 4)

constexpr uint64_t kSeed = 20261031;
const orchard::Date kLastDay = orchard::Date::FromYmd(2026, 10, 31);
constexpr int64_t kTeam = 1;
constexpr int64_t kAccount = 1;
constexpr double kTargetSeconds = 0.050;
constexpr double kTargetRatio = 20;

using orchard::Date;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "facts_bench: %s\n", what.c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------------------------
// The data set

struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

struct App {
  std::string apple_id, sku, title;
  double popularity = 0;  // relative demand (Zipf-like: the first app sells most)
  double price_usd = 0;   // 0 = free
  bool has_iap = false;
  std::string iap_id, iap_sku, iap_title;
  double iap_usd = 0;
};

struct Market {
  std::string country, currency;
  double per_usd = 1, vat = 0, share = 0;
};

struct DataSet {
  int years = 5;
  std::vector<App> apps;
  std::vector<Market> markets;
  Date first, last;
  size_t query_app = 0;  // q2's app: the first paid app from the middle of the popularity list
};

DataSet MakeDataSet(int years, int apps, int storefronts) {
  DataSet ds;
  ds.years = years;
  ds.last = kLastDay;
  ds.first = kLastDay.AddDays(-(years * 365 - 1));
  const auto& all = orchard::sandbox::Storefronts();  // 175 real storefronts, biggest first
  double total = 0;
  for (int s = 0; s < storefronts; ++s) total += all[static_cast<size_t>(s)].weight;
  for (int s = 0; s < storefronts; ++s) {
    const auto& sf = all[static_cast<size_t>(s)];
    ds.markets.push_back({sf.country, sf.currency, sf.per_usd, sf.vat, sf.weight / total});
  }
  SplitMix64 rng{kSeed};
  for (int i = 0; i < apps; ++i) {
    App a;
    const uint64_t mix = rng.Next();
    a.apple_id = std::to_string(1'400'000'000ULL + static_cast<uint64_t>(i) * 104'729 + mix % 1000);
    char name[32];
    std::snprintf(name, sizeof name, "%03d", i);
    a.sku = std::string("BENCH.APP.") + name;
    a.title = std::string("Bench App ") + name;
    a.popularity = 1.0 / std::pow(i + 1, 0.8);
    // One app in five is paid; three in five sell an in-app purchase.
    if (i % 5 == 2) a.price_usd = 0.99 + (i / 5 % 5);
    if (i % 5 == 1 || i % 5 == 3 || i % 5 == 4) {
      a.has_iap = true;
      a.iap_id = std::to_string(6'400'000'000ULL + static_cast<uint64_t>(i) * 104'729 + mix / 7 % 1000);
      a.iap_sku = a.sku + ".PRO";
      a.iap_title = a.title + " Pro";
      a.iap_usd = 1.99 + (i / 5 % 4) * 2;
    }
    ds.apps.push_back(std::move(a));
  }
  ds.query_app = static_cast<size_t>(apps / 2);
  for (size_t i = static_cast<size_t>(apps / 2); i < ds.apps.size(); ++i) {
    if (ds.apps[i].price_usd > 0) {
      ds.query_app = i;
      break;
    }
  }
  return ds;
}

// A price in millionths of the storefront's currency: cents, or whole units where a currency
// has more than 100 units to the dollar.
int64_t LocalPrice(double usd, const Market& m) {
  const double local = usd * m.per_usd;
  if (m.per_usd >= 100) return std::llround(local) * 1'000'000;
  return std::llround(local * 100) * 10'000;
}
// Apple's 70 % of the price net of VAT, in cents of the same currency.
int64_t ProceedsOf(int64_t price, const Market& m) {
  return std::llround(static_cast<double>(price) / (1 + m.vat) * 0.7 / 10'000) * 10'000;
}

// One fact as generated (strings point into the DataSet).
struct Row {
  const std::string* apple_id;
  const std::string* sku;
  const std::string* title;
  const std::string* parent_id;
  const char* product_type;
  const Market* market;
  const char* device;
  int64_t units;     // hundredths
  int64_t proceeds;  // millionths per unit
  int64_t price;     // millionths per unit
};

const std::string kEmpty;

// The rows of one day, in a fixed order from a stream seeded by the day.
void GenerateDay(const DataSet& ds, Date day, std::vector<Row>* out) {
  out->clear();
  SplitMix64 rng{kSeed ^ (static_cast<uint64_t>(day.days()) * 0x2545F4914F6CDD1DULL)};
  const double weekday = day.iso_weekday() >= 6 ? 1.25 : 1.0;
  const double december = day.month() == 12 ? 1.3 : 1.0;
  const double growth = 1.0 + 0.3 * (day.days() - ds.first.days()) / 365.0;
  const double demand = 40'000 * weekday * december * growth;
  auto device = [&] {
    const double u = rng.Uniform();
    return u < 0.6 ? "iPhone" : u < 0.85 ? "iPad" : "Desktop";
  };
  for (const App& a : ds.apps) {
    for (const Market& m : ds.markets) {
      const double lambda = demand * a.popularity * m.share;
      // Downloads: most days, at least one unit (modest sparsity: the grid really is full).
      if (rng.Uniform() < 0.8) {
        const int64_t units = 1 + static_cast<int64_t>(lambda * (0.5 + rng.Uniform()));
        const int64_t price = a.price_usd > 0 ? LocalPrice(a.price_usd, m) : 0;
        out->push_back({&a.apple_id, &a.sku, &a.title, &kEmpty, "1", &m, device(), units * 100,
                        ProceedsOf(price, m), price});
        if (price > 0 && rng.Uniform() < 0.02) {  // a refund
          out->push_back({&a.apple_id, &a.sku, &a.title, &kEmpty, "1", &m, device(), -100,
                          ProceedsOf(price, m), -price});
        }
      }
      if (rng.Uniform() < 0.2) {  // updates
        const int64_t units = 1 + static_cast<int64_t>(lambda * 0.5 * rng.Uniform());
        out->push_back({&a.apple_id, &a.sku, &a.title, &kEmpty, "7", &m, device(), units * 100, 0, 0});
      }
      if (a.has_iap && rng.Uniform() < 0.25) {  // in-app purchases
        const int64_t units = 1 + static_cast<int64_t>(lambda * 0.05 * rng.Uniform());
        const int64_t price = LocalPrice(a.iap_usd, m);
        out->push_back({&a.iap_id, &a.iap_sku, &a.iap_title, &a.sku, "IA1", &m, device(),
                        units * 100, ProceedsOf(price, m), price});
        if (rng.Uniform() < 0.04) {
          out->push_back({&a.iap_id, &a.iap_sku, &a.iap_title, &a.sku, "IA1", &m, device(), -100,
                          ProceedsOf(price, m), -price});
        }
      }
    }
  }
}

// Reference rates: every currency of the 175 storefronts but EUR, units per EUR scaled by 1e8,
// on weekdays only (the ECB publishes none at weekends), from a week before the first day.
struct Rate {
  Date day;
  std::string currency;
  int64_t per_eur;
};
std::vector<Rate> MakeRates(const DataSet& ds) {
  std::map<std::string, double> per_usd;
  for (const auto& s : orchard::sandbox::Storefronts()) per_usd.emplace(s.currency, s.per_usd);
  per_usd.erase("EUR");
  std::vector<Rate> rates;
  SplitMix64 rng{kSeed + 1};
  for (Date d = ds.first.AddDays(-7); d <= ds.last; d = d.AddDays(1)) {
    if (d.iso_weekday() >= 6) continue;
    int k = 0;
    for (const auto& [currency, usd] : per_usd) {
      const double drift = 1 + 0.04 * std::sin(d.days() / 97.0 + k++);
      const double noise = 1 + 0.003 * (rng.Uniform() - 0.5);
      rates.push_back({d, currency, std::llround(usd * 1.08 * drift * noise * 1e8)});
    }
  }
  return rates;
}

// ---------------------------------------------------------------------------------------------
// Orchard: every call into Orchard's store and report API is in this section.

struct OrchardSide {
  std::shared_ptr<orchard::store::sqlite::Database> db;
  std::unique_ptr<orchard::store::sqlite::SqliteFactStore> facts;
  std::unique_ptr<orchard::store::sqlite::SqliteMetaStore> meta;

  // Opens (creating and migrating) the store, as the app does (src/cli/app_context.cc).
  void Open(const fs::path& path) {
    auto opened = orchard::store::sqlite::Database::Open(path);
    if (!opened) Die("cannot open " + path.string() + ": " + opened.error().ToString());
    db = *opened;
    facts = std::make_unique<orchard::store::sqlite::SqliteFactStore>(db, &orchard::SystemClock());
    meta = std::make_unique<orchard::store::sqlite::SqliteMetaStore>(db, &orchard::SystemClock());
  }

  // One DAILY Sales Summary report per day, as the sync stores it.
  void WriteDay(Date day, const std::vector<Row>& rows) {
    auto writer = facts->BeginSalesReport({kTeam, kAccount, "DAILY", day});
    if (!writer) Die("BeginSalesReport: " + writer.error().ToString());
    for (const Row& r : rows) {
      orchard::store::SalesFact f;
      f.day = day;
      f.apple_id = *r.apple_id;
      f.sku = *r.sku;
      f.title = *r.title;
      f.parent_id = *r.parent_id;
      f.product_type = r.product_type;
      f.country = r.market->country;
      f.device = r.device;
      f.customer_currency = r.market->currency;
      f.proceeds_currency = r.market->currency;
      f.units = r.units;
      f.developer_proceeds = r.proceeds;
      f.customer_price = r.price;
      if (auto st = (*writer)->Add(f); !st.ok()) Die("SalesReportWriter::Add: " + st.ToString());
    }
    if (auto st = (*writer)->Commit(); !st.ok()) Die("SalesReportWriter::Commit: " + st.ToString());
  }

  void PutRates(const std::vector<Rate>& rates) {
    std::vector<orchard::store::FxRateRecord> records;
    records.reserve(rates.size());
    for (const Rate& r : rates) records.push_back({r.day, r.currency, r.per_eur});
    if (auto st = meta->PutFxRates(records); !st.ok()) Die("PutFxRates: " + st.ToString());
  }

  // One dashboard query: the whole RunSalesReport call.
  orchard::Result<orchard::reports::Table> Query(std::optional<Date> start, std::optional<Date> end,
                                                 orchard::reports::GroupKey group_by,
                                                 std::vector<std::string> products,
                                                 orchard::reports::SalesCache* cache) {
    orchard::reports::SalesQuery q;
    q.team_id = kTeam;
    q.start = start;
    q.end = end;
    q.granularity = orchard::reports::Granularity::kDaily;
    q.group_by = {group_by};
    q.products = std::move(products);
    q.currency = "USD";
    return orchard::reports::RunSalesReport(*facts, *meta, q, cache);
  }

  // Where the time goes (informational): the store's scan of the same rows with an empty
  // callback, i.e. RunSalesReport without its grouping, conversion and table.
  double ScanOnly(std::optional<Date> start, std::optional<Date> end, std::vector<std::string> products,
                  uint64_t* rows) {
    orchard::store::SalesScan scan;
    scan.team_id = kTeam;
    scan.start = start;
    scan.end = end;
    scan.products = std::move(products);
    *rows = 0;
    const auto t0 = Clock::now();
    auto st = facts->ScanSales(scan, [&](const orchard::store::SalesRecord&) { ++*rows; });
    const double s = Since(t0);
    if (!st.ok()) Die("ScanSales: " + st.ToString());
    return s;
  }
};

// ---------------------------------------------------------------------------------------------
// The baseline: a plain SQLite table of the raw rows.

void Check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Die(std::string("plain.db: ") + what + ": " + sqlite3_errmsg(db));
  }
}
void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "?";
    sqlite3_free(err);
    Die("plain.db: " + msg + " in: " + sql);
  }
}

class PlainWriter {
 public:
  explicit PlainWriter(const fs::path& path) {
    Check(db_, sqlite3_open(path.c_str(), &db_), "open");
    // Loading only: no journal, no fsync; a large cache for building the indexes.
    Exec(db_, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576;");
    Exec(db_,
         "CREATE TABLE facts (day INTEGER NOT NULL, apple_id TEXT NOT NULL, product_type TEXT NOT "
         "NULL, country TEXT NOT NULL, device TEXT NOT NULL, customer_currency TEXT NOT NULL, "
         "proceeds_currency TEXT NOT NULL, units INTEGER NOT NULL, developer_proceeds INTEGER NOT "
         "NULL, customer_price INTEGER NOT NULL);"
         // Every calendar day has a rate for every currency (forward-filled from the last
         // weekday; EUR = 1e8), so the baseline's conversion is a plain equality join. This
         // favours the baseline: Orchard looks up the latest rate on or before each day.
         "CREATE TABLE rates (day INTEGER NOT NULL, currency TEXT NOT NULL, per_eur INTEGER NOT "
         "NULL, PRIMARY KEY (day, currency)) WITHOUT ROWID;"
         "BEGIN;");
    Check(db_, sqlite3_prepare_v2(db_, "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1,
                                  &insert_, nullptr), "prepare");
  }

  void Add(Date day, const Row& r) {
    sqlite3_bind_int64(insert_, 1, day.days());
    sqlite3_bind_text(insert_, 2, r.apple_id->data(), static_cast<int>(r.apple_id->size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 3, r.product_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_, 4, r.market->country.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_, 5, r.device, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_, 6, r.market->currency.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_, 7, r.market->currency.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert_, 8, r.units);
    sqlite3_bind_int64(insert_, 9, r.proceeds);
    sqlite3_bind_int64(insert_, 10, r.price);
    Check(db_, sqlite3_step(insert_), "insert");
    sqlite3_reset(insert_);
  }

  void PutRates(const DataSet& ds, const std::vector<Rate>& rates) {
    sqlite3_stmt* st = nullptr;
    Check(db_, sqlite3_prepare_v2(db_, "INSERT INTO rates VALUES (?, ?, ?)", -1, &st, nullptr), "prepare");
    std::map<std::string, int64_t> latest{{"EUR", 100'000'000}};
    size_t next = 0;
    for (Date d = ds.first.AddDays(-7); d <= ds.last; d = d.AddDays(1)) {
      for (; next < rates.size() && rates[next].day <= d; ++next) latest[rates[next].currency] = rates[next].per_eur;
      if (d < ds.first) continue;
      for (const auto& [currency, per_eur] : latest) {
        sqlite3_bind_int64(st, 1, d.days());
        sqlite3_bind_text(st, 2, currency.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, per_eur);
        Check(db_, sqlite3_step(st), "insert rate");
        sqlite3_reset(st);
      }
    }
    sqlite3_finalize(st);
  }

  // Commits, then builds the indexes a fair baseline gets: on day (q1's range) and on
  // (apple_id, day) (q2's one app in a quarter; also any lookup by apple_id alone), and ANALYZE
  // so the planner knows which to use. q3 reads every row whatever the indexes.
  void Finish() {
    sqlite3_finalize(insert_);
    insert_ = nullptr;
    Exec(db_, "COMMIT;");
    Exec(db_, "CREATE INDEX facts_by_day ON facts (day);"
              "CREATE INDEX facts_by_app ON facts (apple_id, day);"
              "PRAGMA analysis_limit=1000; ANALYZE;");
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Generation and the cache

// C stdio: GCC 12's -Wnull-dereference trips over the stream iterators in Release.
std::string ReadFile(const fs::path& p) {
  std::string s;
  if (std::FILE* f = std::fopen(p.c_str(), "rb")) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
  }
  return s;
}

uint64_t FileSize(const fs::path& p) {
  std::error_code ec;
  uint64_t n = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto s = fs::file_size(p.string() + suffix, ec);
    if (!ec) n += s;
  }
  return n;
}

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

std::string Thousands(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// Returns the row count (read back from the marker when the data set is reused).
uint64_t EnsureDataSet(const DataSet& ds, const fs::path& folder) {
  const fs::path marker = folder / "complete";
  if (fs::exists(marker)) {
    const std::string text = ReadFile(marker);  // "rows N"
    const uint64_t rows = std::strtoull(text.c_str() + std::min<size_t>(text.size(), 5), nullptr, 10);
    std::cout << "reusing cached data set " << folder.string() << std::endl;
    return rows;
  }
  std::cout << "generating data set " << folder.string() << " …" << std::endl;
  fs::remove_all(folder);
  fs::create_directories(folder);
  const auto t0 = Clock::now();
  double gen_s = 0, orchard_s = 0, plain_s = 0;
  uint64_t rows = 0;
  const std::vector<Rate> rates = MakeRates(ds);
  {
    OrchardSide orchard;
    orchard.Open(folder / "orchard.db");
    PlainWriter plain(folder / "plain.db");
    std::vector<Row> day_rows;
    int n = 0;
    for (Date d = ds.first; d <= ds.last; d = d.AddDays(1), ++n) {
      auto t = Clock::now();
      GenerateDay(ds, d, &day_rows);
      gen_s += Since(t);
      t = Clock::now();
      orchard.WriteDay(d, day_rows);
      orchard_s += Since(t);
      t = Clock::now();
      for (const Row& r : day_rows) plain.Add(d, r);
      plain_s += Since(t);
      rows += day_rows.size();
      if (n % 100 == 99) {
        std::printf("  %s: %d days, %s rows, %.0f s\n", d.Iso().c_str(), n + 1,
                    Thousands(rows).c_str(), Since(t0));
        std::fflush(stdout);
      }
    }
    auto t = Clock::now();
    orchard.PutRates(rates);
    orchard_s += Since(t);
    t = Clock::now();
    plain.PutRates(ds, rates);
    plain.Finish();
    plain_s += Since(t);
    t = Clock::now();
    orchard.db.reset();  // close: checkpoints the WAL into the file
    orchard.facts.reset();
    orchard.meta.reset();
    orchard_s += Since(t);
  }
  std::ofstream(marker) << "rows " << rows << "\n";
  std::printf("generated %s rows in %.0f s (generator %.0f s, Orchard store %.0f s = %.0f rows/s, "
              "plain.db load + indexes %.0f s)\n",
              Thousands(rows).c_str(), Since(t0), gen_s, orchard_s,
              static_cast<double>(rows) / orchard_s, plain_s);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Answers: group key → (downloads in hundredths, revenue in USD)

struct Answer {
  std::map<std::string, std::pair<int64_t, double>> groups;
};

int64_t Pow10(int n) {
  int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

Answer FromTable(const orchard::reports::Table& t) {
  auto column = [&](const char* name) {
    auto it = std::find(t.columns.begin(), t.columns.end(), name);
    if (it == t.columns.end()) Die(std::string("Orchard's table has no column ") + name);
    return static_cast<size_t>(it - t.columns.begin());
  };
  const size_t downloads = column("downloads"), revenue = column("revenue");
  Answer a;
  for (const auto& row : t.rows) {
    const auto& key = std::get<std::string>(row[0]);
    const auto& d = std::get<orchard::reports::Number>(row[downloads]);
    const auto& r = std::get<orchard::reports::Number>(row[revenue]);
    const int64_t hundredths = static_cast<int64_t>(d.value) * Pow10(orchard::kUnitDecimals - d.decimals);
    const double usd = static_cast<double>(static_cast<long double>(r.value) / Pow10(r.decimals));
    a.groups[key] = {hundredths, usd};
  }
  return a;
}

// The sqlite3 shell's list output: key|downloads|revenue per line. q1's key is a day number.
Answer FromShell(const std::string& out, bool key_is_day) {
  Answer a;
  for (size_t pos = 0; pos < out.size();) {
    size_t eol = out.find('\n', pos);
    if (eol == std::string::npos) eol = out.size();
    const std::string line = out.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    const size_t p1 = line.find('|'), p2 = line.find('|', p1 + 1);
    if (p1 == std::string::npos || p2 == std::string::npos) Die("unexpected sqlite3 output: " + line);
    std::string key = line.substr(0, p1);
    if (key_is_day) key = Date::FromDays(static_cast<int32_t>(std::stol(key))).Iso();
    a.groups[key] = {std::stoll(line.substr(p1 + 1, p2 - p1 - 1)), std::stod(line.substr(p2 + 1))};
  }
  return a;
}

// Compares group by group; prints the totals. False on any difference.
bool Agree(const std::string& name, const Answer& o, const Answer& b) {
  int64_t od = 0, bd = 0;
  long double orv = 0, brv = 0;
  for (const auto& [k, v] : o.groups) od += v.first, orv += v.second;
  for (const auto& [k, v] : b.groups) bd += v.first, brv += v.second;
  bool ok = o.groups.size() == b.groups.size() && od == bd &&
            std::fabs(static_cast<double>(orv - brv)) <= 0.01 * static_cast<double>(o.groups.size());
  int shown = 0;
  for (const auto& [k, v] : o.groups) {
    auto it = b.groups.find(k);
    const bool same = it != b.groups.end() && it->second.first == v.first &&
                      std::fabs(it->second.second - v.second) <= 0.01;
    if (!same) {
      ok = false;
      if (shown++ < 5) {
        std::printf("  %s group %s: orchard %.2f downloads, %.4f USD; sqlite3 %s\n", name.c_str(),
                    k.c_str(), v.first / 100.0, v.second,
                    it == b.groups.end() ? "has no such group"
                                         : (std::to_string(it->second.first / 100.0) + " downloads, " +
                                            std::to_string(it->second.second) + " USD").c_str());
      }
    }
  }
  std::printf("  %s: %zu groups, %.0f downloads, %.2f USD revenue (sqlite3: %zu groups, %.0f, %.2f)%s\n",
              name.c_str(), o.groups.size(), od / 100.0, static_cast<double>(orv), b.groups.size(),
              bd / 100.0, static_cast<double>(brv), ok ? "" : "  << DIFFERENT");
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Queries

struct Query {
  std::string name;
  std::optional<Date> start, end;
  orchard::reports::GroupKey group_by;
  std::vector<std::string> products;
  std::string sql;  // the same numbers, for the sqlite3 shell
  bool key_is_day = false;
};

std::string BaselineSql(const std::string& key, const std::string& where) {
  // Mirrors src/reports/product_types.cc: first-time download codes, positive units only
  // (negative units are returns). Revenue: every row's units × proceeds converted to USD with
  // that day's rate (units are hundredths, proceeds millionths: / 1e8).
  return "SELECT " + key +
         ",\n"
         "  SUM(CASE WHEN f.units > 0 AND f.product_type IN ('1','1F','1T','F1','1E','1EP','1EU',"
         "'1-B','F1-B') THEN f.units ELSE 0 END),\n"
         "  SUM(f.units * f.developer_proceeds * (u.per_eur * 1.0 / r.per_eur)) / 1e8\n"
         "FROM facts f\n"
         "JOIN rates r ON r.day = f.day AND r.currency = f.proceeds_currency\n"
         "JOIN rates u ON u.day = f.day AND u.currency = 'USD'\n" +
         where + "GROUP BY " + key + "\nORDER BY " + key + ";\n";
}

std::vector<Query> MakeQueries(const DataSet& ds) {
  using orchard::reports::GroupKey;
  std::vector<Query> qs;
  const Date year_start = ds.last.AddDays(-364);
  qs.push_back({"q1 a year of daily downloads+revenue, all apps", year_start, ds.last, GroupKey::kDate, {},
                BaselineSql("f.day", "WHERE f.day BETWEEN " + std::to_string(year_start.days()) + " AND " +
                                         std::to_string(ds.last.days()) + "\n"),
                true});
  // The last full quarter on or before the last day.
  const Date next = ds.last.AddDays(1);
  const unsigned q_month = (next.month() - 1) / 3 * 3 + 1;  // first month of next's quarter
  const Date q_end = Date::FromYmd(next.year(), q_month, 1).AddDays(-1);
  const unsigned s_month = (q_end.month() - 1) / 3 * 3 + 1;
  const Date q_start = Date::FromYmd(q_end.year(), s_month, 1);
  const std::string& app = ds.apps[ds.query_app].apple_id;
  qs.push_back({"q2 one app by country, " + q_start.Iso() + ".." + q_end.Iso(), q_start, q_end,
                GroupKey::kCountry, {app},
                BaselineSql("f.country", "WHERE f.apple_id = '" + app + "' AND f.day BETWEEN " +
                                             std::to_string(q_start.days()) + " AND " +
                                             std::to_string(q_end.days()) + "\n")});
  qs.push_back({"q3 all-time totals by product", std::nullopt, std::nullopt, GroupKey::kProduct, {},
                BaselineSql("f.apple_id", "")});
  return qs;
}

// Runs `/usr/bin/sqlite3 -batch -init /dev/null plain.db < sql_file > out_file`; returns the
// wall time from spawn to exit.
double RunShell(const fs::path& plain, const fs::path& sql_file, const fs::path& out_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, sql_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::string db = plain.string();
  char arg0[] = "sqlite3", batch[] = "-batch", init[] = "-init", devnull[] = "/dev/null";
  char* argv[] = {arg0, batch, init, devnull, db.data(), nullptr};
  pid_t pid = 0;
  const auto t0 = Clock::now();
  const int rc = posix_spawn(&pid, "/usr/bin/sqlite3", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Die("cannot run /usr/bin/sqlite3 (apt-get install sqlite3): " + std::string(std::strerror(rc)));
  int status = 0;
  waitpid(pid, &status, 0);
  const double s = Since(t0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("sqlite3 failed on " + sql_file.string());
  return s;
}


std::string Ms(double s) {
  char buf[32];
  if (s >= 10) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s >= 1) std::snprintf(buf, sizeof buf, "%.2f s", s);
  else std::snprintf(buf, sizeof buf, "%.1f ms", s * 1000);
  return buf;
}

struct Options {
  int years = 5, apps = 100, storefronts = 175, runs = 15, uncached_runs = 5, baseline_runs = 3;
  std::string dir;
};

void Usage(std::FILE* to) {
  std::fprintf(to,
               "usage: facts_bench [--years 5] [--apps 100] [--storefronts 175] [--runs 15]\n"
               "                   [--uncached-runs 5] [--baseline-runs 3] [--dir DIR]\n"
               "Times the dashboard's typical sales queries through Orchard's store and report\n"
               "code against the same queries run by the sqlite3 shell on a plain table of the\n"
               "raw rows. Orchard runs each query --uncached-runs times without a cache and\n"
               "--runs times with the month cache that orchard serve keeps (the first of those\n"
               "fills it). The data set is generated once and cached under DIR (default\n"
               "$ORCHARD_BENCH_DIR, else ./bench-data). Build in Release: cmake --preset release.\n");
}

Options Parse(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("ORCHARD_BENCH_DIR"); env != nullptr && *env != '\0') o.dir = env;
  else o.dir = "bench-data";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      Usage(stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      Usage(stderr);
      Die("missing value after " + a);
    }
    const std::string v = argv[++i];
    auto number = [&](int lo, int hi) {
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || n < lo || n > hi) {
        Die(a + " wants a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
      }
      return static_cast<int>(n);
    };
    if (a == "--years") o.years = number(1, 50);
    else if (a == "--apps") o.apps = number(1, 10000);
    else if (a == "--storefronts") o.storefronts = number(1, static_cast<int>(orchard::sandbox::Storefronts().size()));
    else if (a == "--runs") o.runs = number(1, 1000);
    else if (a == "--baseline-runs") o.baseline_runs = number(1, 1000);
    else if (a == "--uncached-runs") o.uncached_runs = number(1, 1000);
    else if (a == "--dir") o.dir = v;
    else {
      Usage(stderr);
      Die("unknown option " + a);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = Parse(argc, argv);
  const DataSet ds = MakeDataSet(opt.years, opt.apps, opt.storefronts);
  const fs::path folder = fs::absolute(opt.dir) /
                          ("facts-v" + std::to_string(kDataFormat) + "-y" + std::to_string(opt.years) +
                           "-a" + std::to_string(opt.apps) + "-s" + std::to_string(opt.storefronts));
  const uint64_t rows = EnsureDataSet(ds, folder);
  const fs::path orchard_db = folder / "orchard.db", plain_db = folder / "plain.db";
  size_t iaps = 0;
  for (const App& a : ds.apps) iaps += a.has_iap ? 1 : 0;
  std::printf("data set: %s rows = %d days (%s..%s) x %d apps (+%zu in-app purchases) x %d "
              "storefronts; orchard.db %s, plain.db %s\n",
              Thousands(rows).c_str(), ds.years * 365, ds.first.Iso().c_str(), ds.last.Iso().c_str(),
              opt.apps, iaps, opt.storefronts, Mib(FileSize(orchard_db)).c_str(),
              Mib(FileSize(plain_db)).c_str());

  OrchardSide orchard;
  orchard.Open(orchard_db);
  const std::vector<Query> queries = MakeQueries(ds);
  const fs::path tmp = fs::temp_directory_path() / ("orchard-facts-bench-" + std::to_string(getpid()));
  fs::create_directories(tmp);

  // Orchard is timed two ways: without a cache (every run computes every month from the
  // store), and with one SalesCache kept across runs, as `orchard serve` keeps it (its first
  // run computes and fills it; the later ones find every month current and reuse it).
  struct Times {
    std::vector<double> orchard, cached, baseline;
  };
  orchard::reports::SalesCache cache;
  std::vector<Times> times(queries.size());
  std::vector<Answer> orchard_answers(queries.size()), baseline_answers(queries.size());
  const int rounds = std::max({opt.runs, opt.uncached_runs, opt.baseline_runs});
  for (int round = 0; round < rounds; ++round) {
    for (size_t qi = 0; qi < queries.size(); ++qi) {
      const Query& q = queries[qi];
      if (round < opt.uncached_runs) {
        const auto t0 = Clock::now();
        auto table = orchard.Query(q.start, q.end, q.group_by, q.products, nullptr);
        const double s = Since(t0);
        if (!table) Die(q.name + ": " + table.error().ToString());
        times[qi].orchard.push_back(s);
        if (round == 0) orchard_answers[qi] = FromTable(*table);
      }
      if (round < opt.runs) {
        const auto t0 = Clock::now();
        auto table = orchard.Query(q.start, q.end, q.group_by, q.products, &cache);
        const double s = Since(t0);
        if (!table) Die(q.name + " (cached): " + table.error().ToString());
        times[qi].cached.push_back(s);
        if (round == 0 || round == opt.runs - 1) {
          const Answer a = FromTable(*table);
          if (!Agree(q.name.substr(0, 2) + " cached vs uncached", a, orchard_answers[qi])) {
            Die(q.name + ": the cached answer differs from the uncached one");
          }
        }
      }
      if (round < opt.baseline_runs) {
        const fs::path sql = tmp / ("q" + std::to_string(qi + 1) + ".sql");
        const fs::path out = tmp / ("q" + std::to_string(qi + 1) + ".out");
        if (round == 0) std::ofstream(sql) << q.sql;
        times[qi].baseline.push_back(RunShell(plain_db, sql, out));
        if (round == 0) baseline_answers[qi] = FromShell(ReadFile(out), q.key_is_day);
      }
      if (round == 0) {
        std::printf("%s: orchard %s (month cache: %s), sqlite3 %s (first runs)\n", q.name.c_str(),
                    Ms(times[qi].orchard[0]).c_str(), Ms(times[qi].cached[0]).c_str(),
                    Ms(times[qi].baseline[0]).c_str());
        std::fflush(stdout);
      }
    }
  }
  fs::remove_all(tmp);
  std::printf("where Orchard's time goes (one run each): ScanSales alone, empty callback:\n");
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    const Query& q = queries[qi];
    uint64_t scanned = 0;
    const double s = orchard.ScanOnly(q.start, q.end, q.products, &scanned);
    std::printf("  %s: %s for %s rows passed to the callback (RunSalesReport median %s)\n",
                q.name.substr(0, 2).c_str(), Ms(s).c_str(), Thousands(scanned).c_str(),
                Ms(Median(times[qi].orchard)).c_str());
  }

  std::printf("answers (downloads exact, revenue within 0.01 USD a group):\n");
  bool agree = true;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    agree = Agree(queries[qi].name.substr(0, 2), orchard_answers[qi], baseline_answers[qi]) && agree;
  }
  std::printf(agree ? "answers agree\n" : "ANSWERS DIFFER\n");
  if (!agree) std::fprintf(stderr, "facts_bench: Orchard and the sqlite3 baseline disagree (see above)\n");

  std::printf("\n%-52s %10s %10s %12s %12s %8s  %s\n", "query (orchard runs / sqlite3 runs)",
              "orch cold", "orch med", "sqlite cold", "sqlite med", "ratio", "targets (<= 50 ms, >= 20x)");
  bool all_met = true, all_met_uncached = true;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    const auto& t = times[qi];
    const double bm = Median(t.baseline);
    for (bool with_cache : {false, true}) {
      const std::vector<double>& o = with_cache ? t.cached : t.orchard;
      const double om = Median(o), ratio = bm / om;
      const bool fast = om <= kTargetSeconds, faster = ratio >= kTargetRatio;
      (with_cache ? all_met : all_met_uncached) &= fast && faster;
      const std::string label = queries[qi].name.substr(0, 2) + (with_cache ? " month cache" : " no cache") +
                                " (" + std::to_string(o.size()) + "/" + std::to_string(t.baseline.size()) + ")";
      std::printf("%-52s %10s %10s %12s %12s %7.1fx  %s, %s\n", label.c_str(), Ms(o[0]).c_str(),
                  Ms(om).c_str(), Ms(t.baseline[0]).c_str(), Ms(bm).c_str(), ratio,
                  fast ? "50 ms met" : "50 ms MISSED", faster ? "20x met" : "20x MISSED");
    }
  }
  std::printf("targets with the month cache (as orchard serve runs): %s; without: %s\n",
              all_met ? "all met" : "not all met", all_met_uncached ? "all met" : "not all met");
  return agree ? 0 : 1;
}
