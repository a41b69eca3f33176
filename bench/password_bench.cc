// SEC-6: what one Orchard password hash costs (argon2id, 64 MiB, t=2) and what a sign-in costs
// (verify), next to the baseline measured in the same run: PBKDF2-HMAC-SHA256 with 600,000
// iterations, OWASP's 2023 recommendation for PBKDF2.
//
// Usage: password_bench [runs]   (default 9; medians are printed)
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "crypto/password_hash.h"

namespace {

double MedianMs(int runs, const std::function<void()>& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 9;
  const orchard::Secret password("correct horse battery staple");
  std::string hash;
  const double hash_ms = MedianMs(runs, [&] { hash = orchard::crypto::HashPassword(password).value_or(""); });
  if (hash.empty()) {
    std::fprintf(stderr, "hashing failed\n");
    return 1;
  }
  bool ok = false;
  const double verify_ms = MedianMs(runs, [&] { ok = orchard::crypto::VerifyPassword(hash, password); });
  unsigned char out[32];
  const unsigned char salt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const double pbkdf2_ms = MedianMs(runs, [&] {
    PKCS5_PBKDF2_HMAC(password.view().data(), static_cast<int>(password.size()), salt, sizeof salt, 600000,
                      EVP_sha256(), sizeof out, out);
  });
  std::printf("password hashing, median of %d runs (%s)\n", runs, hash.substr(0, 30).c_str());
  std::printf("  argon2id 64 MiB t=2, hash     %8.1f ms\n", hash_ms);
  std::printf("  argon2id 64 MiB t=2, verify   %8.1f ms   (a sign-in; also an unknown e-mail, checked against a dummy hash)\n", verify_ms);
  std::printf("  baseline PBKDF2-SHA256 600k   %8.1f ms\n", pbkdf2_ms);
  std::printf("  ratio verify / baseline        %8.2f×  (and 64 MiB of memory per guess, which PBKDF2 does not cost)\n",
              verify_ms / pbkdf2_ms);
  return ok ? 0 : 1;
}
