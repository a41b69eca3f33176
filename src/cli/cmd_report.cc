#include <ctime>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "reports/report_request.h"
#include "sync/fx_sync.h"

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
  auto stored = sync::StoreEcbRates(ctx.meta(), text.str());
  if (!stored.has_value()) return stored.error().WithContext(file);
  out << stored->Describe() << "\n";
  return Status::Ok();
}

}  // namespace orchard::cli
