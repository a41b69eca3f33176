#include "reports/product_types.h"

#include <array>

namespace orchard::reports {

UnitBucket ClassifyProductType(std::string_view pti) {
  // First-time downloads, including custom (B2B) apps and app bundles.
  static constexpr std::array<std::string_view, 9> kDownloads = {
      "1", "1F", "1T", "F1", "1E", "1EP", "1EU", "1-B", "F1-B"};
  static constexpr std::array<std::string_view, 4> kRedownloads = {"3", "3F", "3T", "F3"};
  static constexpr std::array<std::string_view, 4> kUpdates = {"7", "7F", "7T", "F7"};
  for (auto p : kDownloads) if (pti == p) return UnitBucket::kDownload;
  for (auto p : kRedownloads) if (pti == p) return UnitBucket::kRedownload;
  for (auto p : kUpdates) if (pti == p) return UnitBucket::kUpdate;
  // Every in-app purchase code starts with IA (IA1, IA9, IAY, IAC, their -M Mac forms, legacy
  // IA3) or is the Mac app's FI1.
  if (pti.starts_with("IA") || pti == "FI1") return UnitBucket::kIap;
  return UnitBucket::kOther;
}

}  // namespace orchard::reports
