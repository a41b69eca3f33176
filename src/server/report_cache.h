// ReportCache: rendered answers of report queries kept in memory, so that asking the same
// question again (a dashboard reloading, many viewers of one team) costs a lookup, not a scan.
//
// An entry is keyed by the caller (team + normalized query, which includes currency and
// format) and remembers the store's DataStamp() at the time the query *started*: it answers
// only while the stamp is unchanged, so a commit by any process (`orchard sync`, `fx import`)
// makes every older entry stale. Bounded by entries and bytes, least recently used first out.
// Thread-safe; answers are shared immutable values, copied out after the lock is released.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace orchard::server {

struct CachedAnswer {
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class ReportCache {
 public:
  // max_entries 0 disables the cache (Find never hits, Put keeps nothing).
  ReportCache(size_t max_entries, size_t max_bytes)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // The answer stored under `key` at `stamp`, or null. An entry of another stamp is stale and
  // is dropped.
  std::shared_ptr<const CachedAnswer> Find(const std::string& key, const std::string& stamp);
  // Stores (or replaces) an answer computed from data at `stamp`. An answer larger than the
  // byte budget is not kept.
  void Put(const std::string& key, const std::string& stamp,
           std::shared_ptr<const CachedAnswer> answer);

  size_t entries() const;
  size_t bytes() const;

 private:
  struct Slot {
    std::string key;
    std::string stamp;
    std::shared_ptr<const CachedAnswer> answer;
    size_t bytes = 0;
  };
  void EraseLocked(std::list<Slot>::iterator it);

  const size_t max_entries_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Slot> lru_;  // front: most recently used
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace orchard::server
