#include <fstream>
#include <cctype>
#include <ctime>
#include <sstream>

#include "cli/account_client.h"
#include "cli/commands.h"
#include "reports/table.h"

namespace orchard::cli {
namespace {

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IsIssuerId(const std::string& s) {  // UUID 8-4-4-4-12
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsKeyId(const std::string& s) {  // 10 × [A-Z0-9]
  if (s.size() != 10) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsVendorNumber(const std::string& s) {  // digits in practice; tolerate letters
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string TimeText(int64_t seconds) {
  if (seconds == 0) return "never";
  std::time_t t = static_cast<std::time_t>(seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

Status LinkAscKey(AppContext& ctx, const LinkAscKeyOptions& o, std::ostream& out) {
  // Formats first, so a typo gets a precise message before any network traffic.
  if (!IsIssuerId(o.issuer_id)) {
    return Status(Code::kInvalidArgument,
                  "--issuer-id must be the Issuer ID shown on the App Store Connect API keys page "
                  "(a UUID like 57246542-96fe-1a63-e053-0824d011072a)");
  }
  if (!IsKeyId(o.key_id)) {
    return Status(Code::kInvalidArgument,
                  "--key-id must be the 10-character Key ID (upper-case letters and digits, e.g. "
                  "2X9R4HXF34)");
  }
  if (!IsVendorNumber(o.vendor_number)) {
    return Status(Code::kInvalidArgument,
                  "--vendor-number must be the vendor number from Payments and Financial Reports "
                  "(e.g. 85442109)");
  }
  std::ifstream in(o.key_file, std::ios::binary);
  if (!in) return Status(Code::kInvalidArgument, "cannot read the key file " + o.key_file);
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string raw = buf.str();
  if (raw.size() > 16384) {
    WipeString(raw);
    return Status(Code::kInvalidArgument, o.key_file + " is too large to be an App Store Connect .p8 key");
  }
  Secret pem(raw);
  WipeString(raw);
  auto key = crypto::Es256PrivateKey::FromPem(pem);
  if (!key.has_value()) {
    return Status(Code::kInvalidArgument,
                  o.key_file + " is not an App Store Connect API key (.p8): " + key.error().message());
  }

  // Validate against Apple: a recent daily sales report. 200 or "no sales" proves the key can
  // read sales; "not available yet" proves it too (the request was authorised).
  ORCHARD_ASSIGN_OR_RETURN(AccountClient client,
                           MakeAccountClient(ctx.config(), o.issuer_id, o.key_id, std::move(*key)));
  apple::asc::SalesReportQuery probe;
  probe.vendor_number = o.vendor_number;
  probe.report_date = Date::Today("America/Los_Angeles").AddDays(-2).Iso();
  auto answer = client.client->GetSalesReport(probe);
  if (!answer.has_value()) {
    const Status& e = answer.error();
    if (e.code() == Code::kInvalidArgument &&
        e.message().find("vendor") != std::string::npos) {
      return Status(Code::kInvalidArgument,
                    "App Store Connect does not know vendor number " + o.vendor_number +
                        " for this key: " + e.message());
    }
    return e.WithContext("the key was not linked");
  }

  ORCHARD_ASSIGN_OR_RETURN(const crypto::Sealer* sealer, ctx.Sealer());
  store::LinkedAccount account;
  account.team_id = ctx.team_id();
  account.method = "asc_key";
  account.name = o.name.empty() ? "App Store Connect " + o.vendor_number : o.name;
  account.issuer_id = o.issuer_id;
  account.key_id = o.key_id;
  account.vendor_number = o.vendor_number;
  ORCHARD_ASSIGN_OR_RETURN(
      store::LinkedAccount created,
      ctx.meta().CreateAccount(account, [&](int64_t row_id) -> Result<store::SealedSecret> {
        const crypto::SealContext where = AccountSecretContext(account.team_id, row_id);
        ORCHARD_ASSIGN_OR_RETURN(std::string blob, sealer->Seal(pem.view(), where));
        ORCHARD_ASSIGN_OR_RETURN(uint32_t version, crypto::Sealer::BlobKeyVersion(blob));
        return store::SealedSecret{std::move(blob), version};
      }));
  (void)ctx.meta().UpdateAccountHealth(created.team_id, created.id, "active", "",
                                       ctx.clock().NowSeconds(), 0);
  out << "Linked account " << created.id << " (" << created.name << "): key " << created.key_id
      << ", vendor " << created.vendor_number << ". Capabilities: sales ✓.\n"
      << "The key is stored encrypted; you can delete " << o.key_file << " from this machine.\n"
      << "Next: orchard sync --account " << created.id << " --from <YYYY-MM-DD> --to <YYYY-MM-DD>\n";
  return Status::Ok();
}

Status ListAccounts(AppContext& ctx, const std::string& format, std::ostream& out) {
  ORCHARD_ASSIGN_OR_RETURN(reports::Format f, reports::ParseFormat(format));
  ORCHARD_ASSIGN_OR_RETURN(auto accounts, ctx.meta().ListAccounts(ctx.team_id()));
  reports::Table t;
  t.columns = {"id", "name", "method", "issuer_id", "key_id", "vendor_number", "status",
               "last_sync", "last_error"};
  for (const auto& a : accounts) {
    t.rows.push_back({std::to_string(a.id), a.name, a.method, a.issuer_id, a.key_id,
                      a.vendor_number, a.status, TimeText(a.last_sync_at), a.last_error});
  }
  if (f == reports::Format::kTable && accounts.empty()) {
    out << "No linked accounts. Link one with: orchard link asc-key --help\n";
    return Status::Ok();
  }
  out << reports::Render(t, f);
  return Status::Ok();
}

}  // namespace orchard::cli
