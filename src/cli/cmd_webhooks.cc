// orchard webhooks: set, show, remove and test the team's new-review webhook. Acts on the data
// dir directly (like `orchard token create`); `orchard serve` delivers the notifications. The
// signing secret is printed once, when the webhook is created or the secret rotated.
#include "cli/cmd_webhooks.h"

#include <iostream>

#include "cli/commands.h"
#include "notify/review_webhooks.h"

namespace orchard::cli {
namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string Joined(const std::vector<std::string>& items, std::string_view all) {
  if (items.empty()) return std::string(all);
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

void Audit(AppContext& ctx, int64_t team, std::string action, std::string detail) {
  store::AuditEvent e;
  e.team_id = team;
  e.actor = "cli";
  e.action = std::move(action);
  e.target = "webhook:reviews";
  e.detail = std::move(detail);
  e.at = ctx.clock().NowSeconds();
  (void)ctx.access().AppendAudit(e);
}

// The service over the context's stores; `need_key`: load the master key (else sealed).
Result<std::unique_ptr<notify::ReviewWebhooks>> Service(AppContext& ctx, bool need_key) {
  const crypto::Sealer* sealer = nullptr;
  if (need_key) {
    ORCHARD_ASSIGN_OR_RETURN(sealer, ctx.Sealer());
  }
  return std::make_unique<notify::ReviewWebhooks>(
      &ctx.reviews(), &ctx.meta(), sealer, [] { return net::MakeCurlHttpClient(); }, &ctx.clock());
}

void Describe(const store::ReviewWebhook& h, std::ostream& out) {
  out << "url:         " << h.url << "\n"
      << "format:      " << h.format << "\n"
      << "max rating:  " << h.max_rating << (h.max_rating == 5 ? " (every review)" : "") << "\n"
      << "countries:   " << Joined(h.countries, "all") << "\n"
      << "apps:        " << Joined(h.app_ids, "all") << "\n"
      << "enabled:     " << (h.enabled ? "yes" : "no") << "\n"
      << "created:     " << UtcTimeText(h.created_at, "") << "\n"
      << "updated:     " << UtcTimeText(h.updated_at, "") << "\n";
}

Status SetWebhook(AppContext& ctx, const WebhookCliOptions& o, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto service, Service(ctx, /*need_key=*/true));
  notify::WebhookChange change;
  change.url = o.url;
  change.format = o.format;
  change.max_rating = o.max_rating;
  change.countries = SplitList(o.countries);
  change.app_ids = SplitList(o.apps);
  change.rotate_secret = o.rotate_secret;
  ORCHARD_ASSIGN_OR_RETURN(notify::WebhookSaved saved, service->Put(team, change));
  Audit(ctx, team, saved.created ? "webhook.create" : "webhook.update",
        saved.hook.format + " webhook, at most " + std::to_string(saved.hook.max_rating) +
            " stars" + (o.rotate_secret && !saved.created ? "; secret rotated" : ""));
  out << (saved.created ? "Created" : "Updated") << " the review webhook.\n";
  Describe(saved.hook, out);
  if (saved.secret) {
    out << "Signing secret (shown only now; keep it where the receiver can read it):\n"
        << saved.secret->view() << "\n";
  }
  return Status::Ok();
}

Status ShowWebhook(AppContext& ctx, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto service, Service(ctx, /*need_key=*/false));
  auto hook = service->Get(team);
  if (!hook.has_value() && hook.error().code() == Code::kNotFound) {
    out << "No review webhook is set up (orchard webhooks set --url URL).\n";
    return Status::Ok();
  }
  if (!hook.has_value()) return hook.error();
  Describe(*hook, out);
  ORCHARD_ASSIGN_OR_RETURN(auto counts, ctx.reviews().CountReviewNotifications(team));
  out << "notifications:";
  if (counts.empty()) out << " none yet";
  for (const auto& [state, n] : counts) out << " " << state << " " << n << ";";
  out << "\n";
  return Status::Ok();
}

