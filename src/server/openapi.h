// The OpenAPI 3.0.3 document of the API, generated from the route table, so it cannot drift
// from what is served: every route with its method, path parameters, documented query
// parameters, summary, media types, and its access level as a security requirement (bearer
// token or session cookie; none for public routes; the role in `x-orchard-access`).
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "server/router.h"

namespace orchard::server {

nlohmann::ordered_json OpenApiDocument(const Router& router, std::string_view version);

}  // namespace orchard::server
