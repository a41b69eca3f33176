#include "reports/report_request.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace orchard::reports {
namespace {

constexpr std::string_view kStoreKey = "store";
constexpr std::string_view kStoreValue = "app_store";  // the one store Orchard syncs today

// The same day of another month, clamped to that month's last day (31 March − 1m → 28 Feb).
Date SameDayOrLastDay(int year, unsigned month, unsigned day) {
  const Date first = Date::FromYmd(year, month, 1);
  const Date next = month == 12 ? Date::FromYmd(year + 1, 1, 1) : Date::FromYmd(year, month + 1, 1);
  const auto last = static_cast<unsigned>(next.days() - first.days());
  return Date::FromYmd(year, month, std::min(day, last));
}


std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool AllOf(std::string_view s, int (*is)(int)) {
  return std::all_of(s.begin(), s.end(),
                     [is](char c) { return is(static_cast<unsigned char>(c)) != 0; });
}


std::string Joined(const std::vector<std::string_view>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

const ParamSpec* FindSpec(std::string_view name) {
  for (const auto& spec : SalesParams()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string_view GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kDaily:
      return "daily";
    case Granularity::kWeekly:
      return "weekly";
    case Granularity::kMonthly:
      return "monthly";
    case Granularity::kYearly:
      return "yearly";
  }
  return "daily";
}

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kJson:
      return "json";
    case Format::kCsv:
      return "csv";
    case Format::kTable:
      return "table";
  }
  return "json";
}

// An exact sum of two numbers of possibly different scales.
Number Add(const Number& a, const Number& b) {
  Number out;
  out.decimals = std::max(a.decimals, b.decimals);
  out.digits = std::max(a.digits, b.digits);
  auto scaled = [&](const Number& n) {
    Wide v = n.value;
    for (int i = n.decimals; i < out.decimals; ++i) v *= 10;
    return v;
  };
  out.value = scaled(a) + scaled(b);
  return out;
}

void AppendJsonString(std::string* out, const std::string& s) {
  // Product titles come from Apple: bytes that are not UTF-8 are replaced, never thrown on.
  *out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A number cell as its exact decimal text, which is valid JSON number syntax.
void AppendCell(std::string* out, const Cell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) {
    AppendJsonString(out, *s);
  } else {
    *out += CellText(cell);
  }
}

}  // namespace

