// The sources of the review syncs for a CLI process (`orchard reviews sync`, the review thread of
// `orchard serve`): App Store Connect clients per linked account (kept open, with the key's shared
// hourly budget) and the paced public store client.
#pragma once

#include <map>
#include <memory>

#include "apple/public/public_store.h"
#include "cli/account_client.h"
#include "cli/app_context.h"
#include "sync/review_scheduler.h"

namespace orchard::cli {

class ReviewSources {
 public:
  explicit ReviewSources(AppContext& ctx);

  // The account's App Store Connect client for reviews. kFailedPrecondition in plain words when
  // the account has none: another link method, or a key whose probe found no review access.
  Result<apple::asc::AscClient*> OpenAsc(const store::LinkedAccount& account);
  apple::pub::PublicStoreClient* public_client() { return public_.get(); }

  // Scheduler options from [reviews] and [sync], wired to these sources.
  sync::ReviewSchedulerOptions SchedulerOptions();

 private:
  AppContext& ctx_;
  std::map<int64_t, AccountClient> clients_;
  std::unique_ptr<net::HttpClient> public_http_;
  std::unique_ptr<apple::pub::PublicStoreClient> public_;
};

}  // namespace orchard::cli
