// Territory codes: App Store Connect names territories by ISO 3166-1 alpha-3 (`USA`, the
// `TerritoryCode` enum of apple-apis.md appendix A, 233 values, with `XKS` for Kosovo); Orchard,
// the RSS feeds and the store URLs use lower-case alpha-2 (`us`). This is the one table between
// them. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchard {

// "USA" → "us", "XKS" → "xk" (any case in); nullopt for a code not in the table.
std::optional<std::string> TerritoryAlpha2(std::string_view alpha3);

// "us" or "US" → "USA"; nullopt for a code not in the table.
std::optional<std::string> TerritoryAlpha3(std::string_view alpha2);

// Every territory's alpha-2 code, sorted: the storefronts `--countries all` means.
const std::vector<std::string>& TerritoryAlpha2List();

// The number of territories in the table (every value of Apple's TerritoryCode enum).
size_t TerritoryCount();

}  // namespace orchard