std::string_view TrimParam(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Comma list → trimmed items; an empty item ("US,,GB", "US,") is an error.
Result<std::vector<std::string>> SplitParamList(std::string_view list, std::string_view label) {
  std::vector<std::string> out;
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view item = TrimParam(list.substr(0, comma));
    if (item.empty()) {
      return Error(Code::kInvalidArgument,
                   std::string(label) + ": an empty item in the list '" + std::string(list) + "'");
    }
    out.emplace_back(item);
    if (out.size() > kMaxParamListItems) {
      return Error(Code::kInvalidArgument,
                   std::string(label) + ": at most " + std::to_string(kMaxParamListItems) + " items");
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

Date ReportToday(const Clock& clock) { return Date::At(clock.Now(), kReportTimeZone); }

Result<Date> ParseDateArg(std::string_view text, Date today, std::string_view name) {
  std::optional<Date> day;
  if (text == "today") {
    day = today;
  } else if (text == "yesterday") {
    day = today.AddDays(-1);
  } else if (text.size() >= 3 && text[0] == '-') {
    int n = 0;
    auto [p, ec] = std::from_chars(text.data() + 1, text.data() + text.size() - 1, n);
    if (ec == std::errc() && p == text.data() + text.size() - 1 && n >= 0 && n <= 99999) {
      switch (text.back()) {
        case 'd':
          day = today.AddDays(-n);
          break;
        case 'w':
          day = today.AddDays(-7 * n);
          break;
        case 'm': {
          const int months = today.year() * 12 + static_cast<int>(today.month()) - 1 - n;
          if (months >= 0) {
            day =
                SameDayOrLastDay(months / 12, static_cast<unsigned>(months % 12 + 1), today.day());
          }
          break;
        }
        case 'y':
          if (n <= today.year())
            day = SameDayOrLastDay(today.year() - n, today.month(), today.day());
          break;
        default:
          break;
      }
    }
  } else if (auto iso = Date::ParseIso(text); iso.has_value()) {
    day = *iso;
  }
  if (!day) {
    return Error(Code::kInvalidArgument,
                 std::string(name) +
                     ": expected YYYY-MM-DD or a relative date such as -7d, "
                     "-2w, -1m, -1y, today, yesterday; got '" +
                     std::string(text) + "'");
  }
  if (*day < Date::FromYmd(1970, 1, 1) || *day > Date::FromYmd(9999, 12, 31)) {
    return Error(Code::kInvalidArgument, std::string(name) + ": '" + std::string(text) +
                                             "' is outside 1970-01-01 … 9999-12-31");
  }
  return *day;
}

const std::vector<ParamSpec>& SalesParams() {
  static const std::vector<ParamSpec> kParams = {
      {"start_date",
       "First report day, inclusive: YYYY-MM-DD, today, yesterday, or relative to today in "
       "America/Los_Angeles (-7d, -2w, -1m, -1y). Omit both dates for all-time totals.",
       {},
       false,
       "^([0-9]{4}-[0-9]{2}-[0-9]{2}|today|yesterday|-[0-9]+[dwmy])$",
       "-30d"},
      {"end_date",
       "Last report day, inclusive; same forms as start_date.",
       {},
       false,
       "^([0-9]{4}-[0-9]{2}-[0-9]{2}|today|yesterday|-[0-9]+[dwmy])$",
       "yesterday"},
      {"granularity",
       "Period of the date key: days, Monday-to-Sunday weeks, calendar months or years (each "
       "row's date is the period's first day).",
       {"daily", "weekly", "monthly", "yearly"},
       false,
       "",
       "weekly"},
      {"group_by",
       "Up to three keys, comma-separated, in column order. Without it: one row of totals. "
       "`store` is always app_store.",
       {"date", "product", "country", "device", "store"},
       true,
       "",
       "date,country"},
      {"products",
       "Only these Apple Identifiers (comma-separated).",
       {},
       true,
       "^[0-9]{1,20}$",
       "1234567890"},
      {"countries",
       "Only these storefronts: two-letter codes, comma-separated, any case.",
       {},
       true,
       "^[A-Za-z]{2}$",
       "US,GB"},
      {"currency",
       "ISO 4217 report currency; default: your preference, else the server's "
       "[report] default_currency. Amounts are converted per day with the reference rate on or "
       "before that day.",
       {},
       false,
       "^[A-Za-z]{3}$",
       "EUR"},
      {"format",
       "json (default) or csv (with a header row, as an attachment).",
       {"json", "csv"},
       false,
       "",
       "csv"},
  };
  return kParams;
}

Result<SalesRequest> ParseSalesRequest(const std::vector<ReportParam>& params,
                                       const ReportDefaults& defaults) {
  SalesRequest out;
  out.query.currency = Upper(defaults.currency);
  out.format = defaults.format;
  std::set<std::string> seen;
  for (const ReportParam& p : params) {
    const std::string label = p.label.empty() ? p.name : p.label;
    const ParamSpec* spec = FindSpec(p.name);
    if (spec == nullptr) {
      std::vector<std::string_view> known;
      for (const auto& s : SalesParams()) known.push_back(s.name);
      return Error(Code::kInvalidArgument, "unknown parameter '" + label + "' (the report takes " +
                                               Joined(known, ", ") + ")");
    }
    if (!seen.insert(p.name).second) {
      return Error(Code::kInvalidArgument, label + " is given more than once");
    }
    const std::string_view value = TrimParam(p.value);
    if (value.empty()) {
      return Error(Code::kInvalidArgument, label + " is empty: give a value or leave it out");
    }
    if (p.name == "start_date") {
      ORCHARD_ASSIGN_OR_RETURN(out.query.start, ParseDateArg(value, defaults.today, label));
    } else if (p.name == "end_date") {
      ORCHARD_ASSIGN_OR_RETURN(out.query.end, ParseDateArg(value, defaults.today, label));
    } else if (p.name == "granularity") {
      auto g = ParseGranularity(Lower(value));
      if (!g.has_value()) {
        return Error(Code::kInvalidArgument, label + ": unknown granularity '" +
                                                 std::string(value) + "' (use " +
                                                 Joined(spec->values, ", ") + ")");
      }
      out.query.granularity = *g;
    } else if (p.name == "group_by") {
      ORCHARD_ASSIGN_OR_RETURN(auto keys, SplitParamList(value, label));
      for (const std::string& raw : keys) {
        const std::string key = Lower(raw);
        if (std::find(spec->values.begin(), spec->values.end(), key) == spec->values.end()) {
          return Error(Code::kInvalidArgument, label + ": unknown key '" + raw +
                                                   "' (use up to three of " +
                                                   Joined(spec->values, ", ") + ")");
        }
        if (std::find(out.group_by.begin(), out.group_by.end(), key) != out.group_by.end()) {
          return Error(Code::kInvalidArgument, label + ": '" + key + "' is given twice");
        }
        out.group_by.push_back(key);
        if (key == kStoreKey) continue;
        ORCHARD_ASSIGN_OR_RETURN(auto parsed, ParseGroupBy(key));
        out.query.group_by.insert(out.query.group_by.end(), parsed.begin(), parsed.end());
      }
      if (out.group_by.size() > 3) {
        return Error(Code::kInvalidArgument,
                     label + ": at most three keys, got " + std::to_string(out.group_by.size()));
      }
    } else if (p.name == "products") {
      ORCHARD_ASSIGN_OR_RETURN(auto ids, SplitParamList(value, label));
      for (const std::string& id : ids) {
        if (id.size() > 20 || !AllOf(id, ::isdigit)) {
          return Error(Code::kInvalidArgument, label + ": '" + id +
                                                   "' is not an Apple Identifier (digits only, "
                                                   "e.g. 1234567890)");
        }
      }
      SortUnique(&ids);
      out.query.products = std::move(ids);
    } else if (p.name == "countries") {
      ORCHARD_ASSIGN_OR_RETURN(auto codes, SplitParamList(value, label));
      for (std::string& code : codes) {
        if (code.size() != 2 || !AllOf(code, ::isalpha)) {
          return Error(Code::kInvalidArgument,
                       label + ": '" + code + "' is not a two-letter storefront code such as US");
        }
        code = Upper(code);
      }
      SortUnique(&codes);
      out.query.countries = std::move(codes);
    } else if (p.name == "currency") {
      if (value.size() != 3 || !AllOf(value, ::isalpha)) {
        return Error(Code::kInvalidArgument, label + ": '" + std::string(value) +
                                                 "' is not an ISO 4217 code such as USD or EUR");
      }
      out.query.currency = Upper(value);
    } else if (p.name == "format") {
      const std::string name = Lower(value);
      auto format = ParseFormat(name);
      if (!format.has_value() || (*format == Format::kTable && !defaults.allow_table)) {
        return Error(
            Code::kInvalidArgument,
            label + ": unknown format '" + std::string(value) +
                (defaults.allow_table ? "' (use table, json or csv)" : "' (use json or csv)"));
      }
      out.format = *format;
    }
  }
  if (out.query.start && out.query.end && *out.query.start > *out.query.end) {
    return Error(Code::kInvalidArgument, "the start date " + out.query.start->Iso() +
                                             " is after the end date " + out.query.end->Iso());
  }
  if (out.query.currency.size() != 3 || !AllOf(out.query.currency, ::isalpha)) {
    return Error(Code::kInvalidArgument, "the default currency '" + out.query.currency +
                                             "' is not an ISO 4217 code; pass currency=");
  }
  return out;
}

nlohmann::ordered_json NormalizedQuery(const SalesRequest& r) {
  const auto day = [](const std::optional<Date>& d) {
    return d ? nlohmann::ordered_json(d->Iso()) : nlohmann::ordered_json(nullptr);
  };
  return nlohmann::ordered_json{{"report", "sales"},
                                {"start_date", day(r.query.start)},
                                {"end_date", day(r.query.end)},
                                {"granularity", GranularityName(r.query.granularity)},
                                {"group_by", r.group_by},
                                {"products", r.query.products},
                                {"countries", r.query.countries},
                                {"currency", r.query.currency},
                                {"format", FormatName(r.format)}};
}

Result<Table> RunSalesRequest(store::FactStore& facts, store::MetaStore& meta,
                              const SalesRequest& request, SalesCache* cache) {
  ORCHARD_ASSIGN_OR_RETURN(Table table, RunSalesReport(facts, meta, request.query, cache));
  // `store` has one value: its column goes where it was asked for, among the key columns
  // (product takes two: product, product_name).
  size_t column = 0;
  for (const std::string& key : request.group_by) {
    if (key == kStoreKey) {
      if (column > table.columns.size()) break;  // not the shape RunSalesReport promises
      table.columns.insert(table.columns.begin() + static_cast<std::ptrdiff_t>(column),
                           std::string(kStoreKey));
      for (auto& row : table.rows) {
        if (column <= row.size()) {
          row.insert(row.begin() + static_cast<std::ptrdiff_t>(column),
                     Cell(std::string(kStoreValue)));
        }
      }
    }
    column += key == "product" ? 2 : 1;
  }
  return table;
}

std::string RenderSalesReport(const SalesRequest& request, const Table& table) {
  if (request.format != Format::kJson) return Render(table, request.format);
  // Written by hand rather than through nlohmann's number type, so that every amount keeps
  // its exact decimal text (a double would turn 0.10 into 0.1 and large sums into
  // approximations).
  std::string out = "{\"query\":";
  out += NormalizedQuery(request).dump();
  out += ",\"columns\":";
  out += nlohmann::json(table.columns).dump();
  out += ",\"rows\":[";
  // Metric columns are the numeric ones: their exact sums are the totals.
  std::vector<std::optional<Number>> totals(table.columns.size());
  size_t keys = 0;
  for (const std::string& key : request.group_by) keys += key == "product" ? 2 : 1;
  for (size_t c = keys; c < totals.size(); ++c) totals[c] = Number{};
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (r) out += ',';
    out += '[';
    const auto& row = table.rows[r];
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      AppendCell(&out, row[c]);
      const auto* n = std::get_if<Number>(&row[c]);
      if (n != nullptr && c < totals.size() && totals[c]) totals[c] = Add(*totals[c], *n);
    }
    out += ']';
  }
  out += "],\"totals\":{";
  bool first = true;
  for (size_t c = 0; c < totals.size(); ++c) {
    if (!totals[c]) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(&out, table.columns[c]);
    out += ':';
    AppendCell(&out, *totals[c]);
  }
  out += "}}\n";
  return out;
}

std::string SalesFileName(const SalesRequest& request) {
  const auto& q = request.query;
  std::string name = "sales-";
  if (!q.start && !q.end) {
    name += "all-time";
  } else {
    name += q.start ? q.start->Iso() : "start";
    name += "-to-";
    name += q.end ? q.end->Iso() : "latest";
  }
  return name + (request.format == Format::kCsv    ? ".csv"
                 : request.format == Format::kJson ? ".json"
                                                   : ".txt");
}

}  // namespace orchard::reports
