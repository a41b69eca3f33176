// The CLI: one function per subcommand, thin over the libraries. Each returns a Status; main
// prints a one-line error on stderr and exits with ExitCodeFor(code).
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "cli/app_context.h"
#include "core/date.h"
#include "core/status.h"

namespace orchard::cli {

// Runs the CLI; returns the process exit code.
int Main(int argc, char** argv);

struct LinkAscKeyOptions {
  std::string issuer_id;
  std::string key_id;
  std::string key_file;
  std::string vendor_number;
  std::string name;
};
Status LinkAscKey(AppContext& ctx, const LinkAscKeyOptions& options, std::ostream& out);

struct LinkAppPasswordOptions {
  std::string apple_id, vendor_number, name;
  std::string password_file;  // else $ORCHARD_APP_PASSWORD, else stdin
};
Status LinkAppPassword(AppContext& ctx, const LinkAppPasswordOptions& options, std::ostream& out);

struct LinkAppleIdOptions {
  std::string apple_id, name;
  std::string password_file;  // else $ORCHARD_APPLE_ID_PASSWORD, else stdin
};
Status LinkAppleId(AppContext& ctx, const LinkAppleIdOptions& options, std::ostream& out);

struct LinkSearchAdsOptions {
  std::string client_id, ads_team_id, key_id, key_file, name;
};
Status LinkSearchAds(AppContext& ctx, const LinkSearchAdsOptions& options, std::ostream& out);

Status ListAccounts(AppContext& ctx, const std::string& format, std::ostream& out);
Status ShowAccount(AppContext& ctx, int64_t id, std::ostream& out);
Status RefreshAccount(AppContext& ctx, int64_t id, bool code_from_stdin, std::ostream& out);
Status UnlinkAccount(AppContext& ctx, int64_t id, bool purge_data, std::ostream& out);

// orchard team / user / token (cmd_people.cc)
Status CreateTeam(AppContext& ctx, const std::string& name, std::ostream& out);
Status ListTeams(AppContext& ctx, const std::string& format, std::ostream& out);
Status AddUser(AppContext& ctx, const std::string& email, const std::string& role, std::ostream& out);
Status ListUsers(AppContext& ctx, const std::string& format, std::ostream& out);
Status SetUserRole(AppContext& ctx, const std::string& email, const std::string& role, std::ostream& out);
Status RemoveUser(AppContext& ctx, const std::string& email, std::ostream& out);
Status CreateToken(AppContext& ctx, const std::string& email, const std::string& name, int expires_days,
                   std::ostream& out);
Status ListTokens(AppContext& ctx, const std::string& format, std::ostream& out);
Status RevokeToken(AppContext& ctx, int64_t id, std::ostream& out);
Status ShowAudit(AppContext& ctx, int limit, const std::string& format, std::ostream& out);

// orchard serve (cmd_serve.cc)
struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  bool secure_cookies = false;
  int maintain_minutes = 60;
  bool sync = true;               // run the scheduler (--no-sync: API only)
  int sync_interval_seconds = 0;  // 0 = [sync] interval_seconds
};
Status Serve(AppContext& ctx, const ServeOptions& options, std::ostream& out);

// orchard keys rotate (cmd_keys.cc)
Status RotateKeys(AppContext& ctx, std::ostream& out);

struct SyncOptions {
  std::optional<int64_t> account_id;
  std::string from;
  std::string to;
  bool backfill = false;
  bool quiet = false;
};
Status SyncSales(AppContext& ctx, const SyncOptions& options, std::ostream& out);

// orchard reviews sync (cmd_review_sync.cc)
struct ReviewSyncOptions {
  std::string app;    // "" = every linked and tracked app
  bool full = false;  // linked apps: read every page, not only the new ones
};
Status SyncReviews(AppContext& ctx, const ReviewSyncOptions& options, std::ostream& out);

// orchard report sales: each option is one parameter of the report grammar
// (reports/report_request.h); empty = not given.
struct ReportSalesOptions {
  std::string start, end;
  std::string group_by;
  std::string granularity = "daily";
  std::string countries, products;
  std::string currency;
  std::string format = "table";
};
Status ReportSales(AppContext& ctx, const ReportSalesOptions& options, std::ostream& out);

Status ImportFx(AppContext& ctx, const std::string& file, std::ostream& out);

struct SandboxCliOptions {
  std::string host = "127.0.0.1";
  int port = 8740;
  uint64_t seed = 1;
  std::string keys_dir = "./orchard-sandbox";
  std::string today;
  int rate_limit = 3600;
  std::string faults;  // JSON, as POST /_sandbox/faults takes it
  int scale = 1;
  int64_t web_session_seconds = 30LL * 86400;
  int storefronts = 0;
  int history_days = 0;
};
Status RunSandbox(const SandboxCliOptions& options, std::ostream& out);

struct DemoOptions {
  std::string program = "orchard";  // how the user invoked us, for the hints printed at the end
  std::string sandbox_dir = "./orchard-sandbox";
  uint64_t seed = 1;
  int days = 90;
  bool serve = true;                   // then serve the API until Ctrl-C
  std::string listen = "127.0.0.1:8080";
};
Status RunDemo(const GlobalOptions& global, const DemoOptions& options, std::ostream& out);

// Unix seconds as "2026-01-05 14:03:00Z"; `never` for 0.
std::string UtcTimeText(int64_t seconds, std::string_view never);

// "2026-01-05", or relative to `today`: "-7d", "-2w", "-1m", "-1y", "today", "yesterday".
// The report grammar's date parser (reports::ParseDateArg), for every command's dates.
Result<Date> ParseDateArg(std::string_view text, Date today, std::string_view option);

}  // namespace orchard::cli
