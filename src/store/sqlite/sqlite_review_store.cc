#include "store/sqlite/sqlite_review_store.h"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace orchard::store::sqlite {
namespace {

constexpr int kMaxLimit = 1000;

constexpr const char* kReviewColumns =
    "id, app_id, source, source_id, country, rating, title, body, author, version, created_at, "
    "updated_at, first_seen_at, response_id, response_body, response_state, response_updated_at, "
    "reply_state";

Review ReadReview(const Statement& st) {
  Review r;
  r.id = st.Int(0);
  r.app_id = st.Text(1);
  r.source = st.Text(2);
  r.source_id = st.Text(3);
  r.country = st.Text(4);
  r.rating = static_cast<int>(st.Int(5));
  r.title = st.Text(6);
  r.body = st.Text(7);
  r.author = st.Text(8);
  r.version = st.Text(9);
  r.created_at = st.Int(10);
  r.updated_at = st.Int(11);
  r.first_seen_at = st.Int(12);
  if (!st.Text(15).empty()) {
    r.response = ReviewResponse{std::string(st.Text(13)), std::string(st.Text(14)),
                                std::string(st.Text(15)), st.Int(16)};
  }
  // The column is derived by SQLite (migration 5), so its words are always known ones.
  r.reply_state = ParseReplyState(st.Text(17)).value_or(ReplyState::kNone);
  return r;
}

bool IsSource(std::string_view source) { return source == kSourceAsc || source == kSourceRss; }

// Two ASCII letters, lower-cased; nullopt otherwise.
std::optional<std::string> NormalCountry(std::string_view country) {
  if (country.size() != 2) return std::nullopt;
  std::string out;
  for (char c : country) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

Status CheckResponse(const ReviewResponse& response) {
  if (response.state != "pending" && response.state != "published") {
    return Status(Code::kInvalidArgument, "a response state is \"pending\" or \"published\", not \"" +
                                              response.state + "\"");
  }
  return Status::Ok();
}

// Checks one input review and returns its stored country.
Result<std::string> CheckReview(const Review& r, size_t index) {
  const std::string where = "review " + std::to_string(index + 1) +
                            (r.source_id.empty() ? std::string() : " (" + r.source_id + ")");
  if (r.source_id.empty()) return Error(Code::kInvalidArgument, where + ": no review id");
  if (r.rating < 1 || r.rating > 5) {
    return Error(Code::kInvalidArgument,
                 where + ": rating " + std::to_string(r.rating) + " is not 1–5");
  }
  auto country = NormalCountry(r.country);
  if (!country) {
    return Error(Code::kInvalidArgument,
                 where + ": country \"" + r.country + "\" is not two letters");
  }
  if (r.updated_at <= 0) return Error(Code::kInvalidArgument, where + ": no date");
  if (r.response) {
    if (Status st = CheckResponse(*r.response); !st.ok()) return Error(st.WithContext(where));
  }
  return *std::move(country);
}

// A WHERE clause and its parameters, built from a ReviewQuery. Values are always bound, never
// spliced.
struct Filter {
  std::string where;
  std::vector<std::variant<int64_t, std::string>> args;
  std::string match;  // the FTS5 query of the text ("" = no text); not part of `where`

  void Add(const std::string& clause) { where += " AND " + clause; }
  template <typename T>
  void AddIn(const std::string& column, const std::vector<T>& values) {
    if (values.empty()) return;
    std::string clause = column + " IN (";
    for (size_t i = 0; i < values.size(); ++i) {
      clause += i == 0 ? "?" : ", ?";
      if constexpr (std::is_same_v<T, int>) {
        args.emplace_back(static_cast<int64_t>(values[i]));
      } else {
        args.emplace_back(values[i]);
      }
    }
    Add(clause + ")");
  }
  void Bind(Statement& st) const {
    int i = 1;
    for (const auto& a : args) {
      if (const auto* n = std::get_if<int64_t>(&a)) {
        st.Bind(i++, *n);
      } else {
        st.Bind(i++, std::get<std::string>(a));
      }
    }
  }
};

// The FTS5 query for the user's words in the title or body (never the team_id column), or ""
// when the text has no words.
std::string TextMatch(std::string_view text) {
  const std::string words = FtsLiteralQuery(text);
  return words.empty() ? std::string() : "{title body} : (" + words + ")";
}

// The filter's terms but the team and the text: `where` is "" or " AND …", and `match` holds the
// text's FTS5 query. Scoped() puts them together.
Result<Filter> BuildFilter(const ReviewQuery& q) {
  Filter f;
  f.match = TextMatch(q.text);
  f.AddIn("app_id", q.app_ids);
  if (!q.source.empty()) {
    if (!IsSource(q.source)) {
      return Error(Code::kInvalidArgument, "unknown review source \"" + q.source + "\"");
    }
    f.Add("source = ?");
    f.args.emplace_back(q.source);
  }
  std::vector<std::string> countries;
  for (const auto& c : q.countries) {
    auto n = NormalCountry(c);
    if (!n) return Error(Code::kInvalidArgument, "country \"" + c + "\" is not two letters");
    countries.push_back(*n);
  }
  f.AddIn("country", countries);
  for (int r : q.ratings) {
    if (r < 1 || r > 5) {
      return Error(Code::kInvalidArgument, "rating " + std::to_string(r) + " is not 1–5");
    }
  }
  f.AddIn("rating", q.ratings);
  f.AddIn("version", q.versions);
  if (q.from != 0) {
    f.Add("updated_at >= ?");
    f.args.emplace_back(q.from);
  }
  if (q.until != 0) {
    f.Add("updated_at < ?");
    f.args.emplace_back(q.until);
  }
  std::vector<std::string> states;
  for (ReplyState s : q.reply_states) states.emplace_back(ReplyStateName(s));
  f.AddIn("reply_state", states);
  return f;
}

// How the planner should find a filter's reviews.
enum class Drive {
  kIndex,  // the team's (or app's) index, in date order
  // The text's FTS matches (rowid lookups, then a sort). The unary + on team_id keeps the
  // planner from scanning the team's index in date order, which it prefers (no sort) but which
  // reads the whole team when the words are rare.
  kText,
};

// The whole WHERE clause of `f` for a team: the team, the other terms, the text.
Filter Scoped(const Filter& f, int64_t team_id, Drive drive) {
  Filter out;
  out.where = drive == Drive::kText ? "+team_id = ?" : "team_id = ?";
  out.args.emplace_back(team_id);
  out.where += f.where;
  out.args.insert(out.args.end(), f.args.begin(), f.args.end());
  if (!f.match.empty()) {
    out.Add("id IN (SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH ?)");
    out.args.emplace_back(f.match);
  }
  return out;
}

// A text search in date order can read the team's date index from the newest (or oldest) end
// and keep the reviews among the text's matches until the page is full: about
// (offset + limit) × reviews / matches index entries, each a cheap check against the set of
// matching rowids. Driven by the text instead, it looks up every match's row (a random read)
// and sorts them. One lookup costs about as much as this many index entries:
constexpr double kIndexEntriesPerLookup = 20;

const char* OrderBy(ReviewSort sort) {
  switch (sort) {
    case ReviewSort::kOldest: return "updated_at ASC, id ASC";
    case ReviewSort::kRatingAsc: return "rating ASC, updated_at DESC, id DESC";
    case ReviewSort::kRatingDesc: return "rating DESC, updated_at DESC, id DESC";
    case ReviewSort::kNewest: break;
  }
  return "updated_at DESC, id DESC";
}

// The FTS5 query of a text search within one team: the team_id column of reviews_fts holds the
// review's team as a token (migration 7), so counting a team's matches needs no row lookups.
std::string TeamMatch(int64_t team_id, const std::string& match) {
  return "team_id : \"" + std::to_string(team_id) + "\" AND " + match;
}

Result<std::string> CountriesText(const std::vector<std::string>& countries,
                                  std::vector<std::string>& normal) {
  for (const auto& c : countries) {
    auto n = NormalCountry(c);
    if (!n) return Error(Code::kInvalidArgument, "country \"" + c + "\" is not two letters");
    normal.push_back(*n);
  }
  std::sort(normal.begin(), normal.end());
  normal.erase(std::unique(normal.begin(), normal.end()), normal.end());
  if (normal.empty()) return std::string("all");
  std::string text;
  for (const auto& c : normal) text += (text.empty() ? "" : ",") + c;
  return text;
}

TrackedApp ReadTracked(const Statement& st) {
  TrackedApp a;
  a.app_id = st.Text(0);
  const std::string countries(st.Text(1));
  if (countries != "all") {
    size_t start = 0;
    while (start <= countries.size()) {
      const size_t comma = std::min(countries.find(',', start), countries.size());
      a.countries.push_back(countries.substr(start, comma - start));
      start = comma + 1;
    }
  }
  a.account_id = st.Int(2);
  a.created_at = st.Int(3);
  return a;
}

// "a,b,c" → {"a", "b", "c"}; "" → {}.
std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string JoinCommas(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

constexpr const char* kWebhookColumns =
    "url, format, max_rating, countries, app_ids, enabled, secret, secret_key_version, "
    "created_at, updated_at";

ReviewWebhook ReadWebhook(const Statement& st) {
  ReviewWebhook h;
  h.url = st.Text(0);
  h.format = st.Text(1);
  h.max_rating = static_cast<int>(st.Int(2));
  h.countries = SplitCommas(st.Text(3));
  h.app_ids = SplitCommas(st.Text(4));
  h.enabled = st.Int(5) != 0;
  h.secret_blob = st.Blob(6);
  h.secret_key_version = static_cast<uint32_t>(st.Int(7));
  h.created_at = st.Int(8);
  h.updated_at = st.Int(9);
  return h;
}

Result<NotificationState> ParseNotificationState(std::string_view name) {
  for (NotificationState s : {NotificationState::kQueued, NotificationState::kSending,
                              NotificationState::kSent, NotificationState::kFailed,
                              NotificationState::kSkipped}) {
    if (NotificationStateName(s) == name) return s;
  }
  return Error(Code::kDataLoss, "unknown notification state \"" + std::string(name) + "\"");
}

}  // namespace

std::string FtsLiteralQuery(std::string_view text) {
  std::string out;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    if (i == text.size()) break;
    if (!out.empty()) out += ' ';
    out += '"';
    for (; i < text.size() && !space(text[i]); ++i) {
      if (text[i] == '"') out += '"';
      out += text[i];
    }
    out += '"';
  }
  return out;
}

Result<UpsertCounts> SqliteReviewStore::UpsertReviews(int64_t team_id, const std::string& app_id,
                                                      std::string_view source,
                                                      const std::vector<Review>& reviews) {
  if (!IsSource(source)) {
    return Error(Code::kInvalidArgument, "unknown review source \"" + std::string(source) + "\"");
  }
  if (app_id.empty()) return Error(Code::kInvalidArgument, "no app id");
  // Every review is checked before anything is written, so a bad one names itself and the
  // batch is refused whole (the transaction below is the second line).
  std::vector<std::string> countries;
  countries.reserve(reviews.size());
  for (size_t i = 0; i < reviews.size(); ++i) {
    ORCHARD_ASSIGN_OR_RETURN(std::string c, CheckReview(reviews[i], i));
    countries.push_back(std::move(c));
  }
  const int64_t now = clock_->NowSeconds();
  auto lock = db_->lock();
  UpsertCounts counts;
  Status st = InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement find,
        db_->Prepare("SELECT id, rating, title, body, author, version, country, updated_at, "
                     "response_id, response_body, response_state, response_updated_at "
                     "FROM reviews WHERE team_id = ? AND source = ? AND app_id = ? "
                     "AND source_id = ?"));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO reviews (team_id, app_id, source, source_id, country, rating, "
                     "title, body, author, version, created_at, updated_at, first_seen_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement history,
        db_->Prepare("INSERT INTO review_history (review_id, rating, title, body, version, "
                     "updated_at, replaced_at) SELECT id, rating, title, body, version, "
                     "updated_at, ? FROM reviews WHERE id = ?"));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE reviews SET country = ?, rating = ?, title = ?, body = ?, "
                     "author = ?, version = ?, updated_at = ? WHERE id = ?"));
    ORCHARD_ASSIGN_OR_RETURN(
        Statement respond,
        db_->Prepare("UPDATE reviews SET response_id = ?, response_body = ?, "
                     "response_state = ?, response_updated_at = ? WHERE id = ?"));
    auto write_response = [&](int64_t id, const ReviewResponse& r) {
      respond.Bind(1, r.id).Bind(2, r.body).Bind(3, r.state).Bind(4, r.updated_at).Bind(5, id);
      return respond.Run();
    };
    for (size_t i = 0; i < reviews.size(); ++i) {
      const Review& r = reviews[i];
      const std::string& country = countries[i];
      find.Bind(1, team_id).Bind(2, source).Bind(3, app_id).Bind(4, r.source_id);
      ORCHARD_ASSIGN_OR_RETURN(bool found, find.Step());
      if (!found) {
        find.Reset();
        insert.Bind(1, team_id)
            .Bind(2, app_id)
            .Bind(3, source)
            .Bind(4, r.source_id)
            .Bind(5, country)
            .Bind(6, static_cast<int64_t>(r.rating))
            .Bind(7, r.title)
            .Bind(8, r.body)
            .Bind(9, r.author)
            .Bind(10, r.version)
            .Bind(11, r.created_at != 0 ? r.created_at : r.updated_at)
            .Bind(12, r.updated_at)
            .Bind(13, now);
        ORCHARD_RETURN_IF_ERROR(insert.Run());
        const int64_t id = db_->LastInsertId();
        if (r.response) ORCHARD_RETURN_IF_ERROR(write_response(id, *r.response));
        ++counts.added;
        counts.added_ids.push_back(id);
        continue;
      }
      const int64_t id = find.Int(0);
      const int64_t stored_updated = find.Int(7);
      const bool edited = find.Int(1) != r.rating || find.Text(2) != r.title ||
                          find.Text(3) != r.body || stored_updated != r.updated_at;
      const bool details = find.Text(4) != r.author || find.Text(5) != r.version ||
                           find.Text(6) != country;
      const bool response =
          r.response && (find.Text(8) != r.response->id || find.Text(9) != r.response->body ||
                         find.Text(10) != r.response->state || find.Int(11) != r.response->updated_at);
      find.Reset();
      // A stale copy (a cached feed page) must not undo a newer edit.
      if (r.updated_at < stored_updated || (!edited && !details && !response)) {
        ++counts.unchanged;
        continue;
      }
      if (edited) {
        history.Bind(1, now).Bind(2, id);
        ORCHARD_RETURN_IF_ERROR(history.Run());
      }
      if (edited || details) {
        update.Bind(1, country)
            .Bind(2, static_cast<int64_t>(r.rating))
            .Bind(3, r.title)
            .Bind(4, r.body)
            .Bind(5, r.author)
            .Bind(6, r.version)
            .Bind(7, r.updated_at)
            .Bind(8, id);
        ORCHARD_RETURN_IF_ERROR(update.Run());
      }
      if (response) ORCHARD_RETURN_IF_ERROR(write_response(id, *r.response));
      ++counts.updated;
    }
    return Status::Ok();
  });
  if (!st.ok()) return Error(st);
  return counts;
}

