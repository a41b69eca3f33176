// orchard webhooks set | show | remove | test: the team's new-review webhook
// (notify/review_webhooks.h), registered by cli.cc's Main with one call.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "cli/app_context.h"
#include "core/status.h"

namespace orchard::cli {

// What the parser writes into; owned by Main for as long as parsing and the action run.
struct WebhookCliOptions {
  std::string url;
  std::string format = "json";
  int max_rating = 5;
  std::string countries;  // "us,gb"
  std::string apps;       // "123,456"
  bool rotate_secret = false;
};

// Adds `webhooks` and its subcommands to `app`; a chosen one sets `*action`. `add_globals` is
// Main's helper that lets --data-dir/--config/--team/--verbose follow a subcommand.
std::unique_ptr<WebhookCliOptions> AddWebhookCommands(
    CLI::App* app, GlobalOptions* global, std::function<Status()>* action,
    void (*add_globals)(CLI::App*, GlobalOptions*));

}  // namespace orchard::cli
