// Golden files in tests/golden/sales/ were written by hand; the expected values below are
// worked out by hand from them.
#include "ingest/sales_summary.h"

#include <gtest/gtest.h>

#include "core/decimal.h"

#include <fstream>
#include <map>
#include <sstream>

namespace orchard::ingest {
namespace {

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(ORCHARD_SOURCE_DIR) + "/tests/golden/sales/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

struct Owned {
  std::string product_type, country, device, currency, proceeds_currency, apple_id, promo, title,
      version, subscription, period, parent;
  int64_t units, proceeds, price;
  Date begin;
  size_t line;
};

std::vector<Owned> ParseAll(const std::string& text, SalesParseStats* stats = nullptr) {
  std::vector<Owned> rows;
  auto result = ParseSalesSummary(text, [&](const SalesRow& r) {
    rows.push_back({std::string(r.product_type), std::string(r.country), std::string(r.device),
                    std::string(r.customer_currency), std::string(r.proceeds_currency),
                    std::string(r.apple_id), std::string(r.promo_code), std::string(r.title),
                    std::string(r.version), std::string(r.subscription), std::string(r.period),
                    std::string(r.parent_id), r.units, r.developer_proceeds, r.customer_price,
                    r.begin_date, r.line});
    return Status::Ok();
  });
  EXPECT_TRUE(result.has_value()) << result.error().ToString();
  if (stats != nullptr && result.has_value()) *stats = *result;
  return rows;
}

TEST(SalesSummaryTest, ParsesApplesSampleRowWithBlankFieldsAsSingleSpaces) {
  auto rows = ParseAll(Golden("apple_sample.tsv"));
  ASSERT_EQ(rows.size(), 5u);
  const Owned& s = rows[0];
  EXPECT_EQ(s.product_type, "IAY");
  EXPECT_EQ(s.units, 1200);
  EXPECT_EQ(s.proceeds, 209'300'000);
  EXPECT_EQ(s.price, 299'000'000);
  EXPECT_EQ(s.currency, "RUB");
  EXPECT_EQ(s.country, "RU");
  EXPECT_EQ(s.apple_id, "1234567890");
  EXPECT_EQ(s.version, "");       // " " in the file
  EXPECT_EQ(s.promo, "");
  EXPECT_EQ(s.subscription, "Renewal");
  EXPECT_EQ(s.period, "7 Days");
  EXPECT_EQ(s.parent, "foo.bar.baz");
  EXPECT_EQ(s.device, "iPhone");
  EXPECT_EQ(s.begin.Iso(), "2020-10-05");
  EXPECT_EQ(s.line, 2u);
}

TEST(SalesSummaryTest, RefundsKeepNegativeUnitsAndPricesWithPositiveProceeds) {
  auto rows = ParseAll(Golden("apple_sample.tsv"));
  const Owned& refund = rows[2];
  EXPECT_EQ(refund.units, -300);
  EXPECT_EQ(refund.price, -990'000);
  EXPECT_EQ(refund.proceeds, 700'000);
  // Σ units × proceeds per currency (hand-computed): USD 40×0.70 − 3×0.70 = 25.90.
  std::map<std::string, Wide> by_currency;
  for (const auto& r : rows) by_currency[r.proceeds_currency] += Wide{r.units} * r.proceeds;
  EXPECT_EQ(by_currency["USD"], Wide{2590} * 1'000'000);      // 25.90 at scale 1e8
  EXPECT_EQ(by_currency["RUB"], Wide{251160} * 1'000'000);    // 12 × 209.30 = 2511.60
  EXPECT_EQ(by_currency["EUR"], Wide{200} * 1'000'000);       // 2 × 1.00
  EXPECT_EQ(by_currency["JPY"], 0);
}

TEST(SalesSummaryTest, UnknownProductTypesAndPromoCodesArePassedThrough) {
  auto rows = ParseAll(Golden("apple_sample.tsv"));
  EXPECT_EQ(rows[3].product_type, "ZZ9");
  EXPECT_EQ(rows[3].promo, "EDU");
  EXPECT_EQ(rows[4].device, "iPad");
}

TEST(SalesSummaryTest, ColumnsAreFoundByNameInAnyOrderWithCrlfBomAndShortRows) {
  auto rows = ParseAll(Golden("reordered_crlf_bom.tsv"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].country, "GB");
  EXPECT_EQ(rows[0].units, 700);
  EXPECT_EQ(rows[0].product_type, "1F");
  EXPECT_EQ(rows[0].device, "iPad");
  EXPECT_EQ(rows[0].price, 890'000);
  EXPECT_EQ(rows[1].country, "FR");
  EXPECT_EQ(rows[1].title, "Coins");
  EXPECT_EQ(rows[1].device, "");  // the row stops before Device
  EXPECT_EQ(rows[1].begin.Iso(), "2026-01-02");
}

TEST(SalesSummaryTest, MalformedRowsAreCountedWithTheirLineAndTheRestParse) {
  SalesParseStats stats;
  auto rows = ParseAll(Golden("malformed_rows.tsv"), &stats);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(stats.rows, 2u);
  ASSERT_EQ(stats.error_count, 2u);
  EXPECT_EQ(stats.errors[0].line, 3u);
  EXPECT_NE(stats.errors[0].message.find("'Units'"), std::string::npos);
  EXPECT_NE(stats.errors[0].message.find("abc"), std::string::npos);
  EXPECT_EQ(stats.errors[1].line, 5u);
  EXPECT_NE(stats.errors[1].message.find("'Begin Date'"), std::string::npos);
}

TEST(SalesSummaryTest, AMissingRequiredColumnIsNamed) {
  auto result = ParseSalesSummary(Golden("missing_units_column.tsv"),
                                  [](const SalesRow&) { return Status::Ok(); });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), Code::kInvalidArgument);
  EXPECT_NE(result.error().message().find("'Units'"), std::string::npos);
}

TEST(SalesSummaryTest, TheCallbacksErrorStopsParsing) {
  int seen = 0;
  auto result = ParseSalesSummary(Golden("apple_sample.tsv"), [&](const SalesRow&) {
    ++seen;
    return Status(Code::kResourceExhausted, "disk full");
  });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), Code::kResourceExhausted);
  EXPECT_EQ(seen, 1);
}

TEST(SalesSummaryTest, AHeaderOnlyReportHasNoRows) {
  SalesParseStats stats;
  auto rows = ParseAll(Golden("apple_sample.tsv").substr(0, Golden("apple_sample.tsv").find('\n') + 1), &stats);
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(stats.error_count, 0u);
}

}  // namespace
}  // namespace orchard::ingest