Result<bool> SqliteReviewStore::HasReview(int64_t team_id, const std::string& app_id,
                                          std::string_view source, const std::string& source_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("SELECT 1 FROM reviews WHERE team_id = ? AND source = ? "
                                        "AND app_id = ? AND source_id = ?"));
  st.Bind(1, team_id).Bind(2, source).Bind(3, app_id).Bind(4, source_id);
  return st.Step();
}

Result<std::vector<Review>> SqliteReviewStore::FindReviews(int64_t team_id, const std::string& app_id,
                                                          std::string_view source,
                                                          const std::vector<std::string>& source_ids) {
  std::vector<Review> out;
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare(std::string("SELECT ") + kReviewColumns +
                                        " FROM reviews WHERE team_id = ? AND source = ? AND app_id = ? "
                                        "AND source_id = ?"));
  for (const std::string& source_id : source_ids) {
    st.Bind(1, team_id).Bind(2, source).Bind(3, app_id).Bind(4, source_id);
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) out.push_back(ReadReview(st));
    st.Reset();
  }
  return out;
}

Result<std::optional<int64_t>> SqliteReviewStore::NewestStored(int64_t team_id,
                                                               const std::string& app_id,
                                                               std::string_view source,
                                                               const std::string& country) {
  auto lock = db_->lock();
  std::string sql =
      "SELECT max(updated_at) FROM reviews WHERE team_id = ? AND app_id = ? AND source = ?";
  std::string normal;
  if (!country.empty()) {
    auto n = NormalCountry(country);
    if (!n) return Error(Code::kInvalidArgument, "country \"" + country + "\" is not two letters");
    normal = *n;
    sql += " AND country = ?";
  }
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
  st.Bind(1, team_id).Bind(2, app_id).Bind(3, source);
  if (!normal.empty()) st.Bind(4, normal);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(st.Int(0));
}

