#include <ctime>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "ingest/ecb_fx.h"
#include "reports/report_request.h"

namespace orchard::cli {

std::string UtcTimeText(int64_t seconds, std::string_view never) {
  if (seconds == 0) return std::string(never);
  std::time_t t = static_cast<std::time_t>(seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Result<Date> ParseDateArg(std::string_view text, Date today, std::string_view option) {
  return reports::ParseDateArg(text, today, option);
}

// The CLI's options become the report grammar's parameters (reports/report_request.h), so the
// command and GET /api/v1/reports/sales accept the same values and print the same answer.
Status ReportSales(AppContext& ctx, const ReportSalesOptions& o, std::ostream& out) {
  std::vector<reports::ReportParam> params;
  const auto add = [&](const char* name, const std::string& value, const char* label) {
    if (!value.empty()) params.push_back({name, value, label});
  };
  add("start_date", o.start, "--start");
  add("end_date", o.end, "--end");
  add("granularity", o.granularity, "--granularity");
  add("group_by", o.group_by, "--group-by");
  add("products", o.products, "--products");
  add("countries", o.countries, "--countries");
  add("currency", o.currency, "--currency");
  add("format", o.format, "--format");
  reports::ReportDefaults defaults;
  defaults.today = reports::ReportToday(ctx.clock());
  defaults.currency = ctx.config().report.default_currency;
  defaults.format = reports::Format::kTable;
  defaults.allow_table = true;
  ORCHARD_ASSIGN_OR_RETURN(reports::SalesRequest request, reports::ParseSalesRequest(params, defaults));
  ORCHARD_ASSIGN_OR_RETURN(request.query.team_id, ctx.TeamId());
  ORCHARD_ASSIGN_OR_RETURN(reports::Table table,
                           reports::RunSalesRequest(ctx.facts(), ctx.meta(), request));
  out << reports::RenderSalesReport(request, table);
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
