// Reviews benchmark (issue 6: 1,000,000 stored reviews; the inbox queries "unreplied 1–2 stars in
// the last 30 days" and "text search for a word" ≤ 50 ms median), against the same queries on a
// plain SQLite table of the same reviews in the same run.
//
// Data set (generated once, cached in DIR/reviews-v<kDataFormat>-n<reviews>/):
//   orchard.db  Orchard's store, written through the public API only: AccessStore::CreateTeam,
//               then ReviewStore::UpsertReviews per (app, storefront) in batches of up to 500
//               (as a sync stores pages), and a second upsert of the reviews their authors
//               edited (in place, with history);
//   plain.db    the baseline: one row per review in its final state (same ids as Orchard's), a
//               table `reviews` with B-tree indexes on (team_id, updated_at) and
//               (team_id, app_id, updated_at), ANALYZE'd; no FTS;
//   complete    written last, with the generation figures; without it the folder is rebuilt.
// The generator is deterministic (splitmix64, fixed seed, one stream per app and storefront):
// 40 apps (Zipf-like popularity; one in four is a competitor tracked through the public feed,
// so its reviews have no responses), the 60 biggest storefronts by weight, 3 years of dates
// with volume growing linearly (the last 30 days hold ~5 %), ratings skewed as in real stores
// (58 % 5★, 15 % 1★), titles and bodies from small vocabularies in seven languages chosen by
// storefront, ~30 % with a developer response (10 % of those pending), ~2.5 % edited by their
// author (half of those answered before the edit: ~1 % "outdated").
// Two words are planted: kCommonWord in ~2 % of the reviews, kRareWord in ~0.01 %. No other
// word of the vocabularies contains either (checked at start), so the baseline's
// `LIKE '%word%'` on title or body matches exactly the reviews FTS5 finds by token; the
// generator counts the reviews holding each word (a substring search of the final texts) and
// the three counts — generator, Orchard, baseline — must agree.
//
// Queries, as the dashboard sends them (limit 50, newest first, with the total):
//   q1  unreplied ratings 1–2 in the last 30 days, all apps     ListReviews
//   q1b the same for one app                                    ListReviews
//   q2  text search for kCommonWord                              ListReviews
//   q2b text search for kRareWord                                ListReviews
//   q3  counts by rating, storefront and version for one app    CountReviews
// Orchard: one whole store call per run (prepare, count, page, rows read into Review structs).
// Baseline: the obvious SQL through the sqlite3 C API in this process — a count(*) and the
// page's SELECT (or q3's three GROUP BYs), prepared, stepped and every column read. Both sides
// use SQLite's default page cache on their own connection; runs are interleaved; the first run
// is reported as "cold" (the OS page cache is whatever generation or earlier runs left), then
// the median of all runs and the ratio baseline / Orchard.
// Answers are compared: totals, the page's ids in order, and q3's maps; a difference exits 1.
// Missed targets still exit 0: this is a measurement.
//
// Usage: reviews_bench [--reviews 1000000] [--runs 15] [--dir DIR]
//        (Release build: cmake --preset release && cmake --build --preset release --target reviews_bench)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/date.h"
#include "sandbox/generator.h"
#include "store/review_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_access_store.h"
#include "store/sqlite/sqlite_review_store.h"

namespace {

// Bump when Orchard's review schema or indexes, or the generator, change, so that a cached data
// set of the old format is not reused.
constexpr int kDataFormat = 2;  // 2: the team in the text index (review migration "7")

constexpr uint64_t kSeed = 20261101;
constexpr int kApps = 40;
constexpr int kStorefronts = 60;
constexpr int kYears = 3;
constexpr int64_t kDay = 86'400;
// "Now" is fixed so that a cached data set keeps its meaning: 2026-11-01T00:00:00Z.
const int64_t kNow = static_cast<int64_t>(orchard::Date::FromYmd(2026, 11, 1).days()) * kDay;
constexpr size_t kBatch = 500;
constexpr const char* kTeamName = "bench";
constexpr const char* kCommonWord = "battery";
constexpr double kCommonShare = 0.02;
constexpr const char* kRareWord = "xylophone";
constexpr double kRareShare = 0.0001;
constexpr double kTargetSeconds = 0.050;

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using orchard::store::Review;
using orchard::store::ReviewResponse;
using orchard::store::ReplyState;

double Since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "reviews_bench: %s\n", what.c_str());
  std::exit(1);
}

std::string Thousands(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string Ms(double s) {
  char buf[32];
  if (s >= 10) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s >= 1) std::snprintf(buf, sizeof buf, "%.2f s", s);
  else std::snprintf(buf, sizeof buf, "%.2f ms", s * 1000);
  return buf;
}

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

uint64_t FileSize(const fs::path& p) {
  std::error_code ec;
  uint64_t n = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto s = fs::file_size(p.string() + suffix, ec);
    if (!ec) n += s;
  }
  return n;
}

// C stdio: GCC 12's -Wnull-dereference trips over the stream iterators in Release.
std::string ReadFile(const fs::path& p) {
  std::string s;
  if (std::FILE* f = std::fopen(p.c_str(), "rb")) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The data set

struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
};

// Small vocabularies; a review's language follows its storefront. Words are separated by spaces
// (Japanese by "、", which FTS5's unicode61 tokenizer also treats as a separator).
struct Language {
  const char* name;
  std::vector<std::string_view> words;
  const char* separator;
};

