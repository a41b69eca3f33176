#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>

#include "apple/reporter/reporter_client.h"
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
  int failed_days = 0;
  for (const auto& account : accounts) {
    // Sales come from the API (keys) or the Reporter protocol (app-specific passwords); the
    // other methods carry no sales source yet.
    // Skip only what is known not to read sales (accounts linked before capabilities were
    // probed have none recorded, and are tried).
    const auto caps = accounts::Capabilities::FromJson(account.capabilities);
    const auto sales = std::find_if(caps.items.begin(), caps.items.end(),
                                    [](const accounts::Capability& c) { return c.name == "sales"; });
    const bool no_source = account.method == accounts::kAppleId || account.method == accounts::kSearchAds;
    if (!no_source && sales != caps.items.end() && !sales->ok) {
      const std::string why = sales->why.empty() ? "no sales capability" : sales->why;
      if (o.account_id) {
        return Status(Code::kFailedPrecondition, "account " + std::to_string(account.id) + " (" +
                                                     account.name + ") cannot read sales: " + why);
      }
      out << "Skipping account " << account.id << " (" << account.name << "): it cannot read sales (" << why
          << ").\n";
      continue;
    }
    AccountClient client;
    std::unique_ptr<net::HttpClient> reporter_http;
    std::unique_ptr<apple::reporter::ReporterClient> reporter;
    Secret reporter_token;
    sync::ReportFetcher fetch;
    if (account.method == accounts::kAscKey) {
      ORCHARD_ASSIGN_OR_RETURN(client, MakeAccountClient(ctx, account));
      fetch = [&client](const apple::asc::SalesReportQuery& q) { return client.client->GetSalesReport(q); };
    } else if (account.method == accounts::kAppPassword) {
      ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
      ORCHARD_ASSIGN_OR_RETURN(reporter_token, service->ReporterToken(account));
      reporter_http = net::MakeCurlHttpClient();
      reporter = std::make_unique<apple::reporter::ReporterClient>(ctx.config().apple.reporter_url,
                                                                   reporter_http.get());
      fetch = [&](const apple::asc::SalesReportQuery& q) {
        std::string day = q.report_date;  // YYYY-MM-DD → YYYYMMDD, as Reporter takes it
        std::erase(day, '-');
        return reporter->GetSalesReport(account.apple_id, reporter_token, q.vendor_number, "Sales",
                                        "Summary", "Daily", day);
      };
    } else {
      if (o.account_id) {
        return Status(Code::kFailedPrecondition,
                      "account " + std::to_string(account.id) + " (" + account.method +
                          ") has no Sales report source yet: link an API key or an app-specific password");
      }
      continue;
    }
    sync::SalesSync syncer(&ctx.meta(), &ctx.facts(), fetch, &ctx.clock());
    Progress progress(out);
    sync::SalesSyncOptions options{from, to, ctx.config().http.max_report_bytes, {}};
    if (!o.quiet) {
      options.progress = [&](int done, int total, const sync::DayOutcome& d) {
        progress.Update(done, total, d);
      };
    }
    auto summary = syncer.Run(account, options);
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
