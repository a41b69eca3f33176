// A small mutation fuzzer for compilers without libFuzzer (GCC): starts from a corpus, applies
// random byte flips, insertions, deletions, duplications and splices, and runs each input
// through the target under the sanitizers until the time budget is spent. Not coverage-guided;
// it complements the libFuzzer build (Clang), it does not replace it.
// Usage: mutate CORPUS_DIR SECONDS [SEED]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR SECONDS [SEED]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> corpus;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    std::ifstream in(entry.path(), std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (corpus.empty()) return 1;
  std::mt19937_64 rng(argc > 3 ? std::strtoull(argv[3], nullptr, 10) : std::random_device{}());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(argv[2]));
  const char* interesting[] = {"\t", "\n", "\r\n", " ", "-", ".", "0", "-1", "99999999999999999999",
                               "N/A", ",", "\x1f\x8b", "\"", "[", "=", "\xef\xbb\xbf"};
  uint64_t runs = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string s = corpus[rng() % corpus.size()];
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 6) {
        case 0: if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(s[pos] ^ (1 << (rng() % 8))); break;
        case 1: s.insert(pos, interesting[rng() % std::size(interesting)]); break;
        case 2: if (!s.empty()) s.erase(pos, 1 + rng() % 16); break;
        case 3: s.resize(pos); break;
        case 4: if (!s.empty()) { const size_t from = rng() % s.size(); s.insert(pos, s.substr(from, 1 + rng() % 64)); } break;
        case 5: { const std::string& other = corpus[rng() % corpus.size()]; s += other.substr(rng() % (other.size() + 1)); } break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::printf("%llu inputs, no crash\n", static_cast<unsigned long long>(runs));
  return 0;
}