const std::vector<Language>& Languages() {
  static const std::vector<Language> languages = {
      {"en",
       {"app", "great", "love", "update", "works", "easy", "to", "use", "time", "really", "good",
        "bad", "slow", "fast", "design", "feature", "please", "add", "support", "sync", "data",
        "lost", "after", "latest", "version", "widget", "dark", "mode", "subscription", "price",
        "free", "ads", "annoying", "helpful", "simple", "clean", "interface", "recommend",
        "every", "day", "crashes", "on", "launch", "the", "it", "is", "not", "worth", "money",
        "thanks", "developer", "best", "ever", "fix", "login", "broken", "awesome", "useless"},
       " "},
      {"de",
       {"sehr", "gut", "schön", "App", "leider", "stürzt", "ab", "seit", "dem", "Update",
        "funktioniert", "nicht", "mehr", "toll", "einfach", "Bedienung", "Preis", "zu", "teuer",
        "Werbung", "nervig", "super", "danke", "Entwickler", "bitte", "Funktion", "hinzufügen",
        "Daten", "verloren", "langsam", "schnell", "übersichtlich", "empfehlenswert", "Abo",
        "kostenlos", "die", "ist", "und"},
       " "},
      {"fr",
       {"très", "bien", "application", "géniale", "merci", "mise", "à", "jour", "ne",
        "fonctionne", "plus", "depuis", "trop", "cher", "publicité", "pénible", "simple",
        "rapide", "lente", "données", "perdues", "super", "pratique", "je", "recommande",
        "ajouter", "fonction", "abonnement", "gratuit", "bug", "la", "est", "et"},
       " "},
      {"es",
       {"muy", "buena", "aplicación", "excelente", "gracias", "no", "funciona", "desde", "la",
        "actualización", "demasiado", "cara", "anuncios", "molestos", "fácil", "rápida", "lenta",
        "datos", "perdidos", "recomiendo", "por", "favor", "añadir", "función", "suscripción",
        "gratis", "error", "es", "y"},
       " "},
      {"pt",
       {"muito", "bom", "aplicativo", "ótimo", "obrigado", "não", "funciona", "depois", "da",
        "atualização", "caro", "anúncios", "fácil", "rápido", "lento", "dados", "perdidos",
        "recomendo", "assinatura", "grátis", "é", "e"},
       " "},
      {"it",
       {"molto", "bella", "app", "ottima", "grazie", "non", "funziona", "dopo", "aggiornamento",
        "troppo", "cara", "pubblicità", "facile", "veloce", "lenta", "dati", "persi", "consiglio",
        "abbonamento", "gratis", "è", "e"},
       " "},
      {"ja",
       {"とても", "便利です", "アプリ", "使いやすい", "アップデート後", "起動しない", "広告が多い",
        "課金が高い", "最高", "ありがとう", "改善希望", "同期が遅い", "データが消えた"},
       "、"},
  };
  return languages;
}

const Language& LanguageOf(std::string_view country) {
  const auto& ls = Languages();
  auto in = [&](std::initializer_list<std::string_view> cs) {
    return std::find(cs.begin(), cs.end(), country) != cs.end();
  };
  if (in({"DE", "AT", "CH"})) return ls[1];
  if (in({"FR", "BE", "LU"})) return ls[2];
  if (in({"ES", "MX", "AR", "CO", "CL", "PE"})) return ls[3];
  if (in({"BR", "PT"})) return ls[4];
  if (in({"IT"})) return ls[5];
  if (in({"JP"})) return ls[6];
  return ls[0];
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The planted words must not occur inside any other word, or LIKE would find more than FTS5.
void CheckVocabulary() {
  for (const Language& l : Languages()) {
    for (std::string_view w : l.words) {
      const std::string lw = Lower(w);
      for (const char* planted : {kCommonWord, kRareWord}) {
        if (lw.find(planted) != std::string::npos) {
          Die("vocabulary word \"" + std::string(w) + "\" contains the search word " + planted);
        }
      }
    }
  }
}

struct App {
  std::string id;
  std::string source;  // asc (linked, answerable) or rss (a tracked competitor)
  double share = 0;
};

struct DataSet {
  int64_t reviews = 0;
  std::vector<App> apps;
  std::vector<std::string> countries;  // upper case, as the sandbox has them
  std::vector<double> country_share;
  // Reviews per (app, country), summing to `reviews` exactly.
  std::vector<std::vector<int64_t>> counts;
  size_t query_app = 4;  // q1b and q3: a mid-popularity linked app
};

DataSet MakeDataSet(int64_t reviews) {
  DataSet ds;
  ds.reviews = reviews;
  double total = 0;
  for (int i = 0; i < kApps; ++i) {
    App a;
    a.id = std::to_string(1'600'000'000LL + i * 7'919LL);
    a.source = i % 4 == 3 ? "rss" : "asc";
    a.share = 1.0 / std::pow(i + 1, 0.7);
    total += a.share;
    ds.apps.push_back(std::move(a));
  }
  for (App& a : ds.apps) a.share /= total;
  std::vector<orchard::sandbox::Storefront> sf = orchard::sandbox::Storefronts();
  std::stable_sort(sf.begin(), sf.end(), [](const auto& x, const auto& y) { return x.weight > y.weight; });
  if (sf.size() > kStorefronts) sf.resize(kStorefronts);
  total = 0;
  for (const auto& s : sf) total += s.weight;
  for (const auto& s : sf) {
    ds.countries.emplace_back(s.country);
    ds.country_share.push_back(s.weight / total);
  }
  // Largest remainder, so the total is exact.
  struct Cell {
    size_t app, country;
    double frac;
  };
  std::vector<Cell> cells;
  int64_t assigned = 0;
  ds.counts.assign(ds.apps.size(), std::vector<int64_t>(ds.countries.size(), 0));
  for (size_t a = 0; a < ds.apps.size(); ++a) {
    for (size_t c = 0; c < ds.countries.size(); ++c) {
      const double want = static_cast<double>(reviews) * ds.apps[a].share * ds.country_share[c];
      const auto n = static_cast<int64_t>(std::floor(want));
      ds.counts[a][c] = n;
      assigned += n;
      cells.push_back({a, c, want - static_cast<double>(n)});
    }
  }
  std::stable_sort(cells.begin(), cells.end(), [](const Cell& x, const Cell& y) { return x.frac > y.frac; });
  for (size_t i = 0; assigned < reviews; ++i, ++assigned) ++ds.counts[cells[i % cells.size()].app][cells[i % cells.size()].country];
  return ds;
}

// One generated review: the version first stored, and for an edited review the version the
// author edited it to (stored by a second upsert).
struct Generated {
  Review first;
  std::optional<Review> edit;
  // The final state (what both stores must hold).
  const Review& Final() const { return edit ? *edit : first; }
  ReplyState final_state = ReplyState::kNone;
};

std::string Sentence(SplitMix64& rng, const Language& l, int min_words, int max_words) {
  const int n = min_words + static_cast<int>(rng.Below(static_cast<size_t>(max_words - min_words + 1)));
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += l.separator;
    std::string w(l.words[rng.Below(l.words.size())]);
    if (i == 0 && !w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 'a' + 'A');
    s += w;
  }
  return s;
}

