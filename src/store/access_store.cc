#include "store/access_store.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace orchard::store {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoleNames = {{
    {Role::kViewer, "viewer"},
    {Role::kAdmin, "admin"},
    {Role::kOwner, "owner"},
}};

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (const auto& [r, name] : kRoleNames) {
    if (std::ranges::equal(text, name, [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace orchard::store
