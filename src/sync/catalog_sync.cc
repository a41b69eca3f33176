#include "sync/catalog_sync.h"

#include <map>
#include <nlohmann/json.hpp>

namespace orchard::sync {
namespace {

using Json = nlohmann::json;

// Follows `links.next` (an absolute URL repeating the query) from `first`; calls on_app for each.
Status ReadAllPages(apple::asc::AscClient& client, std::string path,
                    const std::function<void(const Json&)>& on_app) {
  for (int page = 0; page < 1000; ++page) {
    ORCHARD_ASSIGN_OR_RETURN(net::HttpResponse r, client.Call("GET", path));
    if (r.status != 200) {
      return Status(r.status == 401 ? Code::kUnauthenticated
                    : r.status == 403 ? Code::kPermissionDenied
                                      : Code::kUnavailable,
                    "App Store Connect answered HTTP " + std::to_string(r.status) + " to " + path);
    }
    const Json doc = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) {
      return Status(Code::kDataLoss, "App Store Connect's /v1/apps answer is not a JSON:API list");
    }
    for (const auto& app : doc["data"]) {
      if (app.is_object() && app.value("type", "") == "apps" && app.contains("id") && app["id"].is_string()) {
        on_app(app);
      }
    }
    const auto links = doc.find("links");
    if (links == doc.end() || !links->is_object() || !links->contains("next") || !(*links)["next"].is_string()) {
      return Status::Ok();
    }
    // The next link is absolute; keep its path and query (the base URL is the client's).
    const std::string next = (*links)["next"].get<std::string>();
    const size_t at = next.find("/v1/");
    if (at == std::string::npos) return Status(Code::kDataLoss, "a /v1/apps next link without a /v1/ path");
    path = next.substr(at);
  }
  return Status(Code::kDataLoss, "/v1/apps kept paging past 1,000 pages");
}

std::string Attr(const Json& app, const char* name) {
  const auto attributes = app.find("attributes");
  if (attributes == app.end() || !attributes->is_object()) return "";
  const auto v = attributes->find(name);
  return v != attributes->end() && v->is_string() ? v->get<std::string>() : "";
}

}  // namespace

Result<int> SyncAppCatalog(apple::asc::AscClient& client, store::MetaStore& meta,
                           const store::LinkedAccount& account, const Clock& clock) {
  std::map<std::string, store::CatalogApp> apps;
  const std::string fields = "fields%5Bapps%5D=name,bundleId,sku,primaryLocale&limit=200";
  ORCHARD_RETURN_IF_ERROR(ReadAllPages(client, "/v1/apps?" + fields, [&](const Json& app) {
    store::CatalogApp& a = apps[app["id"].get<std::string>()];
    a.apple_id = app["id"].get<std::string>();
    a.name = Attr(app, "name");
    a.bundle_id = Attr(app, "bundleId");
    a.sku = Attr(app, "sku");
    a.primary_locale = Attr(app, "primaryLocale");
    a.account_id = account.id;
  }));
  for (const char* platform : {"IOS", "MAC_OS", "TV_OS", "VISION_OS"}) {
    ORCHARD_RETURN_IF_ERROR(ReadAllPages(
        client, "/v1/apps?filter%5BappStoreVersions.platform%5D=" + std::string(platform) +
                    "&fields%5Bapps%5D=name&limit=200",
        [&](const Json& app) {
          auto it = apps.find(app["id"].get<std::string>());
          if (it == apps.end()) return;
          if (!it->second.platforms.empty()) it->second.platforms += ",";
          it->second.platforms += platform;
        }));
  }
  std::vector<store::CatalogApp> list;
  for (auto& [id, a] : apps) list.push_back(std::move(a));
  ORCHARD_RETURN_IF_ERROR(meta.PutCatalogApps(account.team_id, list, clock.NowSeconds()));
  return static_cast<int>(list.size());
}

}  // namespace orchard::sync