// Puts `word` at a random word boundary of `text` (a planted word keeps its own spaces).
void Plant(SplitMix64& rng, std::string& text, const char* word) {
  std::vector<size_t> spaces{0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') spaces.push_back(i + 1);
  }
  const size_t at = spaces[rng.Below(spaces.size())];
  text.insert(at, std::string(word) + " ");
}

int Rating(SplitMix64& rng) {
  const double u = rng.Uniform();
  return u < 0.15 ? 1 : u < 0.21 ? 2 : u < 0.28 ? 3 : u < 0.42 ? 4 : 5;
}

void Texts(SplitMix64& rng, const Language& l, Review& r) {
  r.title = Sentence(rng, l, 2, 5);
  r.body.clear();
  const int sentences = 1 + static_cast<int>(rng.Below(4));
  for (int i = 0; i < sentences; ++i) {
    if (i > 0) r.body += " ";
    r.body += Sentence(rng, l, 4, 14) + (l.separator[0] == ' ' ? "." : "。");
  }
  if (rng.Uniform() < kCommonShare) Plant(rng, rng.Uniform() < 0.2 ? r.title : r.body, kCommonWord);
  if (rng.Uniform() < kRareShare) Plant(rng, r.body, kRareWord);
}

// The reviews of one app in one storefront, from a stream seeded by both.
std::vector<Generated> GenerateCell(const DataSet& ds, size_t app, size_t country) {
  const int64_t n = ds.counts[app][country];
  std::vector<Generated> out;
  out.reserve(static_cast<size_t>(n));
  SplitMix64 rng{kSeed ^ (static_cast<uint64_t>(app) * 0x2545F4914F6CDD1DULL) ^
                 (static_cast<uint64_t>(country) * 0x9E3779B97F4A7C15ULL + 1)};
  const Language& lang = LanguageOf(ds.countries[country]);
  const bool answerable = ds.apps[app].source == "asc";
  const int64_t span = static_cast<int64_t>(kYears) * 365 * kDay;
  const int64_t start = kNow - span;
  char id[48];
  for (int64_t i = 0; i < n; ++i) {
    Generated g;
    Review& r = g.first;
    std::snprintf(id, sizeof id, "%s-%s-%lld", ds.apps[app].id.c_str(), ds.countries[country].c_str(),
                  static_cast<long long>(i));
    r.source_id = id;
    r.country = ds.countries[country];
    // Volume grows linearly: t = sqrt(u) has density 2t on [0, 1).
    const double t = std::sqrt(rng.Uniform());
    r.updated_at = std::min(kNow - 60, start + static_cast<int64_t>(t * static_cast<double>(span)));
    const int release = static_cast<int>(t * 30);  // 30 releases in three years
    r.version = std::to_string(1 + release / 10) + "." + std::to_string(release % 10);
    r.rating = Rating(rng);
    r.author = "user" + std::to_string(rng.Below(10'000'000));
    Texts(rng, lang, r);
    const bool edited = rng.Uniform() < 0.025;
    const double reply_p = r.rating <= 2 ? 0.5 : r.rating == 3 ? 0.4 : 0.3;
    const bool answered = answerable && rng.Uniform() < (edited ? 0.5 : reply_p);
    if (answered) {
      ReviewResponse resp;
      resp.id = std::string("resp-") + id;
      resp.body = "Thank you for your feedback!";
      resp.state = rng.Uniform() < 0.1 ? "pending" : "published";
      resp.updated_at = std::min(kNow - 30, r.updated_at + 3600 + static_cast<int64_t>(rng.Below(5 * kDay)));
      r.response = resp;
      g.final_state = resp.state == "pending" ? ReplyState::kPending : ReplyState::kPublished;
    }
    if (edited) {
      Review e = r;
      e.response.reset();  // the edit's page says nothing new about the response
      e.created_at = r.updated_at;
      const int64_t after = r.response ? r.response->updated_at : r.updated_at;
      e.updated_at = std::min(kNow - 1, after + 3600 + static_cast<int64_t>(rng.Below(20 * kDay)));
      if (rng.Uniform() < 0.5) e.rating = Rating(rng);
      Texts(rng, lang, e);
      if (e.updated_at > after && r.response) g.final_state = ReplyState::kOutdated;
      g.edit = std::move(e);
    }
    out.push_back(std::move(g));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Orchard: every call into Orchard's store is in this section.

struct OrchardSide {
  std::shared_ptr<orchard::store::sqlite::Database> db;
  std::unique_ptr<orchard::store::sqlite::SqliteReviewStore> reviews;
  int64_t team = 0;

  // Opens (creating and migrating) the store, as the app does (src/cli/app_context.cc), and
  // finds or creates the team.
  void Open(const fs::path& path) {
    auto opened = orchard::store::sqlite::Database::Open(path);
    if (!opened) Die("cannot open " + path.string() + ": " + opened.error().ToString());
    db = *opened;
    reviews = std::make_unique<orchard::store::sqlite::SqliteReviewStore>(db, &orchard::SystemClock());
    orchard::store::sqlite::SqliteAccessStore access(db, &orchard::SystemClock());
    if (auto found = access.FindTeamByName(kTeamName)) {
      team = found->id;
    } else if (auto created = access.CreateTeam(kTeamName)) {
      team = created->id;
    } else {
      Die("CreateTeam: " + created.error().ToString());
    }
  }

  std::vector<int64_t> Upsert(const std::string& app_id, const std::string& source,
                              const std::vector<Review>& batch, int64_t* added, int64_t* updated) {
    auto counts = reviews->UpsertReviews(team, app_id, source, batch);
    if (!counts) Die("UpsertReviews: " + counts.error().ToString());
    *added += counts->added;
    *updated += counts->updated;
    return counts->added_ids;
  }

  orchard::store::ReviewPage List(const orchard::store::ReviewQuery& q) {
    auto page = reviews->ListReviews(q);
    if (!page) Die("ListReviews: " + page.error().ToString());
    return *std::move(page);
  }
  orchard::store::ReviewCounts Count(const orchard::store::ReviewQuery& q) {
    auto counts = reviews->CountReviews(q);
    if (!counts) Die("CountReviews: " + counts.error().ToString());
    return *std::move(counts);
  }
};

// ---------------------------------------------------------------------------------------------
// The baseline: a plain SQLite table, one row per review.

void Check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Die(std::string("plain.db: ") + what + ": " + sqlite3_errmsg(db));
  }
}
void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "?";
    sqlite3_free(err);
    Die("plain.db: " + msg + " in: " + sql);
  }
}

