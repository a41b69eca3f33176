// What every subcommand's wiring shares (cli.cc and the cmd_*.cc files that register their own
// commands): the global options on a (sub)command, and running a command on the opened app
// context.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "cli/app_context.h"

namespace orchard::cli {

// --data-dir / --config / --team / --verbose on a (sub)command, so they work after it too.
inline void AddGlobals(CLI::App* app, GlobalOptions* g) {
  app->add_option("--data-dir", g->data_dir, "Where Orchard keeps its database")
      ->capture_default_str();
  app->add_option("--config", g->config_file, "TOML configuration file (see README)")
      ->check(CLI::ExistingFile);
  app->add_option("--team", g->team, "The team to act in (optional while only one team exists)");
  app->add_flag("-v,--verbose", g->verbose, "Log what is happening to stderr");
}

// An action that opens the app context from the global options, then runs `command` on it.
template <typename F>
std::function<Status()> WithApp(const GlobalOptions& global, F command) {
  return [&global, command]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(auto ctx, AppContext::Open(global));
    return command(*ctx);
  };
}

}  // namespace orchard::cli
