// The API's route table: data, so the authorization matrix (SEC-9) and the CSRF test (SEC-10)
// are generated from it, and a route added without an access rule cannot exist.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace orchard::server {

// Who may call a route. Checked in one place (ApiServer::Dispatch) before any handler runs.
enum class Access {
  kPublic,  // anyone (login, health)
  kUser,    // any signed-in user, whatever their role (own session, own preferences, teams)
  kViewer,  // a member of the request's team
  kAdmin,   // an Admin or Owner of the request's team
  kOwner,   // an Owner of the request's team
};
std::string_view AccessName(Access access);

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;  // {id} path parameters
  std::multimap<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_addr;

  std::string Header(std::string_view name) const;  // "" when absent
  std::string Query(std::string_view name) const;   // "" when absent
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error":{"code":"not_found","message":"…"}} with the HTTP status of `status.code()`. Internal
// errors get a generic message (SEC-11): the detail goes to the log, never to the client.
Response ErrorResponse(const Status& status);
Response ErrorResponse(int http_status, std::string_view code, std::string_view message);
int HttpStatusFor(Code code);

struct RequestContext;
using Handler = std::function<Response(RequestContext&)>;

// A query parameter of a route, for the OpenAPI document (the handler does its own parsing).
struct QueryParam {
  std::string name;
  std::string description;
  std::vector<std::string> values;  // an enumeration ({} = free text)
  bool list = false;                // comma-separated (form style, not exploded)
  std::string pattern;              // of one value or list item ("" = any)
  std::string example;
};

struct Route {
  std::string method;   // GET, POST, PUT, PATCH, DELETE
  std::string pattern;  // "/api/v1/accounts/{id}"
  Access access = Access::kViewer;
  std::string summary;  // one line, for the route list and openapi
  Handler handler;
  std::vector<QueryParam> query = {};      // documented query parameters
  std::vector<std::string> produces = {};  // media types of a success ({} = application/json)
};

class Router {
 public:
  void Add(Route route) { routes_.push_back(std::move(route)); }
  const std::vector<Route>& routes() const { return routes_; }

  // The route for (method, path) and its path parameters. `path_known` tells a 405 from a 404.
  const Route* Match(std::string_view method, std::string_view path,
                     std::map<std::string, std::string>* params, bool* path_known) const;

 private:
  std::vector<Route> routes_;
};

bool IsStateChanging(std::string_view method);

}  // namespace orchard::server
