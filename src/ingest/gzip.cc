#include "ingest/gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <memory>

namespace orchard::ingest {
namespace {

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};
struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

uint32_t TrailerSize(std::string_view data) {
  // ISIZE: the uncompressed size mod 2^32 of the LAST member; only a hint.
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + data.size() - 4);
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

Result<std::string> Gunzip(std::string_view data, size_t max_output_bytes) {
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b) {
    return Error(Code::kInvalidArgument, "not a gzip stream");
  }
  if (data.size() < 18) return Error(Code::kDataLoss, "truncated or corrupt gzip stream");
  std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(libdeflate_alloc_decompressor());
  if (!d) return Error(Code::kInternal, "out of memory for the gzip decompressor");

  std::string out;
  size_t in_pos = 0;
  // Start from the trailer's hint (bounded by the cap), grow geometrically when it was wrong.
  size_t guess = std::min<size_t>(std::max<size_t>(TrailerSize(data), data.size() * 4), max_output_bytes);
  while (in_pos < data.size()) {
    std::string_view member = data.substr(in_pos);
    if (member.size() < 2 || static_cast<unsigned char>(member[0]) != 0x1f ||
        static_cast<unsigned char>(member[1]) != 0x8b) {
      // Trailing zero padding after the last member is tolerated (some servers add it).
      if (std::all_of(member.begin(), member.end(), [](char c) { return c == 0; })) break;
      return Error(Code::kDataLoss, "truncated or corrupt gzip stream (garbage after member)");
    }
    const size_t base = out.size();
    size_t room = std::max<size_t>(std::min(guess, max_output_bytes - base), 1);
    while (true) {
      if (base + room > max_output_bytes + 1) room = max_output_bytes + 1 - base;
      out.resize(base + room);
      size_t in_used = 0, out_used = 0;
      const libdeflate_result r = libdeflate_gzip_decompress_ex(
          d.get(), member.data(), member.size(), out.data() + base, room, &in_used, &out_used);
      if (r == LIBDEFLATE_SUCCESS) {
        if (base + out_used > max_output_bytes) break;  // handled below
        out.resize(base + out_used);
        in_pos += in_used;
        break;
      }
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
        if (base + room > max_output_bytes) {
          out.clear();
          out.shrink_to_fit();
          return Error(Code::kResourceExhausted,
                       "decompressed report exceeds the " + std::to_string(max_output_bytes >> 20) +
                           " MiB limit");
        }
        room = std::min(room * 2, max_output_bytes + 1 - base);
        continue;
      }
      return Error(Code::kDataLoss, "truncated or corrupt gzip stream");
    }
    if (out.size() > max_output_bytes) {
      return Error(Code::kResourceExhausted, "decompressed report exceeds the " +
                                                 std::to_string(max_output_bytes >> 20) + " MiB limit");
    }
  }
  return out;
}

Result<std::string> Gzip(std::string_view data, int level) {
  std::unique_ptr<libdeflate_compressor, CompressorDeleter> c(libdeflate_alloc_compressor(level));
  if (!c) return Error(Code::kInvalidArgument, "bad gzip level " + std::to_string(level));
  std::string out(libdeflate_gzip_compress_bound(c.get(), data.size()), '\0');
  const size_t n = libdeflate_gzip_compress(c.get(), data.data(), data.size(), out.data(), out.size());
  if (n == 0) return Error(Code::kInternal, "gzip compression failed");
  out.resize(n);
  return out;
}

}  // namespace orchard::ingest
