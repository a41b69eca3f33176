// GET /v1/apps, /v1/apps/{id} (apple-apis.md §4.3) and GET /v1/users (§5).
#include <algorithm>
#include <sstream>

#include "sandbox/server.h"

namespace orchard::sandbox {

// GET /v1/apps and /v1/apps/{id} (apple-apis.md §4.3): filters, sort, sparse fieldsets and
// cursor paging through links.next (the cursor is opaque: base64 of the offset).
void Sandbox::Impl::Apps(const httplib::Request& req, httplib::Response& res,
                         const std::string& one) {
  if (!Admitted(req, res)) return;
  static const std::set<std::string> kParams = {"filter[name]",
                                                "filter[bundleId]",
                                                "filter[sku]",
                                                "filter[id]",
                                                "filter[appStoreVersions.platform]",
                                                "sort",
                                                "fields[apps]",
                                                "limit",
                                                "cursor"};
  static const std::set<std::string> kOneParams = {"fields[apps]"};
  if (!OnlyParams(req, res, one.empty() ? kParams : kOneParams)) return;
  auto list = [&](const char* name) { return ListParam(req, name); };
  std::vector<AppInfo> apps = P()->Apps();
  const auto names = list("filter[name]"), bundles = list("filter[bundleId]"),
             skus = list("filter[sku]"), ids = list("filter[id]"),
             platforms = list("filter[appStoreVersions.platform]"), fields = list("fields[apps]");
  std::erase_if(apps, [&](const AppInfo& a) {
    return (!one.empty() && a.id != one) || (!names.empty() && !names.contains(a.name)) ||
           (!bundles.empty() && !bundles.contains(a.bundle_id)) ||
           (!skus.empty() && !skus.contains(a.sku)) || (!ids.empty() && !ids.contains(a.id)) ||
           (!platforms.empty() && !platforms.contains(a.platform));
  });
  if (req.has_param("sort")) {
    std::string key = req.get_param_value("sort");
    const bool desc = !key.empty() && key[0] == '-';
    if (desc) key.erase(0, 1);
    if (key != "name" && key != "bundleId" && key != "sku") {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "'" + req.get_param_value("sort") + "' is not a valid sort", "sort");
      return;
    }
    auto field = [&](const AppInfo& a) -> const std::string& {
      return key == "name" ? a.name : key == "bundleId" ? a.bundle_id : a.sku;
    };
    std::stable_sort(apps.begin(), apps.end(), [&](const AppInfo& a, const AppInfo& b) {
      return desc ? field(b) < field(a) : field(a) < field(b);
    });
  }
  const std::string base = "http://" + req.get_header_value("Host");
  auto resource = [&](const AppInfo& a) {
    Json attributes = {{"name", a.name},
                       {"bundleId", a.bundle_id},
                       {"sku", a.sku},
                       {"primaryLocale", "en-US"},
                       {"isOrEverWasMadeForKids", false},
                       {"contentRightsDeclaration", "DOES_NOT_USE_THIRD_PARTY_CONTENT"},
                       {"streamlinedPurchasingEnabled", true}};
    KeepFields(&attributes, fields);
    const std::string self = base + "/v1/apps/" + a.id;
    return Json{{"type", "apps"},
                {"id", a.id},
                {"attributes", attributes},
                {"relationships",
                 {{"customerReviews", {{"links", {{"related", self + "/customerReviews"}}}}}}},
                {"links", {{"self", self}}}};
  };
  if (!one.empty()) {
    if (apps.empty()) {
      JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                "There is no resource of type 'apps' with id '" + one + "'");
      return;
    }
    res.status = 200;
    res.set_content(
        Json{{"data", resource(apps[0])}, {"links", {{"self", base + req.path}}}}.dump(),
        "application/json");
    return;
  }
  Paged(
      req, res, apps.size(), [&](size_t i, const std::string&) { return resource(apps[i]); },
      [](size_t, size_t, const std::string&) { return Json::array(); });
}

// GET /v1/users (§5): the team's people and their roles. Admin / Account Holder only.
void Sandbox::Impl::Users(const httplib::Request& req, httplib::Response& res) {
  auto kid = Admitted(req, res);
  if (!kid) return;
  if (!KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER"})) {
    JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
    return;
  }
  static const std::set<std::string> kParams = {"filter[username]",
                                                "filter[roles]",
                                                "filter[visibleApps]",
                                                "sort",
                                                "fields[users]",
                                                "include",
                                                "limit",
                                                "cursor",
                                                "limit[visibleApps]"};
  if (!OnlyParams(req, res, kParams)) return;
  struct Person {
    const char* first;
    const char* last;
    std::vector<std::string> roles;
  };
  static const std::vector<Person> kPeople = {{"Avery", "Holder", {"ACCOUNT_HOLDER", "ADMIN"}},
                                              {"Blake", "Admin", {"ADMIN"}},
                                              {"Casey", "Numbers", {"FINANCE"}},
                                              {"Devon", "Reports", {"SALES", "ACCESS_TO_REPORTS"}},
                                              {"Emery", "Support", {"CUSTOMER_SUPPORT"}},
                                              {"Finley", "Builder", {"DEVELOPER"}},
                                              {"Gray", "Market", {"MARKETING", "APP_MANAGER"}}};
  const auto usernames = ListParam(req, "filter[username]");
  const auto roles = ListParam(req, "filter[roles]");
  const auto fields = ListParam(req, "fields[users]");
  std::vector<Json> users;
  const std::string domain = "@orcharddemo.example";
  for (size_t i = 0; i < kPeople.size(); ++i) {
    const Person& p = kPeople[i];
    std::string username = std::string(p.first) + "." + p.last + domain;
    for (char& c : username) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!usernames.empty() && !usernames.contains(username)) continue;
    if (!roles.empty() && std::none_of(p.roles.begin(), p.roles.end(),
                                       [&](const std::string& r) { return roles.contains(r); })) {
      continue;
    }
    Json attributes = {{"username", username},   {"firstName", p.first},
                       {"lastName", p.last},     {"roles", p.roles},
                       {"allAppsVisible", true}, {"provisioningAllowed", false}};
    KeepFields(&attributes, fields);
    char id[64];
    std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012zx",
                  static_cast<unsigned>(options.seed & 0xffffffff), i + 1);
    users.push_back(Json{{"type", "users"}, {"id", id}, {"attributes", attributes}});
  }
  if (req.has_param("sort")) {
    std::string key = req.get_param_value("sort");
    const bool desc = !key.empty() && key[0] == '-';
    if (desc) key.erase(0, 1);
    if (key != "username" && key != "lastName") {
      JsonError(res, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
                "'" + req.get_param_value("sort") + "' is not a valid sort", "sort");
      return;
    }
    std::stable_sort(users.begin(), users.end(), [&](const Json& a, const Json& b) {
      const std::string x = a["attributes"].value(key, ""), y = b["attributes"].value(key, "");
      return desc ? y < x : x < y;
    });
  }
  Paged(
      req, res, users.size(),
      [&](size_t i, const std::string& base) {
        Json u = users[i];
        u["links"] = {{"self", base + "/v1/users/" + u["id"].get<std::string>()}};
        return u;
      },
      [](size_t, size_t, const std::string&) { return Json::array(); });
}

}  // namespace orchard::sandbox
