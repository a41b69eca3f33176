#include "server/router.h"

#include <nlohmann/json.hpp>

#include <cctype>

namespace orchard::server {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string_view ErrorCodeName(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kPermissionDenied: return "forbidden";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kAborted: return "conflict";
    case Code::kResourceExhausted: return "too_many_requests";
    case Code::kDeadlineExceeded: return "expired";
    case Code::kUnavailable: return "unavailable";
    case Code::kUnimplemented: return "not_implemented";
    default: return "internal";
  }
}

}  // namespace

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kPublic: return "public";
    case Access::kUser: return "user";
    case Access::kViewer: return "viewer";
    case Access::kAdmin: return "admin";
    case Access::kOwner: return "owner";
  }
  return "?";
}

std::string Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return "";
}

std::string Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? "" : it->second;
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kFailedPrecondition: return 409;
    case Code::kAborted: return 409;
    case Code::kDeadlineExceeded: return 410;
    case Code::kResourceExhausted: return 429;
    case Code::kUnavailable: return 503;
    case Code::kUnimplemented: return 501;
    default: return 500;
  }
}

Response ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  Response r;
  r.status = http_status;
  // Messages may quote the request (a path, an Origin) and so bytes that are not UTF-8: replace
  // them rather than throw.
  r.body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response ErrorResponse(const Status& status) {
  const int http = HttpStatusFor(status.code());
  if (http == 500) {
    return ErrorResponse(500, "internal", "Something went wrong on the server; it has been logged.");
  }
  return ErrorResponse(http, ErrorCodeName(status.code()), status.message());
}

bool IsStateChanging(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

const Route* Router::Match(std::string_view method, std::string_view path,
                           std::map<std::string, std::string>* params, bool* path_known) const {
  *path_known = false;
  const auto parts = Split(path);
  for (const auto& route : routes_) {
    const auto pattern = Split(route.pattern);
    if (pattern.size() != parts.size()) continue;
    std::map<std::string, std::string> found;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const auto p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (parts[i].empty()) ok = false;
        found[std::string(p.substr(1, p.size() - 2))] = std::string(parts[i]);
      } else {
        ok = p == parts[i];
      }
    }
    if (!ok) continue;
    *path_known = true;
    if (route.method != method) continue;
    *params = std::move(found);
    return &route;
  }
  return nullptr;
}

}  // namespace orchard::server
