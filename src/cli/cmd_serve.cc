// orchard serve: the REST API on HOST:PORT until SIGINT/SIGTERM, plus the accounts' daily care
// (Reporter token renewal, two-factor trust states) on a timer, and the scheduler: every
// account's Sales reports as persisted jobs, and the reference rates once a day.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/account_client.h"
#include "cli/commands.h"
#include "cli/review_sources.h"
#include "cli/sales_source.h"
#include "core/log.h"
#include "notify/review_webhooks.h"
#include "server/api_server.h"
#include "sync/fx_sync.h"
#include "sync/review_scheduler.h"
#include "sync/scheduler.h"

namespace orchard::cli {
namespace {

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error(Code::kInvalidArgument, "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) return Error(Code::kInvalidArgument, "--listen port must be 0–65535");
  return std::make_pair(host, port);
}

// The dashboard's files: [server] web_root, else the `dashboard` folder beside this binary (where
// the build puts it: build/<preset>/dashboard). "" when neither has one.
Result<std::string> WebRoot(const Config& config) {
  if (!config.server.web_root.empty()) return config.server.web_root;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::string();
  const auto beside = exe.parent_path() / "dashboard";
  return std::filesystem::is_regular_file(beside / "index.html", ec) ? beside.string() : std::string();
}

}  // namespace

Status Serve(AppContext& ctx, const ServeOptions& o, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(auto listen, ParseListen(o.listen));
  // Without the master key the server starts sealed (SEC-3): data is served, credentials are
  // neither used nor stored.
  auto sealer = ctx.Sealer();
  const bool sealed = !sealer.has_value();
  if (sealed && sealer.error().code() != Code::kFailedPrecondition) return sealer.error();
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts(/*sealed_ok=*/true));

