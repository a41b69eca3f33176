// AccountService: linking, probing, renewing and unlinking store accounts — the one place that
// holds the rules of product.md §2 for every interface (HTTP API, CLI, later the dashboard).
//
// Four methods: "asc-key" (App Store Connect API key), "app-password" (Apple ID + app-specific
// password, through a Reporter access token), "apple-id" (a limited sub-account's password and a
// two-factor code, through the Apple ID web session), "search-ads" (Apple Search Ads OAuth
// client). Every link is validated against Apple before it is saved; what the credentials can
// reach is probed with harmless requests and stored as capabilities. Secrets are sealed with the
// Sealer (associated data: team, "linked_accounts", column, row id) and arrive in `Secret`s;
// nothing here logs or returns them.
//
// Thread-safe: sign-ins of one Apple ID are serialised (one sign-in at a time per Apple ID).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/secret.h"
#include "core/status.h"
#include "crypto/sealer.h"
#include "net/http_client.h"
#include "store/access_store.h"
#include "store/meta_store.h"

namespace orchard::apple::idmsa {
struct WebSession;
}

namespace orchard::accounts {

// One thing an account can sync, and why not when it cannot.
struct Capability {
  std::string name;  // "sales" | "finance" | "reviews_read" | "reviews_reply" | "usage" | "ads"
  bool ok = false;
  std::string why;   // plain words when !ok
};

struct Capabilities {
  std::vector<Capability> items;

  bool Has(std::string_view name) const;
  std::string ToJson() const;  // {"sales":{"ok":true},"reviews_reply":{"ok":false,"why":"…"}}
  static Capabilities FromJson(std::string_view json);
  // "sales ✓, payments ✓, reviews ✓, replies ✗ (the key lacks …)"; without reasons it is
  // one short line for lists.
  std::string Summary(bool with_reasons = true) const;
};

// Ok when the Sales scheduler can have a report source for `account`; kFailedPrecondition in
// plain words when not (a sub-account or Search Ads link, or a key whose probe found no Sales
// access). The scheduler and the accounts' "next sync" both ask this.
Status SalesSyncable(const store::LinkedAccount& account);

// The four method names of the API and CLI.
inline constexpr const char* kAscKey = "asc-key";
inline constexpr const char* kAppPassword = "app-password";
inline constexpr const char* kAppleId = "apple-id";
inline constexpr const char* kSearchAds = "search-ads";

// What the user entered. Secrets are moved in and wiped when the request is destroyed.
struct LinkRequest {
  std::string method;
  std::string name;
  std::string issuer_id, key_id, vendor_number;  // asc-key (key_id also search-ads)
  std::string apple_id;                          // app-password, apple-id
  std::string client_id, ads_team_id;            // search-ads
  Secret private_key;   // asc-key, search-ads: PEM
  Secret app_password;  // app-password
  Secret password;      // apple-id
};

// Who acts, for the audit log.
struct Actor {
  int64_t user_id = 0;  // 0 = the CLI or the scheduler
  std::string name;     // e-mail, "cli" or "system"
  std::string address;  // client address ("" for the CLI)
};

struct LinkOutcome {
  store::LinkedAccount account;
  Capabilities capabilities;
  bool needs_code = false;  // apple-id: the two-factor step is pending
  std::string message;      // plain words for the user (what happened, what is next)
};

struct Health {
  store::LinkedAccount account;
  Capabilities capabilities;
  std::string state;     // status after applying the clock (refresh_due, needs_refresh …)
  int64_t refresh_due_at = 0;  // apple-id: day 25 of the trust
  std::string message;
};

struct ServiceOptions {
  int reporter_renew_days = 30;       // renew a Reporter token this long before it expires
  int trust_days = 30;                // the two-factor trust Apple grants
  int refresh_due_days = 25;          // "refresh due" from this day of the trust
  int code_timeout_seconds = 600;     // a pending two-factor step expires after this
};

// Makes an HTTP client per use (one per thread, as libcurl wants).
using HttpFactory = std::function<std::unique_ptr<net::HttpClient>()>;

class AccountService {
 public:
  // `sealer` may be null: the server is sealed (SEC-3) and every call that needs a secret
  // answers kFailedPrecondition. `access` receives the audit events; may be null (tests).
  AccountService(store::MetaStore* meta, store::AccessStore* access, const crypto::Sealer* sealer,
                 Config config, HttpFactory http, const Clock* clock, ServiceOptions options = {});

