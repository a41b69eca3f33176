#include "reports/review_request.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <set>

#include "core/territory.h"

namespace orchard::reports {
namespace {

using OJson = nlohmann::ordered_json;

constexpr int kMaxLimit = 1000;
constexpr int kDefaultLimit = 50;
constexpr const char* kDatePattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|today|yesterday|-[0-9]+[dwmy])$";


std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool AllAlpha(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}


template <typename T>
void SortUnique(std::vector<T>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

std::string Joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

Result<std::vector<std::string>> AppIds(std::string_view value, const std::string& label) {
  ORCHARD_ASSIGN_OR_RETURN(auto ids, SplitParamList(value, label));
  for (const std::string& id : ids) {
    if (id.size() > 20 || !AllDigits(id)) {
      return Error(Code::kInvalidArgument,
                   label + ": '" + id + "' is not an App Store id (digits only, e.g. 1234567890)");
    }
  }
  SortUnique(&ids);
  return ids;
}

// Two-letter codes, any case → lower-case, sorted. `worldwide`: "ww" is accepted too.
Result<std::vector<std::string>> Countries(std::string_view value, const std::string& label,
                                           bool worldwide) {
  ORCHARD_ASSIGN_OR_RETURN(auto codes, SplitParamList(value, label));
  for (std::string& code : codes) {
    if (code.size() != 2 || !AllAlpha(code)) {
      return Error(Code::kInvalidArgument, label + ": '" + code +
                                               "' is not a two-letter storefront code such as "
                                               "us or gb");
    }
    code = Lower(code);
    if (worldwide && code == store::kWorldwide) continue;
    if (!TerritoryAlpha3(code).has_value()) {
      return Error(Code::kInvalidArgument,
                   label + ": '" + code + "' is not an App Store storefront");
    }
  }
  SortUnique(&codes);
  return codes;
}

Result<int64_t> NonNegative(std::string_view value, const std::string& label, int64_t max) {
  int64_t n = -1;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size() || n < 0 || n > max) {
    return Error(Code::kInvalidArgument, label + ": expected a whole number 0–" +
                                             std::to_string(max) + ", got '" + std::string(value) +
                                             "'");
  }
  return n;
}

// A flag given as a parameter: "", true, 1 → set; false, 0 → not set.
Result<bool> Flag(std::string_view value, const std::string& label) {
  const std::string v = Lower(value);
  if (v.empty() || v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return Error(Code::kInvalidArgument,
               label + " is a flag: give it without a value, or true/false; got '" +
                   std::string(value) + "'");
}

Result<Format> ParseFormatParam(std::string_view value, const std::string& label,
                                const ReportDefaults& defaults) {
  auto format = ParseFormat(Lower(value));
  if (!format.has_value() || (*format == Format::kTable && !defaults.allow_table)) {
    return Error(Code::kInvalidArgument,
                 label + ": unknown format '" + std::string(value) +
                     (defaults.allow_table ? "' (use table, json or csv)" : "' (use json or csv)"));
  }
  return *format;
}

const ParamSpec* FindSpec(const std::vector<ParamSpec>& specs, std::string_view name) {
  for (const auto& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Status UnknownParam(const std::vector<ParamSpec>& specs, const std::string& label,
                    std::string_view what) {
  std::vector<std::string_view> known;
  for (const auto& s : specs) known.push_back(s.name);
  return Status(Code::kInvalidArgument, "unknown parameter '" + label + "' (" + std::string(what) +
                                            " takes " + Joined(known) + ")");
}

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kCsv: return "csv";
    case Format::kTable: return "table";
    case Format::kJson: break;
  }
  return "json";
}

std::string_view SortName(store::ReviewSort s) {
  switch (s) {
    case store::ReviewSort::kOldest: return "oldest";
    case store::ReviewSort::kRatingAsc: return "rating";
    case store::ReviewSort::kRatingDesc: return "-rating";
    case store::ReviewSort::kNewest: break;
  }
  return "newest";
}

int64_t DayStart(Date day) { return static_cast<int64_t>(day.days()) * 86400; }

OJson Day(const std::optional<Date>& d) { return d ? OJson(d->Iso()) : OJson(nullptr); }

// Text that came from outside (reviews are anyone's words): bytes that are not UTF-8 are
// replaced, never thrown on.
std::string Dump(const OJson& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// For the terminal: line breaks and tabs as spaces, at most `max` characters (code points).
std::string ForTerminal(const std::string& s, size_t max) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + len > s.size()) len = 1;
    if (chars == max) {
      // Back off one character for the ellipsis.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty()) out.pop_back();
      out += "…";
      return out;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      if (out.empty() || out.back() != ' ') out += ' ';
    } else {
      out.append(s, i, len);
    }
    ++chars;
    i += len;
  }
  return out;
}

