#include <sys/resource.h>

#include <iostream>

#include "cli/commands.h"
#include "core/log.h"

namespace orchard::cli {
namespace {

constexpr const char* kAbout =
    "Orchard: self-hosted App Store analytics. Link an App Store Connect account once, sync what "
    "Apple reports, and query downloads and revenue.";

// --data-dir / --config / --verbose on a (sub)command, so they work after the subcommand too.
void AddGlobals(CLI::App* app, GlobalOptions* g) {
  app->add_option("--data-dir", g->data_dir, "Where Orchard keeps its database")
      ->capture_default_str();
  app->add_option("--config", g->config_file, "TOML configuration file (see README)")
      ->check(CLI::ExistingFile);
  app->add_flag("-v,--verbose", g->verbose, "Log what is happening to stderr");
}

// An action that opens the app context from the global options, then runs `command` on it.
template <typename F>
std::function<Status()> WithApp(const GlobalOptions& global, F command) {
  return [&global, command]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(auto ctx, AppContext::Open(global));
    return command(*ctx);
  };
}

int Fail(const Status& st) {
  std::cerr << "orchard: error: " << st.message() << "\n";
  return ExitCodeFor(st.code());
}

}  // namespace

int Main(int argc, char** argv) {
  // No core dumps: a crash must not write key material to disk (SEC-5).
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);

  CLI::App app{kAbout, "orchard"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "orchard 0.1.0");
  GlobalOptions global;
  AddGlobals(&app, &global);
  Status result;
  std::function<Status()> action;

  // orchard link asc-key
  auto* link = app.add_subcommand("link", "Link an App Store Connect account");
  link->require_subcommand(1);
  LinkAscKeyOptions link_opts;
  auto* asc_key = link->add_subcommand(
      "asc-key",
      "Link with an App Store Connect API key (recommended).\n"
      "Create a Team key in App Store Connect → Users and Access → Integrations → App Store "
      "Connect API, with the Sales (or Finance/Admin) role; download AuthKey_<KEYID>.p8 once. "
      "The vendor number is on the Payments and Financial Reports page. The key is validated "
      "against Apple, then stored encrypted; it is never printed or logged.");
  asc_key->add_option("--issuer-id", link_opts.issuer_id, "Issuer ID (UUID above the keys list)")->required();
  asc_key->add_option("--key-id", link_opts.key_id, "Key ID (10 characters)")->required();
  asc_key->add_option("--key-file", link_opts.key_file, "Path of AuthKey_<KEYID>.p8")
      ->required()->check(CLI::ExistingFile);
  asc_key->add_option("--vendor-number", link_opts.vendor_number, "Vendor number (digits)")->required();
  asc_key->add_option("--name", link_opts.name, "A label for this account");
  AddGlobals(asc_key, &global);
  asc_key->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return LinkAscKey(ctx, link_opts, std::cout); });
  });
  AddGlobals(link, &global);

  // orchard accounts list
  auto* accounts = app.add_subcommand("accounts", "Linked accounts");
  accounts->require_subcommand(1);
  std::string accounts_format = "table";
  auto* accounts_list = accounts->add_subcommand("list", "List linked accounts (never secrets)");
  accounts_list->add_option("--format", accounts_format, "table, json or csv")->capture_default_str();
  AddGlobals(accounts_list, &global);
  AddGlobals(accounts, &global);
  accounts_list->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ListAccounts(ctx, accounts_format, std::cout); });
  });

  // orchard sync
  SyncOptions sync_opts;
  int64_t account_id = 0;
  auto* sync = app.add_subcommand(
      "sync",
      "Download daily Sales reports and store them. Re-syncing a day replaces it (never "
      "double counts); days Apple has not published yet are reported and fetched next time.");
  auto* account_opt = sync->add_option("--account", account_id, "Account id (default: all)");
  sync->add_option("--from", sync_opts.from, "First day, YYYY-MM-DD or -30d (default: 7 days before --to)");
  sync->add_option("--to", sync_opts.to, "Last day, YYYY-MM-DD or relative (default: yesterday, Pacific time)");
  sync->add_flag("-q,--quiet", sync_opts.quiet, "No per-day progress");
  AddGlobals(sync, &global);
  sync->callback([&] {
    if (account_opt->count() > 0) sync_opts.account_id = account_id;
    action = WithApp(global, [&](AppContext& ctx) { return SyncSales(ctx, sync_opts, std::cout); });
  });

  // orchard report sales
  auto* report = app.add_subcommand("report", "Query synced data");
  report->require_subcommand(1);
  ReportSalesOptions report_opts;
  auto* sales = report->add_subcommand(
      "sales",
      "Downloads and revenue. Columns: the group keys, then downloads, redownloads, updates, "
      "returns, iap, revenue (proceeds), gross_revenue (customer price), other_units, "
      "returns_amount. Amounts are converted per day with the imported reference rates.");
  sales->add_option("--start", report_opts.start, "First day (YYYY-MM-DD, -7d, -1m …); default: all time");
  sales->add_option("--end", report_opts.end, "Last day; default: all time");
  sales->add_option("--group-by", report_opts.group_by, "Up to three of date,product,country,device");
  sales->add_option("--granularity", report_opts.granularity, "daily, weekly, monthly or yearly")
      ->capture_default_str();
  sales->add_option("--countries", report_opts.countries, "Only these storefronts, e.g. US,GB");
  sales->add_option("--products", report_opts.products, "Only these Apple Identifiers");
  sales->add_option("--currency", report_opts.currency, "Report currency (default from config: USD)");
  sales->add_option("--format", report_opts.format, "table, json or csv")->capture_default_str();
  AddGlobals(sales, &global);
  AddGlobals(report, &global);
  sales->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ReportSales(ctx, report_opts, std::cout); });
  });

  // orchard fx import FILE
  auto* fx = app.add_subcommand("fx", "Currency reference rates");
  fx->require_subcommand(1);
  std::string fx_file;
  auto* fx_import = fx->add_subcommand(
      "import",
      "Import daily reference rates in the European Central Bank CSV layout (Date,USD,JPY,… "
      "as units per 1 EUR). Reports use the latest rate on or before each day.");
  fx_import->add_option("FILE", fx_file, "CSV file (e.g. eurofxref-hist.csv)")->required()->check(CLI::ExistingFile);
  AddGlobals(fx_import, &global);
  AddGlobals(fx, &global);
  fx_import->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ImportFx(ctx, fx_file, std::cout); });
  });

  // orchard sandbox
  SandboxCliOptions sandbox_opts;
  auto* sandbox = app.add_subcommand(
      "sandbox",
      "Run the simulated Apple on loopback, for tests and demos: the App Store Connect API "
      "(sales, subscription, pre-order and finance reports, apps, users, reviews and replies, "
      "analytics reports), the Reporter protocol, Apple ID web sign-in with two-factor codes, "
      "Apple Search Ads, and public store data (charts, search, ratings, RSS, the ECB FX file). "
      "Writes the credentials of every link method into --keys-dir: key.json + AuthKey_<KID>.p8 "
      "(Admin), key-sales.json, key-developer.json, apple-id.json (Reporter), sub-account.json "
      "(web sign-in), searchads.json + searchads-private-key.pem, and eurofxref-hist.csv. "
      "Control endpoints live under /_sandbox/ (see src/sandbox/README.md).");
  sandbox->add_option("--host", sandbox_opts.host, "Address to listen on")->capture_default_str();
  sandbox->add_option("--port", sandbox_opts.port, "Port (0 = any free port)")->capture_default_str();
  sandbox->add_option("--seed", sandbox_opts.seed, "Data generator seed")->capture_default_str();
  sandbox->add_option("--keys-dir", sandbox_opts.keys_dir, "Where to write the issued key")->capture_default_str();
  sandbox->add_option("--today", sandbox_opts.today, "Pretend today is YYYY-MM-DD (Pacific)");
  sandbox->add_option("--rate-limit", sandbox_opts.rate_limit, "Requests per key per hour")->capture_default_str();
  sandbox->add_option("--scale", sandbox_opts.scale,
                      "Copies of the portfolio (about 1,700 report rows a day each; 1200 ≈ 2M rows)")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  sandbox->add_option("--faults", sandbox_opts.faults,
                      "Misbehave on purpose, e.g. '{\"rate_limit_next\":3,\"retry_after\":2}'; keys: "
                      "not_yet_dates, revise_dates, fail_next{status,count}, rate_limit_next, "
                      "retry_after, latency_ms, truncate_next, drop_next (see src/sandbox/README.md)");
  sandbox->add_option("--storefronts", sandbox_opts.storefronts,
                      "Sell in the first N storefronts only, biggest markets first (0 = all 175)")
      ->capture_default_str()->check(CLI::Range(0, 175));
  sandbox->add_option("--history-days", sandbox_opts.history_days,
                      "Start the sales this many days before today (0 = January 2024, whatever today is)")
      ->capture_default_str()->check(CLI::Range(0, 3650));
  sandbox->add_option("--web-session-lifetime", sandbox_opts.web_session_seconds,
                      "Seconds an Apple ID web session (myacinfo) lives")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{400} * 86400));
  AddGlobals(sandbox, &global);
  sandbox->callback([&] { action = [&] { return RunSandbox(sandbox_opts, std::cout); }; });

  // orchard demo
  DemoOptions demo_opts;
  demo_opts.program = argc > 0 ? argv[0] : "orchard";
  auto* demo = app.add_subcommand(
      "demo",
      "Start a sandbox, link its API key, sync 90 days of sales and print a summary.");
  demo->add_option("--sandbox-dir", demo_opts.sandbox_dir, "Where the sandbox keeps its keys")->capture_default_str();
  demo->add_option("--seed", demo_opts.seed, "Sandbox data seed")->capture_default_str();
  demo->add_option("--days", demo_opts.days, "Days to sync")->capture_default_str()->check(CLI::Range(1, 365));
  AddGlobals(demo, &global);
  demo->callback([&] { action = [&] { return RunDemo(global, demo_opts, std::cout); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  InitLogging(global.verbose ? LogLevel::kDebug : LogLevel::kWarn);
  if (!action) return 0;
  result = action();
  if (!result.ok()) return Fail(result);
  return 0;
}

}  // namespace orchard::cli
