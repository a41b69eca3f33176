#include "cli/cmd_reviews.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "accounts/review_replies.h"
#include "cli/account_client.h"
#include "cli/cli_common.h"
#include "reports/review_request.h"

namespace orchard::cli {
namespace {

reports::ReportDefaults CliDefaults(AppContext& ctx) {
  reports::ReportDefaults d;
  d.today = reports::ReviewToday(ctx.clock());
  d.format = reports::Format::kTable;
  d.allow_table = true;
  return d;
}

Result<reports::Format> CliFormat(const std::string& text, bool allow_csv) {
  auto f = reports::ParseFormat(text);
  if (!f.has_value() || (!allow_csv && *f == reports::Format::kCsv)) {
    return Error(Code::kInvalidArgument, "--format: unknown format '" + text + "' (use " +
                                             (allow_csv ? "table, json or csv)" : "table or json)"));
  }
  return *f;
}

void AuditCli(AppContext& ctx, int64_t team, std::string action, std::string target,
              std::string detail) {
  store::AuditEvent e;
  e.team_id = team;
  e.actor = CliActor().name;
  e.action = std::move(action);
  e.target = std::move(target);
  e.detail = std::move(detail);
  e.at = ctx.clock().NowSeconds();
  (void)ctx.access().AppendAudit(e);
}

accounts::ReviewReplies Replies(AppContext& ctx) {
  return accounts::ReviewReplies(&ctx.reviews(), &ctx.meta(), &ctx.access(), AscOpenerFor(ctx),
                                 &ctx.clock());
}

}  // namespace

Status ListReviews(AppContext& ctx, const ReviewListOptions& o, std::ostream& out) {
  std::vector<reports::ReportParam> params;
  const auto add = [&](const char* name, const std::string& value, const char* label) {
    if (!value.empty()) params.push_back({name, value, label});
  };
  add("app", o.app, "--app");
  add("country", o.country, "--country");
  add("rating", o.rating, "--rating");
  add("version", o.version, "--version");
  add("from", o.from, "--from");
  add("to", o.to, "--to");
  add("q", o.search, "--search");
  add("source", o.source, "--source");
  add("sort", o.sort, "--sort");
  add("limit", o.limit, "--limit");
  add("offset", o.offset, "--offset");
  add("format", o.format, "--format");
  if (o.unreplied) params.push_back({"unreplied", "true", "--unreplied"});
  if (o.replied) params.push_back({"replied", "true", "--replied"});
  if (o.outdated) params.push_back({"outdated", "true", "--outdated"});
  const auto answer = o.counts ? reports::ReviewAnswer::kCounts : reports::ReviewAnswer::kList;
  ORCHARD_ASSIGN_OR_RETURN(reports::ReviewRequest request,
                           reports::ParseReviewRequest(params, CliDefaults(ctx), answer));
  ORCHARD_ASSIGN_OR_RETURN(request.query.team_id, ctx.TeamId());
  if (o.counts) {
    ORCHARD_ASSIGN_OR_RETURN(auto counts, ctx.reviews().CountReviews(request.query));
    out << reports::RenderReviewCounts(request, counts);
    return Status::Ok();
  }
  ORCHARD_ASSIGN_OR_RETURN(auto page, ctx.reviews().ListReviews(request.query));
  out << reports::RenderReviews(request, page);
  return Status::Ok();
}

Status ShowReview(AppContext& ctx, int64_t id, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, CliFormat(format, false));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto detail, ctx.reviews().GetReview(team, id));
  if (f == reports::Format::kJson) {
    out << reports::ReviewDetailJson(detail).dump(-1, ' ', false,
                                                  nlohmann::json::error_handler_t::replace)
        << "\n";
  } else {
    out << reports::RenderReviewDetailText(detail);
  }
  return Status::Ok();
}

