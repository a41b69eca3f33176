// Finance reports read the way a client reads them (by header name, data rows up to the first
// Total_ line), checked against the Sales reports of the same days and against Apple's
// fiscal calendar.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "sandbox/generator.h"

namespace orchard::sandbox {
namespace {

struct Finance {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  std::map<std::string, std::string> trailer;
  int blocks = 0;  // header lines seen (ZZ repeats them)
};
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> f;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return f;
    start = tab + 1;
  }
}
Finance ParseFinance(const std::string& tsv) {
  Finance out;
  std::istringstream in(tsv);
  std::string line;
  while (std::getline(in, line)) {
    const auto f = Fields(line);
    if (f[0] == "Start Date" || f[0] == "Transaction Date") {
      out.header = f;
      ++out.blocks;
      continue;
    }
    if (f[0].rfind("Total_", 0) == 0) {
      EXPECT_EQ(f.size(), 2u);
      out.trailer[f[0]] = f[1];
      continue;
    }
    EXPECT_EQ(f.size(), out.header.size()) << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < f.size() && i < out.header.size(); ++i) row[out.header[i]] = f[i];
    out.rows.push_back(std::move(row));
  }
  return out;
}
long long Cents(const std::string& s) { return std::llround(std::stod(s) * 100); }

const char* kFinancialHeader =
    "Start Date\tEnd Date\tUPC\tISRC/ISBN\tVendor Identifier\tQuantity\tPartner Share\tExtended "
    "Partner Share\tPartner Share Currency\tSales or Return\tApple Identifier\tArtist/Show/"
    "Developer/Author\tTitle\tLabel/Studio/Network/Developer/Publisher\tGrid\tProduct Type "
    "Identifier\tISAN/Other Identifier\tCountry Of Sale\tPre-order Flag\tPromo Code\tCustomer "
    "Price\tCustomer Currency";

TEST(FiscalCalendarTest, PeriodsRunSundayToSaturdayInFiveFourFourWeekQuarters) {
  // Apple's fiscal 2026 began on Sunday 28 September 2025 (fiscal 2025 ended on the last
  // Saturday of September); 2022-01 began in September 2021 and 2025-10 in late June 2025.
  EXPECT_EQ(FiscalPeriod(2026, 1)->first, *Date::ParseIso("2025-09-28"));
  EXPECT_EQ(FiscalPeriod(2026, 1)->second, *Date::ParseIso("2025-11-01"));
  EXPECT_EQ(FiscalPeriod(2026, 2)->first, *Date::ParseIso("2025-11-02"));
  EXPECT_EQ(FiscalPeriod(2022, 1)->first, *Date::ParseIso("2021-09-26"));
  EXPECT_EQ(FiscalPeriod(2025, 10)->first, *Date::ParseIso("2025-06-29"));
  EXPECT_FALSE(FiscalPeriod(2026, 13).has_value());
  EXPECT_FALSE(FiscalPeriod(2026, 0).has_value());
  for (int year = 2020; year <= 2030; ++year) {
    int weeks = 0;
    for (int p = 1; p <= 12; ++p) {
      const auto [start, end] = *FiscalPeriod(year, p);
      EXPECT_EQ(start.iso_weekday(), 7u) << year << "-" << p;
      EXPECT_EQ(end.iso_weekday(), 6u) << year << "-" << p;
      const int days = end.days() - start.days() + 1;
      const int expected = p % 3 == 1 ? 35 : 28;
      weeks += days / 7;
      if (p < 12) {
        EXPECT_EQ(days, expected) << year << "-" << p;
        EXPECT_EQ(FiscalPeriod(year, p + 1)->first, end.AddDays(1));
      } else {
        EXPECT_TRUE(days == 28 || days == 35) << year;
      }
    }
    EXPECT_TRUE(weeks == 52 || weeks == 53) << year;
    EXPECT_EQ(FiscalPeriod(year + 1, 1)->first, FiscalPeriod(year, 12)->second.AddDays(1));
    const Date year_end = FiscalPeriod(year, 12)->second;
    EXPECT_EQ(year_end.month(), 9u);
    EXPECT_GT(year_end.day(), 23u) << "the last Saturday of September";
  }
}

