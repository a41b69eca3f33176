// GET /v1/financeReports (apple-apis.md §3): FINANCIAL per region and ZZ, FINANCE_DETAIL for Z1,
// on Apple's fiscal calendar; Account Holder, Admin and Finance only.
#include <algorithm>

#include "sandbox/server.h"

namespace orchard::sandbox {
namespace {
const std::set<std::string> kFinanceParams = {"filter[vendorNumber]", "filter[reportType]",
                                              "filter[regionCode]", "filter[reportDate]"};
// A finance report appears a week after its fiscal period closes.
constexpr int kFinancePublicationDays = 7;
}  // namespace

void Sandbox::Impl::FinanceReports(const httplib::Request& req, httplib::Response& res) {
  auto kid = Admitted(req, res);
  if (!kid) return;
  if (!TeamKey(*kid, res)) return;
  if (!KeyHasRole(*kid, {"ADMIN", "FINANCE", "ACCOUNT_HOLDER"})) {
    JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
    return;
  }
  if (!OnlyParams(req, res, kFinanceParams)) return;
  if (!RequiredParams(req, res, {"filter[vendorNumber]", "filter[reportType]",
                                "filter[regionCode]", "filter[reportDate]"})) {
    return;
  }
  const std::string type = req.get_param_value("filter[reportType]");
  const std::string region = req.get_param_value("filter[regionCode]");
  const std::string date = req.get_param_value("filter[reportDate]");
  auto invalid = [&](const std::string& parameter, const std::string& value) {
    InvalidParam(res, parameter, value);
  };
  if (type != "FINANCIAL" && type != "FINANCE_DETAIL") return invalid("filter[reportType]", type);
  const auto regions = FinanceRegions();
  const bool known_region =
      type == "FINANCE_DETAIL"
          ? region == "Z1"
          : region == "ZZ" || std::find(regions.begin(), regions.end(), region) != regions.end();
  if (!known_region) return invalid("filter[regionCode]", region);
  // YYYY-MM: fiscal year and period.
  const bool shape = date.size() == 7 && date[4] == '-' &&
                     std::all_of(date.begin(), date.begin() + 4, ::isdigit) &&
                     std::isdigit(static_cast<unsigned char>(date[5])) &&
                     std::isdigit(static_cast<unsigned char>(date[6]));
  const auto period = shape ? FiscalPeriod(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5)))
                            : std::nullopt;
  if (!period) return invalid("filter[reportDate]", date);
  if (req.get_param_value("filter[vendorNumber]") != P()->vendor_number()) {
    JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
              "Invalid vendor number specified", "filter[vendorNumber]");
    return;
  }
  const int fiscal_year = std::stoi(date.substr(0, 4)), fiscal_period = std::stoi(date.substr(5));
  std::string gz;
  if (period->second.AddDays(kFinancePublicationDays) <= P()->today()) {
    const std::tuple<std::string, int, int32_t> key{type + "/" + region, fiscal_year, fiscal_period};
    bool cached = false;
    {
      std::lock_guard lock(mu);
      if (auto it = gzip_cache.find(key); it != gzip_cache.end()) {
        gz = it->second;
        cached = true;
      }
    }
    if (cached) {
      // answered from the cache
    } else if (type == "FINANCE_DETAIL") {
      const std::string tsv = P()->FinanceDetailTsv(fiscal_year, fiscal_period);
      gz = tsv.empty() ? std::string() : GzipBytes(tsv);
      std::lock_guard lock(mu);
      gzip_cache.emplace(key, gz);
    } else {
      // One pass makes every region's report of the period: keep them all.
      std::map<std::string, std::string> all;
      for (const auto& [code, tsv] : P()->FinancialReports(fiscal_year, fiscal_period)) {
        all[code] = GzipBytes(tsv);
      }
      gz = all.contains(region) ? all[region] : std::string();
      std::lock_guard lock(mu);
      gzip_cache.emplace(key, gz);
      for (const auto& r : regions) {
        gzip_cache.emplace(std::make_tuple(type + "/" + r, fiscal_year, fiscal_period),
                           all.contains(r) ? all[r] : std::string());
      }
      gzip_cache.emplace(std::make_tuple(type + "/ZZ", fiscal_year, fiscal_period), all["ZZ"]);
    }
  }
  if (gz.empty()) {
    JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist", kNoSales);
    return;
  }
  res.status = 200;
  res.set_content(gz, "application/a-gzip");
}

}  // namespace orchard::sandbox
