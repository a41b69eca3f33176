// gzip (RFC 1952) for whole report bodies. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orchard::ingest {

// Inflates every member of a gzip stream. Never allocates more than `max_output_bytes` (plus a
// small slack), whatever the stream claims: a gzip bomb fails with kResourceExhausted.
// Not gzip (magic != 1f 8b) → kInvalidArgument; truncated or corrupt → kDataLoss.
Result<std::string> Gunzip(std::string_view data, size_t max_output_bytes);

// Compresses into a single gzip member (for the sandbox, tests and benchmarks).
Result<std::string> Gzip(std::string_view data, int level = 6);

}  // namespace orchard::ingest