constexpr const char* kPlainColumns =
    "id, team_id, app_id, source, source_id, country, rating, title, body, author, version, "
    "created_at, updated_at, response_id, response_body, response_state, response_updated_at";

class PlainWriter {
 public:
  explicit PlainWriter(const fs::path& path) {
    Check(db_, sqlite3_open(path.c_str(), &db_), "open");
    // Loading only: no journal, no fsync; a large cache for building the indexes.
    Exec(db_, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576;");
    Exec(db_,
         "CREATE TABLE reviews (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL, app_id TEXT NOT "
         "NULL, source TEXT NOT NULL, source_id TEXT NOT NULL, country TEXT NOT NULL, rating "
         "INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, author TEXT NOT NULL, "
         "version TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, "
         "response_id TEXT NOT NULL, response_body TEXT NOT NULL, response_state TEXT NOT NULL, "
         "response_updated_at INTEGER NOT NULL); BEGIN;");
    Check(db_, sqlite3_prepare_v2(db_, (std::string("INSERT INTO reviews (") + kPlainColumns +
                                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").c_str(),
                                  -1, &insert_, nullptr), "prepare");
  }

  // The final state of a review, under Orchard's id. The response is the first version's (an
  // edit does not change it).
  void Add(int64_t id, int64_t team, const App& app, const Generated& g) {
    const Review& r = g.Final();
    const std::string country = Lower(r.country);
    int i = 1;
    auto text = [&](const std::string& s) { sqlite3_bind_text(insert_, i++, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); };
    auto num = [&](int64_t v) { sqlite3_bind_int64(insert_, i++, v); };
    num(id);
    num(team);
    text(app.id);
    text(app.source);
    text(r.source_id);
    text(country);
    num(r.rating);
    text(r.title);
    text(r.body);
    text(r.author);
    text(r.version);
    num(r.created_at != 0 ? r.created_at : r.updated_at);
    num(r.updated_at);
    const auto& resp = g.first.response;
    static const std::string kNone;
    text(resp ? resp->id : kNone);
    text(resp ? resp->body : kNone);
    text(resp ? resp->state : kNone);
    num(resp ? resp->updated_at : 0);
    Check(db_, sqlite3_step(insert_), "insert");
    sqlite3_reset(insert_);
  }

  // Commits, then builds the indexes of a plain inbox table and ANALYZE so the planner knows
  // which to use.
  void Finish() {
    sqlite3_finalize(insert_);
    insert_ = nullptr;
    Exec(db_, "COMMIT;");
    Exec(db_, "CREATE INDEX plain_by_team_time ON reviews (team_id, updated_at);"
              "CREATE INDEX plain_by_app_time ON reviews (team_id, app_id, updated_at);"
              "ANALYZE;");
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Generation and the cache

struct GenStats {
  int64_t reviews = 0, edits = 0, with_response = 0, pending = 0, outdated = 0;
  int64_t common = 0, rare = 0;  // reviews whose final title or body holds the word
  double orchard_insert_s = 0, orchard_edit_s = 0, plain_s = 0, total_s = 0;
};

std::string StatsText(const GenStats& s) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "reviews %lld\nedits %lld\nwith_response %lld\npending %lld\noutdated %lld\n"
                "common %lld\nrare %lld\norchard_insert_s %.3f\norchard_edit_s %.3f\nplain_s %.3f\n"
                "total_s %.3f\n",
                static_cast<long long>(s.reviews), static_cast<long long>(s.edits),
                static_cast<long long>(s.with_response), static_cast<long long>(s.pending),
                static_cast<long long>(s.outdated), static_cast<long long>(s.common),
                static_cast<long long>(s.rare), s.orchard_insert_s, s.orchard_edit_s, s.plain_s,
                s.total_s);
  return buf;
}

GenStats ParseStats(const std::string& text) {
  GenStats s;
  std::map<std::string, double> v;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    const size_t sp = line.find(' ');
    if (sp != std::string::npos) v[line.substr(0, sp)] = std::strtod(line.c_str() + sp + 1, nullptr);
  }
  auto n = [&](const char* k) { return static_cast<int64_t>(v[k]); };
  s.reviews = n("reviews");
  s.edits = n("edits");
  s.with_response = n("with_response");
  s.pending = n("pending");
  s.outdated = n("outdated");
  s.common = n("common");
  s.rare = n("rare");
  s.orchard_insert_s = v["orchard_insert_s"];
  s.orchard_edit_s = v["orchard_edit_s"];
  s.plain_s = v["plain_s"];
  s.total_s = v["total_s"];
  return s;
}

bool Holds(const Review& r, const char* word) {
  return Lower(r.title).find(word) != std::string::npos || Lower(r.body).find(word) != std::string::npos;
}

GenStats EnsureDataSet(const DataSet& ds, const fs::path& folder) {
  const fs::path marker = folder / "complete";
  if (fs::exists(marker)) {
    std::cout << "reusing cached data set " << folder.string() << std::endl;
    return ParseStats(ReadFile(marker));
  }
  std::cout << "generating data set " << folder.string() << " …" << std::endl;
  fs::remove_all(folder);
  fs::create_directories(folder);
  GenStats s;
  const auto t0 = SteadyClock::now();
  {
    OrchardSide orchard;
    orchard.Open(folder / "orchard.db");
    PlainWriter plain(folder / "plain.db");
    int64_t added = 0, updated = 0;
    for (size_t a = 0; a < ds.apps.size(); ++a) {
      const App& app = ds.apps[a];
      for (size_t c = 0; c < ds.countries.size(); ++c) {
        const std::vector<Generated> cell = GenerateCell(ds, a, c);
        if (cell.empty()) continue;
        std::vector<int64_t> ids;
        ids.reserve(cell.size());
        std::vector<Review> batch;
        for (size_t i = 0; i < cell.size(); i += kBatch) {
          batch.clear();
          for (size_t j = i; j < std::min(cell.size(), i + kBatch); ++j) batch.push_back(cell[j].first);
          const auto t = SteadyClock::now();
          const std::vector<int64_t> got = orchard.Upsert(app.id, app.source, batch, &added, &updated);
          s.orchard_insert_s += Since(t);
          if (got.size() != batch.size()) Die("UpsertReviews added " + std::to_string(got.size()) + " of " + std::to_string(batch.size()));
          ids.insert(ids.end(), got.begin(), got.end());
        }
        // The edits, as a later sync finds them.
        batch.clear();
        for (const Generated& g : cell) {
          if (g.edit) batch.push_back(*g.edit);
        }
        for (size_t i = 0; i < batch.size(); i += kBatch) {
          const std::vector<Review> part(batch.begin() + static_cast<std::ptrdiff_t>(i),
                                         batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), i + kBatch)));
          const int64_t before = updated;
          const auto t = SteadyClock::now();
          orchard.Upsert(app.id, app.source, part, &added, &updated);
          s.orchard_edit_s += Since(t);
          if (updated - before != static_cast<int64_t>(part.size())) Die("an edit was not stored as an update");
        }
        const auto t = SteadyClock::now();
        for (size_t i = 0; i < cell.size(); ++i) plain.Add(ids[i], orchard.team, app, cell[i]);
        s.plain_s += Since(t);
        for (const Generated& g : cell) {
          ++s.reviews;
          s.edits += g.edit ? 1 : 0;
          s.with_response += g.first.response ? 1 : 0;
          s.pending += g.final_state == ReplyState::kPending ? 1 : 0;
          s.outdated += g.final_state == ReplyState::kOutdated ? 1 : 0;
          s.common += Holds(g.Final(), kCommonWord) ? 1 : 0;
          s.rare += Holds(g.Final(), kRareWord) ? 1 : 0;
        }
      }
      std::printf("  app %zu/%zu: %s reviews, %.0f s\n", a + 1, ds.apps.size(), Thousands(static_cast<uint64_t>(s.reviews)).c_str(), Since(t0));
      std::fflush(stdout);
    }
    const auto t = SteadyClock::now();
    plain.Finish();
    s.plain_s += Since(t);
    const auto tc = SteadyClock::now();
    orchard.reviews.reset();
    orchard.db.reset();  // close: checkpoints the WAL into the file
    s.orchard_insert_s += Since(tc);
  }
  s.total_s = Since(t0);
  std::ofstream(marker) << StatsText(s);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Queries

