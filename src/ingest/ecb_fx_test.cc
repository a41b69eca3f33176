#include "ingest/ecb_fx.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace orchard::ingest {
namespace {

std::string Golden() {
  std::ifstream in(std::string(ORCHARD_SOURCE_DIR) + "/tests/golden/fx/ecb_sample.csv", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(EcbFxTest, ParsesTheEcbLayoutWithTrailingCommasNaAndCrlf) {
  auto r = ParseEcbCsv(Golden());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->days, 3u);
  EXPECT_EQ(r->currencies, (std::vector<std::string>{"USD", "JPY", "GBP", "IDR"}));
  std::map<std::string, int64_t> rates;
  for (const auto& x : r->rates) rates[x.day.Iso() + " " + x.currency] = x.per_eur;
  // 3 days × 4 currencies − 1 N/A (IDR 01-06) − 1 empty (GBP 01-02) = 10 rates
  EXPECT_EQ(r->rates.size(), 10u);
  EXPECT_EQ(rates["2026-01-06 USD"], 108'560'000);
  EXPECT_EQ(rates["2026-01-06 GBP"], 86'205'000);
  EXPECT_EQ(rates["2026-01-05 IDR"], 1'712'345'000'000);
  EXPECT_EQ(rates["2026-01-02 JPY"], 16'000'000'000);
  EXPECT_FALSE(rates.contains("2026-01-06 IDR"));
  EXPECT_FALSE(rates.contains("2026-01-02 GBP"));
}

TEST(EcbFxTest, BadInputNamesTheLine) {
  auto bad_number = ParseEcbCsv("Date,USD,\n2026-01-05,1.08,\n2026-01-02,one,\n");
  ASSERT_FALSE(bad_number.has_value());
  EXPECT_NE(bad_number.error().message().find("line 3"), std::string::npos);
  EXPECT_FALSE(ParseEcbCsv("Date,USD\n2026-13-05,1.08\n").has_value());
  EXPECT_FALSE(ParseEcbCsv("Date,USD\n2026-01-05,-1\n").has_value());
  EXPECT_FALSE(ParseEcbCsv("When,USD\n").has_value());
  EXPECT_FALSE(ParseEcbCsv("").has_value());
}

}  // namespace
}  // namespace orchard::ingest