Status SqliteReviewStore::SetResponse(int64_t team_id, int64_t review_id,
                                      const ReviewResponse& response) {
  ORCHARD_RETURN_IF_ERROR(CheckResponse(response));
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("UPDATE reviews SET response_id = ?, response_body = ?, response_state = ?, "
                   "response_updated_at = ? WHERE team_id = ? AND id = ?"));
  st.Bind(1, response.id)
      .Bind(2, response.body)
      .Bind(3, response.state)
      .Bind(4, response.updated_at)
      .Bind(5, team_id)
      .Bind(6, review_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) {
    return Status(Code::kNotFound, "no review " + std::to_string(review_id));
  }
  return Status::Ok();
}

Status SqliteReviewStore::ClearResponse(int64_t team_id, int64_t review_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("UPDATE reviews SET response_id = '', response_body = '', response_state = '', "
                   "response_updated_at = 0 WHERE team_id = ? AND id = ? "
                   "AND response_state <> ''"));
  st.Bind(1, team_id).Bind(2, review_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) {
    return Status(Code::kNotFound, "no response to review " + std::to_string(review_id));
  }
  return Status::Ok();
}

Result<ReviewDetail> SqliteReviewStore::GetReview(int64_t team_id, int64_t review_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st, db_->Prepare(std::string("SELECT ") + kReviewColumns +
                                                      " FROM reviews WHERE team_id = ? AND "
                                                      "id = ?"));
  st.Bind(1, team_id).Bind(2, review_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Error(Code::kNotFound, "no review " + std::to_string(review_id));
  ReviewDetail detail;
  detail.review = ReadReview(st);
  ORCHARD_ASSIGN_OR_RETURN(
      Statement hist,
      db_->Prepare("SELECT rating, title, body, version, updated_at, replaced_at "
                   "FROM review_history WHERE review_id = ? ORDER BY id"));
  hist.Bind(1, review_id);
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool more, hist.Step());
    if (!more) break;
    detail.history.push_back(ReviewVersion{static_cast<int>(hist.Int(0)),
                                           std::string(hist.Text(1)), std::string(hist.Text(2)),
                                           std::string(hist.Text(3)), hist.Int(4), hist.Int(5)});
  }
  return detail;
}