// What both sides answer: the total and the page's ids (or q3's counts).
struct Answer {
  int64_t total = 0;
  std::vector<int64_t> ids;
  std::map<std::string, int64_t> counts;  // q3: "rating 1", "country us", "version 1.0"
};

Answer FromPage(const orchard::store::ReviewPage& p) {
  Answer a;
  a.total = p.total;
  for (const Review& r : p.reviews) a.ids.push_back(r.id);
  return a;
}

Answer FromCounts(const orchard::store::ReviewCounts& c) {
  Answer a;
  a.total = c.total;
  for (const auto& [k, n] : c.by_rating) a.counts["rating " + std::to_string(k)] = n;
  for (const auto& [k, n] : c.by_country) a.counts["country " + k] = n;
  for (const auto& [k, n] : c.by_version) a.counts["version " + k] = n;
  return a;
}

class PlainReader {
 public:
  explicit PlainReader(const fs::path& path) {
    Check(db_, sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), "open");
  }
  ~PlainReader() { sqlite3_close(db_); }
  PlainReader(const PlainReader&) = delete;
  PlainReader& operator=(const PlainReader&) = delete;

  // A dashboard page: count(*) and the first `limit` rows, newest first, every column read.
  Answer Page(const std::string& where, const std::vector<std::string>& args) {
    Answer a;
    Exec(db_, "BEGIN");
    {
      sqlite3_stmt* st = Prepare("SELECT count(*) FROM reviews WHERE " + where, args);
      Check(db_, sqlite3_step(st), "count");
      a.total = sqlite3_column_int64(st, 0);
      sqlite3_finalize(st);
    }
    sqlite3_stmt* st = Prepare(std::string("SELECT ") + kPlainColumns + " FROM reviews WHERE " +
                                   where + " ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0",
                               args);
    size_t bytes = 0;
    while (true) {
      const int rc = sqlite3_step(st);
      Check(db_, rc, "page");
      if (rc != SQLITE_ROW) break;
      a.ids.push_back(sqlite3_column_int64(st, 0));
      for (int c = 1; c < sqlite3_column_count(st); ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_TEXT) {
          bytes += std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                               static_cast<size_t>(sqlite3_column_bytes(st, c))).size();
        } else {
          bytes += static_cast<size_t>(sqlite3_column_int64(st, c) & 1);
        }
      }
    }
    sqlite3_finalize(st);
    Exec(db_, "COMMIT");
    sink_ += bytes;
    return a;
  }

  // q3: three GROUP BYs.
  Answer Counts(const std::string& where, const std::vector<std::string>& args) {
    Answer a;
    Exec(db_, "BEGIN");
    for (const char* column : {"rating", "country", "version"}) {
      sqlite3_stmt* st = Prepare(std::string("SELECT ") + column + ", count(*) FROM reviews WHERE " +
                                     where + " GROUP BY " + column, args);
      while (true) {
        const int rc = sqlite3_step(st);
        Check(db_, rc, "group");
        if (rc != SQLITE_ROW) break;
        const std::string key(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                              static_cast<size_t>(sqlite3_column_bytes(st, 0)));
        const int64_t n = sqlite3_column_int64(st, 1);
        a.counts[std::string(column) + " " + key] = n;
        if (std::string_view(column) == "rating") a.total += n;
      }
      sqlite3_finalize(st);
    }
    Exec(db_, "COMMIT");
    return a;
  }

  size_t sink() const { return sink_; }

 private:
  sqlite3_stmt* Prepare(const std::string& sql, const std::vector<std::string>& args) {
    sqlite3_stmt* st = nullptr;
    Check(db_, sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), "prepare");
    for (size_t i = 0; i < args.size(); ++i) {
      sqlite3_bind_text(st, static_cast<int>(i + 1), args[i].data(), static_cast<int>(args[i].size()), SQLITE_TRANSIENT);
    }
    return st;
  }

  sqlite3* db_ = nullptr;
  size_t sink_ = 0;
};

