// Reading request bodies: a JSON object, fields by name, secrets straight into locked memory.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/secret.h"
#include "core/status.h"
#include "server/router.h"

namespace orchard::server {

using Json = nlohmann::json;

// The body as a JSON object; kInvalidArgument in plain words otherwise.
Result<Json> BodyObject(const Request& req);
// A string field ("" when absent); kInvalidArgument when present but not a string.
Result<std::string> StringField(const Json& body, const char* name);
// A secret field: moved into a Secret and overwritten in the parsed document.
Result<Secret> SecretField(Json& body, const char* name);
// A path parameter that must be a positive integer id; kNotFound otherwise (as for another
// team's id, so ids cannot be probed).
Result<int64_t> IdParam(const Request& req, const char* name);

Response JsonResponse(int status, const Json& body);

// In a handler: `TRY_ASSIGN(x, Expr())` declares x from a Result, or answers with its error.
#define TRY_ASSIGN(lhs, expr)                                                 \
  auto lhs##_result = (expr);                                                 \
  if (!lhs##_result.has_value()) return ErrorResponse(lhs##_result.error()); \
  auto lhs = std::move(*lhs##_result)

}  // namespace orchard::server
