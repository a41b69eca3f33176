// JSON:API error documents of the App Store Connect API (apple-apis.md §1.5).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orchard::apple::asc {

struct ApiError {
  std::string status;  // "404"
  std::string code;    // "NOT_FOUND", "PARAMETER_ERROR.INVALID", … (match by prefix)
  std::string title;
  std::string detail;
  std::string source_parameter;  // source.parameter, when present
};

// The first entry of `{"errors":[…]}`; nullopt when the body is not such a document (e.g. the
// plain-text 406 body).
std::optional<ApiError> ParseApiError(std::string_view body);

// "HTTP 403 FORBIDDEN_ERROR: The API key in use does not allow this request" (the detail, else
// the title).
std::string DescribeApiError(int http_status, const std::optional<ApiError>& error);

// True when `code` equals `prefix` or starts with `prefix + "."` (codes are hierarchical).
bool CodeHasPrefix(std::string_view code, std::string_view prefix);

}  // namespace orchard::apple::asc
