#include "ingest/tsv.h"

#include <gtest/gtest.h>

namespace orchard::ingest {
namespace {

TEST(TsvReaderTest, LooksUpColumnsByTrimmedCaseInsensitiveName) {
  TsvReader r("A \t b\tC\nx\ty\tz\n");
  EXPECT_EQ(r.Column("a"), 0u);
  EXPECT_EQ(r.Column("B"), 1u);
  EXPECT_FALSE(r.Column("d").has_value());
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.field(2), "z");
  EXPECT_EQ(r.field(7), "");
  EXPECT_FALSE(r.Next());
}

TEST(TsvReaderTest, SkipsBlankLinesAndCountsLines) {
  TsvReader r("h1\th2\r\n\r\n1\t2\r\n \t \n3\t4");
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line(), 3u);
  EXPECT_EQ(r.field(1), "2");
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line(), 5u);
  EXPECT_EQ(r.field(0), "3");
  EXPECT_FALSE(r.Next());
}

TEST(TsvReaderTest, EmptyInputHasNoHeaderAndNoRows) {
  TsvReader r("");
  EXPECT_FALSE(r.Column("x").has_value());
  EXPECT_FALSE(r.Next());
}

}  // namespace
}  // namespace orchard::ingest
