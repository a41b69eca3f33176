#include "core/metrics.h"

#include <gtest/gtest.h>

namespace orchard::metrics {
namespace {

TEST(Metrics, RendersCountersGaugesAndHistogramsInPrometheusText) {
  Registry r;
  r.Declare("orchard_apple_requests_total", "Requests sent to Apple, by status.", Registry::Type::kCounter);
  r.Increment("orchard_apple_requests_total", {{"status", "200"}});
  r.Increment("orchard_apple_requests_total", {{"status", "200"}}, 2);
  r.Increment("orchard_apple_requests_total", {{"status", "429"}});
  r.Set("orchard_headroom", {{"key", "a\"b"}}, 17);
  r.Observe("orchard_latency_seconds", {{"route", "/x"}}, 0.02);
  r.Observe("orchard_latency_seconds", {{"route", "/x"}}, 3);
  const std::string text = r.Render();
  EXPECT_NE(text.find("# HELP orchard_apple_requests_total Requests sent to Apple, by status.\n"
                      "# TYPE orchard_apple_requests_total counter\n"
                      "orchard_apple_requests_total{status=\"200\"} 3\n"
                      "orchard_apple_requests_total{status=\"429\"} 1\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE orchard_headroom gauge\norchard_headroom{key=\"a\\\"b\"} 17\n"), std::string::npos) << text;
  // 0.02 falls in le=0.025 and above; 3 only from le=5.
  EXPECT_NE(text.find("orchard_latency_seconds_bucket{route=\"/x\",le=\"0.01\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orchard_latency_seconds_bucket{route=\"/x\",le=\"0.025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orchard_latency_seconds_bucket{route=\"/x\",le=\"2.5\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orchard_latency_seconds_bucket{route=\"/x\",le=\"5\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orchard_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orchard_latency_seconds_sum{route=\"/x\"} 3.02\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orchard_latency_seconds_count{route=\"/x\"} 2\n"), std::string::npos) << text;
  EXPECT_EQ(r.Value("orchard_apple_requests_total", {{"status", "200"}}), 3);
  EXPECT_EQ(r.Value("orchard_apple_requests_total", {{"status", "500"}}), 0);
}

}  // namespace
}  // namespace orchard::metrics
