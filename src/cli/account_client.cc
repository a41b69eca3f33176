#include "cli/account_client.h"

namespace orchard::cli {

Result<AccountClient> MakeAccountClient(const Config& config, const std::string& issuer_id,
                                        const std::string& key_id, crypto::Es256PrivateKey key) {
  AccountClient out;
  out.http = net::MakeCurlHttpClient();
  out.signer = std::make_unique<crypto::AscTokenSigner>(issuer_id, key_id, std::move(key),
                                                        &SystemClock());
  auto* signer = out.signer.get();
  out.client = std::make_unique<apple::asc::AscClient>(
      config.apple.asc_api_url, [signer] { return signer->Token(); }, out.http.get());
  return out;
}

Result<AccountClient> MakeAccountClient(AppContext& ctx, const store::LinkedAccount& account) {
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
  ORCHARD_ASSIGN_OR_RETURN(Secret pem, service->OpenSecret(account, "secret"));
  ORCHARD_ASSIGN_OR_RETURN(crypto::Es256PrivateKey key, crypto::Es256PrivateKey::FromPem(pem));
  return MakeAccountClient(ctx.config(), account.issuer_id, account.key_id, std::move(key));
}

accounts::AscOpener AscOpenerFor(AppContext& ctx) {
  return [&ctx](const store::LinkedAccount& account)
             -> Result<std::shared_ptr<apple::asc::AscClient>> {
    ORCHARD_ASSIGN_OR_RETURN(AccountClient made, MakeAccountClient(ctx, account));
    auto owner = std::make_shared<AccountClient>(std::move(made));
    return std::shared_ptr<apple::asc::AscClient>(owner, owner->client.get());
  };
}

}  // namespace orchard::cli
