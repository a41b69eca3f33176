// orchard link … and orchard accounts …: thin over accounts::AccountService, which holds the
// rules shared with the HTTP API.
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "cli/commands.h"
#include "cli/secret_input.h"
#include "reports/table.h"

namespace orchard::cli {
namespace {

std::string TimeText(int64_t seconds) { return UtcTimeText(seconds, "never"); }

std::string DayText(int64_t seconds) { return seconds == 0 ? "" : TimeText(seconds).substr(0, 10); }

// The method's identity, in one column of the list.
std::string IdentityOf(const store::LinkedAccount& a) {
  if (a.method == accounts::kAscKey) return "key " + a.key_id + ", vendor " + a.vendor_number;
  if (a.method == accounts::kAppPassword) return a.apple_id + ", vendor " + a.vendor_number;
  if (a.method == accounts::kAppleId) return a.apple_id;
  if (a.method == accounts::kSearchAds) return a.client_id;
  return a.key_id;
}

void PrintOutcome(const accounts::LinkOutcome& o, std::ostream& out) {
  out << o.message << "\n";
  if (o.needs_code) {
    out << "Account " << o.account.id << " waits for the code: orchard accounts refresh "
        << o.account.id << " --code-stdin\n";
  } else {
    out << "Account " << o.account.id << " (" << o.account.name << ", " << o.account.method
        << ") is linked; its credentials are stored encrypted and never shown again.\n";
  }
}

// On a terminal, ask for the two-factor code now and finish in the same run.
Result<accounts::LinkOutcome> MaybeAskCode(AppContext& ctx, accounts::AccountService* service,
                                           int64_t team, accounts::LinkOutcome outcome) {
  if (!outcome.needs_code || ::isatty(STDIN_FILENO) == 0) return outcome;
  std::cerr << outcome.message << "\n";
  ORCHARD_ASSIGN_OR_RETURN(Secret code, ReadSecretLine("Two-factor code: ", "two-factor code"));
  (void)ctx;
  return service->SubmitCode(team, outcome.account.id, code.view(), CliActor());
}

}  // namespace

Status LinkAscKey(AppContext& ctx, const LinkAscKeyOptions& o, std::ostream& out) {
  accounts::LinkRequest r;
  r.method = accounts::kAscKey;
  r.name = o.name;
  r.issuer_id = o.issuer_id;
  r.key_id = o.key_id;
  r.vendor_number = o.vendor_number;
  ORCHARD_ASSIGN_OR_RETURN(r.private_key, ReadSecretFile(o.key_file, 16384, "an App Store Connect .p8 key"));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
  ORCHARD_ASSIGN_OR_RETURN(accounts::LinkOutcome outcome, service->Link(team, std::move(r), CliActor()));
  PrintOutcome(outcome, out);
  out << "You can delete " << o.key_file << " from this machine.\n"
      << "Next: orchard sync --account " << outcome.account.id << " --from <YYYY-MM-DD> --to <YYYY-MM-DD>\n";
  return Status::Ok();
}

Status LinkAppPassword(AppContext& ctx, const LinkAppPasswordOptions& o, std::ostream& out) {
  accounts::LinkRequest r;
  r.method = accounts::kAppPassword;
  r.name = o.name;
  r.apple_id = o.apple_id;
  r.vendor_number = o.vendor_number;
  ORCHARD_ASSIGN_OR_RETURN(r.app_password, ReadSecret("ORCHARD_APP_PASSWORD", o.password_file,
                                                      "App-specific password: ", "app-specific password"));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
  ORCHARD_ASSIGN_OR_RETURN(accounts::LinkOutcome outcome, service->Link(team, std::move(r), CliActor()));
  PrintOutcome(outcome, out);
  return Status::Ok();
}

Status LinkAppleId(AppContext& ctx, const LinkAppleIdOptions& o, std::ostream& out) {
  accounts::LinkRequest r;
  r.method = accounts::kAppleId;
  r.name = o.name;
  r.apple_id = o.apple_id;
  ORCHARD_ASSIGN_OR_RETURN(r.password, ReadSecret("ORCHARD_APPLE_ID_PASSWORD", o.password_file,
                                                  "Sub-account password: ", "Apple ID password"));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
  ORCHARD_ASSIGN_OR_RETURN(accounts::LinkOutcome outcome, service->Link(team, std::move(r), CliActor()));
  ORCHARD_ASSIGN_OR_RETURN(outcome, MaybeAskCode(ctx, service, team, std::move(outcome)));
  PrintOutcome(outcome, out);
  return Status::Ok();
}

Status LinkSearchAds(AppContext& ctx, const LinkSearchAdsOptions& o, std::ostream& out) {
  accounts::LinkRequest r;
  r.method = accounts::kSearchAds;
  r.name = o.name;
  r.client_id = o.client_id;
  r.ads_team_id = o.ads_team_id;
  r.key_id = o.key_id;
  ORCHARD_ASSIGN_OR_RETURN(r.private_key, ReadSecretFile(o.key_file, 16384, "an EC private key"));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
  ORCHARD_ASSIGN_OR_RETURN(accounts::LinkOutcome outcome, service->Link(team, std::move(r), CliActor()));
  PrintOutcome(outcome, out);
  return Status::Ok();
}

Status ListAccounts(AppContext& ctx, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, reports::ParseFormat(format));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto list, ctx.meta().ListAccounts(team));
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts(/*sealed_ok=*/true));
  reports::Table t;
  t.columns = {"id", "name", "method", "identity", "status", "capabilities", "expires", "last_sync",
               "last_error"};
  for (const auto& a : list) {
    auto health = service->GetHealth(team, a.id);
    const std::string state = health.has_value() ? health->state : a.status;
    t.rows.push_back({std::to_string(a.id), a.name, a.method, IdentityOf(a), state,
                      accounts::Capabilities::FromJson(a.capabilities).Summary(false), DayText(a.expires_at),
                      TimeText(a.last_sync_at), a.last_error});
  }
  if (f == reports::Format::kTable && list.empty()) {
    out << "No linked accounts. Link one with: orchard link asc-key --help\n";
    return Status::Ok();
  }
  out << reports::Render(t, f);
  return Status::Ok();
}

