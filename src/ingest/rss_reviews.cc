#include "ingest/rss_reviews.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "core/date.h"

namespace orchard::ingest {
namespace {

using Json = nlohmann::json;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "an array", "a number", … for error messages.
std::string Kind(const Json& value) {
  const std::string name = value.type_name();
  return (name[0] == 'a' || name[0] == 'o' ? "an " : "a ") + name;
}

// Text quoted in an error message: at most 40 bytes, cut on a UTF-8 boundary so the message
// stays valid UTF-8 (it may end up in a JSON error body).
std::string Quote(std::string_view s) {
  if (s.size() > 40) {
    size_t cut = 40;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return "'" + std::string(s.substr(0, cut)) + "…'";
  }
  return "'" + std::string(s) + "'";
}

// A non-negative decimal integer of at most 18 digits (no sign, no spaces).
std::optional<int64_t> ParseCount(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Every scalar of the feed is wrapped as {"label": "…"} (§8.1). Unconfirmed variants are
// tolerated: a bare value instead of the wrapper, and an integer instead of a string (the doc
// says numbers are strings; a JSON number is not worth failing a page over). Absent, null, or a
// wrapper without `label` → nullopt; any other type → kInvalidArgument naming `where` and `key`.
Result<std::optional<std::string>> Scalar(const Json& object, const char* key,
                                          const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  const Json* value = &*it;
  if (value->is_object()) {
    const auto label = value->find("label");
    if (label == value->end() || label->is_null()) return std::nullopt;
    value = &*label;
  }
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_unsigned()) return std::to_string(value->get<uint64_t>());
  if (value->is_number_integer()) return std::to_string(value->get<int64_t>());
  return Error(Code::kInvalidArgument,
               where + ": " + key + " is " + Kind(*value) + ", expected text or {\"label\": text}");
}

// The review text. `content` is one {"label", "attributes": {"type": "text"}} object in the
// JSON feed; the Atom feed it mirrors can carry a text and an html rendering, so an array is
// tolerated and its `type: text` member preferred (else the first usable one).
Result<std::string> Body(const Json& entry, const std::string& where) {
  const auto it = entry.find("content");
  if (it == entry.end() || !it->is_array()) {
    ORCHARD_ASSIGN_OR_RETURN(auto text, Scalar(entry, "content", where));
    return text.value_or("");
  }
  std::optional<std::string> first;
  for (const Json& part : *it) {
    if (!part.is_object()) continue;
    const Json wrapper = {{"content", part}};
    ORCHARD_ASSIGN_OR_RETURN(auto text, Scalar(wrapper, "content", where));
    if (!text) continue;
    const auto attributes = part.find("attributes");
    if (attributes != part.end() && attributes->is_object()) {
      const auto type = attributes->find("type");
      if (type != attributes->end() && type->is_string() && type->get<std::string>() == "text") {
        return *text;
      }
    }
    if (!first) first = std::move(text);
  }
  return first.value_or("");
}

// `page=N` in a feed link, wherever the segment is (segment order is free in practice; Apple's
// own links have appeared as `…/page=2/id=…/xml?urlDesc=/customerreviews/id=…/json`, where the
// first `page=` is the one that counts). 0 when there is none.
int PageOf(std::string_view href) {
  size_t start = 0;
  while (start < href.size()) {
    size_t end = href.find_first_of("/?&", start);
    if (end == std::string_view::npos) end = href.size();
    const std::string_view segment = href.substr(start, end - start);
    if (segment.size() > 5 && segment.size() <= 9) {
      std::string key(segment.substr(0, 5));
      for (char& c : key) c = Lower(c);
      if (key == "page=") {
        if (auto n = ParseCount(segment.substr(5))) return static_cast<int>(*n);
      }
    }
    start = end + 1;
  }
  return 0;
}

struct Links {
  int self = 0, last = 0, next = 0;
};

// The feed's `link`: an array of {"attributes": {"rel", "href"}} (or, tolerated, one object).
// Links are navigation hints, so malformed members are ignored rather than failing the page.
Links ReadLinks(const Json& feed) {
  Links links;
  const auto it = feed.find("link");
  if (it == feed.end()) return links;
  auto read = [&](const Json& link) {
    if (!link.is_object()) return;
    const auto attributes = link.find("attributes");
    if (attributes == link.end() || !attributes->is_object()) return;
    const auto rel = attributes->find("rel"), href = attributes->find("href");
    if (rel == attributes->end() || href == attributes->end() || !rel->is_string() ||
        !href->is_string()) {
      return;
    }
    const std::string& r = rel->get_ref<const std::string&>();
    const int page = PageOf(href->get_ref<const std::string&>());
    if (r == "self") links.self = page;
    if (r == "last") links.last = page;
    if (r == "next") links.next = page;
  };
  if (it->is_array()) {
    for (const Json& link : *it) read(link);
  } else {
    read(*it);
  }
  return links;
}

Result<RssReview> ParseEntry(const Json& entry, const std::string& country, size_t number) {
  std::string where = "entry " + std::to_string(number);
  RssReview review;
  review.country = country;

  ORCHARD_ASSIGN_OR_RETURN(auto id, Scalar(entry, "id", where));
  if (!id || id->empty()) return Error(Code::kInvalidArgument, where + ": review without an id");
  review.id = std::move(*id);
  where += " (id " + Quote(review.id) + ")";

  ORCHARD_ASSIGN_OR_RETURN(auto rating, Scalar(entry, "im:rating", where));
  const auto stars = ParseCount(rating.value_or(""));
  if (!stars || *stars < 1 || *stars > 5) {
    return Error(Code::kInvalidArgument, where + ": im:rating " + Quote(rating.value_or("")) +
                                             " is not a whole number 1–5");
  }
  review.rating = static_cast<int>(*stars);

  ORCHARD_ASSIGN_OR_RETURN(auto updated, Scalar(entry, "updated", where));
  if (!updated) return Error(Code::kInvalidArgument, where + ": no updated time");
  auto unix_seconds = ParseRssTimestamp(*updated);
  if (!unix_seconds) {
    return Error(unix_seconds.error().WithContext(where + ": updated"));
  }
  review.updated = std::move(*updated);
  review.updated_unix = *unix_seconds;

  ORCHARD_ASSIGN_OR_RETURN(auto title, Scalar(entry, "title", where));
  review.title = title.value_or("");
  ORCHARD_ASSIGN_OR_RETURN(review.body, Body(entry, where));
  ORCHARD_ASSIGN_OR_RETURN(auto version, Scalar(entry, "im:version", where));
  review.version = version.value_or("");

  // author: {"uri": {"label"}, "name": {"label"}, "label": ""}; a bare name is tolerated.
  if (const auto author = entry.find("author"); author != entry.end() && author->is_object()) {
    ORCHARD_ASSIGN_OR_RETURN(auto name, Scalar(*author, "name", where + ": author"));
    ORCHARD_ASSIGN_OR_RETURN(auto uri, Scalar(*author, "uri", where + ": author"));
    review.author = name.value_or("");
    review.author_uri = uri.value_or("");
  } else {
    ORCHARD_ASSIGN_OR_RETURN(auto name, Scalar(entry, "author", where));
    review.author = name.value_or("");
  }

  // Votes are optional; an empty label is read as "not given".
  for (auto [key, out] :
       {std::pair{"im:voteSum", &review.vote_sum}, std::pair{"im:voteCount", &review.vote_count}}) {
    ORCHARD_ASSIGN_OR_RETURN(auto text, Scalar(entry, key, where));
    if (!text || text->empty()) continue;
    *out = ParseCount(*text);
    if (!*out) {
      return Error(Code::kInvalidArgument,
                   where + ": " + key + " " + Quote(*text) + " is not a non-negative whole number");
    }
  }
  return review;
}

}  // namespace

Result<int64_t> ParseRssTimestamp(std::string_view text) { return ParseIsoDateTime(text); }

Result<RssReviewPage> ParseReviewFeed(std::string_view json, std::string_view country) {
  if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) ||
      !std::isalpha(static_cast<unsigned char>(country[1]))) {
    return Error(Code::kInvalidArgument,
                 "storefront " + Quote(country) + " is not a two-letter country code");
  }
  const std::string cc = {Lower(country[0]), Lower(country[1])};

  Json doc;
  try {
    doc = Json::parse(json);
  } catch (const Json::parse_error& e) {
    // Our own words, not e.what(): the library quotes the input, which may not be UTF-8.
    return Error(Code::kInvalidArgument,
                 "review feed is not JSON (syntax error at byte " + std::to_string(e.byte) + ")");
  }

  // The walk below only uses find()/type checks, which do not throw; the catch is a backstop so
  // that a library exception on input can never escape as a crash.
  try {
    const auto feed = doc.is_object() ? doc.find("feed") : doc.end();
    if (!doc.is_object() || feed == doc.end() || !feed->is_object()) {
      return Error(Code::kInvalidArgument, "review feed has no \"feed\" object");
    }
    RssReviewPage page;

    // §8.1: `entry` is an array, an object when there is exactly one entry, absent when none.
    std::vector<const Json*> entries;
    if (const auto entry = feed->find("entry"); entry != feed->end() && !entry->is_null()) {
      if (entry->is_array()) {
        for (const Json& e : *entry) entries.push_back(&e);
      } else {
        entries.push_back(&*entry);
      }
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      const Json& entry = *entries[i];
      if (!entry.is_object()) {
        return Error(Code::kInvalidArgument, "entry " + std::to_string(i + 1) + " is " +
                                                 Kind(entry) + ", expected an object");
      }
      // Older feeds put an app-metadata entry first (im:name, im:price, … but no im:rating).
      if (!entry.contains("im:rating")) {
        ++page.skipped_entries;
        continue;
      }
      ORCHARD_ASSIGN_OR_RETURN(RssReview review, ParseEntry(entry, cc, i + 1));
      page.reviews.push_back(std::move(review));
    }

    const Links links = ReadLinks(*feed);
    page.page = links.self;
    page.last_page = links.last;
    if (page.reviews.empty() || page.page >= kRssMaxPages) {
      page.has_next = false;
    } else if (page.page > 0 && page.last_page > 0) {
      page.has_next = page.page < page.last_page;
    } else if (page.page > 0 && links.next > 0) {
      page.has_next = links.next > page.page;
    } else {
      page.has_next = page.reviews.size() >= 50;
    }
    return page;
  } catch (const Json::exception& e) {
    return Error(Code::kInvalidArgument,
                 std::string("review feed has an unexpected structure (") + e.what() + ")");
  }
}

}  // namespace orchard::ingest
