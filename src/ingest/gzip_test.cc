#include "ingest/gzip.h"

#include <gtest/gtest.h>

namespace orchard::ingest {
namespace {

TEST(GzipTest, RoundTrips) {
  const std::string text = "Provider\tUnits\nAPPLE\t12\n";
  auto gz = Gzip(text);
  ASSERT_TRUE(gz.has_value());
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);
  auto back = Gunzip(*gz, 1 << 20);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(*back, text);
}

TEST(GzipTest, ConcatenatedMembersInflateToTheConcatenation) {
  auto a = Gzip("first;");
  auto b = Gzip("second");
  auto back = Gunzip(*a + *b, 1 << 20);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, "first;second");
}

TEST(GzipTest, ABombIsRefusedAtTheCap) {
  const std::string zeros(64 << 20, '\0');  // 64 MiB of zeros compress to ~64 KiB
  auto gz = Gzip(zeros, 9);
  ASSERT_TRUE(gz.has_value());
  ASSERT_LT(gz->size(), size_t{1} << 20);
  auto back = Gunzip(*gz, 10 << 20);
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().code(), Code::kResourceExhausted);
  EXPECT_NE(back.error().message().find("10 MiB"), std::string::npos);
}

TEST(GzipTest, ALyingSizeTrailerIsNotTrusted) {
  std::string text(300000, 'a');
  auto gz = Gzip(text);
  std::string lying = *gz;
  lying[lying.size() - 4] = 1;  // ISIZE claims 1 byte
  lying[lying.size() - 3] = lying[lying.size() - 2] = lying[lying.size() - 1] = 0;
  auto back = Gunzip(lying, 1 << 20);
  // libdeflate checks ISIZE against the real length: a lie is corruption, never an overflow.
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().code(), Code::kDataLoss);
}

TEST(GzipTest, TruncatedStreamsAreDataLossAtEveryLength) {
  auto gz = Gzip(std::string(5000, 'x') + "tail");
  for (size_t n = 2; n < gz->size(); ++n) {
    auto back = Gunzip(std::string_view(*gz).substr(0, n), 1 << 20);
    ASSERT_FALSE(back.has_value()) << n;
    EXPECT_EQ(back.error().code(), Code::kDataLoss) << n;
  }
}

TEST(GzipTest, SomethingElseIsNotGzip) {
  auto back = Gunzip("{\"errors\":[]}", 1 << 20);
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(Gunzip("", 10).error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace orchard::ingest