  // New-review webhooks (the API's routes and the delivery thread below); sealed, nothing signs.
  notify::ReviewWebhooks webhooks(&ctx.reviews(), &ctx.meta(), sealed ? nullptr : *sealer,
                                  [] { return net::MakeCurlHttpClient(); }, &ctx.clock());
  server::ServerOptions options;
  options.host = listen.first;
  options.port = listen.second;
  options.secure_cookies = o.secure_cookies;
  ORCHARD_ASSIGN_OR_RETURN(options.web_root, WebRoot(ctx.config()));
  if (!sealed && o.sync) {
    options.sync_time_zone = ctx.config().sync.time_zone;
    options.sync_daily_minute = ctx.config().sync.daily_hour * 60;
    options.sync_backfill_new_accounts = ctx.config().sync.backfill_new_accounts;
  }
  server::ServerDeps deps{&ctx.meta(), &ctx.access(), service, &ctx.clock(), sealed,
                          &ctx.facts(), ctx.config().report.default_currency, &ctx.reviews()};
  if (!sealed) deps.open_asc = AscOpenerFor(ctx);  // review responses use the account's key
  deps.webhooks = &webhooks;
  server::ApiServer api(deps, options);
  // Block the stop signals in every thread; this one waits for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  ORCHARD_RETURN_IF_ERROR(api.Start());
  out << "Orchard is serving on " << api.base_url() << (sealed ? " — SEALED: " + sealer.error().message() : "")
      << "\n"
      << (options.web_root.empty() ? "No dashboard was built beside this binary (API only); set [server] web_root "
                                     "to a built dashboard folder\n"
                                   : "Dashboard: " + api.base_url() + "/\n")
      << std::flush;

  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  std::thread maintainer([&] {
    std::unique_lock lock(mu);
    while (!stopping) {
      lock.unlock();
      if (!sealed) {
        auto teams = ctx.access().ListTeams();
        for (const auto& team : teams.value_or(std::vector<store::Team>{})) {
          auto list = ctx.meta().ListAccounts(team.id);
          for (const auto& a : list.value_or(std::vector<store::LinkedAccount>{})) {
            {
              std::lock_guard check(mu);
              if (stopping) break;  // a stop does not wait for the rest of the sweep
            }
            try {
              auto words = service->Maintain(team.id, a.id);
              if (words.has_value() && !words->empty()) ORCHARD_LOG_INFO("{}", *words);
              if (!words.has_value()) ORCHARD_LOG_WARN("account {}: {}", a.id, words.error().message());
            } catch (const std::exception& e) {
              ORCHARD_LOG_ERROR("account {}: maintenance failed: {}", a.id, e.what());
            }
          }
        }
      }
      lock.lock();
      wake.wait_for(lock, std::chrono::minutes(std::max(1, o.maintain_minutes)), [&] { return stopping; });
    }
  });
  // The scheduler: Sales jobs of every team's accounts (issue 5), and the daily reference rates.
  std::thread syncer([&] {
    if (sealed || !o.sync) return;
    const Config& config = ctx.config();
    sync::SchedulerOptions so;
    so.time_zone = config.sync.time_zone;
    so.daily_minute = config.sync.daily_hour * 60;
    so.backfill_new_accounts = config.sync.backfill_new_accounts;
    so.max_report_bytes = config.http.max_report_bytes;
    so.open_source = [&](const store::LinkedAccount& a) -> Result<std::unique_ptr<sync::SalesFetchSource>> {
      ORCHARD_ASSIGN_OR_RETURN(auto source, SalesSource::Open(ctx, a));
      return std::unique_ptr<sync::SalesFetchSource>(std::move(source));
    };
    so.on_refusal = [&](const store::LinkedAccount& a, const Status& why) {
      (void)service->ReportAppleRefusal(a.team_id, a.id, why);
    };
    sync::SalesScheduler scheduler(&ctx.meta(), &ctx.facts(), &ctx.clock(), so);
    auto stop_asked = [&] {
      std::lock_guard check(mu);
      return stopping;
    };
    bool recovered = false;
    int32_t fx_fetched_day = INT32_MIN;
    auto fx_http = net::MakeCurlHttpClient();
    while (!stop_asked()) {
      try {
        auto lock = ctx.LockSync(/*wait=*/false);
        if (lock.has_value()) {
          if (!recovered) recovered = scheduler.Recover().ok();
          std::vector<store::LinkedAccount> accounts;
          for (const auto& team : ctx.access().ListTeams().value_or(std::vector<store::Team>{})) {
            auto list = ctx.meta().ListAccounts(team.id);
            if (list.has_value()) accounts.insert(accounts.end(), list->begin(), list->end());
          }
          auto ticked = scheduler.Tick(accounts, stop_asked);
          if (!ticked.has_value()) ORCHARD_LOG_ERROR("sync pass stopped: {}", ticked.error().message());
          else if (ticked->run > 0) {
            ORCHARD_LOG_INFO("sync pass: {} report(s) fetched, {} failed (they are tried again)",
                             ticked->run, ticked->failed);
          }
        }
        // Reference rates: once at start, then daily after the configured UTC hour.
        int minute = 0;
        const Date utc_today = Date::At(ctx.clock().Now(), "UTC", &minute);
        const bool due = fx_fetched_day == INT32_MIN ||
                         (utc_today.days() > fx_fetched_day && minute >= config.fx.fetch_hour * 60);
        if (!config.fx.url.empty() && due) {
          auto fx = sync::FetchEcbRates(*fx_http, config.fx.url, ctx.meta());
          if (fx.has_value()) ORCHARD_LOG_INFO("{}", fx->Describe());
          else ORCHARD_LOG_WARN("{} (reports keep using the rates already stored)", fx.error().message());
          fx_fetched_day = utc_today.days();  // failed or not: try again tomorrow, not in a loop
        }
      } catch (const std::exception& e) {
        ORCHARD_LOG_ERROR("sync pass failed: {}", e.what());
      }
      std::unique_lock lock(mu);
      wake.wait_for(lock, std::chrono::seconds(std::max(1, o.sync_interval_seconds > 0
                                                               ? o.sync_interval_seconds
                                                               : config.sync.interval_seconds)),
                    [&] { return stopping; });
    }
  });
  // Reviews and ratings (issue 6) on their own thread, so a long Sales backfill does not hold up
  // the reviews inbox: linked apps hourly, tracked apps' public feeds spread over their interval.
  std::thread review_syncer([&] {
    if (sealed || !o.sync) return;
    ReviewSources sources(ctx);
    sync::ReviewScheduler scheduler(&ctx.meta(), &ctx.reviews(), sources.public_client(), &ctx.clock(),
                                    sources.SchedulerOptions());
    auto stop_asked = [&] {
      std::lock_guard check(mu);
      return stopping;
    };
    while (!stop_asked()) {
      try {
        std::vector<int64_t> teams;
        for (const auto& team : ctx.access().ListTeams().value_or(std::vector<store::Team>{})) {
          teams.push_back(team.id);
        }
        auto pass = scheduler.Tick(teams, {}, stop_asked);
        if (!pass.has_value()) {
          ORCHARD_LOG_ERROR("review sync pass stopped: {}", pass.error().message());
        } else if (pass->linked.added + pass->public_feed.added + pass->ratings_apps > 0) {
          ORCHARD_LOG_INFO("review sync pass: {} new review(s), {} ratings snapshot(s), {} failed",
                           pass->linked.added + pass->public_feed.added, pass->ratings_apps, pass->failed);
        }
      } catch (const std::exception& e) {
        ORCHARD_LOG_ERROR("review sync pass failed: {}", e.what());
      }
      std::unique_lock lock(mu);
      wake.wait_for(lock, std::chrono::seconds(std::max(1, o.sync_interval_seconds > 0
                                                               ? o.sync_interval_seconds
                                                               : ctx.config().sync.interval_seconds)),
                    [&] { return stopping; });
    }
  });
  // Delivers queued new-review notifications every 10 s (notify/review_webhooks.h). Without the
  // master key it cannot sign: it says so once and sends nothing.
  std::thread notifier([&] {
    if (sealed) {
      ORCHARD_LOG_WARN("review webhooks are not delivered while Orchard is sealed (no master key)");
      return;
    }
    std::unique_lock lock(mu);
    while (!stopping) {
      lock.unlock();
      try {
        auto ran = webhooks.RunOnce(ctx.clock().NowSeconds());
        if (!ran.has_value()) ORCHARD_LOG_WARN("review webhooks: {}", ran.error().message());
      } catch (const std::exception& e) {
        ORCHARD_LOG_ERROR("review webhooks pass failed: {}", e.what());
      }
      lock.lock();
      wake.wait_for(lock, std::chrono::seconds(10), [&] { return stopping; });
    }
  });
  int signal = 0;
  sigwait(&stop, &signal);
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  wake.notify_all();
  maintainer.join();
  syncer.join();
  review_syncer.join();
  notifier.join();
  api.Stop();
  out << "Stopped.\n";
  return Status::Ok();
}

}  // namespace orchard::cli
