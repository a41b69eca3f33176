// ReviewReplies: writing and deleting the developer response of a customer review — the one
// place that holds issue 6's reply rules for every interface (PUT/DELETE
// /api/v1/reviews/{id}/response, `orchard reviews reply|unreply`).
//
// Rules, checked in this order, each refusal in plain words:
//   1. The review is the team's (another team's id is kNotFound).
//   2. Only reviews read through App Store Connect (source "asc") can be answered: a review from
//      the public feed has no App Store Connect id to answer (kFailedPrecondition: link the app's
//      account with an API key).
//   3. The account is the one the app was seen through (the catalog's account_id, else the
//      tracked app's), and its method can reply: an API key can; an app-specific password
//      reaches only reports; a sub-account's web session cannot reply yet (not built).
//   4. Its probed `reviews_reply` capability is ok; otherwise kPermissionDenied quoting the
//      probe's reason (which names the roles the key lacks). Never probed: Apple decides.
//   5. Apple answers: a 403 is kPermissionDenied naming the replying roles.
// Who in Orchard may reply (Owner/Admin) is the caller's check (the route's Access, the CLI).
//
// Every reply and deletion is written to the audit log (never the response text itself).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "accounts/account_service.h"
#include "apple/asc/asc_client.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/access_store.h"
#include "store/meta_store.h"
#include "store/review_store.h"

namespace orchard::accounts {

// An App Store Connect client for a linked API-key account; whatever keeps the client alive
// (HTTP client, token signer) is owned through the shared_ptr. The CLI builds one on
// MakeAccountClient, the server gets one through ServerDeps. An error (a sealed server, a key
// that cannot be opened) is returned to the caller as it is.
using AscOpener =
    std::function<Result<std::shared_ptr<apple::asc::AscClient>>(const store::LinkedAccount&)>;

// The longest response App Store Connect takes (its documented limit), in characters.
inline constexpr size_t kMaxResponseChars = 5970;

struct UnreplyOutcome {
  store::ReviewDetail review;  // as stored afterwards
  bool deleted_at_apple = false;  // false: Apple had no response (already gone)
};

class ReviewReplies {
 public:
  // `access` receives the audit entries (may be null in tests).
  ReviewReplies(store::ReviewStore* reviews, store::MetaStore* meta, store::AccessStore* access,
                AscOpener open, const Clock* clock);

  // Creates the review's response, or replaces the one it has. Stored as Apple answers it
  // ("pending" until Apple publishes it). kInvalidArgument for an empty or over-long body.
  Result<store::ReviewDetail> Reply(int64_t team_id, int64_t review_id, std::string_view body,
                                    const Actor& actor);

  // Deletes the review's response at Apple (asking Apple for its id when Orchard has none; a
  // response Apple no longer has counts as deleted), then in the store. A review without a
  // response anywhere is not an error: there is nothing left to delete.
  Result<UnreplyOutcome> Unreply(int64_t team_id, int64_t review_id, const Actor& actor);

 private:
  struct Target {
    store::ReviewDetail detail;
    store::LinkedAccount account;
    std::shared_ptr<apple::asc::AscClient> client;
  };
  // Rules 1–4, then the client.
  Result<Target> Prepare(int64_t team_id, int64_t review_id, std::string_view action);
  void Audit(int64_t team_id, const Actor& actor, std::string action, int64_t review_id,
             std::string detail);

  store::ReviewStore* reviews_;
  store::MetaStore* meta_;
  store::AccessStore* access_;
  AscOpener open_;
  const Clock* clock_;
};

}  // namespace orchard::accounts