Result<ReviewPage> SqliteReviewStore::ListReviews(const ReviewQuery& query) {
  if (query.limit < 1 || query.limit > kMaxLimit) {
    return Error(Code::kInvalidArgument,
                 "limit " + std::to_string(query.limit) + " is not 1–" + std::to_string(kMaxLimit));
  }
  if (query.offset < 0) return Error(Code::kInvalidArgument, "negative offset");
  ORCHARD_ASSIGN_OR_RETURN(Filter f, BuildFilter(query));
  const bool text = !f.match.empty();
  auto lock = db_->lock();
  ReviewPage page;
  // The count and the page read one snapshot.
  ORCHARD_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  Status st = [&]() -> Status {
    // The total. A text search with no other filter is counted in the FTS index alone (the
    // team is one of its columns); otherwise by the filter over the rows.
    Statement count;
    if (text && f.where.empty()) {
      ORCHARD_ASSIGN_OR_RETURN(
          count, db_->Prepare("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH ?"));
      count.Bind(1, TeamMatch(query.team_id, f.match));
    } else {
      const Filter all = Scoped(f, query.team_id, text ? Drive::kText : Drive::kIndex);
      ORCHARD_ASSIGN_OR_RETURN(count,
                               db_->Prepare("SELECT count(*) FROM reviews WHERE " + all.where));
      all.Bind(count);
    }
    ORCHARD_ASSIGN_OR_RETURN(bool row, count.Step());
    page.total = row ? count.Int(0) : 0;
    count.Reset();
    if (query.offset >= page.total) return Status::Ok();  // nothing on this page

    // The page. A text search in date order over all apps picks the cheaper of its two plans
    // (kIndexEntriesPerLookup); max(id) stands for the team's review count (an upper bound).
    Drive drive = text ? Drive::kText : Drive::kIndex;
    std::string from = "reviews";
    if (text && query.app_ids.empty() &&
        (query.sort == ReviewSort::kNewest || query.sort == ReviewSort::kOldest)) {
      ORCHARD_ASSIGN_OR_RETURN(Statement max_id, db_->Prepare("SELECT max(id) FROM reviews"));
      ORCHARD_ASSIGN_OR_RETURN(bool any, max_id.Step());
      const double reviews = any ? static_cast<double>(max_id.Int(0)) : 0;
      const double total = static_cast<double>(page.total);
      const double scanned = static_cast<double>(query.offset + query.limit) * reviews / total;
      if (scanned <= kIndexEntriesPerLookup * total) {
        drive = Drive::kIndex;
        from = "reviews INDEXED BY reviews_by_team_time";
      }
    }
    const Filter all = Scoped(f, query.team_id, drive);
    ORCHARD_ASSIGN_OR_RETURN(
        Statement list, db_->Prepare(std::string("SELECT ") + kReviewColumns + " FROM " + from +
                                     " WHERE " + all.where + " ORDER BY " + OrderBy(query.sort) +
                                     " LIMIT ? OFFSET ?"));
    all.Bind(list);
    list.Bind(static_cast<int>(all.args.size()) + 1, static_cast<int64_t>(query.limit))
        .Bind(static_cast<int>(all.args.size()) + 2, query.offset);
    while (true) {
      ORCHARD_ASSIGN_OR_RETURN(bool more, list.Step());
      if (!more) break;
      page.reviews.push_back(ReadReview(list));
    }
    return Status::Ok();
  }();
  Status end = db_->Exec(st.ok() ? "COMMIT" : "ROLLBACK");
  if (!st.ok()) return Error(st);
  if (!end.ok()) return Error(end);
  return page;
}