Cell Int(int64_t n) { return Number{n, 0, 0}; }

}  // namespace

Date ReviewToday(const Clock& clock) { return Date::At(clock.Now(), "UTC"); }

std::string IsoUtc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const std::vector<ParamSpec>& ReviewParams() {
  static const std::vector<ParamSpec> kParams = {
      {"app", "Only reviews of these apps (App Store ids, comma-separated).", {}, true,
       "^[0-9]{1,20}$", "1234567890"},
      {"country", "Only these storefronts: two-letter codes, comma-separated, any case.", {}, true,
       "^[A-Za-z]{2}$", "us,gb"},
      {"rating", "Only these star ratings, comma-separated.", {"1", "2", "3", "4", "5"}, true, "",
       "1,2"},
      {"version", "Only reviews of these app versions, comma-separated.", {}, true, "", "2.1.0"},
      {"from",
       "First day of the review's last update (UTC), inclusive: YYYY-MM-DD, today, yesterday, "
       "or relative to today: -7d, -2w, -1m, -1y.",
       {}, false, kDatePattern, "-30d"},
      {"to", "Last day of the review's last update (UTC), inclusive; same forms as from.", {},
       false, kDatePattern, "today"},
      {"reply_state",
       "Where the developer response stands: none, pending (sent, Apple has not published it), "
       "published, outdated (the review was edited after the response). Comma-separated.",
       {"none", "pending", "published", "outdated"}, true, "", "none,outdated"},
      {"unreplied", "Flag: reviews without a response (reply_state=none).", {"true", "false"},
       false, "", "true"},
      {"replied", "Flag: reviews with a response (reply_state=pending,published).",
       {"true", "false"}, false, "", "true"},
      {"outdated", "Flag: reviews edited after their response (reply_state=outdated).",
       {"true", "false"}, false, "", "true"},
      {"q",
       "Words that must all occur in the title or body (whole words, any case and accents; "
       "taken literally).",
       {}, false, "", "crash"},
      {"source", "Only reviews from App Store Connect (asc) or the public feed (rss).",
       {"asc", "rss"}, false, "", "asc"},
      {"sort", "newest (default) or oldest first, or by rating: rating (lowest first), -rating.",
       {"newest", "oldest", "rating", "-rating"}, false, "", "oldest"},
      {"limit", "Reviews per page, 1–1000 (default 50).", {}, false, "^[0-9]{1,4}$", "100"},
      {"offset", "Reviews to skip (for the next page: offset + limit).", {}, false, "^[0-9]+$",
       "50"},
      {"format", "json (default) or csv (with a header row, as an attachment).", {"json", "csv"},
       false, "", "csv"},
  };
  return kParams;
}

const std::vector<ParamSpec>& RatingParams() {
  static const std::vector<ParamSpec> kParams = {
      {"app", "The app (App Store id). Required.", {}, false, "^[0-9]{1,20}$", "1234567890"},
      {"country",
       "Only these storefronts (two-letter codes, any case; ww = worldwide), comma-separated. "
       "Default: every storefront with snapshots, and worldwide.",
       {}, true, "^[A-Za-z]{2}$", "us,ww"},
      {"from", "First day, inclusive: YYYY-MM-DD, today, yesterday, -7d, -2w, -1m, -1y (UTC).", {},
       false, kDatePattern, "-90d"},
      {"to", "Last day, inclusive; same forms as from.", {}, false, kDatePattern, "today"},
      {"format", "json (default) or csv (with a header row, as an attachment).", {"json", "csv"},
       false, "", "csv"},
  };
  return kParams;
}

