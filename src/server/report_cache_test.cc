#include "server/report_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace orchard::server {
namespace {

std::shared_ptr<const CachedAnswer> Answer(std::string body) {
  auto a = std::make_shared<CachedAnswer>();
  a->content_type = "application/json";
  a->body = std::move(body);
  return a;
}

TEST(ReportCacheTest, AnswersOnlyAtTheStampItWasStoredAt) {
  ReportCache cache(10, 1 << 20);
  cache.Put("k", "1:5", Answer("a"));
  ASSERT_NE(cache.Find("k", "1:5"), nullptr);
  EXPECT_EQ(cache.Find("k", "1:5")->body, "a");
  EXPECT_EQ(cache.Find("other", "1:5"), nullptr);
  // The data changed: the entry is stale, dropped, and stays dropped.
  EXPECT_EQ(cache.Find("k", "2:5"), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.Find("k", "1:5"), nullptr);
}

TEST(ReportCacheTest, ReplacesAnEntryOfTheSameKey) {
  ReportCache cache(10, 1 << 20);
  cache.Put("k", "1", Answer("old"));
  cache.Put("k", "2", Answer("new"));
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.Find("k", "1"), nullptr);
  cache.Put("k", "2", Answer("new"));
  EXPECT_EQ(cache.Find("k", "2")->body, "new");
}

TEST(ReportCacheTest, EvictsTheLeastRecentlyUsedPastTheEntryLimit) {
  ReportCache cache(3, 1 << 20);
  cache.Put("a", "s", Answer("A"));
  cache.Put("b", "s", Answer("B"));
  cache.Put("c", "s", Answer("C"));
  ASSERT_NE(cache.Find("a", "s"), nullptr);  // a is now the most recent; b the least
  cache.Put("d", "s", Answer("D"));
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_EQ(cache.Find("b", "s"), nullptr);
  EXPECT_NE(cache.Find("a", "s"), nullptr);
  EXPECT_NE(cache.Find("c", "s"), nullptr);
  EXPECT_NE(cache.Find("d", "s"), nullptr);
}

TEST(ReportCacheTest, StaysWithinTheByteBudget) {
  ReportCache cache(100, 10'000);
  for (int i = 0; i < 50; ++i)
    cache.Put("k" + std::to_string(i), "s", Answer(std::string(1000, 'x')));
  EXPECT_LE(cache.bytes(), 10'000u);
  EXPECT_GT(cache.entries(), 0u);
  EXPECT_LT(cache.entries(), 10u);
  EXPECT_NE(cache.Find("k49", "s"), nullptr);  // the newest stays
  EXPECT_EQ(cache.Find("k0", "s"), nullptr);
  // An answer larger than the whole budget is not kept (and does not flush the others).
  const size_t before = cache.entries();
  cache.Put("huge", "s", Answer(std::string(20'000, 'x')));
  EXPECT_EQ(cache.Find("huge", "s"), nullptr);
  EXPECT_EQ(cache.entries(), before);
}

TEST(ReportCacheTest, ZeroEntriesTurnsItOff) {
  ReportCache cache(0, 1 << 20);
  cache.Put("k", "s", Answer("a"));
  EXPECT_EQ(cache.Find("k", "s"), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
}

// Readers keep their answer even when it is evicted meanwhile (shared, immutable values).
TEST(ReportCacheTest, ManyThreadsAtOnce) {
  ReportCache cache(16, 1 << 20);
  std::atomic<int> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 32);
        if (auto a = cache.Find(key, "s")) {
          if (a->body == key) ++hits;
        } else {
          cache.Put(key, "s", Answer(key));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(cache.entries(), 16u);
}

}  // namespace
}  // namespace orchard::server