Result<ReviewCounts> SqliteReviewStore::CountReviews(const ReviewQuery& query) {
  ORCHARD_ASSIGN_OR_RETURN(Filter f, BuildFilter(query));
  const Filter all = Scoped(f, query.team_id, f.match.empty() ? Drive::kIndex : Drive::kText);
  auto lock = db_->lock();
  ReviewCounts counts;
  // One pass over the matching rows, grouped by all three keys (each row is read once, not
  // once per key), folded here.
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT rating, country, version, count(*) FROM reviews WHERE " +
                                 all.where + " GROUP BY rating, country, version"));
  all.Bind(st);
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const int64_t n = st.Int(3);
    counts.by_rating[static_cast<int>(st.Int(0))] += n;
    counts.by_country[std::string(st.Text(1))] += n;
    counts.by_version[std::string(st.Text(2))] += n;
    counts.total += n;
  }
  return counts;
}

Result<int64_t> SqliteReviewStore::QueueReviewNotifications(int64_t team_id,
                                                            const std::vector<int64_t>& review_ids,
                                                            int64_t now) {
  auto lock = db_->lock();
  int64_t queued = 0;
  Status st = InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO review_notifications (review_id, team_id, created_at) "
                     "SELECT id, team_id, ? FROM reviews WHERE team_id = ? AND id = ? "
                     "ON CONFLICT (review_id) DO NOTHING"));
    for (int64_t id : review_ids) {
      insert.Bind(1, now).Bind(2, team_id).Bind(3, id);
      ORCHARD_RETURN_IF_ERROR(insert.Run());
      queued += db_->Changes();
    }
    return Status::Ok();
  });
  if (!st.ok()) return Error(st);
  return queued;
}

