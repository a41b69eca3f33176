// WebSignIn: Apple ID web sign-in and the App Store Connect web session (apple-apis.md Part II
// §A), for the sub-account link method: widget key, hashcash, SRP-6a, the two-factor code the
// user types, trust, and the olympus session. Talks to the configured base URL (Apple's hosts
// behind one proxy, or the sandbox) through the HttpClient seam. Thread-compatible; one sign-in
// per Apple ID at a time is the caller's rule.
#pragma once

#include <map>
#include <string>

#include "core/secret.h"
#include "core/status.h"
#include "net/http_client.h"

namespace orchard::apple::idmsa {

// The client side of §A.5–A.6 (public for the spec's test vector): A, M1 and M2 for a client
// secret `a` (big-endian bytes) and the server's answer.
struct SrpProofs {
  std::string A, m1, m2;  // raw bytes (A minimal big-endian)
};
Result<SrpProofs> ClientProofs(std::string_view account, const Secret& password,
                               std::string_view protocol, std::string_view salt, int iterations,
                               std::string_view a, std::string_view B);

// 1:<bits>:<YYYYMMDDHHMMSS>:<challenge>::<counter> with `bits` leading zero bits of SHA-1 (§A.3).
std::string MintHashcash(int bits, std::string_view challenge, std::string_view utc_timestamp);

// Cookies by name, as the server set them (values kept verbatim, quotes included).
struct CookieJar {
  std::map<std::string, std::string> cookies;
  void Absorb(const net::HttpResponse& response);
  std::string Header() const;
};

// Everything a sign-in carries between its steps and between runs (seal it: it holds the
// session and the 30-day trust).
struct WebSession {
  CookieJar jar;
  std::string session_id, scnt, widget_key;  // the two-factor step's identifiers
};

struct ProviderInfo {
  int64_t provider_id = 0;
  std::string public_provider_id;  // = the API's issuer id
  std::string name, email;
};

enum class SignInStep { kSignedIn, kNeedsCode };

class WebSignIn {
 public:
  // Apple ID (idmsa.apple.com) and App Store Connect (appstoreconnect.apple.com) hosts; one
  // base URL serves both (a proxy, or the sandbox).
  WebSignIn(std::string idmsa_url, std::string web_url, net::HttpClient* http);
  WebSignIn(std::string base_url, net::HttpClient* http);

  // Steps 1–5. kSignedIn when the jar's trust cookie spared the code; kNeedsCode when Apple sent
  // a code to the user's trusted device. kUnauthenticated for a wrong Apple ID or password,
  // kPermissionDenied when Apple has locked the account.
  Result<SignInStep> Start(std::string_view apple_id, const Secret& password, WebSession* session);
  // Steps 8–9: the code the user read; then the browser trust. kInvalidArgument for a wrong
  // code, kResourceExhausted when Apple stops accepting codes.
  Status SubmitCode(std::string_view code, WebSession* session);
  // Step 10: the provider behind a live session (kUnauthenticated once it has expired).
  Result<ProviderInfo> Session(WebSession* session);

 private:
  Result<net::HttpResponse> Send(const std::string& method, const std::string& path,
                                 const std::string& body, WebSession* session, bool idmsa,
                                 const std::vector<std::pair<std::string, std::string>>& extra = {});

  std::string idmsa_url_;
  std::string base_url_;
  net::HttpClient* http_;
};

}  // namespace orchard::apple::idmsa