// A fiscal year of periods: each region's report equals the paid rows of the Sales reports of
// its days, the trailer adds up, ZZ holds every region's block and FINANCE_DETAIL the same units.
TEST(FinanceReportsTest, EachRegionEqualsTheSalesOfItsFiscalPeriod) {
  const Date today = *Date::ParseIso("2026-10-01");  // fiscal 2026 closed on 26 September
  Portfolio p(5, today);
  EXPECT_EQ(p.FinancialTsv("US", 2027, 1), "") << "a period that has not ended";
  int checked_periods = 0;
  for (int period = 1; period <= 12; ++period) {
    const auto [start, end] = *FiscalPeriod(2026, period);
    if (end >= today) {
      EXPECT_EQ(p.FinancialTsv("US", 2026, period), "") << "a period that has not ended";
      continue;
    }
    ++checked_periods;
    // Sales of the period: (country, SKU, S/R) → units, and proceeds per currency.
    std::map<std::tuple<std::string, std::string, std::string>, long> sales_units;
    std::map<std::string, long long> sales_amount;
    for (Date day = start; day <= end; day = day.AddDays(1)) {
      std::istringstream in(p.SalesSummaryDailyTsv(day));
      std::string line;
      std::getline(in, line);
      const auto header = Fields(line);
      std::map<std::string, size_t> col;
      for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
      while (std::getline(in, line)) {
        const auto f = Fields(line);
        const long long proceeds = Cents(f[col["Developer Proceeds"]]);
        if (proceeds == 0) continue;
        const long units = std::stol(f[col["Units"]]);
        sales_units[{f[col["Country Code"]], f[col["SKU"]], units < 0 ? "R" : "S"}] += units;
        sales_amount[f[col["Currency of Proceeds"]]] += units * proceeds;
      }
    }
    std::map<std::tuple<std::string, std::string, std::string>, long> finance_units;
    std::map<std::string, long long> finance_amount;
    std::map<std::string, std::string> region_of_country;
    size_t all_rows = 0;
    const auto reports = p.FinancialReports(2026, period);
    EXPECT_EQ(p.FinancialTsv("EU", 2026, period), reports.at("EU"));
    for (const std::string& region : FinanceRegions()) {
      if (!reports.contains(region)) continue;
      const std::string& tsv = reports.at(region);
      const Finance f = ParseFinance(tsv);
      EXPECT_EQ(f.header, Fields(kFinancialHeader));
      EXPECT_EQ(f.blocks, 1);
      long long amount = 0;
      long units = 0;
      std::set<std::string> currencies;
      for (const auto& r : f.rows) {
        EXPECT_EQ(*Date::ParseUs(r.at("Start Date")), start);
        EXPECT_EQ(*Date::ParseUs(r.at("End Date")), end);
        const long q = std::stol(r.at("Quantity"));
        EXPECT_EQ(r.at("Sales or Return"), q < 0 ? "R" : "S");
        EXPECT_GT(Cents(r.at("Partner Share")), 0) << "partner share is always positive";
        EXPECT_EQ(Cents(r.at("Extended Partner Share")), q * Cents(r.at("Partner Share")));
        amount += Cents(r.at("Extended Partner Share"));
        units += q;
        currencies.insert(r.at("Partner Share Currency"));
        finance_units[{r.at("Country Of Sale"), r.at("Vendor Identifier"), r.at("Sales or Return")}] += q;
        finance_amount[r.at("Partner Share Currency")] += Cents(r.at("Extended Partner Share"));
        auto [it, inserted] = region_of_country.emplace(r.at("Country Of Sale"), region);
        EXPECT_EQ(it->second, region) << "a country is paid in one region";
      }
      EXPECT_EQ(currencies.size(), 1u) << region << ": one currency per region";
      EXPECT_EQ(f.trailer.at("Total_Rows"), std::to_string(f.rows.size()));
      EXPECT_EQ(Cents(f.trailer.at("Total_Amount")), amount);
      EXPECT_EQ(f.trailer.at("Total_Units"), std::to_string(units));
      all_rows += f.rows.size();
    }
    EXPECT_EQ(finance_units, sales_units) << "period " << period;
    EXPECT_EQ(finance_amount, sales_amount) << "period " << period;
    EXPECT_GT(region_of_country.size(), 100u);
    EXPECT_EQ(region_of_country["DE"], "EU");
    EXPECT_EQ(region_of_country["US"], "US");
    EXPECT_EQ(region_of_country["JP"], "JP");

    const Finance zz = ParseFinance(reports.at("ZZ"));
    EXPECT_EQ(zz.rows.size(), all_rows);
    EXPECT_GT(zz.blocks, 20);

    const Finance detail = ParseFinance(p.FinanceDetailTsv(2026, period));
    std::map<std::tuple<std::string, std::string, std::string>, long> detail_units;
    for (const auto& r : detail.rows) {
      const Date day = *Date::ParseUs(r.at("Transaction Date"));
      EXPECT_GE(day, start);
      EXPECT_LE(day, end);
      EXPECT_EQ(r.at("Region"), region_of_country[r.at("Country of Sale")]);
      detail_units[{r.at("Country of Sale"), r.at("SKU"), r.at("Sale or Return")}] +=
          std::stol(r.at("Quantity"));
    }
    EXPECT_EQ(detail_units, sales_units);
  }
  EXPECT_EQ(checked_periods, 12);
}

}  // namespace
}  // namespace orchard::sandbox