Status SqliteReviewStore::PutRatingSnapshots(int64_t team_id,
                                             const std::vector<RatingSnapshot>& snapshots) {
  std::vector<std::string> countries;
  for (const auto& s : snapshots) {
    auto c = NormalCountry(s.country);
    if (!c) {
      return Status(Code::kInvalidArgument,
                    "rating snapshot country \"" + s.country + "\" is not two letters");
    }
    if (s.app_id.empty()) return Status(Code::kInvalidArgument, "rating snapshot without app id");
    if (s.average_x100 < 0 || s.average_x100 > 500 || s.count < 0 ||
        std::any_of(s.histogram.begin(), s.histogram.end(), [](int64_t n) { return n < 0; })) {
      return Status(Code::kInvalidArgument, "rating snapshot of app " + s.app_id + " in " + *c +
                                                " on " + s.day.Iso() + " is out of range");
    }
    countries.push_back(*c);
  }
  auto lock = db_->lock();
  return InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement put,
        db_->Prepare("INSERT INTO rating_snapshots (team_id, app_id, country, day, average_x100, "
                     "count, h1, h2, h3, h4, h5) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (team_id, app_id, country, day) DO UPDATE SET "
                     "average_x100 = excluded.average_x100, count = excluded.count, "
                     "h1 = excluded.h1, h2 = excluded.h2, h3 = excluded.h3, h4 = excluded.h4, "
                     "h5 = excluded.h5"));
    for (size_t i = 0; i < snapshots.size(); ++i) {
      const auto& s = snapshots[i];
      put.Bind(1, team_id)
          .Bind(2, s.app_id)
          .Bind(3, countries[i])
          .Bind(4, static_cast<int64_t>(s.day.days()))
          .Bind(5, s.average_x100)
          .Bind(6, s.count);
      for (int h = 0; h < 5; ++h) put.Bind(7 + h, s.histogram[static_cast<size_t>(h)]);
      ORCHARD_RETURN_IF_ERROR(put.Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<RatingSnapshot>> SqliteReviewStore::ListRatingSnapshots(
    int64_t team_id, const std::string& app_id, const std::vector<std::string>& countries,
    Date from, Date to) {
  Filter f;
  f.where = "team_id = ? AND app_id = ? AND day BETWEEN ? AND ?";
  f.args = {team_id, app_id, static_cast<int64_t>(from.days()), static_cast<int64_t>(to.days())};
  std::vector<std::string> normal;
  for (const auto& c : countries) {
    auto n = NormalCountry(c);
    if (!n) return Error(Code::kInvalidArgument, "country \"" + c + "\" is not two letters");
    normal.push_back(*n);
  }
  f.AddIn("country", normal);
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("SELECT app_id, country, day, average_x100, count, h1, h2, h3, h4, h5 "
                   "FROM rating_snapshots WHERE " + f.where + " ORDER BY country, day"));
  f.Bind(st);
  std::vector<RatingSnapshot> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    RatingSnapshot s;
    s.app_id = st.Text(0);
    s.country = st.Text(1);
    s.day = Date::FromDays(static_cast<int32_t>(st.Int(2)));
    s.average_x100 = st.Int(3);
    s.count = st.Int(4);
    for (int h = 0; h < 5; ++h) s.histogram[static_cast<size_t>(h)] = st.Int(5 + h);
    out.push_back(std::move(s));
  }
  return out;
}

Result<TrackedApp> SqliteReviewStore::TrackApp(int64_t team_id, const TrackedApp& app) {
  if (app.app_id.empty() ||
      !std::all_of(app.app_id.begin(), app.app_id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error(Code::kInvalidArgument,
                 "\"" + app.app_id + "\" is not an App Store id (digits, e.g. 284882215)");
  }
  std::vector<std::string> normal;
  ORCHARD_ASSIGN_OR_RETURN(std::string countries, CountriesText(app.countries, normal));
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement put,
      db_->Prepare("INSERT INTO tracked_apps (team_id, app_id, countries, account_id, created_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, app_id) DO UPDATE SET "
                   "countries = excluded.countries, account_id = excluded.account_id "
                   "RETURNING app_id, countries, account_id, created_at"));
  put.Bind(1, team_id)
      .Bind(2, app.app_id)
      .Bind(3, countries)
      .Bind(4, app.account_id)
      .Bind(5, clock_->NowSeconds());
  ORCHARD_ASSIGN_OR_RETURN(bool row, put.Step());
  if (!row) return Error(Code::kInternal, "tracked app missing after insert");
  TrackedApp out = ReadTracked(put);
  ORCHARD_RETURN_IF_ERROR(put.Run());  // finishes the statement so the write is complete
  return out;
}

Status SqliteReviewStore::UntrackApp(int64_t team_id, const std::string& app_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("DELETE FROM tracked_apps WHERE team_id = ? AND app_id = ?"));
  st.Bind(1, team_id).Bind(2, app_id);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) return Status(Code::kNotFound, "app " + app_id + " is not tracked");
  return Status::Ok();
}

Result<std::vector<TrackedApp>> SqliteReviewStore::ListTrackedApps(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("SELECT app_id, countries, account_id, created_at "
                                        "FROM tracked_apps WHERE team_id = ? ORDER BY app_id"));
  st.Bind(1, team_id);
  std::vector<TrackedApp> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadTracked(st));
  }
  return out;
}

