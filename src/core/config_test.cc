#include "core/config.h"

#include <gtest/gtest.h>

namespace orchard {
namespace {

TEST(ConfigTest, DefaultsPointAtApple) {
  auto config = LoadConfig(std::nullopt);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->apple.asc_api_url, "https://api.appstoreconnect.apple.com");
  EXPECT_EQ(config->report.default_currency, "USD");
}

TEST(ConfigTest, LoopbackHttpIsAcceptedAndTrailingSlashDropped) {
  auto config = ParseConfig("[apple]\nasc_api_url = \"http://127.0.0.1:8080/\"\n", "t");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->apple.asc_api_url, "http://127.0.0.1:8080");
  EXPECT_TRUE(ParseConfig("[apple]\nasc_api_url = \"http://[::1]:9/\"\n", "t").has_value());
  EXPECT_TRUE(ParseConfig("[apple]\nasc_api_url = \"http://localhost:9\"\n", "t").has_value());
}

TEST(ConfigTest, PlainHttpToAnyOtherHostIsRefused) {
  auto config = ParseConfig("[apple]\nasc_api_url = \"http://api.example.com\"\n", "t");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message().find("loopback"), std::string::npos);
  EXPECT_FALSE(ParseConfig("[apple]\nasc_api_url = \"http://127.0.0.1.evil.com\"\n", "t"));
  EXPECT_FALSE(ParseConfig("[apple]\nasc_api_url = \"ftp://x\"\n", "t"));
}

TEST(ConfigTest, UnknownKeysAndWrongTypesNameTheKey) {
  auto unknown = ParseConfig("[apple]\nasc_url = \"https://x\"\n", "t");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("apple.asc_url"), std::string::npos);
  auto typed = ParseConfig("[http]\ntotal_timeout_seconds = \"ten\"\n", "t");
  ASSERT_FALSE(typed.has_value());
  EXPECT_NE(typed.error().message().find("http.total_timeout_seconds"), std::string::npos);
  auto syntax = ParseConfig("[apple\n", "cfg.toml");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_NE(syntax.error().message().find("cfg.toml:1"), std::string::npos);
}

TEST(ConfigTest, SyncAndFxSections) {
  auto config = ParseConfig("[sync]\ntime_zone = \"Europe/Berlin\"\ndaily_hour = 9\n"
                            "interval_seconds = 5\nbackfill_new_accounts = false\n"
                            "[fx]\nurl = \"http://127.0.0.1:7/fx.csv\"\nfetch_hour = 3\n", "t");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->sync.time_zone, "Europe/Berlin");
  EXPECT_EQ(config->sync.daily_hour, 9);
  EXPECT_EQ(config->sync.interval_seconds, 5);
  EXPECT_FALSE(config->sync.backfill_new_accounts);
  EXPECT_EQ(config->fx.url, "http://127.0.0.1:7/fx.csv");
  EXPECT_EQ(config->fx.fetch_hour, 3);
  EXPECT_FALSE(ParseConfig("[sync]\ndaily_hour = 24\n", "t").has_value());
  EXPECT_FALSE(ParseConfig("[fx]\nurl = \"http://ecb.example/fx.csv\"\n", "t").has_value());
  EXPECT_TRUE(ParseConfig("[fx]\nurl = \"\"\n", "t").has_value());  // fetching off
  EXPECT_EQ(LoadConfig(std::nullopt)->fx.url, "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.csv");
}

TEST(ConfigTest, ReviewsSectionAndStoreEndpoints) {
  auto config = ParseConfig("[reviews]\nlinked_interval_minutes = 15\npublic_interval_hours = 12\n"
                            "full_resync_hour = 2\npublic_min_interval_ms = 0\n"
                            "[apple]\namp_api_url = \"http://127.0.0.1:9/\"\n"
                            "amp_token_url = \"http://127.0.0.1:9\"\n", "t");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->reviews.linked_interval_minutes, 15);
  EXPECT_EQ(config->reviews.public_interval_hours, 12);
  EXPECT_EQ(config->reviews.full_resync_hour, 2);
  EXPECT_EQ(config->reviews.public_min_interval_ms, 0);
  EXPECT_EQ(config->apple.amp_api_url, "http://127.0.0.1:9");
  const Config defaults = *LoadConfig(std::nullopt);
  EXPECT_EQ(defaults.reviews.linked_interval_minutes, 60);
  EXPECT_EQ(defaults.reviews.public_interval_hours, 6);
  EXPECT_EQ(defaults.apple.amp_token_url, "https://sf-api-token-service.itunes.apple.com");
  auto bad = ParseConfig("[reviews]\npublic_interval_hours = 0\n", "t");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("reviews.public_interval_hours must be 1–168"), std::string::npos);
  EXPECT_FALSE(ParseConfig("[reviews]\nhourly = true\n", "t").has_value());
  EXPECT_FALSE(ParseConfig("[apple]\namp_api_url = \"http://amp.example\"\n", "t").has_value());
}

TEST(ConfigTest, MissingFileIsAClearError) {
  auto config = LoadConfig(std::filesystem::path("/nonexistent/orchard.toml"));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message().find("/nonexistent/orchard.toml"), std::string::npos);
}

}  // namespace
}  // namespace orchard
