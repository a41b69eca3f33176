// Where a linked account's Sales reports come from: the App Store Connect API (API keys, with
// the key's hourly request budget) or the Reporter protocol (app-specific passwords). Shared by
// `orchard sync` and the scheduler of `orchard serve`.
#pragma once

#include <memory>

#include "apple/reporter/reporter_client.h"
#include "cli/account_client.h"
#include "cli/app_context.h"
#include "sync/scheduler.h"

namespace orchard::cli {

class SalesSource final : public sync::SalesFetchSource {
 public:
  // Ok when the account can have a Sales source; kFailedPrecondition in plain words when not (a
  // sub-account or Search Ads link, or a key whose probe found no Sales access).
  static Status Check(const store::LinkedAccount& account);
  // Check(), then unseals the credentials (errors as AppContext: sealed, wrong key, …).
  static Result<std::unique_ptr<SalesSource>> Open(AppContext& ctx, const store::LinkedAccount& account);

  const sync::ReportFetcher& fetcher() const override { return fetch_; }
  // How long until the key's hourly budget has a slot (nullopt: now, or no budget applies).
  std::optional<std::chrono::seconds> BudgetWait() const override;
  apple::asc::AscClient* asc_client() const override { return client_.client.get(); }

 private:
  AccountClient client_;
  std::unique_ptr<net::HttpClient> reporter_http_;
  std::unique_ptr<apple::reporter::ReporterClient> reporter_;
  Secret reporter_token_;
  apple::asc::RequestBudget* budget_ = nullptr;
  sync::ReportFetcher fetch_;
};

}  // namespace orchard::cli
