// orchard reviews list|show|reply|unreply, orchard apps track|untrack|tracked, orchard report
// ratings: thin over reports/review_request.h (the grammar GET /api/v1/reviews and
// /api/v1/ratings use, so --format json prints the API's document) and
// accounts/review_replies.h (the reply rules every interface shares).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "cli/app_context.h"
#include "core/status.h"

namespace orchard::cli {

// Each option is one parameter of the inbox grammar; empty = not given.
struct ReviewListOptions {
  std::string app, country, rating, version, from, to, search, source, sort, limit, offset;
  bool unreplied = false, replied = false, outdated = false;
  bool counts = false;
  std::string format = "table";
};
Status ListReviews(AppContext& ctx, const ReviewListOptions& options, std::ostream& out);
Status ShowReview(AppContext& ctx, int64_t id, const std::string& format, std::ostream& out);

struct ReplyOptions {
  int64_t id = 0;
  std::string body;       // --body TEXT
  std::string body_file;  // --body-file FILE, or "-" for stdin
};
Status ReplyToReview(AppContext& ctx, const ReplyOptions& options, std::istream& in,
                     std::ostream& out);
Status UnreplyReview(AppContext& ctx, int64_t id, std::ostream& out);

struct ReportRatingsOptions {
  std::string app, country, from, to;
  std::string format = "table";
};
Status ReportRatings(AppContext& ctx, const ReportRatingsOptions& options, std::ostream& out);

Status TrackApp(AppContext& ctx, const std::string& app, const std::string& countries,
                std::ostream& out);
Status UntrackApp(AppContext& ctx, const std::string& app, std::ostream& out);
Status ListTrackedApps(AppContext& ctx, const std::string& format, std::ostream& out);

// The review commands' CLI11 wiring, owning their option values (hence not movable: CLI11
// holds pointers into it). `reviews` and `apps` are the groups, for commands added later
// (`reviews sync`).
struct ReviewCommands {
  ReviewCommands() = default;
  ReviewCommands(const ReviewCommands&) = delete;
  ReviewCommands& operator=(const ReviewCommands&) = delete;

  CLI::App* reviews = nullptr;
  CLI::App* apps = nullptr;

  ReviewListOptions list;
  int64_t show_id = 0;
  std::string show_format = "table";
  ReplyOptions reply;
  int64_t unreply_id = 0;
  ReportRatingsOptions ratings;
  std::string track_app, track_countries = "all", untrack_app;
  std::string tracked_format = "table";
};

// Adds `reviews`, `apps` and `report ratings` (under `report`) to the CLI; a chosen command sets
// `action`. `global` and `action` must outlive the parse and the action.
std::unique_ptr<ReviewCommands> AddReviewCommands(CLI::App& app, CLI::App* report,
                                                  GlobalOptions& global,
                                                  std::function<Status()>& action);

}  // namespace orchard::cli
