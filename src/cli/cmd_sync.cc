#include <unistd.h>

#include <cstdio>
#include <iomanip>

#include "cli/account_client.h"
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
      out_ << day.day.Iso() << " " << day.state;
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
  const Date today = Date::Today("America/Los_Angeles");
  ORCHARD_ASSIGN_OR_RETURN(Date to, o.to.empty() ? Result<Date>(today.AddDays(-1))
                                                 : ParseDateArg(o.to, today, "--to"));
  ORCHARD_ASSIGN_OR_RETURN(Date from, o.from.empty() ? Result<Date>(to.AddDays(-6))
                                                     : ParseDateArg(o.from, today, "--from"));
  if (to < from) {
    return Status(Code::kInvalidArgument, "--to " + to.Iso() + " is before --from " + from.Iso());
  }
  std::vector<store::LinkedAccount> accounts;
  if (o.account_id) {
    ORCHARD_ASSIGN_OR_RETURN(auto a, ctx.meta().GetAccount(ctx.team_id(), *o.account_id));
    accounts.push_back(a);
  } else {
    ORCHARD_ASSIGN_OR_RETURN(accounts, ctx.meta().ListAccounts(ctx.team_id()));
    if (accounts.empty()) {
      return Status(Code::kFailedPrecondition,
                    "no linked accounts; link one first: orchard link asc-key --help");
    }
  }
  int failed_days = 0;
  for (const auto& account : accounts) {
    ORCHARD_ASSIGN_OR_RETURN(AccountClient client, MakeAccountClient(ctx, account));
    sync::SalesSync syncer(&ctx.meta(), &ctx.facts(), client.client.get(), &ctx.clock());
    Progress progress(out);
    sync::SalesSyncOptions options{from, to, ctx.config().http.max_report_bytes, {}};
    if (!o.quiet) {
      options.progress = [&](int done, int total, const sync::DayOutcome& d) {
        progress.Update(done, total, d);
      };
    }
    auto summary = syncer.Run(account, options);
    if (!summary.has_value()) {
      return summary.error().WithContext("account " + std::to_string(account.id) + " (" +
                                         account.name + ")");
    }
    out << "Account " << account.id << " (" << account.name << "), " << from.Iso() << " to "
        << to.Iso() << ": " << summary->loaded << " day(s) loaded (" << summary->rows
        << " rows), " << summary->empty << " without sales, " << summary->pending
        << " not available yet, " << summary->failed << " failed.\n";
    if (summary->pending > 0) {
      out << "Days not available yet are fetched again by the next sync.\n";
    }
    if (!summary->unknown_product_types.empty()) {
      out << "warning: product types Orchard does not know were kept under other_units:";
      for (const auto& [pti, rows] : summary->unknown_product_types) {
        out << " " << pti << " (" << rows << " rows)";
      }
      out << "\n";
    }
    for (const auto& d : summary->days) {
      if (d.state == "failed") out << "failed " << d.day.Iso() << ": " << d.message << "\n";
    }
    failed_days += summary->failed;
  }
  if (failed_days > 0) {
    return Status(Code::kUnavailable, std::to_string(failed_days) +
                                          " day(s) failed (see above); stored data for them is "
                                          "unchanged. Run the same sync again to retry");
  }
  return Status::Ok();
}

}  // namespace orchard::cli
