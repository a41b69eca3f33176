// Ingest benchmark (issue: 2,000,000-row Sales Summary report).
//
// Orchard: gzip bytes → Gunzip → parse by header name → SqliteFactStore (WAL, synchronous=FULL)
// through the same SalesSync::IngestSalesReport the sync uses.
// Baseline, in the same run: the sqlite3 shell's `.import` of the same decompressed TSV into a
// plain table (a fresh database each run). Runs alternate; medians and the ratio are printed.
//
// Usage: ingest_bench [rows=2000000] [runs=3]   (Release build: cmake --preset release)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "ingest/gzip.h"
#include "ingest/sales_summary.h"
#include "sandbox/generator.h"
#include "store/sqlite/sqlite_fact_store.h"
#include "store/sqlite/sqlite_meta_store.h"
#include "sync/sales_sync.h"

namespace {

using orchard::Date;

// A 2,000,000-row report from the sandbox's own generator: the portfolio repeated (`scale`)
// until one day holds enough rows, then cut to exactly `rows` rows.
std::string MakeReport(size_t rows) {
  const Date day = *Date::ParseIso("2026-11-01");
  const Date today = *Date::ParseIso("2026-11-20");
  const std::string one = orchard::sandbox::Portfolio(7, today).SalesSummaryDailyTsv(day);
  const size_t per_copy = static_cast<size_t>(std::count(one.begin(), one.end(), '\n')) - 1;
  // Copies differ in popularity (0.4–1.6×), so aim 20 % high, then cut.
  const int scale = static_cast<int>(rows * 6 / 5 / per_copy + 2);
  const auto t0 = std::chrono::steady_clock::now();
  std::string tsv = orchard::sandbox::Portfolio(7, today, scale).SalesSummaryDailyTsv(day);
  const auto t1 = std::chrono::steady_clock::now();
  const size_t total = static_cast<size_t>(std::count(tsv.begin(), tsv.end(), '\n')) - 1;
  std::printf("sandbox generated a %zu-row daily report (scale %d) in %.3f s\n", total, scale,
              std::chrono::duration<double>(t1 - t0).count());
  if (total < rows) {
    std::fprintf(stderr, "the generator gave only %zu rows\n", total);
    std::exit(1);
  }
  size_t pos = 0;
  for (size_t line = 0; line <= rows; ++line) pos = tsv.find('\n', pos) + 1;  // header + rows
  tsv.resize(pos);
  return tsv;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Each run starts from an empty disk footprint, so runs do not slow each other down.
void RemoveDb(const std::filesystem::path& db) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(db.string() + suffix);
  }
  ::sync();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const auto dir = std::filesystem::temp_directory_path() / "orchard-ingest-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  std::cout << "generating a " << rows << "-row Sales Summary report…" << std::endl;
  const std::string tsv = MakeReport(rows);
  auto gz = orchard::ingest::Gzip(tsv, 6);
  if (!gz) {
    std::cerr << gz.error().ToString() << "\n";
    return 1;
  }
  std::ofstream(dir / "report.tsv", std::ios::binary) << tsv;
  std::cout << "report: " << tsv.size() / (1 << 20) << " MiB as TSV, " << gz->size() / (1 << 20)
            << " MiB gzip\n";

  {
    // Where the time goes (informational): inflate alone, then inflate + parse.
    const auto t0 = std::chrono::steady_clock::now();
    auto plain = orchard::ingest::Gunzip(*gz, size_t{4} << 30);
    const auto t1 = std::chrono::steady_clock::now();
    size_t n = 0;
    auto parsed = orchard::ingest::ParseSalesSummary(*plain, [&](const orchard::ingest::SalesRow&) {
      ++n;
      return orchard::Status::Ok();
    });
    const auto t2 = std::chrono::steady_clock::now();
    std::printf("stages: gunzip %.3f s, parse %.3f s (%zu rows)\n", Seconds(t1 - t0), Seconds(t2 - t1), n);
  }

  std::vector<double> orchard_s, sqlite_s;
  for (int run = 0; run < runs; ++run) {
    {
      const auto db_path = dir / ("orchard-" + std::to_string(run) + ".db");
      // Timed from the gzip bytes to a closed database (commit, WAL checkpoint and close
      // included), like the sqlite3 process below.
      const auto t0 = std::chrono::steady_clock::now();
      {
        auto db = orchard::store::sqlite::Database::Open(db_path);
        if (!db) {
          std::cerr << db.error().ToString() << "\n";
          return 1;
        }
        orchard::store::sqlite::SqliteFactStore facts(*db, &orchard::SystemClock());
        orchard::store::sqlite::SqliteMetaStore meta(*db, &orchard::SystemClock());
        orchard::sync::SalesSync sync(&meta, &facts, nullptr, &orchard::SystemClock());
        auto n = sync.IngestSalesReport({1, 1, "DAILY", *Date::ParseIso("2026-11-01")}, *gz,
                                        size_t{4} << 30, nullptr);
        if (!n || static_cast<size_t>(*n) != rows) {
          std::cerr << "orchard ingest failed: "
                    << (n ? std::to_string(*n) + " rows" : n.error().ToString()) << "\n";
          return 1;
        }
      }
      orchard_s.push_back(Seconds(std::chrono::steady_clock::now() - t0));
      RemoveDb(db_path);
    }
    {
      const auto db_path = dir / ("sqlite-" + std::to_string(run) + ".db");
      const std::string cmd = "sqlite3 '" + db_path.string() + "' -cmd '.mode tabs' '.import " +
                              (dir / "report.tsv").string() + " sales'";
      const auto t0 = std::chrono::steady_clock::now();
      const int rc = std::system(cmd.c_str());
      const auto t1 = std::chrono::steady_clock::now();
      if (rc != 0) {
        std::cerr << "sqlite3 .import failed (is the sqlite3 package installed?)\n";
        return 1;
      }
      sqlite_s.push_back(Seconds(t1 - t0));
      RemoveDb(db_path);
    }
    std::printf("run %d: orchard %.3f s, sqlite3 .import %.3f s\n", run + 1, orchard_s.back(),
                sqlite_s.back());
  }
  const double o = Median(orchard_s), s = Median(sqlite_s);
  std::printf("median of %d runs: orchard ingest %.3f s (%.0f rows/s), sqlite3 .import %.3f s "
              "(%.0f rows/s); orchard is %.2fx faster (target >= 5x)\n",
              runs, o, static_cast<double>(rows) / o, s, static_cast<double>(rows) / s, s / o);
  std::filesystem::remove_all(dir);
  return 0;
}