Result<ReviewWebhook> SqliteReviewStore::PutReviewWebhook(int64_t team_id,
                                                          const ReviewWebhook& hook) {
  if (hook.url.empty()) return Error(Code::kInvalidArgument, "a webhook needs a url");
  if (hook.format != "json" && hook.format != "slack") {
    return Error(Code::kInvalidArgument,
                 "a webhook format is \"json\" or \"slack\", not \"" + hook.format + "\"");
  }
  if (hook.max_rating < 1 || hook.max_rating > 5) {
    return Error(Code::kInvalidArgument,
                 "max_rating " + std::to_string(hook.max_rating) + " is not 1–5");
  }
  std::vector<std::string> countries;
  ORCHARD_ASSIGN_OR_RETURN(std::string unused, CountriesText(hook.countries, countries));
  (void)unused;
  std::vector<std::string> apps = hook.app_ids;
  for (const auto& a : apps) {
    if (a.empty() || a.find(',') != std::string::npos) {
      return Error(Code::kInvalidArgument, "app id \"" + a + "\" is empty or holds a comma");
    }
  }
  std::sort(apps.begin(), apps.end());
  apps.erase(std::unique(apps.begin(), apps.end()), apps.end());
  const int64_t now = clock_->NowSeconds();
  auto lock = db_->lock();
  ReviewWebhook out;
  Status st = InTransaction(*db_, [&]() -> Status {
    if (hook.secret_blob.empty()) {
      // An update without a new secret: the webhook must exist (its secret stays).
      ORCHARD_ASSIGN_OR_RETURN(
          Statement update,
          db_->Prepare("UPDATE review_webhooks SET url = ?, format = ?, max_rating = ?, "
                       "countries = ?, app_ids = ?, enabled = ?, updated_at = ? "
                       "WHERE team_id = ?"));
      update.Bind(1, hook.url)
          .Bind(2, hook.format)
          .Bind(3, static_cast<int64_t>(hook.max_rating))
          .Bind(4, JoinCommas(countries))
          .Bind(5, JoinCommas(apps))
          .Bind(6, int64_t{hook.enabled ? 1 : 0})
          .Bind(7, now)
          .Bind(8, team_id);
      ORCHARD_RETURN_IF_ERROR(update.Run());
      if (db_->Changes() == 0) {
        return Status(Code::kInvalidArgument, "a new webhook needs a signing secret");
      }
    } else {
      ORCHARD_ASSIGN_OR_RETURN(
          Statement put,
          db_->Prepare("INSERT INTO review_webhooks (team_id, url, format, max_rating, "
                       "countries, app_ids, enabled, secret, secret_key_version, created_at, "
                       "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (team_id) DO UPDATE SET url = excluded.url, "
                       "format = excluded.format, max_rating = excluded.max_rating, "
                       "countries = excluded.countries, app_ids = excluded.app_ids, "
                       "enabled = excluded.enabled, secret = excluded.secret, "
                       "secret_key_version = excluded.secret_key_version, "
                       "updated_at = excluded.updated_at"));
      put.Bind(1, team_id)
          .Bind(2, hook.url)
          .Bind(3, hook.format)
          .Bind(4, static_cast<int64_t>(hook.max_rating))
          .Bind(5, JoinCommas(countries))
          .Bind(6, JoinCommas(apps))
          .Bind(7, int64_t{hook.enabled ? 1 : 0})
          .BindBlob(8, hook.secret_blob)
          .Bind(9, static_cast<int64_t>(hook.secret_key_version))
          .Bind(10, now)
          .Bind(11, now);
      ORCHARD_RETURN_IF_ERROR(put.Run());
    }
    ORCHARD_ASSIGN_OR_RETURN(Statement get,
                             db_->Prepare(std::string("SELECT ") + kWebhookColumns +
                                          " FROM review_webhooks WHERE team_id = ?"));
    get.Bind(1, team_id);
    ORCHARD_ASSIGN_OR_RETURN(bool row, get.Step());
    if (!row) return Status(Code::kInternal, "webhook missing after it was written");
    out = ReadWebhook(get);
    return Status::Ok();
  });
  if (!st.ok()) return Error(st);
  return out;
}

Result<ReviewWebhook> SqliteReviewStore::GetReviewWebhook(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement get,
                           db_->Prepare(std::string("SELECT ") + kWebhookColumns +
                                        " FROM review_webhooks WHERE team_id = ?"));
  get.Bind(1, team_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return Error(Code::kNotFound, "no review webhook is set up");
  return ReadWebhook(get);
}

Result<bool> SqliteReviewStore::DeleteReviewWebhook(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement del,
                           db_->Prepare("DELETE FROM review_webhooks WHERE team_id = ?"));
  del.Bind(1, team_id);
  ORCHARD_RETURN_IF_ERROR(del.Run());
  return db_->Changes() > 0;
}