  // Validates against Apple, probes, seals and stores. For "apple-id" the answer may be
  // `needs_code` with the account in status "pending": SubmitCode completes it.
  Result<LinkOutcome> Link(int64_t team_id, LinkRequest request, const Actor& actor);
  // The two-factor code of a pending apple-id sign-in (link or refresh).
  Result<LinkOutcome> SubmitCode(int64_t team_id, int64_t account_id, std::string_view code,
                                 const Actor& actor);
  // Re-validates and re-probes now: app-password renews its token when due; apple-id signs in
  // again (silently while the trust lasts, else it answers needs_code).
  Result<LinkOutcome> Refresh(int64_t team_id, int64_t account_id, const Actor& actor);
  // Erases the secrets now; the synced data stays unless `purge_data`.
  Status Unlink(int64_t team_id, int64_t account_id, bool purge_data, const Actor& actor);
  Result<Health> GetHealth(int64_t team_id, int64_t account_id);
  // The scheduler's daily care (no user involved): renews Reporter tokens before they expire,
  // moves apple-id accounts to refresh_due / needs_refresh by the trust's age and notifies the
  // team's Owners and Admins. Returns what changed, in words (empty: nothing to do).
  Result<std::string> Maintain(int64_t team_id, int64_t account_id);
  // When a sync gets 401/403 from Apple: marks the account (needs attention, with the reason)
  // and re-probes capabilities on 403.
  Status ReportAppleRefusal(int64_t team_id, int64_t account_id, const Status& refusal);

  // Opens a sealed value of an account (for the sync jobs).
  Result<Secret> OpenSecret(const store::LinkedAccount& account, const std::string& column);
  // A usable Reporter token of an app-password account, renewed first when due or refused.
  Result<Secret> ReporterToken(const store::LinkedAccount& account);

  const Config& config() const { return config_; }

 private:
  Result<LinkOutcome> LinkAscKey(int64_t team_id, LinkRequest& request, const Actor& actor);
  Result<LinkOutcome> LinkAppPassword(int64_t team_id, LinkRequest& request, const Actor& actor);
  Result<LinkOutcome> LinkAppleId(int64_t team_id, LinkRequest& request, const Actor& actor);
  Result<LinkOutcome> LinkSearchAds(int64_t team_id, LinkRequest& request, const Actor& actor);
  Result<Capabilities> ProbeAscKey(const store::LinkedAccount& account, const Secret& pem);
  Result<Capabilities> ProbeAppPassword(const store::LinkedAccount& account, const Secret& token);
  Result<Capabilities> ProbeWebSession(apple::idmsa::WebSession* session, int64_t provider_id);
  Result<Capabilities> ProbeSearchAds(const store::LinkedAccount& account, const Secret& pem,
                                      std::string* org_names);
  // Signs in with the stored password and jar; completes or leaves the account pending.
  Result<LinkOutcome> SignIn(store::LinkedAccount account, const Secret& password,
                             const std::string& jar_json, const Actor& actor, bool is_new);
  Result<LinkOutcome> FinishWebSession(store::LinkedAccount account, const std::string& jar_json,
                                       const Actor& actor);
  // Generates a new Reporter token with the stored app-specific password and seals it; a
  // refusal marks the account needs_attention and tells the team's managers.
  Result<std::string> RenewReporterToken(store::LinkedAccount account);
  Status Seal(const store::LinkedAccount& account, const std::string& column,
              std::string_view plaintext);
  // Stores a new account with its secret sealed to the new row (one transaction).
  Result<store::LinkedAccount> CreateSealed(const store::LinkedAccount& account, std::string_view secret);
  Result<const crypto::Sealer*> RequireSealer() const;
  Status SealedStatus() const;
  void Audit(int64_t team_id, const Actor& actor, std::string action, std::string target,
             std::string detail);
  void NotifyManagers(int64_t team_id, const std::string& kind, const std::string& message);
  std::string Today() const;  // Pacific date, as Apple's report days

  store::MetaStore* meta_;
  store::AccessStore* access_;
  const crypto::Sealer* sealer_;
  Config config_;
  HttpFactory http_;
  const Clock* clock_;
  ServiceOptions options_;
  std::mutex sign_in_mu_;
  std::set<std::string> signing_in_;  // lower-cased Apple IDs with a sign-in in flight
};

// Seal context of an account's sealed value: column "secret" or "state".
crypto::SealContext AccountSealContext(int64_t team_id, int64_t account_id, std::string_view column);

}  // namespace orchard::accounts
