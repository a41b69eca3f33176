// Secret: plaintext credential bytes that live in locked, guarded memory and are wiped on
// destruction (security.md SEC-5).
//
// A Secret cannot be copied implicitly, streamed, formatted or logged: there is deliberately no
// operator<<, no fmt formatter and no implicit conversion to a string. Code that must hand the
// bytes to a library (OpenSSL, libsodium) uses view() for the shortest possible time.
// Not thread-safe; move it between threads, do not share it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace orchard {

class Secret {
 public:
  Secret() = default;
  // Copies `bytes` into locked memory. The caller should wipe its own copy (WipeString).
  explicit Secret(std::string_view bytes);
  ~Secret();

  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  // Explicit, greppable copy.
  Secret Clone() const { return Secret(view()); }

  std::string_view view() const { return {data_, size_}; }
  const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(data_); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void Release();
  char* data_ = nullptr;
  size_t size_ = 0;
};

// Overwrites a std::string's bytes (and capacity) with zeros in a way the compiler keeps.
void WipeString(std::string& s);

}  // namespace orchard