Result<ReviewRequest> ParseReviewRequest(const std::vector<ReportParam>& params,
                                         const ReportDefaults& defaults, ReviewAnswer answer) {
  ReviewRequest out;
  out.answer = answer;
  out.format = defaults.format;
  out.query.limit = kDefaultLimit;
  std::set<store::ReplyState> states;
  std::set<std::string> seen;
  const auto& specs = ReviewParams();
  for (const ReportParam& p : params) {
    const std::string label = p.label.empty() ? p.name : p.label;
    if (FindSpec(specs, p.name) == nullptr) {
      return Error(UnknownParam(specs, label, "the reviews inbox"));
    }
    if (!seen.insert(p.name).second) {
      return Error(Code::kInvalidArgument, label + " is given more than once");
    }
    const std::string_view value = TrimParam(p.value);
    const bool is_flag = p.name == "unreplied" || p.name == "replied" || p.name == "outdated";
    if (value.empty() && !is_flag) {
      return Error(Code::kInvalidArgument, label + " is empty: give a value or leave it out");
    }
    if (answer == ReviewAnswer::kCounts &&
        (p.name == "sort" || p.name == "limit" || p.name == "offset")) {
      return Error(Code::kInvalidArgument,
                   label + " does not apply to counts (they count every matching review)");
    }
    if (p.name == "app") {
      ORCHARD_ASSIGN_OR_RETURN(out.query.app_ids, AppIds(value, label));
    } else if (p.name == "country") {
      ORCHARD_ASSIGN_OR_RETURN(out.query.countries, Countries(value, label, false));
    } else if (p.name == "rating") {
      ORCHARD_ASSIGN_OR_RETURN(auto items, SplitParamList(value, label));
      for (const std::string& item : items) {
        if (item.size() != 1 || item[0] < '1' || item[0] > '5') {
          return Error(Code::kInvalidArgument,
                       label + ": '" + item + "' is not a star rating (1, 2, 3, 4 or 5)");
        }
        out.query.ratings.push_back(item[0] - '0');
      }
      SortUnique(&out.query.ratings);
    } else if (p.name == "version") {
      ORCHARD_ASSIGN_OR_RETURN(auto versions, SplitParamList(value, label));
      SortUnique(&versions);
      out.query.versions = std::move(versions);
    } else if (p.name == "from") {
      ORCHARD_ASSIGN_OR_RETURN(out.from, ParseDateArg(value, defaults.today, label));
    } else if (p.name == "to") {
      ORCHARD_ASSIGN_OR_RETURN(out.to, ParseDateArg(value, defaults.today, label));
    } else if (p.name == "reply_state") {
      ORCHARD_ASSIGN_OR_RETURN(auto items, SplitParamList(value, label));
      for (const std::string& item : items) {
        auto state = store::ParseReplyState(Lower(item));
        if (!state.has_value()) {
          return Error(Code::kInvalidArgument, label + ": " + state.error().message());
        }
        states.insert(*state);
      }
    } else if (is_flag) {
      ORCHARD_ASSIGN_OR_RETURN(bool on, Flag(value, label));
      if (!on) continue;
      if (p.name == "unreplied") {
        states.insert(store::ReplyState::kNone);
      } else if (p.name == "replied") {
        states.insert(store::ReplyState::kPending);
        states.insert(store::ReplyState::kPublished);
      } else {
        states.insert(store::ReplyState::kOutdated);
      }
    } else if (p.name == "q") {
      if (value.size() > 500) {
        return Error(Code::kInvalidArgument, label + ": at most 500 characters of search text");
      }
      out.query.text = std::string(value);
    } else if (p.name == "source") {
      const std::string source = Lower(value);
      if (source != store::kSourceAsc && source != store::kSourceRss) {
        return Error(Code::kInvalidArgument,
                     label + ": unknown source '" + std::string(value) +
                         "' (asc: App Store Connect, rss: the public feed)");
      }
      out.query.source = source;
    } else if (p.name == "sort") {
      const std::string sort = Lower(value);
      if (sort == "newest") out.query.sort = store::ReviewSort::kNewest;
      else if (sort == "oldest") out.query.sort = store::ReviewSort::kOldest;
      else if (sort == "rating") out.query.sort = store::ReviewSort::kRatingAsc;
      else if (sort == "-rating") out.query.sort = store::ReviewSort::kRatingDesc;
      else {
        return Error(Code::kInvalidArgument, label + ": unknown sort '" + std::string(value) +
                                                 "' (use newest, oldest, rating or -rating)");
      }
    } else if (p.name == "limit") {
      ORCHARD_ASSIGN_OR_RETURN(int64_t n, NonNegative(value, label, kMaxLimit));
      if (n < 1) return Error(Code::kInvalidArgument, label + ": expected 1–1000, got 0");
      out.query.limit = static_cast<int>(n);
    } else if (p.name == "offset") {
      ORCHARD_ASSIGN_OR_RETURN(out.query.offset,
                               NonNegative(value, label, int64_t{1'000'000'000'000}));
    } else if (p.name == "format") {
      ORCHARD_ASSIGN_OR_RETURN(out.format, ParseFormatParam(value, label, defaults));
    }
  }
  if (out.from && out.to && *out.from > *out.to) {
    return Error(Code::kInvalidArgument,
                 "the from day " + out.from->Iso() + " is after the to day " + out.to->Iso());
  }
  if (out.from) out.query.from = DayStart(*out.from);
  if (out.to) out.query.until = DayStart(out.to->AddDays(1));  // `to` is inclusive
  out.query.reply_states.assign(states.begin(), states.end());
  return out;
}

