// Reports over the team's synced data: the sales report in the grammar of product.md §4
// (reports/report_request.h, shared with `orchard report`) and the product list. Answers are
// cached per team and query until the data changes (ReportCache).
#include <map>
#include <set>

#include "core/log.h"
#include "core/metrics.h"
#include "reports/product_types.h"
#include "reports/report_request.h"
#include "server/api_server.h"

#include <map>
#include <set>
#include "server/json_body.h"

namespace orchard::server {
namespace {

constexpr const char* kCsvType = "text/csv; charset=utf-8";

// `Cache-Control: no-cache` on the request: answer from the data, not from memory (and keep the
// fresh answer). What a "refresh" button sends; the benchmark's baseline uses it too.
bool AsksForFreshAnswer(const Request& req) {
  const std::string v = req.Header("cache-control");
  return v.find("no-cache") != std::string::npos || v.find("max-age=0") != std::string::npos;
}

Response FromCache(const CachedAnswer& a, std::string_view how) {
  Response r;
  r.content_type = a.content_type;
  r.body = a.body;
  r.headers = a.headers;
  r.headers.emplace_back("X-Orchard-Cache", std::string(how));
  return r;
}

std::vector<QueryParam> SalesQueryDocs() {
  std::vector<QueryParam> out;
  for (const auto& spec : reports::SalesParams()) {
    QueryParam p;
    p.name = spec.name;
    p.description = spec.description;
    for (auto v : spec.values) p.values.emplace_back(v);
    p.list = spec.list;
    p.pattern = spec.pattern;
    p.example = spec.example;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

void ApiServer::AddReportRoutes() {
  auto& metrics = metrics::Registry::Global();
  metrics.Declare("orchard_report_queries_total",
                  "Report queries run against the store (cache misses and refreshes)",
                  metrics::Registry::Type::kCounter);
  metrics.Declare(
      "orchard_report_cache_lookups_total",
      "Report requests by cache outcome: hit, miss, or bypass (Cache-Control: no-cache)",
      metrics::Registry::Type::kCounter);
  metrics.Declare("orchard_report_query_duration_seconds", "Time to run and render a report query",
                  metrics::Registry::Type::kHistogram);
  metrics.Declare("orchard_report_cache_entries", "Answers held in the report cache",
                  metrics::Registry::Type::kGauge);
  metrics.Declare("orchard_report_cache_bytes", "Approximate bytes held in the report cache",
                  metrics::Registry::Type::kGauge);
  Route sales{"GET", "/api/v1/reports/sales", Access::kViewer,
              "Sales report: downloads, updates, returns, IAP and revenue, grouped and converted",
              [this](RequestContext& ctx) { return SalesReport(ctx); }};
  sales.query = SalesQueryDocs();
  sales.produces = {"application/json", kCsvType};
  router_.Add(std::move(sales));
  router_.Add({"GET", "/api/v1/products", Access::kViewer,
               "The team's products (apps and in-app purchases) seen in synced reports",
               [this](RequestContext& ctx) { return ListProducts(ctx); }});
}

Response ApiServer::SalesReport(RequestContext& ctx) {
  if (deps_.facts == nullptr) return ErrorResponse(Status(Code::kInternal, "no fact store"));
  std::vector<reports::ReportParam> params;
  params.reserve(ctx.req.query.size());
  for (const auto& [name, value] : ctx.req.query) params.push_back({name, value, ""});
  reports::ReportDefaults defaults;
  defaults.today = reports::ReportToday(*deps_.clock);
  defaults.currency = !ctx.currency.empty() ? ctx.currency : deps_.default_currency;
  TRY_ASSIGN(request, reports::ParseSalesRequest(params, defaults));
  request.query.team_id = ctx.team_id;  // only ever the caller's team

  auto& metrics = metrics::Registry::Global();
  // The stamp is read before the query runs: data committed while it runs makes the entry
  // stale at once rather than hiding behind it.
  TRY_ASSIGN(stamp, deps_.meta->DataStamp());
  const std::string key =
      std::to_string(ctx.team_id) + "\n" + reports::NormalizedQuery(request).dump();
  const bool fresh = AsksForFreshAnswer(ctx.req);
  if (!fresh) {
    if (auto hit = report_cache_.Find(key, stamp)) {
      metrics.Increment("orchard_report_cache_lookups_total", {{"result", "hit"}});
      return FromCache(*hit, "hit");
    }
  }
  metrics.Increment("orchard_report_cache_lookups_total", {{"result", fresh ? "bypass" : "miss"}});
  metrics.Increment("orchard_report_queries_total", {{"report", "sales"}});
  const auto started = std::chrono::steady_clock::now();
  // A fresh answer (Cache-Control: no-cache) is computed from the store, month caches too.
  auto table = reports::RunSalesRequest(*deps_.facts, *deps_.meta, request,
                                        fresh ? nullptr : &sales_cache_);
  if (!table.has_value()) {
    // A query the stored data cannot answer (no exchange rate for a currency on a day: the
    // message names both) is not a conflict with the request: 422.
    if (table.error().code() == Code::kFailedPrecondition) {
      return ErrorResponse(422, "unprocessable", table.error().message());
    }
    return ErrorResponse(table.error());
  }
  auto answer = std::make_shared<CachedAnswer>();
  answer->body = reports::RenderSalesReport(request, *table);
  if (request.format == reports::Format::kCsv) {
    answer->content_type = kCsvType;
    answer->headers.emplace_back(
        "Content-Disposition", "attachment; filename=\"" + reports::SalesFileName(request) + "\"");
  } else {
    answer->content_type = "application/json";
  }
  metrics.Observe(
      "orchard_report_query_duration_seconds", {{"report", "sales"}},
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  Response res = FromCache(*answer, fresh ? "bypass" : "miss");
  report_cache_.Put(key, stamp, std::move(answer));
  return res;
}

Response ApiServer::ListProducts(RequestContext& ctx) {
  if (deps_.facts == nullptr) return ErrorResponse(Status(Code::kInternal, "no fact store"));
  TRY_ASSIGN(products, deps_.facts->ListProducts(ctx.team_id));
  // The catalog of /v1/apps (bundle ids, platforms; apps without sales yet) and every name a
  // product has had: a renamed product is the same Apple ID with its history.
  TRY_ASSIGN(catalog, deps_.meta->ListCatalogApps(ctx.team_id));
  TRY_ASSIGN(names, deps_.meta->ListProductNames(ctx.team_id));
  std::map<std::string, const store::CatalogApp*> by_id;
  std::map<std::string, std::string> app_by_sku;  // Parent Identifier is the parent's SKU
  for (const auto& a : catalog) {
    by_id[a.apple_id] = &a;
    if (!a.sku.empty()) app_by_sku[a.sku] = a.apple_id;
  }
  for (const auto& p : products) {
    const bool has_parent = p.parent_id.find_first_not_of(' ') != std::string::npos;
    if (!has_parent && !p.sku.empty()) app_by_sku.try_emplace(p.sku, p.apple_id);
  }
  std::map<std::string, std::vector<std::string>> former;
  for (const auto& n : names) former[n.apple_id].push_back(n.name);
  Json out = Json::array();
  std::set<std::string> listed;
  auto describe = [&](Json item, const std::string& apple_id, const std::string& title) {
    auto c = by_id.find(apple_id);
    item["bundle_id"] = c != by_id.end() ? c->second->bundle_id : "";
    item["platforms"] = Json::array();
    if (c != by_id.end()) {
      std::string_view list = c->second->platforms;
      while (!list.empty()) {
        const size_t comma = list.find(',');
        item["platforms"].push_back(std::string(list.substr(0, comma)));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    }
    Json previous = Json::array();
    for (const auto& n : former[apple_id]) {
      if (n != title) previous.push_back(n);
    }
    item["former_names"] = std::move(previous);
    return item;
  };
  for (const auto& p : products) {
    // An in-app purchase names its parent app (Apple's Parent Identifier) or has an IAP type.
    const bool has_parent = p.parent_id.find_first_not_of(' ') != std::string::npos;
    const bool iap =
        has_parent || reports::ClassifyProductType(p.product_type) == reports::UnitBucket::kIap;
    auto parent = has_parent ? app_by_sku.find(p.parent_id) : app_by_sku.end();
    auto c = by_id.find(p.apple_id);
    const std::string title = c != by_id.end() && !c->second->name.empty() ? c->second->name : p.title;
    out.push_back(describe({{"apple_id", p.apple_id},
                            {"sku", p.sku},
                            {"title", title},
                            {"parent_id", has_parent ? p.parent_id : ""},
                            {"parent_apple_id", parent != app_by_sku.end() ? parent->second : ""},
                            {"product_type", p.product_type},
                            {"kind", iap ? "in_app" : "app"}},
                           p.apple_id, title));
    listed.insert(p.apple_id);
  }
  for (const auto& a : catalog) {  // apps App Store Connect knows that have not sold yet
    if (listed.contains(a.apple_id)) continue;
    out.push_back(describe({{"apple_id", a.apple_id},
                            {"sku", a.sku},
                            {"title", a.name},
                            {"parent_id", ""},
                            {"parent_apple_id", ""},
                            {"product_type", ""},
                            {"kind", "app"}},
                           a.apple_id, a.name));
  }
  Response r;
  // Titles come from Apple's reports: bytes that are not UTF-8 are replaced, not thrown on.
  r.body = Json{{"products", out}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

}  // namespace orchard::server
