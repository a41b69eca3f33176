#include "accounts/key_rotation.h"

namespace orchard::accounts {

Result<RotationReport> RewrapAll(store::MetaStore& meta, const crypto::Sealer& sealer,
                                 uint32_t target_version,
                                 const std::function<void(int64_t)>& progress) {
  RotationReport report;
  report.target_version = target_version;
  for (int rounds = 0;; ++rounds) {
    ORCHARD_ASSIGN_OR_RETURN(auto batch, meta.ListSealedBelow(target_version, 500));
    if (batch.empty()) break;
    int64_t done = 0;
    for (const auto& ref : batch) {
      const crypto::SealContext where{ref.team_id, ref.table, ref.column, ref.row_id};
      auto blob = sealer.Rewrap(ref.sealed.blob, where);
      if (!blob.has_value()) {
        // The value may have been replaced between the listing and now: look again next round.
        ++report.raced;
        continue;
      }
      ORCHARD_ASSIGN_OR_RETURN(uint32_t version, crypto::Sealer::BlobKeyVersion(*blob));
      if (version != target_version) {
        return Error(Code::kFailedPrecondition,
                     "the key ring's current version is " + std::to_string(version) + ", not " +
                         std::to_string(target_version));
      }
      Status st = meta.SwapSealed(ref, store::SealedSecret{std::move(*blob), version});
      if (st.code() == Code::kAborted || st.code() == Code::kNotFound) {
        ++report.raced;
        continue;
      }
      ORCHARD_RETURN_IF_ERROR(st);
      ++report.rewrapped;
      ++done;
    }
    if (progress) progress(report.rewrapped);
    if (done == 0 && rounds > 1000) {
      return Error(Code::kDataLoss,
                   "some sealed values cannot be re-wrapped (they do not open with any key in the "
                   "key file); run `orchard keys rotate` again, and check the key file");
    }
  }
  return report;
}

Result<RotationReport> RotateMasterKey(store::MetaStore& meta, crypto::KeyRing& ring,
                                       const std::filesystem::path& key_file,
                                       const crypto::Sealer& sealer,
                                       const std::function<void(int64_t)>& progress) {
  ORCHARD_ASSIGN_OR_RETURN(auto behind, meta.ListSealedBelow(ring.current_version(), 1));
  const bool resumed = !behind.empty();
  if (!resumed) ORCHARD_RETURN_IF_ERROR(ring.AddVersionAndSave(key_file));
  ORCHARD_ASSIGN_OR_RETURN(RotationReport report,
                           RewrapAll(meta, sealer, ring.current_version(), progress));
  report.resumed = resumed;
  return report;
}

}  // namespace orchard::accounts
