// Key rotation (SEC-4): every sealed value re-wrapped under the key ring's current version, one
// compare-and-swap per value, so readers never see a failure, a writer that changed a value
// meanwhile wins (its value is picked up again), and a crash at any point leaves every value
// readable (the old key stays in the key file) with the rotation resumable by running it again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "core/status.h"
#include "crypto/sealer.h"
#include "store/meta_store.h"

namespace orchard::accounts {

struct RotationReport {
  uint32_t target_version = 0;
  bool resumed = false;  // an interrupted rotation was finished instead of adding a version
  int64_t rewrapped = 0;
  int64_t raced = 0;  // changed or deleted while rotating; re-listed
};

// Re-wraps every value whose key version is below `target_version` (the sealer's current
// version). `progress` (optional) is called after each batch with the running count.
Result<RotationReport> RewrapAll(store::MetaStore& meta, const crypto::Sealer& sealer,
                                 uint32_t target_version,
                                 const std::function<void(int64_t)>& progress = {});

// `orchard keys rotate`: unless an earlier rotation is unfinished (values below the ring's
// current version exist), adds a key version to the key file (atomically) first; then
// RewrapAll. `sealer` must use `ring` (or follow `key_file`).
Result<RotationReport> RotateMasterKey(store::MetaStore& meta, crypto::KeyRing& ring,
                                       const std::filesystem::path& key_file,
                                       const crypto::Sealer& sealer,
                                       const std::function<void(int64_t)>& progress = {});

}  // namespace orchard::accounts
