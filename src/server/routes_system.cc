// What operators and tools read: health, Prometheus metrics and the OpenAPI document. All
// public: none says anything about a team, a user or a credential.
#include "core/log.h"
#include "core/metrics.h"
#include "server/api_server.h"
#include "server/json_body.h"
#include "server/openapi.h"

namespace orchard::server {

void ApiServer::AddSystemRoutes() {
  router_.Add({"GET", "/healthz", Access::kPublic,
               "Health: whether the database can be read and whether the server is sealed",
               [this](RequestContext& ctx) { return Health(ctx); }});
  Route metrics{"GET", "/metrics", Access::kPublic, "Prometheus metrics (text format 0.0.4)",
                [this](RequestContext& ctx) { return Metrics(ctx); }};
  metrics.produces = {"text/plain; version=0.0.4"};
  router_.Add(std::move(metrics));
  router_.Add({"GET", "/api/v1/openapi.json", Access::kPublic,
               "This API as an OpenAPI 3.0.3 document, generated from the route table",
               [this](RequestContext& ctx) { return OpenApi(ctx); }});
}

Response ApiServer::Health(RequestContext&) {
  // A read of the database (DataStamp opens a read transaction), not just "the process runs".
  auto stamp = deps_.meta->DataStamp();
  const bool ok = stamp.has_value();
  if (!ok)
    ORCHARD_LOG_ERROR("health check: the database cannot be read: {}", stamp.error().message());
  return JsonResponse(ok ? 200 : 503,
                      Json{{"status", ok ? "ok" : "unavailable"},
                           {"database", ok ? "ok" : "unreadable"},
                           {"sealed", deps_.sealed},
                           {"uptime_seconds", deps_.clock->NowSeconds() - started_at_}});
}

Response ApiServer::Metrics(RequestContext&) {
  auto& registry = metrics::Registry::Global();
  registry.Set("orchard_report_cache_entries", {}, static_cast<double>(report_cache_.entries()));
  registry.Set("orchard_report_cache_bytes", {}, static_cast<double>(report_cache_.bytes()));
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = registry.Render();
  return r;
}

Response ApiServer::OpenApi(RequestContext&) {
  Response r;
  r.body = OpenApiDocument(router_, "0.1.0").dump();
  return r;
}

}  // namespace orchard::server
