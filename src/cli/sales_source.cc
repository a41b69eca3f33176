#include "cli/sales_source.h"

#include <algorithm>

namespace orchard::cli {

Status SalesSource::Check(const store::LinkedAccount& account) {
  Status why = accounts::SalesSyncable(account);
  if (why.ok()) return why;
  return Status(why.code(), "account " + std::to_string(account.id) + " (" + account.name + "): " + why.message());
}

Result<std::unique_ptr<SalesSource>> SalesSource::Open(AppContext& ctx,
                                                      const store::LinkedAccount& account) {
  ORCHARD_RETURN_IF_ERROR(Check(account));
  auto source = std::unique_ptr<SalesSource>(new SalesSource());
  SalesSource* s = source.get();
  if (account.method == accounts::kAscKey) {
    ORCHARD_ASSIGN_OR_RETURN(s->client_, MakeAccountClient(ctx, account));
    s->budget_ = &apple::asc::RequestBudget::ForKey(account.key_id, &ctx.clock());
    s->client_.client->SetBudget(s->budget_);
    s->fetch_ = [s](const apple::asc::SalesReportQuery& q) { return s->client_.client->GetSalesReport(q); };
    return source;
  }
  ORCHARD_ASSIGN_OR_RETURN(accounts::AccountService * service, ctx.Accounts());
  ORCHARD_ASSIGN_OR_RETURN(s->reporter_token_, service->ReporterToken(account));
  s->reporter_http_ = net::MakeCurlHttpClient();
  s->reporter_ = std::make_unique<apple::reporter::ReporterClient>(ctx.config().apple.reporter_url,
                                                                   s->reporter_http_.get());
  const std::string apple_id = account.apple_id;
  s->fetch_ = [s, apple_id](const apple::asc::SalesReportQuery& q) {
    // Reporter dates: YYYYMMDD, YYYYMM, YYYY; frequencies Daily, Weekly, Monthly, Yearly.
    std::string date = q.report_date;
    std::erase(date, '-');
    std::string frequency = q.frequency.substr(0, 1);
    for (size_t i = 1; i < q.frequency.size(); ++i) {
      frequency += static_cast<char>(std::tolower(static_cast<unsigned char>(q.frequency[i])));
    }
    return s->reporter_->GetSalesReport(apple_id, s->reporter_token_, q.vendor_number, "Sales",
                                        "Summary", frequency, date);
  };
  return source;
}

std::optional<std::chrono::seconds> SalesSource::BudgetWait() const {
  if (budget_ == nullptr) return std::nullopt;
  return budget_->Wait();
}

}  // namespace orchard::cli