nlohmann::ordered_json NormalizedReviewQuery(const ReviewRequest& r) {
  OJson states = OJson::array();
  for (store::ReplyState s : r.query.reply_states) states.push_back(store::ReplyStateName(s));
  OJson out = {{"app", r.query.app_ids},
               {"country", r.query.countries},
               {"rating", r.query.ratings},
               {"version", r.query.versions},
               {"from", Day(r.from)},
               {"to", Day(r.to)},
               {"reply_state", states},
               {"q", r.query.text.empty() ? OJson(nullptr) : OJson(r.query.text)},
               {"source", r.query.source.empty() ? OJson(nullptr) : OJson(r.query.source)}};
  if (r.answer == ReviewAnswer::kList) {
    out["sort"] = SortName(r.query.sort);
    out["limit"] = r.query.limit;
    out["offset"] = r.query.offset;
  }
  out["format"] = FormatName(r.format);
  return out;
}

nlohmann::ordered_json ReviewJson(const store::Review& r) {
  OJson response = nullptr;
  if (r.response.has_value()) {
    response = {{"body", r.response->body},
                {"state", r.response->state},
                {"updated", r.response->updated_at > 0 ? OJson(IsoUtc(r.response->updated_at))
                                                       : OJson(nullptr)}};
  }
  return {{"id", r.id},
          {"app", r.app_id},
          {"country", r.country},
          {"rating", r.rating},
          {"title", r.title},
          {"body", r.body},
          {"author", r.author},
          {"version", r.version},
          {"updated", IsoUtc(r.updated_at)},
          {"reply_state", store::ReplyStateName(r.reply_state)},
          {"source", r.source},
          {"source_id", r.source_id},
          {"response", response}};
}

nlohmann::ordered_json ReviewDetailJson(const store::ReviewDetail& d) {
  OJson out = ReviewJson(d.review);
  out["created"] = IsoUtc(d.review.created_at > 0 ? d.review.created_at : d.review.updated_at);
  out["first_seen"] = d.review.first_seen_at > 0 ? OJson(IsoUtc(d.review.first_seen_at))
                                                 : OJson(nullptr);
  OJson history = OJson::array();
  for (const auto& v : d.history) {
    history.push_back({{"rating", v.rating},
                       {"title", v.title},
                       {"body", v.body},
                       {"version", v.version},
                       {"updated", IsoUtc(v.updated_at)},
                       {"replaced", IsoUtc(v.replaced_at)}});
  }
  out["history"] = std::move(history);
  return out;
}

const std::vector<std::string>& ReviewColumns() {
  static const std::vector<std::string> kColumns = {
      "id", "app", "country", "rating", "title", "body", "author", "version", "updated",
      "reply_state"};
  return kColumns;
}

std::string RenderReviews(const ReviewRequest& request, const store::ReviewPage& page) {
  if (request.format == Format::kJson) {
    OJson reviews = OJson::array();
    for (const auto& r : page.reviews) reviews.push_back(ReviewJson(r));
    const OJson doc = {{"query", NormalizedReviewQuery(request)},
                       {"total", page.total},
                       {"limit", request.query.limit},
                       {"offset", request.query.offset},
                       {"reviews", std::move(reviews)}};
    return Dump(doc) + "\n";
  }
  const bool terminal = request.format == Format::kTable;
  Table table;
  table.columns = ReviewColumns();
  for (const auto& r : page.reviews) {
    table.rows.push_back({Int(r.id), r.app_id, r.country, Int(r.rating),
                          terminal ? ForTerminal(r.title, 30) : r.title,
                          terminal ? ForTerminal(r.body, 60) : r.body,
                          terminal ? ForTerminal(r.author, 20) : r.author, r.version,
                          IsoUtc(r.updated_at), std::string(store::ReplyStateName(r.reply_state))});
  }
  std::string out = Render(table, request.format);
  if (terminal) {
    out += std::to_string(page.reviews.size()) + " of " + std::to_string(page.total) +
           " reviews";
    if (request.query.offset + static_cast<int64_t>(page.reviews.size()) < page.total) {
      out += " (next page: --offset " +
             std::to_string(request.query.offset + request.query.limit) + ")";
    }
    out += "\n";
  }
  return out;
}

