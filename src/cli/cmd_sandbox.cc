#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "crypto/password_hash.h"
#include "server/auth.h"
#include "sandbox/sandbox.h"

namespace orchard::cli {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

Result<sandbox::SandboxOptions> SandboxOptionsFrom(const std::string& host, int port, uint64_t seed,
                                                   const std::string& keys_dir,
                                                   const std::string& today, int rate_limit) {
  sandbox::SandboxOptions o;
  o.host = host;
  o.port = port;
  o.seed = seed;
  o.keys_dir = keys_dir;
  o.rate_limit_per_hour = rate_limit;
  if (!today.empty()) {
    ORCHARD_ASSIGN_OR_RETURN(Date d, Date::ParseIso(today));
    o.today = d;
  }
  return o;
}

}  // namespace

Status RunSandbox(const SandboxCliOptions& o, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(auto options, SandboxOptionsFrom(o.host, o.port, o.seed, o.keys_dir,
                                                            o.today, o.rate_limit));
  options.faults_json = o.faults;
  options.scale = o.scale;
  options.web_session_seconds = o.web_session_seconds;
  options.storefronts = o.storefronts;
  options.history_days = o.history_days;
  // Block the signals before any server thread starts, so they reach sigwait only.
  const sigset_t signals = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ORCHARD_ASSIGN_OR_RETURN(auto sb, sandbox::Sandbox::Start(options));
  // The first line is the base URL alone, so scripts can read it (useful with --port 0).
  out << sb->base_url() << std::endl;
  out << "Simulated App Store Connect listening on " << sb->base_url() << " (seed " << o.seed
      << "). Credentials of every link method and the FX file are in " << o.keys_dir << ".\n"
      << "Point Orchard at it with a config file containing:\n  [apple]\n  asc_api_url = \""
      << sb->base_url() << "\"\nStop with Ctrl-C." << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  sb->Stop();
  return Status::Ok();
}

