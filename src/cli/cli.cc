#include <sys/resource.h>

#include <iostream>

#include "cli/cli_common.h"
#include "cli/cmd_reviews.h"
#include "cli/cmd_webhooks.h"
#include "cli/commands.h"
#include "core/log.h"

namespace orchard::cli {
namespace {

constexpr const char* kAbout =
    "Orchard: self-hosted App Store analytics. Link an App Store Connect account once, sync what "
    "Apple reports, and query downloads and revenue.";

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

  // orchard link app-password | apple-id | search-ads
  LinkAppPasswordOptions app_pw;
  auto* link_pw = link->add_subcommand(
      "app-password",
      "Link with an Apple ID and an app-specific password (Sales, subscriptions and payments; no "
      "reviews, replies or usage). Make the password at appleid.apple.com → Sign-In and Security → "
      "App-Specific Passwords and label it \"Orchard\"; the Apple ID needs the Sales (or Finance, "
      "Admin) role. The password is read from $ORCHARD_APP_PASSWORD, --password-file or stdin, "
      "never from the command line. Orchard keeps a Reporter access token with it and renews the "
      "token before its 180 days run out.");
  link_pw->add_option("--apple-id", app_pw.apple_id, "The Apple ID (e-mail)")->required();
  link_pw->add_option("--vendor-number", app_pw.vendor_number, "Vendor number (Payments and Financial Reports)")->required();
  link_pw->add_option("--password-file", app_pw.password_file, "File holding the app-specific password")
      ->check(CLI::ExistingFile);
  link_pw->add_option("--name", app_pw.name, "A label for this account");
  AddGlobals(link_pw, &global);
  link_pw->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return LinkAppPassword(ctx, app_pw, std::cout); });
  });

  LinkAppleIdOptions apple_id;
  auto* link_aid = link->add_subcommand(
      "apple-id",
      "Link a limited sub-account by Apple ID and password, with a two-factor code (sales, reviews "
      "and replies through the App Store Connect web session). Create the sub-account in App Store "
      "Connect → Users and Access with the Finance and Customer Support roles and an e-mail other "
      "than the owner's. The password comes from $ORCHARD_APPLE_ID_PASSWORD, --password-file or "
      "stdin. On a terminal Orchard asks for the code at once; otherwise finish with "
      "`orchard accounts refresh ID --code-stdin`. A new code is needed about monthly, when "
      "Apple's 30-day trust ends (the account shows \"refresh due\" from day 25).");
  link_aid->add_option("--apple-id", apple_id.apple_id, "The sub-account's Apple ID (e-mail)")->required();
  link_aid->add_option("--password-file", apple_id.password_file, "File holding the password")
      ->check(CLI::ExistingFile);
  link_aid->add_option("--name", apple_id.name, "A label for this account");
  AddGlobals(link_aid, &global);
  link_aid->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return LinkAppleId(ctx, apple_id, std::cout); });
  });

  LinkSearchAdsOptions ads;
  auto* link_ads = link->add_subcommand(
      "search-ads",
      "Link Apple Search Ads (campaign spend, taps, installs). In Search Ads → Account Settings → "
      "API, upload the public half of a P-256 key (openssl ecparam -genkey -name prime256v1 "
      "-noout -out private-key.pem; openssl ec -in private-key.pem -pubout) and copy the client "
      "id, team id and key id shown.");
  link_ads->add_option("--client-id", ads.client_id, "SEARCHADS.… client id")->required();
  link_ads->add_option("--ads-team-id", ads.ads_team_id, "SEARCHADS.… team id")->required();
  link_ads->add_option("--key-id", ads.key_id, "Key id shown next to the uploaded public key")->required();
  link_ads->add_option("--key-file", ads.key_file, "The EC private key PEM")->required()->check(CLI::ExistingFile);
  link_ads->add_option("--name", ads.name, "A label for this account");
  AddGlobals(link_ads, &global);
  link_ads->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return LinkSearchAds(ctx, ads, std::cout); });
  });

  // orchard accounts list | show | refresh | unlink
  auto* accounts = app.add_subcommand("accounts", "Linked accounts");
  accounts->require_subcommand(1);
  std::string accounts_format = "table";
  auto* accounts_list = accounts->add_subcommand("list", "List linked accounts, their state and capabilities (never secrets)");
  accounts_list->add_option("--format", accounts_format, "table, json or csv")->capture_default_str();
  AddGlobals(accounts_list, &global);
  AddGlobals(accounts, &global);
  accounts_list->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ListAccounts(ctx, accounts_format, std::cout); });
  });
  int64_t acct_id = 0;
  auto* accounts_show = accounts->add_subcommand("show", "One account: identity, health, capabilities, renewal dates");
  accounts_show->add_option("ID", acct_id, "Account id")->required();
  AddGlobals(accounts_show, &global);
  accounts_show->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ShowAccount(ctx, acct_id, std::cout); });
  });
  bool code_stdin = false;
  auto* accounts_refresh = accounts->add_subcommand(
      "refresh",
      "Check an account against Apple now and probe its capabilities again; renews a Reporter "
      "token that is due; signs a sub-account in again (with --code-stdin: the two-factor code)");
  accounts_refresh->add_option("ID", acct_id, "Account id")->required();
  accounts_refresh->add_flag("--code-stdin", code_stdin, "Read the six-digit two-factor code from stdin");
  AddGlobals(accounts_refresh, &global);
  accounts_refresh->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return RefreshAccount(ctx, acct_id, code_stdin, std::cout); });
  });
  bool purge = false;
  auto* accounts_unlink = accounts->add_subcommand(
      "unlink", "Unlink an account: its credentials are erased at once; synced data stays unless --purge-data");
  accounts_unlink->add_option("ID", acct_id, "Account id")->required();
  accounts_unlink->add_flag("--purge-data", purge, "Also delete the data synced from it");
  AddGlobals(accounts_unlink, &global);
  accounts_unlink->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return UnlinkAccount(ctx, acct_id, purge, std::cout); });
  });

  // orchard team create | list
  auto* team = app.add_subcommand("team", "Teams: who owns linked accounts and their data");
  team->require_subcommand(1);
  AddGlobals(team, &global);
  std::string team_name, people_format = "table";
  auto* team_create = team->add_subcommand("create", "Create a team");
  team_create->add_option("NAME", team_name, "Team name")->required();
  AddGlobals(team_create, &global);
  team_create->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return CreateTeam(ctx, team_name, std::cout); });
  });
  auto* team_list = team->add_subcommand("list", "List teams");
  team_list->add_option("--format", people_format, "table, json or csv")->capture_default_str();
  AddGlobals(team_list, &global);
  team_list->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ListTeams(ctx, people_format, std::cout); });
  });

  // orchard user add | list | role | remove
  auto* user = app.add_subcommand("user", "Orchard's users and their roles in a team");
  user->require_subcommand(1);
  AddGlobals(user, &global);
  std::string user_email, user_role;
  auto* user_add = user->add_subcommand(
      "add",
      "Add a user to a team with a role: owner (manages members), admin (links accounts, replies "
      "to reviews) or viewer (reads). A new user's password (8 characters or more) is read from "
      "stdin.");
  user_add->add_option("EMAIL", user_email, "The user's e-mail")->required();
  user_add->add_option("--role", user_role, "owner, admin or viewer")->required();
  AddGlobals(user_add, &global);
  user_add->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return AddUser(ctx, user_email, user_role, std::cout); });
  });
  auto* user_list = user->add_subcommand("list", "Members of the team");
  user_list->add_option("--format", people_format, "table, json or csv")->capture_default_str();
  AddGlobals(user_list, &global);
  user_list->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ListUsers(ctx, people_format, std::cout); });
  });
  auto* user_role_cmd = user->add_subcommand("role", "Change a member's role (a team keeps at least one Owner)");
  user_role_cmd->add_option("EMAIL", user_email, "The member's e-mail")->required();
  user_role_cmd->add_option("--role", user_role, "owner, admin or viewer")->required();
  AddGlobals(user_role_cmd, &global);
  user_role_cmd->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return SetUserRole(ctx, user_email, user_role, std::cout); });
  });
  auto* user_remove = user->add_subcommand("remove", "Remove a member (ends their sessions and tokens of the team)");
  user_remove->add_option("EMAIL", user_email, "The member's e-mail")->required();
  AddGlobals(user_remove, &global);
  user_remove->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return RemoveUser(ctx, user_email, std::cout); });
  });

  // orchard token create | list | revoke
  auto* token = app.add_subcommand("token", "API tokens for scripts (Authorization: Bearer …)");
  token->require_subcommand(1);
  AddGlobals(token, &global);
  std::string token_user, token_name;
  int token_days = 0;
  int64_t token_id = 0;
  auto* token_create = token->add_subcommand(
      "create", "Create a token for a member; prints only the token (shown once, stored as a hash)");
  token_create->add_option("--user", token_user, "The member's e-mail")->required();
  token_create->add_option("--name", token_name, "A label, e.g. the script that uses it");
  token_create->add_option("--expires-days", token_days, "Expire after this many days (default: never)")
      ->check(CLI::Range(0, 3650));
  AddGlobals(token_create, &global);
  token_create->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return CreateToken(ctx, token_user, token_name, token_days, std::cout); });
  });
  auto* token_list = token->add_subcommand("list", "Tokens of the team (prefixes only)");
  token_list->add_option("--format", people_format, "table, json or csv")->capture_default_str();
  AddGlobals(token_list, &global);
  token_list->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ListTokens(ctx, people_format, std::cout); });
  });
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token now");
  token_revoke->add_option("ID", token_id, "Token id (from token list)")->required();
  AddGlobals(token_revoke, &global);
  token_revoke->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return RevokeToken(ctx, token_id, std::cout); });
  });

  // orchard audit
  int audit_limit = 50;
  auto* audit = app.add_subcommand("audit", "The team's audit log: links, unlinks, refreshes, roles, logins, tokens");
  audit->add_option("--limit", audit_limit, "Newest events to show")->capture_default_str()->check(CLI::Range(1, 10000));
  audit->add_option("--format", people_format, "table, json or csv")->capture_default_str();
  AddGlobals(audit, &global);
  audit->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ShowAudit(ctx, audit_limit, people_format, std::cout); });
  });

  // orchard serve
  ServeOptions serve_opts;
  auto* serve = app.add_subcommand(
      "serve",
      "Serve the web dashboard (/) and the REST API (/api/v1, see GET /api/v1/routes) until Ctrl-C, and keep every linked "
      "account in sync: a backfill of everything Apple keeps when an account is new, then every "
      "day after the reports are out ([sync] daily_hour in [sync] time_zone) the last 32 days "
      "again, because Apple revises reports; reference rates daily from [fx] url. Sync jobs are "
      "stored, so a restart resumes where it stopped. Without the master key it starts sealed: "
      "data is served, credentials are neither used nor stored (and nothing syncs).");
  serve->add_option("--listen", serve_opts.listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_flag("--secure-cookies", serve_opts.secure_cookies,
                  "Mark session cookies Secure (set when an https proxy fronts Orchard)");
  serve->add_option("--maintain-minutes", serve_opts.maintain_minutes,
                    "How often to renew tokens and check two-factor trust")
      ->capture_default_str()->check(CLI::Range(1, 1440));
  serve->add_flag("!--no-sync", serve_opts.sync, "Serve the API only: no scheduled syncs or rate fetches");
  serve->add_option("--sync-interval", serve_opts.sync_interval_seconds,
                    "Seconds between looks for due sync work (default: [sync] interval_seconds, 60)")
      ->check(CLI::Range(1, 86400));
  AddGlobals(serve, &global);
  serve->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return Serve(ctx, serve_opts, std::cout); });
  });

  // orchard keys rotate
  auto* keys = app.add_subcommand("keys", "The master key that seals stored credentials");
  keys->require_subcommand(1);
  AddGlobals(keys, &global);
  auto* keys_rotate = keys->add_subcommand(
      "rotate",
      "Add a new key version and re-wrap every stored secret under it, while `orchard serve` keeps "
      "running. Safe to interrupt: run it again to finish.");
  AddGlobals(keys_rotate, &global);
  keys_rotate->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return RotateKeys(ctx, std::cout); });
  });

  // orchard sync
  SyncOptions sync_opts;
  int64_t account_id = 0;
  auto* sync = app.add_subcommand(
      "sync",
      "Download Sales reports and store them: daily reports of a range of days (default: the "
      "last 7), or with --backfill everything Apple still has. Re-syncing a report replaces it "
      "(never double counts). Reports are queued jobs: an interrupted sync resumes where it "
      "stopped; reports Apple has not published yet wait and are fetched later.");
  auto* account_opt = sync->add_option("--account", account_id, "Account id (default: all)");
  sync->add_option("--from", sync_opts.from, "First day, YYYY-MM-DD or -30d (default: 7 days before --to)");
  sync->add_option("--to", sync_opts.to, "Last day, YYYY-MM-DD or relative (default: yesterday, Pacific time)");
  sync->add_flag("--backfill", sync_opts.backfill,
                 "Fetch everything Apple still has: daily reports of the last 365 days, monthly "
                 "and yearly reports before (each day is counted once)");
  sync->add_flag("-q,--quiet", sync_opts.quiet, "No per-report progress");
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
      "Downloads and revenue from the synced Sales reports. Columns: the group keys, then "
      "downloads, redownloads, updates, returns, iap, revenue (proceeds), gross_revenue "
      "(customer price), other_units, returns_amount. Amounts are converted per day with the "
      "imported reference rates (the latest on or before each day) and rounded to the cent once.");
  sales->footer(
      "The options are the report grammar of GET /api/v1/reports/sales (same values, same "
      "numbers; --format json prints the same document as the API):\n"
      "  dates      YYYY-MM-DD, today, yesterday, or relative to today in Pacific time (Apple's\n"
      "             report day): -7d, -2w, -1m, -1y. No dates: all-time totals.\n"
      "  group-by   up to three of date,product,country,device,store (store is always app_store)\n"
      "Examples:\n"
      "  orchard report sales --start -30d --end yesterday --group-by date --granularity weekly\n"
      "  orchard report sales --start 2026-01-01 --end 2026-03-31 --group-by product,country "
      "--currency EUR\n"
      "  orchard report sales --countries US,GB --products 1234567890 --format csv > sales.csv\n"
      "  orchard report sales --group-by date,country --granularity monthly --format json");
  sales->add_option("--start,--from,--start-date", report_opts.start,
                    "First day, inclusive: YYYY-MM-DD, today, yesterday, -7d, -2w, -1m, -1y "
                    "(default: all time)");
  sales->add_option("--end,--to,--end-date", report_opts.end,
                    "Last day, inclusive, same forms (default: the latest synced day)");
  sales->add_option("--group-by", report_opts.group_by,
                    "Up to three of date,product,country,device,store, in column order");
  sales->add_option("--granularity", report_opts.granularity,
                    "Periods of the date key: daily, weekly (Monday-Sunday), monthly or yearly")
      ->capture_default_str();
  sales->add_option("--countries", report_opts.countries, "Only these storefronts, e.g. US,GB");
  sales->add_option("--products", report_opts.products, "Only these Apple Identifiers, e.g. 1234567890,987654321");
  sales->add_option("--currency", report_opts.currency,
                    "Report currency, ISO 4217 (default: [report] default_currency, USD)");
  sales->add_option("--format", report_opts.format, "table, json or csv")->capture_default_str();
  AddGlobals(sales, &global);
  AddGlobals(report, &global);
  sales->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return ReportSales(ctx, report_opts, std::cout); });
  });

  // orchard reviews …, orchard apps …, orchard report ratings (cmd_reviews.cc)
  auto review_cli = AddReviewCommands(app, report, global, action);
  ReviewSyncOptions review_sync_opts;
  auto* review_sync = review_cli->reviews->add_subcommand(
      "sync",
      "Run the team's review and ratings syncs now (orchard serve runs them on its own: linked apps "
      "hourly, tracked apps' public feeds every few hours, ratings daily). Linked apps are read "
      "through App Store Connect with their account's API key, newest first, stopping at what is "
      "already stored; tracked apps through the public reviews feed of each chosen storefront; "
      "and today's ratings snapshot (average, count, histogram) of every linked and tracked app.");
  review_sync->footer(
      "Examples:\n"
      "  orchard reviews sync\n"
      "  orchard reviews sync --app 1234567890\n"
      "  orchard reviews sync --full     # re-read every review (finds edits that kept their date)");
  review_sync->add_option("--app", review_sync_opts.app, "Only this app (App Store id)");
  review_sync->add_flag("--full", review_sync_opts.full,
                        "Linked apps: read every page, not only the new reviews; public feeds: all 10 pages");
  AddGlobals(review_sync, &global);
  review_sync->callback([&] {
    action = WithApp(global, [&](AppContext& ctx) { return SyncReviews(ctx, review_sync_opts, std::cout); });
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

  auto webhook_opts = AddWebhookCommands(&app, &global, &action, AddGlobals);  // orchard webhooks

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
      "Start a sandbox, link its API key, sync 90 days of sales, print a summary, then serve the "
      "API on --listen with a demo Owner (password in <sandbox-dir>/demo-login.txt) until Ctrl-C.");
  demo->add_option("--sandbox-dir", demo_opts.sandbox_dir, "Where the sandbox keeps its keys")->capture_default_str();
  demo->add_option("--seed", demo_opts.seed, "Sandbox data seed")->capture_default_str();
  demo->add_option("--days", demo_opts.days, "Days to sync")->capture_default_str()->check(CLI::Range(1, 365));
  demo->add_option("--listen", demo_opts.listen, "HOST:PORT for the API")->capture_default_str();
  demo->add_flag("!--no-serve", demo_opts.serve, "Stop after the summary instead of serving the API");
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
