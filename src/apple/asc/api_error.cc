#include "apple/asc/api_error.h"

#include <nlohmann/json.hpp>

namespace orchard::apple::asc {

std::optional<ApiError> ParseApiError(std::string_view body) {
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array() ||
      doc["errors"].empty() || !doc["errors"][0].is_object()) {
    return std::nullopt;
  }
  const auto& e = doc["errors"][0];
  auto str = [&](const nlohmann::json& j, const char* key) -> std::string {
    if (!j.contains(key)) return "";
    const auto& v = j[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    return "";
  };
  ApiError out{str(e, "status"), str(e, "code"), str(e, "title"), str(e, "detail"), ""};
  if (e.contains("source") && e["source"].is_object()) {
    out.source_parameter = str(e["source"], "parameter");
  }
  return out;
}

bool CodeHasPrefix(std::string_view code, std::string_view prefix) {
  return code == prefix || (code.size() > prefix.size() && code.starts_with(prefix) &&
                            code[prefix.size()] == '.');
}

std::string DescribeApiError(int http_status, const std::optional<ApiError>& e) {
  std::string out = "HTTP " + std::to_string(http_status);
  if (e) {
    if (!e->code.empty()) out += " " + e->code;
    if (!e->detail.empty()) out += ": " + e->detail;
    else if (!e->title.empty()) out += ": " + e->title;
  }
  return out;
}

}  // namespace orchard::apple::asc