Status RunDemo(const GlobalOptions& global, const DemoOptions& o, std::ostream& out) {
  // Ctrl-C must reach the server's sigwait, not a sandbox thread: block before any starts.
  const sigset_t signals = TerminationSignals();
  if (o.serve) pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ORCHARD_ASSIGN_OR_RETURN(auto options,
                           SandboxOptionsFrom("127.0.0.1", 0, o.seed, o.sandbox_dir, "", 3600));
  ORCHARD_ASSIGN_OR_RETURN(auto sb, sandbox::Sandbox::Start(options));
  out << "1. Started the simulated App Store Connect on " << sb->base_url() << "\n";

  ORCHARD_ASSIGN_OR_RETURN(Config config,
                           LoadConfig(global.config_file.empty()
                                          ? std::nullopt
                                          : std::optional<std::filesystem::path>(global.config_file)));
  for (std::string* url : {&config.apple.asc_api_url, &config.apple.reporter_url, &config.apple.idmsa_url,
                           &config.apple.web_url, &config.apple.search_ads_url, &config.apple.itunes_url}) {
    *url = sb->base_url();
  }
  config.apple.search_ads_token_url = sb->base_url() + "/auth/oauth2/token";
  config.apple.amp_api_url = sb->base_url();
  config.apple.amp_token_url = sb->base_url();
  config.reviews.public_min_interval_ms = 0;  // the sandbox is on loopback: no need to pace
  // The served demo's scheduler fetches the reference rates from the sandbox, not the ECB.
  config.fx.url = sb->base_url() + "/stats/eurofxref/eurofxref-hist.csv";
  ORCHARD_ASSIGN_OR_RETURN(auto ctx, AppContext::Open(global, config));

  std::ifstream key_json(std::filesystem::path(o.sandbox_dir) / "key.json");
  std::stringstream text;
  text << key_json.rdbuf();
  const auto key = nlohmann::json::parse(text.str(), nullptr, false);
  if (!key.is_object()) {
    return Status(Code::kInternal, "the sandbox did not write " + o.sandbox_dir + "/key.json");
  }
  LinkAscKeyOptions link;
  link.issuer_id = key.value("issuer_id", "");
  link.key_id = key.value("key_id", "");
  link.vendor_number = key.value("vendor_number", "");
  link.key_file = (std::filesystem::path(o.sandbox_dir) / key.value("key_file", "")).string();
  link.name = "Demo Apps Inc.";
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx->TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto accounts, ctx->meta().ListAccounts(team));
  std::optional<int64_t> account_id;
  for (const auto& a : accounts) {
    if (a.key_id == link.key_id && a.vendor_number == link.vendor_number) account_id = a.id;
  }
  if (!account_id) {
    std::ostringstream ignored;
    ORCHARD_RETURN_IF_ERROR(LinkAscKey(*ctx, link, ignored));
    ORCHARD_ASSIGN_OR_RETURN(accounts, ctx->meta().ListAccounts(team));
    for (const auto& a : accounts) {
      if (a.key_id == link.key_id) account_id = a.id;
    }
    out << "2. Linked the sandbox's API key " << link.key_id << " (vendor " << link.vendor_number
        << "), validated and stored encrypted\n";
  } else {
    out << "2. The sandbox's API key " << link.key_id << " is already linked (account "
        << *account_id << ")\n";
  }
  std::ostringstream fx;
  ORCHARD_RETURN_IF_ERROR(ImportFx(*ctx, (std::filesystem::path(o.sandbox_dir) / "eurofxref-hist.csv").string(), fx));
  out << "3. " << fx.str();

  const Date to = Date::Today("America/Los_Angeles").AddDays(-1);
  const Date from = to.AddDays(-(o.days - 1));
  out << "4. Syncing " << o.days << " days of daily Sales reports (" << from.Iso() << " to "
      << to.Iso() << ")\n";
  SyncOptions sync;
  sync.account_id = account_id;
  sync.from = from.Iso();
  sync.to = to.Iso();
  sync.quiet = true;
  ORCHARD_RETURN_IF_ERROR(SyncSales(*ctx, sync, out));

  out << "\nSales by product, " << from.Iso() << " to " << to.Iso() << ", in "
      << ctx->config().report.default_currency << ":\n";
  ReportSalesOptions report;
  report.start = from.Iso();
  report.end = to.Iso();
  report.group_by = "product";
  ORCHARD_RETURN_IF_ERROR(ReportSales(*ctx, report, out));
  out << "\n5. Customer reviews of the linked apps, and today's ratings in every storefront:\n";
  ORCHARD_RETURN_IF_ERROR(SyncReviews(*ctx, ReviewSyncOptions{}, out));
  out << "\nThe sandbox also simulates the rest of what Orchard speaks, with credentials in "
      << o.sandbox_dir << ":\n"
      << "  subscription, subscription-event, subscriber, pre-order and finance reports (key.json),\n"
      << "  the Reporter protocol (apple-id.json), Apple ID sign-in with a two-factor code\n"
      << "  (sub-account.json), Apple Search Ads (searchads.json), the Analytics Reports API,\n"
      << "  customer reviews and replies, and public store data: hourly charts, search, ratings.\n";
  const std::string dd = global.data_dir;
  const std::string& me = o.program;
  out << "\nQuery more (the data stays in " << dd << "):\n"
      << "  " << me << " report sales --data-dir " << dd << " --group-by date --granularity weekly\n"
      << "  " << me << " report sales --data-dir " << dd << " --group-by country --start -30d --currency EUR\n"
      << "  " << me << " report sales --data-dir " << dd << " --group-by date,device --countries US,GB --format csv\n"
      << "  " << me << " accounts list --data-dir " << dd << "\n"
      << "  " << me << " reviews list --data-dir " << dd << " --rating 1,2 --unreplied\n"
      << "To sync again, run `" << me << " sandbox --keys-dir " << o.sandbox_dir
      << "` and point a config's [apple] URLs at it.\n";
  if (!o.serve) {
    sb->Stop();
    return Status::Ok();
  }
  // 6. The API, with a demo Owner whose password is in a 0600 file (never printed).
  const std::string email = "demo@orchard.local";
  const std::filesystem::path login_file = std::filesystem::path(o.sandbox_dir) / "demo-login.txt";
  if (!ctx->access().FindUserByEmail(email).has_value()) {
    std::string password = server::NewOpaqueToken("").substr(0, 20);
    ORCHARD_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(Secret(password)));
    ORCHARD_ASSIGN_OR_RETURN(store::User user, ctx->access().CreateUser(email, hash));
    ORCHARD_RETURN_IF_ERROR(ctx->access().PutMembership(team, user.id, store::Role::kOwner));
    std::filesystem::remove(login_file);
    {
      std::ofstream f(login_file);
      f << password << "\n";
    }
    ::chmod(login_file.c_str(), 0600);
    WipeString(password);
  }
  out << "\n6. Signing in: " << email << ", password in " << login_file.string() << " (mode 0600)\n"
      << "   printf '{\"email\":\"" << email << "\",\"password\":\"%s\"}' \"$(cat " << login_file.string()
      << ")\" | curl -s -c jar -H 'Content-Type: application/json' --data @- http://" << o.listen
      << "/api/v1/session\n"
      << "   curl -b jar http://" << o.listen << "/api/v1/accounts\n";
  ServeOptions serve;
  serve.listen = o.listen;
  Status served = Serve(*ctx, serve, out);
  sb->Stop();
  return served;
}

}  // namespace orchard::cli