Status RemoveWebhook(AppContext& ctx, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto service, Service(ctx, /*need_key=*/false));
  ORCHARD_ASSIGN_OR_RETURN(bool removed, service->Remove(team));
  if (removed) Audit(ctx, team, "webhook.remove", "removed");
  out << (removed ? "Removed the review webhook.\n" : "There was no review webhook.\n");
  return Status::Ok();
}

Status TestWebhook(AppContext& ctx, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto service, Service(ctx, /*need_key=*/true));
  ORCHARD_ASSIGN_OR_RETURN(notify::DeliveryResult result, service->SendTest(team));
  if (!result.delivered) {
    return Status(Code::kUnavailable, "the test delivery was not accepted: " + result.error);
  }
  out << "Delivered a signed test event (HTTP " << result.status << ").\n";
  return Status::Ok();
}

}  // namespace

std::unique_ptr<WebhookCliOptions> AddWebhookCommands(
    CLI::App* app, GlobalOptions* global, std::function<Status()>* action,
    void (*add_globals)(CLI::App*, GlobalOptions*)) {
  auto options = std::make_unique<WebhookCliOptions>();
  WebhookCliOptions* o = options.get();
  // Opens the context from the global options when the action runs.
  auto with_app = [global](auto command) {
    return [global, command]() -> Status {
      ORCHARD_ASSIGN_OR_RETURN(auto ctx, AppContext::Open(*global));
      return command(*ctx);
    };
  };

  auto* webhooks = app->add_subcommand(
      "webhooks",
      "The team's new-review webhook: a signed JSON POST (or a Slack message) for each new "
      "review that matches a filter, delivered by `orchard serve`");
  webhooks->require_subcommand(1);
  add_globals(webhooks, global);

  auto* set = webhooks->add_subcommand(
      "set",
      "Create or replace the webhook. Every delivery carries X-Orchard-Delivery (the same on a "
      "retry: drop repeats) and X-Orchard-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "
      "\"<t>.\" + body, keyed with the secret>. A new webhook (or --rotate-secret) prints its "
      "signing secret once.");
  set->add_option("--url", o->url, "https:// URL (http:// only to loopback)")->required();
  set->add_option("--format", o->format, "json (Orchard's document) or slack (incoming webhook)")
      ->capture_default_str()
      ->check(CLI::IsMember({"json", "slack"}));
  set->add_option("--max-rating", o->max_rating, "Only reviews rated at most this (5 = all)")
      ->capture_default_str()
      ->check(CLI::Range(1, 5));
  set->add_option("--countries", o->countries, "Only these storefronts, e.g. us,gb (default: all)");
  set->add_option("--apps", o->apps, "Only these App Store ids, e.g. 284882215 (default: all)");
  set->add_flag("--rotate-secret", o->rotate_secret, "Make a new signing secret (printed once)");
  add_globals(set, global);
  set->callback([=] {
    *action = with_app([o](AppContext& ctx) { return SetWebhook(ctx, *o, std::cout); });
  });

  auto* show = webhooks->add_subcommand("show", "The webhook (never its secret) and delivery counts");
  add_globals(show, global);
  show->callback([=] { *action = with_app([](AppContext& ctx) { return ShowWebhook(ctx, std::cout); }); });

  auto* remove = webhooks->add_subcommand(
      "remove", "Remove the webhook; queued notifications are then skipped");
  add_globals(remove, global);
  remove->callback(
      [=] { *action = with_app([](AppContext& ctx) { return RemoveWebhook(ctx, std::cout); }); });

  auto* test = webhooks->add_subcommand("test", "Send a signed test event now and report the answer");
  add_globals(test, global);
  test->callback([=] { *action = with_app([](AppContext& ctx) { return TestWebhook(ctx, std::cout); }); });
  return options;
}

}  // namespace orchard::cli