std::string RenderReviewCounts(const ReviewRequest& request, const store::ReviewCounts& counts) {
  std::map<int, int64_t> by_rating = {{1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}};
  for (const auto& [rating, n] : counts.by_rating) by_rating[rating] = n;
  if (request.format == Format::kJson) {
    OJson ratings = OJson::object();
    for (const auto& [rating, n] : by_rating) ratings[std::to_string(rating)] = n;
    OJson countries = OJson::object();
    for (const auto& [country, n] : counts.by_country) countries[country] = n;
    OJson versions = OJson::object();
    for (const auto& [version, n] : counts.by_version) versions[version] = n;
    const OJson doc = {{"query", NormalizedReviewQuery(request)},
                       {"total", counts.total},
                       {"by_rating", std::move(ratings)},
                       {"by_country", std::move(countries)},
                       {"by_version", std::move(versions)}};
    return Dump(doc) + "\n";
  }
  Table table;
  table.columns = {"dimension", "value", "count"};
  table.rows.push_back({std::string("total"), std::string(""), Int(counts.total)});
  for (const auto& [rating, n] : by_rating) {
    table.rows.push_back({std::string("rating"), std::to_string(rating), Int(n)});
  }
  for (const auto& [country, n] : counts.by_country) {
    table.rows.push_back({std::string("country"), country, Int(n)});
  }
  for (const auto& [version, n] : counts.by_version) {
    table.rows.push_back({std::string("version"),
                          version.empty() && request.format == Format::kTable
                              ? std::string("(unknown)")
                              : version,
                          Int(n)});
  }
  return Render(table, request.format);
}

std::string RenderReviewDetailText(const store::ReviewDetail& d) {
  const store::Review& r = d.review;
  std::string out;
  const auto line = [&](std::string_view name, const std::string& value) {
    out += std::string(name) + ":" + std::string(name.size() < 12 ? 12 - name.size() : 1, ' ') +
           value + "\n";
  };
  line("review", std::to_string(r.id) + " (" + r.source + " " + r.source_id + ")");
  line("app", r.app_id);
  line("country", r.country);
  line("rating", std::string(static_cast<size_t>(r.rating), '*') + " (" +
                     std::to_string(r.rating) + ")");
  line("author", r.author);
  line("version", r.version.empty() ? "(unknown)" : r.version);
  line("written", IsoUtc(r.created_at > 0 ? r.created_at : r.updated_at));
  line("updated", IsoUtc(r.updated_at));
  line("reply_state", std::string(store::ReplyStateName(r.reply_state)));
  out += "\n" + r.title + "\n" + r.body + "\n";
  if (r.response.has_value()) {
    out += "\nResponse (" + r.response->state +
           (r.response->updated_at > 0 ? ", " + IsoUtc(r.response->updated_at) : "") + "):\n" +
           r.response->body + "\n";
    if (r.reply_state == store::ReplyState::kOutdated) {
      out += "(the review was edited after this response)\n";
    }
  } else {
    out += "\nNo response yet.\n";
  }
  if (!d.history.empty()) {
    out += "\nEarlier versions (oldest first):\n";
    for (const auto& v : d.history) {
      out += "- " + IsoUtc(v.updated_at) + " rating " + std::to_string(v.rating) +
             (v.version.empty() ? "" : ", version " + v.version) + " (replaced " +
             IsoUtc(v.replaced_at) + ")\n  " + v.title + "\n  " + v.body + "\n";
    }
  }
  return out;
}

