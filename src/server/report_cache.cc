#include "server/report_cache.h"

#include <iterator>

namespace orchard::server {
namespace {

size_t SizeOf(const std::string& key, const std::string& stamp, const CachedAnswer& a) {
  size_t n = key.size() + stamp.size() + a.content_type.size() + a.body.size() + 128;
  for (const auto& [k, v] : a.headers) n += k.size() + v.size();
  return n;
}

}  // namespace

std::shared_ptr<const CachedAnswer> ReportCache::Find(const std::string& key,
                                                      const std::string& stamp) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  if (it->second->stamp != stamp) {
    EraseLocked(it->second);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->answer;
}

void ReportCache::Put(const std::string& key, const std::string& stamp,
                      std::shared_ptr<const CachedAnswer> answer) {
  if (max_entries_ == 0 || answer == nullptr) return;
  const size_t size = SizeOf(key, stamp, *answer);
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) EraseLocked(it->second);
  if (size > max_bytes_) return;
  lru_.push_front(Slot{key, stamp, std::move(answer), size});
  index_[key] = lru_.begin();
  bytes_ += size;
  while (!lru_.empty() && (lru_.size() > max_entries_ || bytes_ > max_bytes_)) {
    EraseLocked(std::prev(lru_.end()));
  }
}

void ReportCache::EraseLocked(std::list<Slot>::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

size_t ReportCache::entries() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

size_t ReportCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace orchard::server
