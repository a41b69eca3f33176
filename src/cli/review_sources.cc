#include "cli/review_sources.h"

#include <algorithm>

#include "apple/asc/request_budget.h"

namespace orchard::cli {

ReviewSources::ReviewSources(AppContext& ctx) : ctx_(ctx), public_http_(net::MakeCurlHttpClient()) {
  const Config& config = ctx.config();
  public_ = std::make_unique<apple::pub::PublicStoreClient>(
      apple::pub::PublicEndpoints{config.apple.itunes_url, config.apple.amp_api_url, config.apple.amp_token_url},
      public_http_.get(), std::chrono::milliseconds(config.reviews.public_min_interval_ms));
}

Result<apple::asc::AscClient*> ReviewSources::OpenAsc(const store::LinkedAccount& account) {
  const std::string who = "account " + std::to_string(account.id) + " (" + account.name + ")";
  if (account.method != accounts::kAscKey) {
    // Sub-accounts reach reviews through the web session (iris), which the review sync does not
    // use yet; app-specific passwords reach reports only.
    return Error(Code::kFailedPrecondition,
                 who + " is linked with " + account.method +
                     "; its apps' reviews are read with an API key (orchard link asc-key), or from the "
                     "public feed (orchard apps track)");
  }
  const auto caps = accounts::Capabilities::FromJson(account.capabilities);
  const auto read = std::find_if(caps.items.begin(), caps.items.end(),
                                 [](const accounts::Capability& c) { return c.name == "reviews_read"; });
  if (read != caps.items.end() && !read->ok) {
    return Error(Code::kFailedPrecondition,
                 who + " cannot read customer reviews: " + (read->why.empty() ? "no reviews capability" : read->why));
  }
  if (auto it = clients_.find(account.id); it != clients_.end()) return it->second.client.get();
  ORCHARD_ASSIGN_OR_RETURN(AccountClient client, MakeAccountClient(ctx_, account));
  client.client->SetBudget(&apple::asc::RequestBudget::ForKey(account.key_id, &ctx_.clock()));
  auto* out = client.client.get();
  clients_.emplace(account.id, std::move(client));
  return out;
}

sync::ReviewSchedulerOptions ReviewSources::SchedulerOptions() {
  const Config& config = ctx_.config();
  sync::ReviewSchedulerOptions o;
  o.time_zone = config.sync.time_zone;
  o.linked_interval = std::chrono::minutes(config.reviews.linked_interval_minutes);
  o.public_interval = std::chrono::hours(config.reviews.public_interval_hours);
  o.full_resync_hour = config.reviews.full_resync_hour;
  o.open_asc = [this](const store::LinkedAccount& a) { return OpenAsc(a); };
  o.on_refusal = [this](const store::LinkedAccount& a, const Status& why) {
    if (auto service = ctx_.Accounts(); service.has_value()) {
      (void)(*service)->ReportAppleRefusal(a.team_id, a.id, why);
    }
  };
  return o;
}

}  // namespace orchard::cli