Status ReplyToReview(AppContext& ctx, const ReplyOptions& o, std::istream& in,
                     std::ostream& out) {
  if (o.body.empty() == o.body_file.empty()) {
    return Status(Code::kInvalidArgument,
                  "give the response with --body TEXT or --body-file FILE (--body-file - reads "
                  "standard input), one of the two");
  }
  std::string body = o.body;
  if (!o.body_file.empty()) {
    std::ostringstream text;
    if (o.body_file == "-") {
      text << in.rdbuf();
    } else {
      std::ifstream file(o.body_file, std::ios::binary);
      if (!file) return Status(Code::kInvalidArgument, "cannot read " + o.body_file);
      text << file.rdbuf();
    }
    body = text.str();
    // An editor's final line break is not part of the answer.
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  }
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto detail, Replies(ctx).Reply(team, o.id, body, CliActor()));
  const std::string state = detail.review.response ? detail.review.response->state : "pending";
  out << "Sent the response to review " << o.id << " (" << detail.review.country << ", "
      << detail.review.rating << " stars); it is " << state
      << (state == "pending" ? " until Apple publishes it, which usually takes a few hours"
                             : "")
      << ".\n";
  return Status::Ok();
}

Status UnreplyReview(AppContext& ctx, int64_t id, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto outcome, Replies(ctx).Unreply(team, id, CliActor()));
  out << (outcome.deleted_at_apple
              ? "Deleted the response to review " + std::to_string(id) + " at Apple and in Orchard."
              : "Review " + std::to_string(id) +
                    " has no response at Apple any more; Orchard's copy is cleared.")
      << "\n";
  return Status::Ok();
}

Status ReportRatings(AppContext& ctx, const ReportRatingsOptions& o, std::ostream& out) {
  std::vector<reports::ReportParam> params;
  const auto add = [&](const char* name, const std::string& value, const char* label) {
    if (!value.empty()) params.push_back({name, value, label});
  };
  add("app", o.app, "--app");
  add("country", o.country, "--country");
  add("from", o.from, "--from");
  add("to", o.to, "--to");
  add("format", o.format, "--format");
  ORCHARD_ASSIGN_OR_RETURN(reports::RatingsRequest request,
                           reports::ParseRatingsRequest(params, CliDefaults(ctx)));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto rows, reports::RunRatingsRequest(ctx.reviews(), team, request));
  out << reports::RenderRatings(request, rows);
  return Status::Ok();
}

Status TrackApp(AppContext& ctx, const std::string& app, const std::string& countries,
                std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  const std::string list = countries.empty() ? "all" : countries;
  ORCHARD_ASSIGN_OR_RETURN(auto outcome, reports::TrackAppRequest(ctx.reviews(), ctx.meta(), team,
                                                                  app, list, "--countries"));
  const auto& a = outcome.app;
  std::string where = "every storefront";
  if (!a.countries.empty()) {
    where.clear();
    for (const auto& c : a.countries) where += (where.empty() ? "" : ",") + c;
  }
  AuditCli(ctx, team, "app.track", "app:" + a.app_id,
           a.countries.empty() ? std::string("every storefront")
                               : std::to_string(a.countries.size()) + " storefront(s)");
  out << (outcome.created ? "Tracking app " : "Now tracking app ") << a.app_id << " in " << where
      << (a.account_id != 0 ? " (also synced through account " + std::to_string(a.account_id) + ")"
                            : "")
      << ". Its public reviews and daily ratings are collected by `orchard serve` (or "
         "`orchard reviews sync`).\n";
  return Status::Ok();
}

Status UntrackApp(AppContext& ctx, const std::string& app, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(std::string id, reports::ParseAppRef(app));
  ORCHARD_RETURN_IF_ERROR(ctx.reviews().UntrackApp(team, id));
  AuditCli(ctx, team, "app.untrack", "app:" + id, "");
  out << "Stopped tracking app " << id << "; its stored reviews and ratings stay.\n";
  return Status::Ok();
}

Status ListTrackedApps(AppContext& ctx, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, CliFormat(format, true));
  ORCHARD_ASSIGN_OR_RETURN(int64_t team, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(auto apps, ctx.reviews().ListTrackedApps(team));
  out << reports::RenderTrackedApps(apps, f);
  return Status::Ok();
}

