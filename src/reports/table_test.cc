#include "reports/table.h"

#include <gtest/gtest.h>

namespace orchard::reports {
namespace {

Table Sample() {
  Table t;
  t.columns = {"country", "downloads", "revenue"};
  t.rows.push_back({std::string("US"), Number{10, 0, 0}, Number{123456, 4, 2}});
  t.rows.push_back({std::string("Côte, \"d\""), Number{5, 0, 0}, Number{-5, 2, 2}});
  return t;
}

TEST(TableTest, CsvQuotesWhatNeedsQuoting) {
  EXPECT_EQ(Render(Sample(), Format::kCsv),
            "country,downloads,revenue\nUS,10,12.35\n\"Côte, \"\"d\"\"\",5,-0.05\n");
}

TEST(TableTest, JsonWritesNumbersAsNumbers) {
  const std::string json = Render(Sample(), Format::kJson);
  EXPECT_NE(json.find("\"downloads\": 10"), std::string::npos) << json;
  EXPECT_NE(json.find("\"revenue\": 12.35"), std::string::npos) << json;
  EXPECT_NE(json.find("\"country\": \"US\""), std::string::npos) << json;
}

TEST(TableTest, TableAlignsNumbersRight) {
  Table t;
  t.columns = {"k", "n"};
  t.rows.push_back({std::string("a"), Number{5, 0, 0}});
  t.rows.push_back({std::string("b"), Number{100, 0, 0}});
  EXPECT_EQ(Render(t, Format::kTable), "k    n\na    5\nb  100\n");
}

}  // namespace
}  // namespace orchard::reports
