#include "server/openapi.h"

#include <cctype>

namespace orchard::server {
namespace {

using OJson = nlohmann::ordered_json;

std::string_view AccessWords(Access access) {
  switch (access) {
    case Access::kPublic:
      return "Public: no credentials needed.";
    case Access::kUser:
      return "Any signed-in user.";
    case Access::kViewer:
      return "A member of the request's team (Viewer, Admin or Owner).";
    case Access::kAdmin:
      return "An Admin or Owner of the request's team.";
    case Access::kOwner:
      return "An Owner of the request's team.";
  }
  return "";
}

// "GET /api/v1/accounts/{id}/health" → "get_accounts_id_health": unique per route.
std::string OperationId(const Route& r) {
  std::string id;
  for (char c : r.method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view path = r.pattern;
  if (path.rfind("/api/v1", 0) == 0) path.remove_prefix(7);
  for (char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += c;
    } else if (id.back() != '_') {
      id += '_';
    }
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

// The first path word after /api/v1 ("accounts"), or "system" for /healthz and /metrics.
std::string Tag(const Route& r) {
  std::string_view path = r.pattern;
  if (path.rfind("/api/v1/", 0) != 0) return "system";
  path.remove_prefix(8);
  const std::string tag(path.substr(0, path.find('/')));
  return tag == "openapi.json" || tag == "routes" ? "system" : tag;
}

OJson PathParameter(const std::string& name) {
  const bool id = name == "id" || (name.size() > 3 && name.ends_with("_id"));
  OJson schema = id ? OJson{{"type", "integer"}, {"format", "int64"}, {"minimum", 1}}
                    : OJson{{"type", "string"}};
  return OJson{{"name", name}, {"in", "path"}, {"required", true}, {"schema", schema}};
}

OJson QueryParameter(const QueryParam& q) {
  OJson item = {{"type", "string"}};
  if (!q.values.empty()) item["enum"] = q.values;
  if (!q.pattern.empty()) item["pattern"] = q.pattern;
  OJson p = {{"name", q.name}, {"in", "query"}, {"required", false}};
  if (!q.description.empty()) p["description"] = q.description;
  if (q.list) {
    p["style"] = "form";
    p["explode"] = false;
    p["schema"] = OJson{{"type", "array"}, {"items", item}};
  } else {
    p["schema"] = item;
  }
  if (!q.example.empty()) p["example"] = q.example;
  return p;
}

OJson Content(const std::string& type) {
  if (type.rfind("application/json", 0) == 0) {
    return OJson{{"schema", {{"type", "object"}}}};
  }
  return OJson{{"schema", {{"type", "string"}}}};
}

OJson ErrorRef() { return OJson{{"$ref", "#/components/responses/Error"}}; }

}  // namespace

nlohmann::ordered_json OpenApiDocument(const Router& router, std::string_view version) {
  OJson paths = OJson::object();
  for (const Route& r : router.routes()) {
    OJson op;
    op["operationId"] = OperationId(r);
    op["summary"] = r.summary;
    op["description"] = std::string(AccessWords(r.access));
    op["tags"] = OJson::array({Tag(r)});
    OJson params = OJson::array();
    for (size_t open = r.pattern.find('{'); open != std::string::npos;
         open = r.pattern.find('{', open + 1)) {
      const size_t close = r.pattern.find('}', open);
      if (close == std::string::npos) break;
      params.push_back(PathParameter(r.pattern.substr(open + 1, close - open - 1)));
    }
    for (const QueryParam& q : r.query) params.push_back(QueryParameter(q));
    if (!params.empty()) op["parameters"] = params;
    if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
      op["requestBody"] = {{"required", false},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    OJson ok_content = OJson::object();
    if (r.produces.empty()) {
      ok_content["application/json"] = Content("application/json");
    } else {
      for (const std::string& type : r.produces) ok_content[type] = Content(type);
    }
    OJson responses = {{"2XX", {{"description", "Success"}, {"content", ok_content}}}};
    if (r.access != Access::kPublic) {
      responses["401"] = ErrorRef();
      responses["403"] = ErrorRef();
    }
    responses["default"] = ErrorRef();
    op["responses"] = responses;
    // Public routes need nothing; every other route takes an API token or the session cookie
    // (with X-CSRF-Token on state-changing methods), and the role the route needs.
    op["security"] = r.access == Access::kPublic
                         ? OJson::array()
                         : OJson::array({OJson{{"bearerAuth", OJson::array()}},
                                         OJson{{"sessionCookie", OJson::array()}}});
    op["x-orchard-access"] = std::string(AccessName(r.access));
    std::string method;
    for (char c : r.method)
      method += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[r.pattern][method] = op;
  }
  OJson error_schema = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}};
  return OJson{
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "Orchard API"},
        {"version", std::string(version)},
        {"description",
         "Self-hosted App Store analytics. JSON under /api/v1; errors are "
         "{\"error\":{\"code\",\"message\"}} with the HTTP status. Generated from the server's "
         "route table."}}},
      {"servers", OJson::array({OJson{{"url", "/"}}})},
      {"security", OJson::array({OJson{{"bearerAuth", OJson::array()}},
                                 OJson{{"sessionCookie", OJson::array()}}})},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearerAuth",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description",
             "A personal API token: `orchard token create` or POST /api/v1/tokens"}}},
          {"sessionCookie",
           {{"type", "apiKey"},
            {"in", "cookie"},
            {"name", "orchard_session"},
            {"description",
             "The dashboard's session (POST /api/v1/session); state-changing requests also "
             "send the X-CSRF-Token header that GET /api/v1/session returns"}}}}},
        {"schemas", {{"Error", error_schema}}},
        {"responses",
         {{"Error",
           {{"description", "An error: the code names the kind, the message says what to do"},
            {"content",
             {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}}}}}};
}

}  // namespace orchard::server