Status ShowAccount(AppContext& ctx, int64_t id, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts(/*sealed_ok=*/true));
  ORCHARD_ASSIGN_OR_RETURN(accounts::Health h, service->GetHealth(team, id));
  const auto& a = h.account;
  out << "Account " << a.id << ": " << a.name << "\n"
      << "  method        " << a.method << "\n"
      << "  identity      " << IdentityOf(a) << "\n";
  if (!a.issuer_id.empty()) out << "  issuer id     " << a.issuer_id << "\n";
  if (!a.secret_hint.empty()) out << "  password      ••••" << a.secret_hint << "\n";
  out << "  state         " << h.state << "\n"
      << "  health        " << h.message << "\n"
      << "  capabilities  " << h.capabilities.Summary() << "\n";
  if (a.expires_at != 0) {
    out << (a.method == accounts::kAppleId ? "  trust until   " : "  token until   ") << DayText(a.expires_at) << "\n";
  }
  if (h.refresh_due_at != 0) out << "  refresh due   " << DayText(h.refresh_due_at) << "\n";
  out << "  linked        " << TimeText(a.created_at) << "\n"
      << "  last used     " << TimeText(a.last_used_at) << "\n"
      << "  last sync     " << TimeText(a.last_sync_at) << "\n";
  return Status::Ok();
}

Status RefreshAccount(AppContext& ctx, int64_t id, bool code_from_stdin, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
  Result<accounts::LinkOutcome> outcome = Error(Code::kInternal, "");
  if (code_from_stdin) {
    ORCHARD_ASSIGN_OR_RETURN(Secret code, ReadSecretLine("Two-factor code: ", "two-factor code"));
    outcome = service->SubmitCode(team, id, code.view(), CliActor());
  } else {
    outcome = service->Refresh(team, id, CliActor());
    if (outcome.has_value()) outcome = MaybeAskCode(ctx, service, team, std::move(*outcome));
  }
  if (!outcome.has_value()) return outcome.error();
  PrintOutcome(*outcome, out);
  return Status::Ok();
}

Status UnlinkAccount(AppContext& ctx, int64_t id, bool purge_data, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts(/*sealed_ok=*/true));
  ORCHARD_RETURN_IF_ERROR(service->Unlink(team, id, purge_data, CliActor()));
  out << "Unlinked account " << id << ": its credentials are erased. "
      << (purge_data ? "Its synced data was deleted too.\n"
                     : "Its synced data stays (unlink with --purge-data to delete it).\n");
  return Status::Ok();
}

}  // namespace orchard::cli