struct Query {
  std::string name;
  bool counts = false;                 // q3: CountReviews / GROUP BYs
  orchard::store::ReviewQuery orchard;
  std::string plain_where;             // integers spliced (ours), text bound
  std::vector<std::string> plain_args;
  std::optional<int64_t> expected;     // the generator's count, when it knows it
  bool targeted = false;               // the 50 ms target applies
};

std::vector<Query> MakeQueries(const DataSet& ds, int64_t team, const GenStats& stats) {
  std::vector<Query> qs;
  const std::string t = "team_id = " + std::to_string(team);
  const int64_t from = kNow - 30 * kDay;
  const std::string& app = ds.apps[ds.query_app].id;
  auto base = [&] {
    orchard::store::ReviewQuery q;
    q.team_id = team;
    q.limit = 50;
    q.sort = orchard::store::ReviewSort::kNewest;
    return q;
  };
  {
    Query q{"q1  unreplied 1-2 stars, last 30 days, all apps", false, base(), "", {}, std::nullopt, true};
    q.orchard.ratings = {1, 2};
    q.orchard.reply_states = {ReplyState::kNone};
    q.orchard.from = from;
    q.plain_where = t + " AND rating IN (1, 2) AND response_state = '' AND updated_at >= " + std::to_string(from);
    qs.push_back(std::move(q));
  }
  {
    Query q{"q1b the same, one app (" + app + ")", false, base(), "", {}, std::nullopt, false};
    q.orchard.app_ids = {app};
    q.orchard.ratings = {1, 2};
    q.orchard.reply_states = {ReplyState::kNone};
    q.orchard.from = from;
    q.plain_where = t + " AND app_id = ? AND rating IN (1, 2) AND response_state = '' AND updated_at >= " +
                    std::to_string(from);
    q.plain_args = {app};
    qs.push_back(std::move(q));
  }
  for (const auto& [word, expected, targeted] :
       {std::tuple{kCommonWord, stats.common, true}, std::tuple{kRareWord, stats.rare, false}}) {
    Query q{std::string(std::string_view(word) == kCommonWord ? "q2 " : "q2b") + " text \"" + word + "\", all apps", false, base(),
            "", {}, expected, targeted};
    q.orchard.text = word;
    q.plain_where = t + " AND (title LIKE ? OR body LIKE ?)";
    q.plain_args = {std::string("%") + word + "%", std::string("%") + word + "%"};
    qs.push_back(std::move(q));
  }
  {
    Query q{"q3  counts by rating/country/version, one app", true, base(), "", {}, std::nullopt, false};
    q.orchard.app_ids = {app};
    q.plain_where = t + " AND app_id = ?";
    q.plain_args = {app};
    qs.push_back(std::move(q));
  }
  return qs;
}