Result<RatingsRequest> ParseRatingsRequest(const std::vector<ReportParam>& params,
                                           const ReportDefaults& defaults) {
  RatingsRequest out;
  out.format = defaults.format;
  std::set<std::string> seen;
  const auto& specs = RatingParams();
  for (const ReportParam& p : params) {
    const std::string label = p.label.empty() ? p.name : p.label;
    if (FindSpec(specs, p.name) == nullptr) return Error(UnknownParam(specs, label, "ratings"));
    if (!seen.insert(p.name).second) {
      return Error(Code::kInvalidArgument, label + " is given more than once");
    }
    const std::string_view value = TrimParam(p.value);
    if (value.empty()) {
      return Error(Code::kInvalidArgument, label + " is empty: give a value or leave it out");
    }
    if (p.name == "app") {
      ORCHARD_ASSIGN_OR_RETURN(auto ids, AppIds(value, label));
      if (ids.size() != 1) {
        return Error(Code::kInvalidArgument, label + ": ratings are of one app at a time");
      }
      out.app_id = ids[0];
    } else if (p.name == "country") {
      ORCHARD_ASSIGN_OR_RETURN(out.countries, Countries(value, label, true));
    } else if (p.name == "from") {
      ORCHARD_ASSIGN_OR_RETURN(out.from, ParseDateArg(value, defaults.today, label));
    } else if (p.name == "to") {
      ORCHARD_ASSIGN_OR_RETURN(out.to, ParseDateArg(value, defaults.today, label));
    } else if (p.name == "format") {
      ORCHARD_ASSIGN_OR_RETURN(out.format, ParseFormatParam(value, label, defaults));
    }
  }
  if (out.app_id.empty()) {
    return Error(Code::kInvalidArgument, "app is required: the App Store id of the app, e.g. "
                                         "app=1234567890");
  }
  if (out.from && out.to && *out.from > *out.to) {
    return Error(Code::kInvalidArgument,
                 "the from day " + out.from->Iso() + " is after the to day " + out.to->Iso());
  }
  return out;
}

nlohmann::ordered_json NormalizedRatingsQuery(const RatingsRequest& r) {
  return {{"app", r.app_id},
          {"country", r.countries},
          {"from", Day(r.from)},
          {"to", Day(r.to)},
          {"format", FormatName(r.format)}};
}

Result<std::vector<store::RatingSnapshot>> RunRatingsRequest(store::ReviewStore& reviews,
                                                             int64_t team_id,
                                                             const RatingsRequest& r) {
  return reviews.ListRatingSnapshots(team_id, r.app_id, r.countries,
                                     r.from.value_or(Date::FromYmd(1970, 1, 1)),
                                     r.to.value_or(Date::FromYmd(9999, 12, 31)));
}

Table RatingsTable(const std::vector<store::RatingSnapshot>& snapshots) {
  Table table;
  table.columns = {"app",   "country",  "day",      "average",   "count",
                   "one_star", "two_star", "three_star", "four_star", "five_star"};
  for (const auto& s : snapshots) {
    std::vector<Cell> row = {s.app_id, s.country, s.day.Iso(), Number{s.average_x100, 2, 2},
                             Int(s.count)};
    for (int64_t n : s.histogram) row.push_back(Int(n));
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string RenderRatings(const RatingsRequest& request,
                          const std::vector<store::RatingSnapshot>& snapshots) {
  const Table table = RatingsTable(snapshots);
  if (request.format != Format::kJson) return Render(table, request.format);
  // Written by hand so that averages keep their two decimals (4.60, not 4.6).
  std::string out = "{\"query\":" + Dump(NormalizedRatingsQuery(request)) +
                    ",\"columns\":" + Dump(OJson(table.columns)) + ",\"rows\":[";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (r) out += ',';
    out += '{';
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (c) out += ',';
      out += Dump(OJson(table.columns[c])) + ":";
      const Cell& cell = table.rows[r][c];
      out += std::holds_alternative<std::string>(cell) ? Dump(OJson(std::get<std::string>(cell)))
                                                       : CellText(cell);
    }
    out += '}';
  }
  out += "]}\n";
  return out;
}

