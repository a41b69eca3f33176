#include "server/json_body.h"

#include <charconv>

namespace orchard::server {

Result<Json> BodyObject(const Request& req) {
  if (req.body.empty()) return Json::object();
  Json j = Json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error(Code::kInvalidArgument, "the body must be a JSON object");
  }
  return j;
}

Result<std::string> StringField(const Json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Error(Code::kInvalidArgument, std::string(name) + " must be a string");
  return it->get<std::string>();
}

Result<Secret> SecretField(Json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return Secret();
  if (!it->is_string()) return Error(Code::kInvalidArgument, std::string(name) + " must be a string");
  std::string& value = it->get_ref<std::string&>();
  Secret out(value);
  WipeString(value);
  return out;
}

Result<int64_t> IdParam(const Request& req, const char* name) {
  auto it = req.params.find(name);
  int64_t id = 0;
  if (it != req.params.end()) {
    const auto& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec == std::errc() && p == s.data() + s.size() && id > 0) return id;
  }
  return Error(Code::kNotFound, "no such object");
}

Response JsonResponse(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

}  // namespace orchard::server
