// HttpClient: the seam for outgoing HTTP, so tests can talk to the sandbox on loopback or to a
// scripted fake. The production implementation is libcurl (curl_http_client.cc).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orchard::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds total_timeout{300};
  size_t max_body_bytes = size_t{256} << 20;  // a larger body fails with kResourceExhausted
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // The first header of that name (case-insensitive).
  std::optional<std::string> Header(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends one request; never follows redirects (REL-2: no redirect off the allow-listed hosts).
  // Transport failures: kUnavailable (connect/reset), kDeadlineExceeded (timeout),
  // kResourceExhausted (body over the cap). Any HTTP status is a successful Send.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// libcurl-backed client; TLS peers are always verified. Thread-compatible (one per thread).
std::unique_ptr<HttpClient> MakeCurlHttpClient();

// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
std::string UrlEncode(std::string_view text);

}  // namespace orchard::net
