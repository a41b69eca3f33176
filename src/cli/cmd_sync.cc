#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>

#include "cli/sales_source.h"
#include "sync/catalog_sync.h"
#include "cli/commands.h"
#include "sync/sales_sync.h"

namespace orchard::cli {
namespace {

// A progress bar on a terminal, plain lines otherwise (logs, CI, pipes).
class Progress {
 public:
  explicit Progress(std::ostream& out) : out_(out), tty_(::isatty(STDERR_FILENO) != 0) {}
  void Update(int done, int total, const sync::DayOutcome& day) {
    if (tty_) {
      const int width = 30;
      const int filled = total > 0 ? done * width / total : width;
      std::fprintf(stderr, "\r[%s%s] %d/%d %s %-7s", std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(width - filled), ' ').c_str(), done, total,
                   day.day.Iso().c_str(), day.state.c_str());
      if (done == total) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    } else {
      out_ << (day.frequency == "DAILY" ? "" : day.frequency + " ") << day.day.Iso() << " " << day.state;
      if (day.rows > 0) out_ << " " << day.rows << " rows";
      if (!day.message.empty() && day.state != "pending") out_ << " — " << day.message;
      out_ << "\n";
    }
  }

 private:
  std::ostream& out_;
  bool tty_;
};

}  // namespace

Status SyncSales(AppContext& ctx, const SyncOptions& o, std::ostream& out) {
  const Date today = Date::At(ctx.clock().Now(), "America/Los_Angeles");
  std::vector<sync::PlannedReport> plan;
  std::string what;
  if (o.backfill) {
    if (!o.from.empty() || !o.to.empty()) {
      return Status(Code::kInvalidArgument, "--backfill fetches everything Apple still has; "
                                            "leave out --from and --to");
    }
    plan = sync::PlanBackfill(today);
    what = "everything Apple keeps (daily reports of the last " +
           std::to_string(sync::kRetentionDays) + " days, monthly and yearly reports before)";
  } else {
    ORCHARD_ASSIGN_OR_RETURN(Date to, o.to.empty() ? Result<Date>(today.AddDays(-1))
                                                   : ParseDateArg(o.to, today, "--to"));
    ORCHARD_ASSIGN_OR_RETURN(Date from, o.from.empty() ? Result<Date>(to.AddDays(-6))
                                                       : ParseDateArg(o.from, today, "--from"));
    if (to < from) {
      return Status(Code::kInvalidArgument, "--to " + to.Iso() + " is before --from " + from.Iso());
    }
    plan = sync::PlanDays(from, to);
    what = from.Iso() + " to " + to.Iso();
  }
  std::vector<store::LinkedAccount> accounts;
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  if (o.account_id) {
    ORCHARD_ASSIGN_OR_RETURN(auto a, ctx.meta().GetAccount(team, *o.account_id));
    accounts.push_back(a);
  } else {
    ORCHARD_ASSIGN_OR_RETURN(accounts, ctx.meta().ListAccounts(team));
    if (accounts.empty()) {
      return Status(Code::kFailedPrecondition,
                    "no linked accounts; link one first: orchard link asc-key --help");
    }
  }
  // With the lock held, `running` jobs belong to a process that died: they go back to the queue.
  ORCHARD_ASSIGN_OR_RETURN(auto lock, ctx.LockSync(/*wait=*/true, &out));
  ORCHARD_ASSIGN_OR_RETURN(int64_t resumed, ctx.meta().RequeueRunningJobs(ctx.clock().NowSeconds()));
  if (resumed > 0) out << "Resuming " << resumed << " report(s) an interrupted sync left unfinished.\n";
  int not_synced = 0;
  for (const auto& account : accounts) {
    if (Status can = SalesSource::Check(account); !can.ok()) {
      if (o.account_id) return can;
      if (account.method == accounts::kAscKey || account.method == accounts::kAppPassword) {
        out << "Skipping " << can.message() << ".\n";
      }
      continue;
    }
    ORCHARD_ASSIGN_OR_RETURN(auto source, SalesSource::Open(ctx, account));
    sync::SalesSync syncer(&ctx.meta(), &ctx.facts(), source->fetcher(), &ctx.clock());
    Progress progress(out);
    sync::SalesSyncOptions options;
    options.reports = plan;
    options.refetch = !o.backfill;  // a backfill keeps what an earlier one already fetched
    options.max_report_bytes = ctx.config().http.max_report_bytes;
    if (!o.quiet) {
      options.progress = [&](int done, int total, const sync::DayOutcome& d) {
        progress.Update(done, total, d);
      };
    }
    auto summary = syncer.Run(account, options);
    if (summary.has_value() && source->asc_client() != nullptr) {
      // The app catalog: names, bundle ids and platforms from /v1/apps (a few requests).
      auto apps = sync::SyncAppCatalog(*source->asc_client(), ctx.meta(), account, ctx.clock());
      if (apps.has_value()) out << "App catalog: " << *apps << " app(s) from App Store Connect.\n";
      else out << "warning: the app catalog was not read: " << apps.error().message() << "\n";
    }
    if (!summary.has_value()) {
      const Code code = summary.error().code();
      if (code == Code::kUnauthenticated || code == Code::kPermissionDenied) {
        // Flag the account in plain words, tell its managers, re-probe what still works.
        if (auto service = ctx.Accounts(); service.has_value()) {
          (void)(*service)->ReportAppleRefusal(team, account.id, summary.error());
        }
      }
      return summary.error().WithContext("account " + std::to_string(account.id) + " (" +
                                         account.name + ")");
    }
    out << "Account " << account.id << " (" << account.name << "), " << what << ": "
        << summary->loaded << " report(s) loaded (" << summary->rows << " rows), "
        << summary->empty << " without sales, " << summary->pending << " not available yet, "
        << summary->failed << " failed.\n";
    if (summary->pending > 0) {
      out << "Reports not available yet are fetched again later (orchard serve does it on its own).\n";
    }
    if (summary->left > 0) {
      out << summary->left << " report(s) were not tried: Apple failed " << sync::kBreakerFailures
          << " times in a row, so Orchard stopped asking for now. They stay queued.\n";
    }
    if (!summary->unknown_product_types.empty()) {
      out << "warning: product types Orchard does not know were kept under other_units:";
      for (const auto& [pti, rows] : summary->unknown_product_types) {
        out << " " << pti << " (" << rows << " rows)";
      }
      out << "\n";
    }
    for (const auto& d : summary->days) {
      if (d.state == "failed") {
        out << "failed " << d.frequency << " " << d.day.Iso() << ": " << d.message << "\n";
      }
    }
    not_synced += summary->failed + summary->left;
  }
  if (not_synced > 0) {
    return Status(Code::kUnavailable, std::to_string(not_synced) +
                                          " report(s) not synced (see above); stored data for them is "
                                          "unchanged. Run the same sync again to retry");
  }
  return Status::Ok();
}

}  // namespace orchard::cli
