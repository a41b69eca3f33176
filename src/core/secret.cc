#include "core/secret.h"

#include <sodium.h>

#include <cstring>
#include <new>

namespace orchard {
namespace {
bool EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}
}  // namespace

Secret::Secret(std::string_view bytes) {
  if (bytes.empty()) return;
  if (!EnsureSodium()) throw std::bad_alloc();
  // sodium_malloc: guard pages, canary, mlock()ed, excluded from core dumps where supported.
  data_ = static_cast<char*>(sodium_malloc(bytes.size()));
  if (data_ == nullptr) throw std::bad_alloc();
  std::memcpy(data_, bytes.data(), bytes.size());
  size_ = bytes.size();
}

Secret::~Secret() { Release(); }

Secret::Secret(Secret&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void Secret::Release() {
  if (data_ != nullptr) {
    sodium_free(data_);  // zeroes before freeing
    data_ = nullptr;
    size_ = 0;
  }
}

void WipeString(std::string& s) {
  if (s.capacity() > 0) sodium_memzero(s.data(), s.capacity());
  s.clear();
}

}  // namespace orchard
