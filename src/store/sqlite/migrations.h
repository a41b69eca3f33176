// The schema, as an append-only list of migrations. Never edit a released entry: add one.
#pragma once

#include <string_view>
#include <vector>

namespace orchard::store::sqlite {

const std::vector<std::string_view>& Migrations();

}  // namespace orchard::store::sqlite