bool Agree(const Query& q, const Answer& o, const Answer& b) {
  bool ok = o.total == b.total && o.ids == b.ids && o.counts == b.counts;
  if (q.expected) ok = ok && o.total == *q.expected;
  std::printf("  %s: orchard total %s (%zu %s), baseline %s (%zu)%s%s\n", q.name.substr(0, 3).c_str(),
              Thousands(static_cast<uint64_t>(o.total)).c_str(), q.counts ? o.counts.size() : o.ids.size(),
              q.counts ? "groups" : "on the page",
              Thousands(static_cast<uint64_t>(b.total)).c_str(), q.counts ? b.counts.size() : b.ids.size(),
              q.expected ? (", generator " + Thousands(static_cast<uint64_t>(*q.expected))).c_str() : "",
              ok ? "" : "  << DIFFERENT");
  if (!ok && o.ids != b.ids) {
    for (size_t i = 0; i < std::min(o.ids.size(), b.ids.size()); ++i) {
      if (o.ids[i] != b.ids[i]) {
        std::printf("    first different id at %zu: orchard %lld, baseline %lld\n", i,
                    static_cast<long long>(o.ids[i]), static_cast<long long>(b.ids[i]));
        break;
      }
    }
  }
  return ok;
}

struct Options {
  int64_t reviews = 1'000'000;
  int runs = 15;
  std::string dir;
};

void Usage(std::FILE* to) {
  std::fprintf(to,
               "usage: reviews_bench [--reviews 1000000] [--runs 15] [--dir DIR]\n"
               "Times the reviews inbox's queries through Orchard's ReviewStore against the same\n"
               "queries on a plain SQLite table of the same reviews, in the same run. The data\n"
               "set is generated once and cached under DIR (default $ORCHARD_BENCH_DIR, else\n"
               "./bench-data). Build in Release: cmake --preset release.\n");
}

