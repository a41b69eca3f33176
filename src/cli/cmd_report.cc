#include <charconv>
#include <ctime>

#include "cli/commands.h"
#include "ingest/ecb_fx.h"
#include "reports/sales_report.h"

#include <fstream>
#include <set>
#include <sstream>

namespace orchard::cli {
namespace {

std::vector<std::string> SplitList(const std::string& list, bool upper) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(list);
  while (std::getline(in, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (upper) {
      for (char& c : item) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The same day of another month, clamped to that month's last day (31 March − 1m → 28 Feb).
Date SameDayOrLastDay(int year, unsigned month, unsigned day) {
  const Date first = Date::FromYmd(year, month, 1);
  const Date next = month == 12 ? Date::FromYmd(year + 1, 1, 1) : Date::FromYmd(year, month + 1, 1);
  const auto last = static_cast<unsigned>(next.days() - first.days());
  return Date::FromYmd(year, month, std::min(day, last));
}

}  // namespace

std::string UtcTimeText(int64_t seconds, std::string_view never) {
  if (seconds == 0) return std::string(never);
  std::time_t t = static_cast<std::time_t>(seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Result<Date> ParseDateArg(std::string_view text, Date today, std::string_view option) {
  if (text == "today") return today;
  if (text == "yesterday") return today.AddDays(-1);
  if (text.size() >= 3 && text[0] == '-') {
    int n = 0;
    auto [p, ec] = std::from_chars(text.data() + 1, text.data() + text.size() - 1, n);
    const char unit = text.back();
    if (ec == std::errc() && p == text.data() + text.size() - 1 && n >= 0) {
      switch (unit) {
        case 'd': return today.AddDays(-n);
        case 'w': return today.AddDays(-7 * n);
        case 'm': {
          int y = today.year();
          int m = static_cast<int>(today.month()) - n;
          while (m < 1) {
            m += 12;
            --y;
          }
          return SameDayOrLastDay(y, static_cast<unsigned>(m), today.day());
        }
        case 'y':
          return SameDayOrLastDay(today.year() - n, today.month(), today.day());
        default: break;
      }
    }
  }
  auto d = Date::ParseIso(text);
  if (!d.has_value()) {
    return Error(Code::kInvalidArgument,
                 std::string(option) + ": expected YYYY-MM-DD or a relative date such as -7d, "
                                       "-2w, -1m, -1y, today, yesterday; got '" +
                     std::string(text) + "'");
  }
  return d;
}

Status ReportSales(AppContext& ctx, const ReportSalesOptions& o, std::ostream& out) {
  const Date today = Date::Today("America/Los_Angeles");
  reports::SalesQuery q;
  ORCHARD_ASSIGN_OR_RETURN(q.team_id, ctx.TeamId());
  if (!o.start.empty()) { ORCHARD_ASSIGN_OR_RETURN(q.start, ParseDateArg(o.start, today, "--start")); }
  if (!o.end.empty()) { ORCHARD_ASSIGN_OR_RETURN(q.end, ParseDateArg(o.end, today, "--end")); }
  ORCHARD_ASSIGN_OR_RETURN(q.granularity, reports::ParseGranularity(o.granularity));
  ORCHARD_ASSIGN_OR_RETURN(q.group_by, reports::ParseGroupBy(o.group_by));
  q.countries = SplitList(o.countries, /*upper=*/true);
  q.products = SplitList(o.products, /*upper=*/false);
  q.currency = o.currency.empty() ? ctx.config().report.default_currency : o.currency;
  for (char& c : q.currency) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (q.currency.size() != 3) {
    return Status(Code::kInvalidArgument, "--currency must be an ISO 4217 code such as USD or EUR");
  }
  ORCHARD_ASSIGN_OR_RETURN(reports::Format format, reports::ParseFormat(o.format));
  ORCHARD_ASSIGN_OR_RETURN(reports::Table table, reports::RunSalesReport(ctx.facts(), ctx.meta(), q));
  out << reports::Render(table, format);
  return Status::Ok();
}

Status ImportFx(AppContext& ctx, const std::string& file, std::ostream& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(Code::kInvalidArgument, "cannot read " + file);
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = ingest::ParseEcbCsv(text.str());
  if (!parsed.has_value()) return parsed.error().WithContext(file);
  std::vector<store::FxRateRecord> records;
  records.reserve(parsed->rates.size());
  Date first = Date::FromDays(INT32_MAX), last = Date::FromDays(INT32_MIN);
  for (const auto& r : parsed->rates) {
    records.push_back({r.day, r.currency, r.per_eur});
    first = std::min(first, r.day);
    last = std::max(last, r.day);
  }
  ORCHARD_RETURN_IF_ERROR(ctx.meta().PutFxRates(records));
  out << "Imported " << records.size() << " rates for " << parsed->currencies.size()
      << " currencies over " << parsed->days << " days";
  if (!records.empty()) out << " (" << first.Iso() << " to " << last.Iso() << ")";
  out << ".\n";
  return Status::Ok();
}

}  // namespace orchard::cli
