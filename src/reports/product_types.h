// Product Type Identifier buckets (product.md §5, apple-apis.md §2.6).
//
// Free vs paid is decided by price, never here. Unknown identifiers are kept and counted under
// `other_units`, never dropped.
#pragma once

#include <string_view>

namespace orchard::reports {

enum class UnitBucket { kDownload, kRedownload, kUpdate, kIap, kOther };

UnitBucket ClassifyProductType(std::string_view product_type);

// True for identifiers Orchard knows (any bucket but kOther).
inline bool IsKnownProductType(std::string_view product_type) {
  return ClassifyProductType(product_type) != UnitBucket::kOther;
}

}  // namespace orchard::reports