Options Parse(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("ORCHARD_BENCH_DIR"); env != nullptr && *env != '\0') o.dir = env;
  else o.dir = "bench-data";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      Usage(stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      Usage(stderr);
      Die("missing value after " + a);
    }
    const std::string v = argv[++i];
    auto number = [&](long long lo, long long hi) {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || n < lo || n > hi) {
        Die(a + " wants a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
      }
      return n;
    };
    if (a == "--reviews") o.reviews = number(1000, 100'000'000);
    else if (a == "--runs") o.runs = static_cast<int>(number(1, 1000));
    else if (a == "--dir") o.dir = v;
    else {
      Usage(stderr);
      Die("unknown option " + a);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = Parse(argc, argv);
  CheckVocabulary();
  const DataSet ds = MakeDataSet(opt.reviews);
  const fs::path folder = fs::absolute(opt.dir) /
                          ("reviews-v" + std::to_string(kDataFormat) + "-n" + std::to_string(opt.reviews));
  const GenStats stats = EnsureDataSet(ds, folder);
  const fs::path orchard_db = folder / "orchard.db", plain_db = folder / "plain.db";
  std::printf("data set: %s reviews of one team = %d apps x %d storefronts, %s..%s; %s edited, "
              "%s with a response (%s pending), %s outdated; \"%s\" in %s, \"%s\" in %s\n",
              Thousands(static_cast<uint64_t>(stats.reviews)).c_str(), kApps, kStorefronts,
              orchard::Date::FromDays(static_cast<int32_t>((kNow - kYears * 365 * kDay) / kDay)).Iso().c_str(),
              orchard::Date::FromDays(static_cast<int32_t>(kNow / kDay - 1)).Iso().c_str(),
              Thousands(static_cast<uint64_t>(stats.edits)).c_str(),
              Thousands(static_cast<uint64_t>(stats.with_response)).c_str(),
              Thousands(static_cast<uint64_t>(stats.pending)).c_str(),
              Thousands(static_cast<uint64_t>(stats.outdated)).c_str(), kCommonWord,
              Thousands(static_cast<uint64_t>(stats.common)).c_str(), kRareWord,
              Thousands(static_cast<uint64_t>(stats.rare)).c_str());
  std::printf("ingest through ReviewStore::UpsertReviews (when generated, batches of %zu): %s new "
              "reviews in %.1f s = %.0f reviews/s; %s edits in %.1f s = %.0f edits/s; plain.db "
              "load + indexes %.1f s; all %.0f s\n",
              kBatch, Thousands(static_cast<uint64_t>(stats.reviews)).c_str(), stats.orchard_insert_s,
              static_cast<double>(stats.reviews) / stats.orchard_insert_s,
              Thousands(static_cast<uint64_t>(stats.edits)).c_str(), stats.orchard_edit_s,
              static_cast<double>(stats.edits) / stats.orchard_edit_s, stats.plain_s, stats.total_s);
  std::printf("on disk: orchard.db %s, plain.db %s\n", Mib(FileSize(orchard_db)).c_str(),
              Mib(FileSize(plain_db)).c_str());
  std::fflush(stdout);

  OrchardSide orchard;
  orchard.Open(orchard_db);
  PlainReader plain(plain_db);
  const std::vector<Query> queries = MakeQueries(ds, orchard.team, stats);

  struct Times {
    std::vector<double> orchard, baseline;
  };
  std::vector<Times> times(queries.size());
  std::vector<Answer> orchard_answers(queries.size()), baseline_answers(queries.size());
  for (int round = 0; round < opt.runs; ++round) {
    for (size_t qi = 0; qi < queries.size(); ++qi) {
      const Query& q = queries[qi];
      Answer oa, ba;
      auto t0 = SteadyClock::now();
      if (q.counts) oa = FromCounts(orchard.Count(q.orchard));
      else oa = FromPage(orchard.List(q.orchard));
      times[qi].orchard.push_back(Since(t0));
      t0 = SteadyClock::now();
      if (q.counts) ba = plain.Counts(q.plain_where, q.plain_args);
      else ba = plain.Page(q.plain_where, q.plain_args);
      times[qi].baseline.push_back(Since(t0));
      if (round == 0) {
        orchard_answers[qi] = oa;
        baseline_answers[qi] = ba;
        std::printf("%s: orchard %s, baseline %s (first runs)\n", q.name.c_str(),
                    Ms(times[qi].orchard[0]).c_str(), Ms(times[qi].baseline[0]).c_str());
        std::fflush(stdout);
      }
    }
  }

  std::printf("answers (totals, the page's ids in order, q3's counts):\n");
  bool agree = true;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    agree = Agree(queries[qi], orchard_answers[qi], baseline_answers[qi]) && agree;
  }
  std::printf(agree ? "answers agree\n" : "ANSWERS DIFFER\n");
  if (!agree) std::fprintf(stderr, "reviews_bench: Orchard and the baseline disagree (see above)\n");

  double load[3] = {0, 0, 0};
  const bool have_load = getloadavg(load, 3) == 3;
  std::printf("\n%-56s %10s %10s %10s %12s %12s %8s  %s\n", "query (runs each)", "total", "orch cold",
              "orch med", "plain cold", "plain med", "ratio", "target <= 50 ms (q1, q2)");
  bool met = true;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    const auto& t = times[qi];
    const double om = Median(t.orchard), bm = Median(t.baseline);
    const bool fast = om <= kTargetSeconds;
    if (queries[qi].targeted) met &= fast;
    const std::string label = queries[qi].name + " (" + std::to_string(t.orchard.size()) + ")";
    std::printf("%-56s %10s %10s %10s %12s %12s %7.1fx  %s\n", label.c_str(),
                Thousands(static_cast<uint64_t>(orchard_answers[qi].total)).c_str(), Ms(t.orchard[0]).c_str(),
                Ms(om).c_str(), Ms(t.baseline[0]).c_str(), Ms(bm).c_str(), bm / om,
                queries[qi].targeted ? (fast ? "met" : "MISSED") : (fast ? "(within 50 ms)" : "(over 50 ms)"));
  }
  std::printf("target (q1 and q2 <= 50 ms median): %s", met ? "met" : "NOT met");
  if (have_load) std::printf("; load average at the end %.2f %.2f %.2f on %ld cores", load[0], load[1], load[2], sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("\n");
  if (plain.sink() == 0) std::printf("(no baseline rows read)\n");
  return agree ? 0 : 1;
}