Result<std::vector<ClaimedNotification>> SqliteReviewStore::ClaimReviewNotifications(
    int64_t now, int64_t lease_until, int limit) {
  if (limit < 1) return Error(Code::kInvalidArgument, "claim limit must be at least 1");
  if (lease_until <= now) return Error(Code::kInvalidArgument, "a lease must end after now");
  auto lock = db_->lock();
  std::vector<ClaimedNotification> out;
  Status st = InTransaction(*db_, [&]() -> Status {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement due,
        db_->Prepare("SELECT review_id, team_id, delivery_id, attempts, created_at "
                     "FROM review_notifications WHERE state IN ('queued', 'sending') "
                     "AND not_before <= ? ORDER BY created_at, review_id LIMIT ?"));
    due.Bind(1, now).Bind(2, static_cast<int64_t>(limit));
    std::vector<int64_t> ids;
    while (true) {
      ORCHARD_ASSIGN_OR_RETURN(bool row, due.Step());
      if (!row) break;
      ClaimedNotification n;
      ids.push_back(due.Int(0));
      n.team_id = due.Int(1);
      n.delivery_id = due.Text(2);
      n.attempts = static_cast<int>(due.Int(3));
      n.created_at = due.Int(4);
      out.push_back(std::move(n));
    }
    due.Reset();
    ORCHARD_ASSIGN_OR_RETURN(
        Statement claim,
        db_->Prepare("UPDATE review_notifications SET state = 'sending', not_before = ?, "
                     "claim = claim + 1 WHERE review_id = ? RETURNING claim"));
    ORCHARD_ASSIGN_OR_RETURN(Statement review,
                             db_->Prepare(std::string("SELECT ") + kReviewColumns +
                                          " FROM reviews WHERE id = ?"));
    for (size_t i = 0; i < ids.size(); ++i) {
      claim.Bind(1, lease_until).Bind(2, ids[i]);
      ORCHARD_ASSIGN_OR_RETURN(bool row, claim.Step());
      if (!row) return Status(Code::kInternal, "claimed notification vanished");
      out[i].claim = claim.Int(0);
      ORCHARD_RETURN_IF_ERROR(claim.Run());  // finishes the statement
      review.Bind(1, ids[i]);
      ORCHARD_ASSIGN_OR_RETURN(bool found, review.Step());
      // The foreign key cascades a deleted review to its notification, so it is always there.
      if (!found) return Status(Code::kInternal, "notification without its review");
      out[i].review = ReadReview(review);
      review.Reset();
    }
    return Status::Ok();
  });
  if (!st.ok()) return Error(st);
  return out;
}

Status SqliteReviewStore::FinishReviewNotification(int64_t review_id, int64_t claim,
                                                   const NotificationOutcome& outcome,
                                                   int64_t now) {
  std::string sql;
  switch (outcome.state) {
    case NotificationState::kSent:
      sql = "state = 'sent', sent_at = ?1, attempts = attempts + 1, last_error = ''";
      break;
    case NotificationState::kQueued:
      sql = "state = 'queued', not_before = ?2, attempts = attempts + 1, last_error = ?3";
      break;
    case NotificationState::kFailed:
      sql = "state = 'failed', attempts = attempts + 1, last_error = ?3";
      break;
    case NotificationState::kSkipped:
      sql = "state = 'skipped', last_error = ?3";
      break;
    case NotificationState::kSending:
      return Status(Code::kInvalidArgument, "an attempt cannot end in 'sending'");
  }
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("UPDATE review_notifications SET " + sql +
                                 " WHERE review_id = ?4 AND claim = ?5 AND state = 'sending'"));
  st.Bind(1, now).Bind(2, outcome.not_before).Bind(3, outcome.error).Bind(4, review_id).Bind(5, claim);
  ORCHARD_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) {
    return Status(Code::kAborted, "the notification of review " + std::to_string(review_id) +
                                      " is no longer claimed by this sender");
  }
  return Status::Ok();
}

Result<NotificationRecord> SqliteReviewStore::GetReviewNotification(int64_t team_id,
                                                                    int64_t review_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("SELECT review_id, team_id, state, attempts, not_before, created_at, sent_at, "
                   "last_error, delivery_id FROM review_notifications "
                   "WHERE team_id = ? AND review_id = ?"));
  st.Bind(1, team_id).Bind(2, review_id);
  ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    return Error(Code::kNotFound, "no notification for review " + std::to_string(review_id));
  }
  NotificationRecord r;
  r.review_id = st.Int(0);
  r.team_id = st.Int(1);
  ORCHARD_ASSIGN_OR_RETURN(r.state, ParseNotificationState(st.Text(2)));
  r.attempts = static_cast<int>(st.Int(3));
  r.not_before = st.Int(4);
  r.created_at = st.Int(5);
  r.sent_at = st.Int(6);
  r.last_error = st.Text(7);
  r.delivery_id = st.Text(8);
  return r;
}

Result<std::map<std::string, int64_t>> SqliteReviewStore::CountReviewNotifications(
    int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("SELECT state, count(*) FROM review_notifications "
                                        "WHERE team_id = ? GROUP BY state"));
  st.Bind(1, team_id);
  std::map<std::string, int64_t> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[std::string(st.Text(0))] = st.Int(1);
  }
  return out;
}

}  // namespace orchard::store::sqlite
