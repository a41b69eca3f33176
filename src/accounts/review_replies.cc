#include "accounts/review_replies.h"

#include "apple/asc/customer_reviews.h"

namespace orchard::accounts {
namespace {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool Blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

std::string AccountName(const store::LinkedAccount& a) {
  return "account " + std::to_string(a.id) + (a.name.empty() ? "" : " (" + a.name + ")");
}

std::string StoredState(apple::asc::ResponseState state) {
  // Apple's PUBLISHED is published; PENDING_PUBLISH and any state this client does not know yet
  // are shown as pending until a sync reads the response again.
  return state == apple::asc::ResponseState::kPublished ? "published" : "pending";
}

}  // namespace

ReviewReplies::ReviewReplies(store::ReviewStore* reviews, store::MetaStore* meta,
                             store::AccessStore* access, AscOpener open, const Clock* clock)
    : reviews_(reviews), meta_(meta), access_(access), open_(std::move(open)), clock_(clock) {}

Result<ReviewReplies::Target> ReviewReplies::Prepare(int64_t team_id, int64_t review_id,
                                                     std::string_view action) {
  Target t;
  ORCHARD_ASSIGN_OR_RETURN(t.detail, reviews_->GetReview(team_id, review_id));
  const store::Review& review = t.detail.review;
  const std::string what = "review " + std::to_string(review_id);
  if (review.source != store::kSourceAsc) {
    return Error(Code::kFailedPrecondition,
                 what + " was read from the public App Store feed, so there is nothing in App "
                        "Store Connect to " + std::string(action) +
                        ": responses go through App Store Connect and need the app's account "
                        "linked with an API key (orchard link asc-key) and its reviews synced");
  }
  // The account the app was seen through: the catalog of /v1/apps, else the tracked app.
  int64_t account_id = 0;
  ORCHARD_ASSIGN_OR_RETURN(auto catalog, meta_->ListCatalogApps(team_id));
  for (const auto& app : catalog) {
    if (app.apple_id == review.app_id && app.account_id != 0) account_id = app.account_id;
  }
  if (account_id == 0) {
    ORCHARD_ASSIGN_OR_RETURN(auto tracked, reviews_->ListTrackedApps(team_id));
    for (const auto& app : tracked) {
      if (app.app_id == review.app_id) account_id = app.account_id;
    }
  }
  if (account_id == 0) {
    return Error(Code::kFailedPrecondition,
                 "app " + review.app_id + " is not in the catalog of a linked account any more, "
                 "so Orchard has no App Store Connect key to " + std::string(action) +
                 " with: link the account that owns the app with an API key");
  }
  auto account = meta_->GetAccount(team_id, account_id);
  if (!account.has_value()) {
    if (account.error().code() != Code::kNotFound) return Error(account.error());
    return Error(Code::kFailedPrecondition,
                 "the account app " + review.app_id + " was synced through has been unlinked: "
                 "link it again with an API key to " + std::string(action));
  }
  t.account = std::move(*account);
  const std::string name = AccountName(t.account);
  if (t.account.method == kAppPassword) {
    return Error(Code::kFailedPrecondition,
                 name + " is linked with an app-specific password, which reaches only the Sales "
                        "and Finance reports: responses to reviews need an App Store Connect API "
                        "key with the Admin, App Manager or Customer Support role");
  }
  if (t.account.method == kAppleId) {
    return Error(Code::kFailedPrecondition,
                 name + " is a sub-account signed in through the Apple ID web session; replying "
                        "to reviews through that session is not built yet. Link an App Store "
                        "Connect API key with the Admin, App Manager or Customer Support role to "
                        "reply from Orchard");
  }
  if (t.account.method != kAscKey) {
    return Error(Code::kFailedPrecondition,
                 name + " (" + t.account.method + ") cannot reply to reviews: link an App Store "
                        "Connect API key");
  }
  const Capabilities caps = Capabilities::FromJson(t.account.capabilities);
  for (const auto& c : caps.items) {
    if (c.name != "reviews_reply" || c.ok) continue;
    return Error(Code::kPermissionDenied,
                 name + " cannot " + std::string(action) + " reviews: " +
                     (c.why.empty() ? std::string("its key is not allowed to") : c.why) +
                     ". Give the key one of these roles in App Store Connect (Users and Access → "
                     "Integrations), then re-check the account (orchard accounts refresh " +
                     std::to_string(t.account.id) + ")");
  }
  ORCHARD_ASSIGN_OR_RETURN(t.client, open_(t.account));
  if (t.client == nullptr) return Error(Code::kInternal, "no App Store Connect client");
  return t;
}

Result<store::ReviewDetail> ReviewReplies::Reply(int64_t team_id, int64_t review_id,
                                                 std::string_view body, const Actor& actor) {
  if (Blank(body)) {
    return Error(Code::kInvalidArgument, "the response is empty: write what to answer");
  }
  if (CodePoints(body) > kMaxResponseChars) {
    return Error(Code::kInvalidArgument,
                 "the response has " + std::to_string(CodePoints(body)) +
                     " characters; App Store Connect takes at most " +
                     std::to_string(kMaxResponseChars));
  }
  ORCHARD_ASSIGN_OR_RETURN(Target t, Prepare(team_id, review_id, "reply"));
  auto created = apple::asc::CreateResponse(*t.client, t.detail.review.source_id, body);
  if (!created.has_value()) {
    return Error(created.error().WithContext("App Store Connect refused the response"));
  }
  store::ReviewResponse stored;
  stored.id = created->id;
  stored.body = created->body.empty() ? std::string(body) : created->body;
  stored.state = StoredState(created->state);
  stored.updated_at = created->last_modified_unix.value_or(clock_->NowSeconds());
  ORCHARD_RETURN_IF_ERROR(reviews_->SetResponse(team_id, review_id, stored));
  Audit(team_id, actor, "review.reply", review_id,
        std::string(t.detail.review.response ? "replaced the response" : "responded") +
            " through " + AccountName(t.account) + " (" + std::to_string(CodePoints(body)) +
            " characters, " + stored.state + ")");
  return reviews_->GetReview(team_id, review_id);
}

Result<UnreplyOutcome> ReviewReplies::Unreply(int64_t team_id, int64_t review_id,
                                              const Actor& actor) {
  ORCHARD_ASSIGN_OR_RETURN(Target t, Prepare(team_id, review_id, "delete responses to"));
  const auto& stored = t.detail.review.response;
  std::string response_id = stored ? stored->id : "";
  if (response_id.empty()) {
    // Sent before Apple gave an id back, or made in App Store Connect and not synced yet.
    ORCHARD_ASSIGN_OR_RETURN(auto current,
                             apple::asc::GetResponse(*t.client, t.detail.review.source_id));
    if (current.has_value()) response_id = current->id;
  }
  UnreplyOutcome out;
  if (!response_id.empty()) {
    Status deleted = apple::asc::DeleteResponse(*t.client, response_id);
    if (!deleted.ok() && deleted.code() != Code::kNotFound) {
      return Error(deleted.WithContext("App Store Connect refused to delete the response"));
    }
    out.deleted_at_apple = deleted.ok();
  }
  if (stored.has_value()) {
    Status cleared = reviews_->ClearResponse(team_id, review_id);
    if (!cleared.ok() && cleared.code() != Code::kNotFound) return Error(cleared);
  }
  if (out.deleted_at_apple || stored.has_value()) {
    Audit(team_id, actor, "review.unreply", review_id,
          std::string(out.deleted_at_apple ? "deleted the response"
                                           : "removed the response Apple no longer had") +
              " through " + AccountName(t.account));
  }
  ORCHARD_ASSIGN_OR_RETURN(out.review, reviews_->GetReview(team_id, review_id));
  return out;
}

void ReviewReplies::Audit(int64_t team_id, const Actor& actor, std::string action,
                          int64_t review_id, std::string detail) {
  if (access_ == nullptr) return;
  store::AuditEvent e;
  e.team_id = team_id;
  e.user_id = actor.user_id;
  e.actor = actor.name.empty() ? "system" : actor.name;
  e.action = std::move(action);
  e.target = "review:" + std::to_string(review_id);
  e.address = actor.address;
  e.detail = std::move(detail);
  e.at = clock_->NowSeconds();
  (void)access_->AppendAudit(e);
}

}  // namespace orchard::accounts