Result<std::string> ParseAppRef(std::string_view text) {
  text = TrimParam(text);
  const auto refuse = [&](std::string_view why) {
    return Error(Code::kInvalidArgument,
                 "'" + std::string(text) + "' " + std::string(why) +
                     ": give the App Store id (digits, e.g. 1234567890) or the app's App Store "
                     "URL, e.g. https://apps.apple.com/us/app/name/id1234567890");
  };
  if (text.empty()) return refuse("is empty");
  const auto id_of = [](std::string_view s) -> std::optional<std::string> {
    if (s.size() >= 3 && (s[0] == 'i' || s[0] == 'I') && (s[1] == 'd' || s[1] == 'D')) {
      s.remove_prefix(2);
    }
    if (AllDigits(s) && s.size() <= 20) return std::string(s);
    return std::nullopt;
  };
  if (text.find('/') == std::string_view::npos) {
    if (auto id = id_of(text)) return *id;
    return refuse("is not an App Store id");
  }
  std::string_view rest = text;
  const std::string scheme = Lower(rest.substr(0, rest.find("://")));
  if (rest.find("://") == std::string_view::npos || (scheme != "https" && scheme != "http")) {
    return refuse("is not an App Store URL");
  }
  rest.remove_prefix(rest.find("://") + 3);
  const size_t slash = rest.find('/');
  const std::string host = Lower(rest.substr(0, slash));
  if (host != "apps.apple.com" && host != "itunes.apple.com") {
    return refuse("is not on apps.apple.com");
  }
  if (slash == std::string_view::npos) return refuse("names no app");
  std::string_view path = rest.substr(slash);
  path = path.substr(0, path.find_first_of("?#"));
  // The id is the last path segment of the form id<digits> (/us/app/name/id123456789).
  std::optional<std::string> found;
  while (!path.empty()) {
    path.remove_prefix(1);
    const std::string_view segment = path.substr(0, path.find('/'));
    if (segment.size() > 2 && Lower(segment.substr(0, 2)) == "id") {
      if (auto id = id_of(segment)) found = *id;
    }
    path.remove_prefix(segment.size());
  }
  if (!found) return refuse("has no id<digits> in its path");
  return *found;
}

Result<std::vector<std::string>> ParseStorefronts(std::string_view text, std::string_view label) {
  const std::string_view value = TrimParam(text);
  if (Lower(value) == "all") return std::vector<std::string>{};
  if (value.empty()) {
    return Error(Code::kInvalidArgument,
                 std::string(label) + " is empty: give all or two-letter codes such as us,gb");
  }
  return Countries(value, std::string(label), false);
}

Result<TrackOutcome> TrackAppRequest(store::ReviewStore& reviews, store::MetaStore& meta,
                                     int64_t team_id, std::string_view app_ref,
                                     std::string_view countries, std::string_view countries_label) {
  TrackOutcome out;
  ORCHARD_ASSIGN_OR_RETURN(out.app.app_id, ParseAppRef(app_ref));
  if (!TrimParam(countries).empty()) {
    ORCHARD_ASSIGN_OR_RETURN(out.app.countries, ParseStorefronts(countries, countries_label));
  }
  ORCHARD_ASSIGN_OR_RETURN(auto catalog, meta.ListCatalogApps(team_id));
  for (const auto& c : catalog) {
    if (c.apple_id == out.app.app_id) out.app.account_id = c.account_id;
  }
  ORCHARD_ASSIGN_OR_RETURN(auto before, reviews.ListTrackedApps(team_id));
  out.created = std::none_of(before.begin(), before.end(),
                             [&](const store::TrackedApp& a) { return a.app_id == out.app.app_id; });
  ORCHARD_ASSIGN_OR_RETURN(out.app, reviews.TrackApp(team_id, out.app));
  return out;
}

nlohmann::ordered_json TrackedAppJson(const store::TrackedApp& a) {
  return {{"app", a.app_id},
          {"all_countries", a.countries.empty()},
          {"countries", a.countries},
          {"account_id", a.account_id != 0 ? OJson(a.account_id) : OJson(nullptr)},
          {"created", IsoUtc(a.created_at)}};
}

std::string RenderTrackedApps(const std::vector<store::TrackedApp>& apps, Format format) {
  if (format == Format::kJson) {
    OJson list = OJson::array();
    for (const auto& a : apps) list.push_back(TrackedAppJson(a));
    return Dump(OJson{{"apps", std::move(list)}}) + "\n";
  }
  Table table;
  table.columns = {"app", "countries", "account_id", "created"};
  for (const auto& a : apps) {
    std::string countries;
    for (const auto& c : a.countries) countries += (countries.empty() ? "" : ",") + c;
    table.rows.push_back({a.app_id, a.countries.empty() ? std::string("all") : countries,
                          a.account_id != 0 ? std::to_string(a.account_id) : std::string(""),
                          IsoUtc(a.created_at)});
  }
  std::string out = Render(table, format);
  return out;
}

}  // namespace orchard::reports
