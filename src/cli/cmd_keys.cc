// orchard keys rotate: a new key-encryption key, and every sealed secret re-wrapped under it
// while the server keeps running (SEC-4). Each secret is swapped in its own transaction with a
// compare-and-swap, so a crash at any point leaves every secret readable (old blobs still open
// with the old key, which stays in the key file) and running the command again finishes the
// job instead of starting another rotation.
#include "accounts/key_rotation.h"
#include "cli/commands.h"

namespace orchard::cli {

Status RotateKeys(AppContext& ctx, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(const crypto::Sealer* sealer, ctx.Sealer());
  ORCHARD_ASSIGN_OR_RETURN(std::filesystem::path path, ctx.MasterKeyPath());
  crypto::KeyRing* ring = ctx.ring();
  if (ring == nullptr) return Status(Code::kInternal, "the key ring is not loaded");
  const uint32_t before = ring->current_version();
  ORCHARD_ASSIGN_OR_RETURN(accounts::RotationReport report,
                           accounts::RotateMasterKey(ctx.meta(), *ring, path, *sealer));
  if (report.resumed) {
    out << "An earlier rotation to key version " << before
        << " had not finished; it is finished now (run the command again for a new key).\n";
  } else {
    out << "Added key version " << report.target_version << " to " << path.string() << ".\n";
  }
  const uint32_t target = report.target_version;
  const int64_t rewrapped = report.rewrapped, raced = report.raced;
  out << "Re-wrapped " << rewrapped << " secret(s) under key version " << target << ".";
  if (raced > 0) out << " " << raced << " changed while rotating and were picked up again.";
  out << "\nKeep older key versions in the file until every backup made before now has expired.\n";
  return Status::Ok();
}

}  // namespace orchard::cli
