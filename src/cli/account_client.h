// Building an App Store Connect client for a linked account: unseal its key, mint tokens.
#pragma once

#include <memory>

#include "accounts/review_replies.h"
#include "apple/asc/asc_client.h"
#include "cli/app_context.h"
#include "crypto/jwt.h"
#include "net/http_client.h"

namespace orchard::cli {

struct AccountClient {
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<crypto::AscTokenSigner> signer;
  std::unique_ptr<apple::asc::AscClient> client;
};

// From a private key held in memory (link time) …
Result<AccountClient> MakeAccountClient(const Config& config, const std::string& issuer_id,
                                        const std::string& key_id, crypto::Es256PrivateKey key);
// … or from a stored account (sync time).
Result<AccountClient> MakeAccountClient(AppContext& ctx, const store::LinkedAccount& account);

// The opener the review replies use (accounts/review_replies.h): MakeAccountClient per call, the
// client kept alive with its HTTP client and signer. Thread-safe (each call builds its own).
accounts::AscOpener AscOpenerFor(AppContext& ctx);

}  // namespace orchard::cli
