// An HttpClient for the Apple clients' unit tests: answers from a script and records what was
// asked.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.h"

namespace orchard::apple::testing {

class ScriptedHttp final : public net::HttpClient {
 public:
  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    requests.push_back(request);
    if (script.empty()) return Error(Code::kInternal, "script exhausted");
    auto next = std::move(script.front());
    script.pop_front();
    return next;
  }
  void Reply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    script.push_back(std::move(r));
  }
  std::deque<Result<net::HttpResponse>> script;
  std::vector<net::HttpRequest> requests;
};

}  // namespace orchard::apple::testing