std::unique_ptr<ReviewCommands> AddReviewCommands(CLI::App& app, CLI::App* report,
                                                  GlobalOptions& global,
                                                  std::function<Status()>& action) {
  auto c = std::make_unique<ReviewCommands>();
  ReviewCommands* s = c.get();

  // ---- orchard reviews ----
  s->reviews = app.add_subcommand(
      "reviews", "Customer reviews of your apps and of the apps you track: the inbox, replies");
  s->reviews->require_subcommand(1);
  AddGlobals(s->reviews, &global);

  auto* list = s->reviews->add_subcommand(
      "list",
      "List stored reviews, newest first, with filters. Columns: id, app, country (lower-case "
      "storefront code), rating, title, body, author, version, updated (UTC), reply_state "
      "(none, pending: sent and not yet published by Apple, published, outdated: the review was "
      "edited after the response).");
  list->footer(
      "The options are the grammar of GET /api/v1/reviews (same values, same answers; --format "
      "json prints the same document as the API). Lists are comma-separated and mean \"any "
      "of\"; different options must all hold. Dates are YYYY-MM-DD, today, yesterday or relative "
      "to today (UTC): -7d, -2w, -1m, -1y, on the day the review was last updated; --to is "
      "inclusive. --search matches whole words in the title or body, any case, taken literally.\n"
      "Examples:\n"
      "  orchard reviews list --app 1234567890 --unreplied --rating 1,2 --from -30d\n"
      "  orchard reviews list --country us,gb --search \"crash\" --sort oldest\n"
      "  orchard reviews list --app 1234567890 --format csv > reviews.csv\n"
      "  orchard reviews list --app 1234567890 --counts          # by rating, country, version\n"
      "  orchard reviews list --limit 100 --offset 100           # the second page of 100");
  list->add_option("--app", s->list.app, "Only these apps (App Store ids), e.g. 1234567890");
  list->add_option("--country", s->list.country, "Only these storefronts, e.g. us,gb (any case)");
  list->add_option("--rating", s->list.rating, "Only these star ratings, e.g. 1,2");
  list->add_option("--version", s->list.version, "Only reviews of these app versions, e.g. 2.1");
  list->add_option("--from", s->list.from, "Updated on or after this day: YYYY-MM-DD, -7d, …");
  list->add_option("--to", s->list.to, "Updated on or before this day (inclusive)");
  list->add_flag("--unreplied", s->list.unreplied, "Only reviews without a response");
  list->add_flag("--replied", s->list.replied, "Only reviews with a response (pending or published)");
  list->add_flag("--outdated", s->list.outdated, "Only reviews edited after their response");
  list->add_option("--search", s->list.search, "Words that must all occur in the title or body");
  list->add_option("--source", s->list.source, "asc (App Store Connect) or rss (public feed)");
  list->add_option("--sort", s->list.sort, "newest (default), oldest, rating (lowest first), -rating");
  list->add_option("--limit", s->list.limit, "Reviews per page, 1-1000 (default 50)");
  list->add_option("--offset", s->list.offset, "Reviews to skip (the next page: offset + limit)");
  list->add_flag("--counts", s->list.counts,
                 "Print counts by rating, storefront and version instead of reviews");
  list->add_option("--format", s->list.format, "table, json or csv")->capture_default_str();
  AddGlobals(list, &global);
  list->callback([&global, &action, s] {
    action = WithApp(global, [s](AppContext& ctx) { return ListReviews(ctx, s->list, std::cout); });
  });

  auto* show = s->reviews->add_subcommand(
      "show", "One review: its text, the developer response and the earlier versions of an "
              "edited review.");
  show->footer("Examples:\n  orchard reviews show 42\n  orchard reviews show 42 --format json");
  show->add_option("ID", s->show_id, "The review's id (the id column of `orchard reviews list`)")
      ->required();
  show->add_option("--format", s->show_format, "table or json")->capture_default_str();
  AddGlobals(show, &global);
  show->callback([&global, &action, s] {
    action = WithApp(global, [s](AppContext& ctx) {
      return ShowReview(ctx, s->show_id, s->show_format, std::cout);
    });
  });

  auto* reply = s->reviews->add_subcommand(
      "reply",
      "Write the developer response to a review (or replace the one it has). It goes to App "
      "Store Connect with the key of the account the app is linked through, which needs the "
      "Admin, App Manager or Customer Support role; it shows as pending until Apple publishes "
      "it. Only reviews synced from App Store Connect can be answered.");
  reply->footer(
      "Examples:\n"
      "  orchard reviews reply 42 --body \"Thanks! Version 2.1 fixes the crash.\"\n"
      "  orchard reviews reply 42 --body-file answer.txt\n"
      "  echo \"Thanks for the feedback!\" | orchard reviews reply 42 --body-file -");
  reply->add_option("ID", s->reply.id, "The review's id")->required();
  reply->add_option("--body", s->reply.body, "The response text");
  reply->add_option("--body-file", s->reply.body_file,
                    "Read the response from this file (- = standard input)");
  AddGlobals(reply, &global);
  reply->callback([&global, &action, s] {
    action = WithApp(global, [s](AppContext& ctx) {
      return ReplyToReview(ctx, s->reply, std::cin, std::cout);
    });
  });

  auto* unreply = s->reviews->add_subcommand(
      "unreply", "Delete the developer response of a review, at Apple and in Orchard.");
  unreply->footer("Example:\n  orchard reviews unreply 42");
  unreply->add_option("ID", s->unreply_id, "The review's id")->required();
  AddGlobals(unreply, &global);
  unreply->callback([&global, &action, s] {
    action = WithApp(global,
                     [s](AppContext& ctx) { return UnreplyReview(ctx, s->unreply_id, std::cout); });
  });

  // ---- orchard apps ----
  s->apps = app.add_subcommand("apps", "Apps whose public reviews and ratings you collect");
  s->apps->require_subcommand(1);
  AddGlobals(s->apps, &global);

  auto* track = s->apps->add_subcommand(
      "track",
      "Collect an app's public reviews (the App Store's RSS feed) and its daily ratings per "
      "storefront — any app, yours or a competitor's, no account needed. Tracking an app that is "
      "already tracked changes its storefronts.");
  track->footer(
      "Examples:\n"
      "  orchard apps track 1234567890\n"
      "  orchard apps track https://apps.apple.com/us/app/some-app/id1234567890 --countries us,gb,de\n"
      "  orchard apps track id1234567890 --countries all");
  track->add_option("APP", s->track_app, "The App Store id, or the app's App Store URL")
      ->required();
  track->add_option("--countries", s->track_countries,
                    "all, or storefronts as two-letter codes: us,gb,…")
      ->capture_default_str();
  AddGlobals(track, &global);
  track->callback([&global, &action, s] {
    action = WithApp(global, [s](AppContext& ctx) {
      return TrackApp(ctx, s->track_app, s->track_countries, std::cout);
    });
  });

  auto* untrack = s->apps->add_subcommand(
      "untrack", "Stop collecting an app's public reviews and ratings (what is stored stays).");
  untrack->footer("Example:\n  orchard apps untrack 1234567890");
  untrack->add_option("APP", s->untrack_app, "The App Store id (or URL)")->required();
  AddGlobals(untrack, &global);
  untrack->callback([&global, &action, s] {
    action = WithApp(global,
                     [s](AppContext& ctx) { return UntrackApp(ctx, s->untrack_app, std::cout); });
  });

  auto* tracked = s->apps->add_subcommand("tracked", "The apps you track, with their storefronts.");
  tracked->add_option("--format", s->tracked_format, "table, json or csv")->capture_default_str();
  AddGlobals(tracked, &global);
  tracked->callback([&global, &action, s] {
    action = WithApp(global, [s](AppContext& ctx) {
      return ListTrackedApps(ctx, s->tracked_format, std::cout);
    });
  });

  // ---- orchard report ratings ----
  auto* ratings = report->add_subcommand(
      "ratings",
      "An app's ratings over time: one row per storefront and day with the average (two "
      "decimals), the number of ratings and the count of each star. Country ww is the "
      "worldwide figure.");
  ratings->footer(
      "The options are the grammar of GET /api/v1/ratings (--format json prints the same "
      "document). Dates: YYYY-MM-DD, today, yesterday, -7d, -2w, -1m, -1y (UTC).\n"
      "Examples:\n"
      "  orchard report ratings --app 1234567890\n"
      "  orchard report ratings --app 1234567890 --country us,ww --from -90d\n"
      "  orchard report ratings --app 1234567890 --format csv > ratings.csv");
  ratings->add_option("--app", s->ratings.app, "The app (App Store id)")->required();
  ratings->add_option("--country", s->ratings.country,
                      "Only these storefronts, e.g. us,gb,ww (default: all and worldwide)");
  ratings->add_option("--from", s->ratings.from, "First day, inclusive");
  ratings->add_option("--to", s->ratings.to, "Last day, inclusive");
  ratings->add_option("--format", s->ratings.format, "table, json or csv")->capture_default_str();
  AddGlobals(ratings, &global);
  ratings->callback([&global, &action, s] {
    action = WithApp(global,
                     [s](AppContext& ctx) { return ReportRatings(ctx, s->ratings, std::cout); });
  });
  return c;
}

}  // namespace orchard::cli
