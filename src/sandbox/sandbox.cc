// Sandbox: start, stop and routing of the simulated App Store Connect.
#include "sandbox/sandbox.h"

#include <fstream>

#include "sandbox/server.h"

namespace orchard::sandbox {

void Sandbox::Impl::SetToday(Date today) {
  // Past periods do not change when today moves, so the report caches stay valid; what depends
  // on today (publication, the reviews up to yesterday) is computed against the new generator.
  auto next = MakePortfolio(today);
  std::lock_guard lock(portfolio_mu);
  portfolio_ = std::move(next);
}

void Sandbox::Impl::Routes() {
  // Every /v1 handler logs before it returns, so the entry exists before the client has the
  // answer (a logger run after the response would race the test reading the log).
  server.Get("/v1/salesReports", [this](const httplib::Request& req, httplib::Response& res) {
    SalesReports(req, res);
    Log(req, res);
  });
  server.Get("/v1/financeReports", [this](const httplib::Request& req, httplib::Response& res) {
    FinanceReports(req, res);
    Log(req, res);
  });
  server.Post("/reportservice/sales/v1", [this](const httplib::Request& req, httplib::Response& res) {
    Reporter(req, res, false);
    Log(req, res);
  });
  server.Post("/reportservice/finance/v1",
              [this](const httplib::Request& req, httplib::Response& res) {
                Reporter(req, res, true);
                Log(req, res);
              });
  server.Post("/auth/oauth2/token", [this](const httplib::Request& req, httplib::Response& res) {
    SearchAdsToken(req, res);
    Log(req, res);
  });
  server.Get("/api/v5/acls", [this](const httplib::Request& req, httplib::Response& res) {
    SearchAdsAcls(req, res);
    Log(req, res);
  });
  server.Get("/api/v5/me", [this](const httplib::Request& req, httplib::Response& res) {
    SearchAdsMe(req, res);
    Log(req, res);
  });
  server.Post("/api/v5/reports/campaigns", [this](const httplib::Request& req, httplib::Response& res) {
    SearchAdsCampaignReport(req, res);
    Log(req, res);
  });
  // The reviews side of the API, also served under /iris/v1 to an Apple ID web session
  // (Part II §A.12.1): same handlers, authenticated by cookies instead of a token.
  for (const std::string& prefix : {std::string("/v1"), std::string("/iris/v1")}) {
    server.Get(prefix + "/apps", [this](const httplib::Request& req, httplib::Response& res) {
      Apps(req, res, "");
      Log(req, res);
    });
    server.Get(prefix + R"(/apps/([0-9]+))", [this](const httplib::Request& req, httplib::Response& res) {
      Apps(req, res, req.matches[1]);
      Log(req, res);
    });
    server.Get(prefix + R"(/apps/([0-9]+)/customerReviews)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 CustomerReviews(req, res, req.matches[1]);
                 Log(req, res);
               });
    server.Get(prefix + R"(/customerReviews/([^/]+)(/response)?)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (!Admitted(req, res)) return Log(req, res);
                 const std::string base = "http://" + req.get_header_value("Host");
                 const ReviewInfo* review = FindReview(req.matches[1]);
                 if (review == nullptr) {
                   JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                             "There is no resource of type 'customerReviews' with id '" +
                                 std::string(req.matches[1]) + "'");
                 } else if (req.matches[2].length() > 0) {
                   std::lock_guard lock(mu);
                   auto it = responses.find(review->id);
                   if (it == responses.end()) {
                     JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                               "The review has no response");
                   } else {
                     res.status = 200;
                     res.set_content(Json{{"data", ResponseResource(it->second, base)},
                                          {"links", {{"self", base + req.path}}}}
                                         .dump(),
                                     "application/json");
                   }
                 } else {
                   res.status = 200;
                   res.set_content(Json{{"data", ReviewResource(*review, base, {})},
                                        {"links", {{"self", base + req.path}}}}
                                       .dump(),
                                   "application/json");
                 }
                 Log(req, res);
               });
    server.Post(prefix + "/customerReviewResponses",
                [this](const httplib::Request& req, httplib::Response& res) {
                  CreateResponse(req, res);
                  Log(req, res);
                });
    auto response_by_id = [this](const httplib::Request& req, httplib::Response& res) {
      auto kid = Admitted(req, res);
      if (!kid) return Log(req, res);
      if (req.method == "DELETE" &&
          !KeyHasRole(*kid, {"ADMIN", "ACCOUNT_HOLDER", "APP_MANAGER", "CUSTOMER_SUPPORT"})) {
        JsonError(res, 403, "FORBIDDEN_ERROR", kForbiddenTitle, kForbiddenDetail);
        return Log(req, res);
      }
      const std::string id = req.matches[1];
      const std::string base = "http://" + req.get_header_value("Host");
      std::unique_lock lock(mu);
      auto it = std::find_if(responses.begin(), responses.end(),
                             [&](const auto& kv) { return kv.second.id == id; });
      if (it == responses.end()) {
        JsonError(res, 404, "NOT_FOUND", "The specified resource does not exist",
                  "There is no resource of type 'customerReviewResponses' with id '" + id + "'");
      } else if (req.method == "DELETE") {
        responses.erase(it);
        res.status = 204;
      } else {
        res.status = 200;
        res.set_content(
            Json{{"data", ResponseResource(it->second, base)}, {"links", {{"self", base + req.path}}}}
                .dump(),
            "application/json");
      }
      lock.unlock();  // Log takes the lock itself
      Log(req, res);
    };
    server.Get(prefix + R"(/customerReviewResponses/([^/]+))", response_by_id);
    server.Delete(prefix + R"(/customerReviewResponses/([^/]+))", response_by_id);
  }
  server.Get(R"(/([a-z]{2})/rss/customerreviews/(.*)/json)",
             [this](const httplib::Request& req, httplib::Response& res) {
               ReviewsRss(req, res);
               Log(req, res);
             });
  server.Get(R"(/api/v2/([a-z]{2})/apps/([a-z-]+)/([0-9]+)/apps\.json)",
             [this](const httplib::Request& req, httplib::Response& res) {
               TopChartV2(req, res);
               Log(req, res);
             });
  server.Get("/lookup", [this](const httplib::Request& req, httplib::Response& res) {
    ItunesSearch(req, res, /*lookup=*/true);
    Log(req, res);
  });
  server.Get("/search", [this](const httplib::Request& req, httplib::Response& res) {
    ItunesSearch(req, res, /*lookup=*/false);
    Log(req, res);
  });
  server.Get("/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    Users(req, res);
    Log(req, res);
  });
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      JsonError(res, 405, "METHOD_NOT_ALLOWED",
                "The request method is not valid for the resource path.",
                "The request method is not valid for the resource path.");
      Log(req, res);
    };
    if (std::string_view(method) == "POST") server.Post("/v1/salesReports", handler);
    if (std::string_view(method) == "PUT") server.Put("/v1/salesReports", handler);
    if (std::string_view(method) == "PATCH") server.Patch("/v1/salesReports", handler);
    if (std::string_view(method) == "DELETE") server.Delete("/v1/salesReports", handler);
  }

  // --- control endpoints for tests (no auth) ---
  // ?date=YYYY-MM-DD (the first day of the period) [&frequency=DAILY|WEEKLY|MONTHLY|YEARLY]
  // [&reportType=SALES|PRE_ORDER|SUBSCRIPTION|SUBSCRIPTION_EVENT|SUBSCRIBER]
  server.Get("/_sandbox/salesReports", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string type =
        req.has_param("reportType") ? req.get_param_value("reportType") : "SALES";
    const std::string f = req.has_param("frequency") ? req.get_param_value("frequency") : "DAILY";
    const Frequency freq = f == "WEEKLY"    ? Frequency::kWeekly
                           : f == "MONTHLY" ? Frequency::kMonthly
                           : f == "YEARLY"  ? Frequency::kYearly
                                            : Frequency::kDaily;
    auto day = Date::ParseIso(req.get_param_value("date"));
    const std::string gz = day ? GzipReport(type, freq, *day) : std::string();
    if (gz.empty()) {
      res.status = 404;
      res.set_content("no report for that period\n", "text/plain");
      return;
    }
    res.set_content(gz, "application/a-gzip");
  });
  // The ECB's historical reference rates, at the ECB's path and at the control path.
  auto fx = [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(P()->EcbFxCsv(P()->first_sales_day().StartOfYear().AddDays(-10), P()->today()), "text/csv");
  };
  server.Get("/stats/eurofxref/eurofxref-hist.csv", fx);
  server.Get("/_sandbox/fx/eurofxref-hist.csv", [this](const httplib::Request&,
                                                       httplib::Response& res) {
    res.set_content(P()->EcbFxCsv(P()->first_sales_day().StartOfYear().AddDays(-10), P()->today()),
                    "text/csv");
  });
  // Moves the sandbox's "today" (reports publish, sessions and tokens age against it).
  server.Post("/_sandbox/today", [this](const httplib::Request& req, httplib::Response& res) {
    const Json body = Json::parse(req.body, nullptr, false);
    std::optional<Date> day;
    if (body.is_object() && body.contains("date") && body["date"].is_string()) {
      if (auto d = Date::ParseIso(body["date"].get<std::string>())) day = *d;
    }
    if (!day) {
      res.status = 400;
      res.set_content(R"({"error":"send {\"date\":\"YYYY-MM-DD\"}"})", "application/json");
      return;
    }
    SetToday(*day);
    res.set_content(Json{{"today", day->Iso()}}.dump(), "application/json");
  });
  server.Get("/_sandbox/today", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(Json{{"today", P()->today().Iso()}}.dump(), "application/json");
  });
  AppleIdRoutes();
  WebReportRoutes();
  AnalyticsRoutes();
  StoreRoutes();
  // Apple rotates the store's shared developer token: every token handed out stops working.
  server.Post("/_sandbox/amp/rotate-token", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu);
    amp_tokens.clear();
    res.set_content(R"({"rotated":true})", "application/json");
  });
  // Apple stops every ongoing analytics request for inactivity (stoppedDueToInactivity).
  server.Post("/_sandbox/analytics/stop-requests", [this](const httplib::Request&, httplib::Response& res) {
    const Date today = P()->today();
    std::lock_guard lock(mu);
    for (auto& [id, r] : analytics_requests) {
      if (r.access_type == "ONGOING" && !r.stopped) {
        r.stopped = true;
        r.stopped_on = today;
      }
    }
    res.set_content(R"({"stopped":true})", "application/json");
  });
  // Every pre-signed analytics segment URL expires (as if five minutes had passed).
  server.Post("/_sandbox/analytics/expire-urls", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu);
    analytics_urls_expired = true;
    res.set_content(R"({"expired":true})", "application/json");
  });
  // The trusted device: the last two-factor code Apple "sent".
  server.Get("/_sandbox/appleid/code", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu);
    res.set_content(Json{{"code", web_last_code}}.dump(), "application/json");
  });
  // Every web session (myacinfo, dqsid) ends, as if its lifetime had passed.
  server.Post("/_sandbox/appleid/expire-sessions", [this](const httplib::Request&,
                                                          httplib::Response& res) {
    std::lock_guard lock(mu);
    web_sessions.clear();
    web_dqsids.clear();
    res.set_content(R"({"expired":true})", "application/json");
  });
  // Every 30-day browser trust (DES cookie) ends.
  server.Post("/_sandbox/appleid/expire-trust", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu);
    web_trust.clear();
    res.set_content(R"({"expired":true})", "application/json");
  });
  // Every Search Ads access token expires (as if an hour had passed).
  server.Post("/_sandbox/searchads/expire-tokens", [this](const httplib::Request&,
                                                          httplib::Response& res) {
    std::lock_guard lock(mu);
    ads_tokens.clear();
    res.set_content(R"({"expired":true})", "application/json");
  });
  // The Reporter access token reaches its expiration date (as if 180 days had passed).
  server.Post("/_sandbox/reporter/expire-token", [this](const httplib::Request&,
                                                        httplib::Response& res) {
    std::lock_guard lock(mu);
    reporter_token_expiry = P()->today();
    res.set_content(R"({"expired":true})", "application/json");
  });
  server.Post(R"(/_sandbox/keys/([A-Z0-9]+)/revoke)",
              [this](const httplib::Request& req, httplib::Response& res) {
                std::lock_guard lock(mu);
                auto it = keys.find(req.matches[1]);
                if (it == keys.end()) {
                  res.status = 404;
                  res.set_content(R"({"error":"unknown key"})", "application/json");
                  return;
                }
                it->second.revoked = true;
                res.set_content(Json{{"revoked", it->first}}.dump(), "application/json");
              });
  server.Post("/_sandbox/faults", [this](const httplib::Request& req, httplib::Response& res) {
    const Json body = Json::parse(req.body, nullptr, false);
    std::lock_guard lock(mu);
    if (Status st = ApplyFaults(body); !st.ok()) {
      res.status = 400;
      res.set_content(Json{{"error", st.message()}}.dump(), "application/json");
      return;
    }
    res.set_content(R"({"ok":true})", "application/json");
  });
  server.Post("/_sandbox/faults/clear", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu);
    not_yet_days.clear();
    fail_count = 0;
    rate_limit_next = 0;
    retry_after = -1;
    latency_ms = 0;
    truncate_next = 0;
    drop_next = 0;
    analytics_urls_expired = false;
    res.set_content(R"({"ok":true})", "application/json");
  });
  server.Get("/_sandbox/requests", [this](const httplib::Request&, httplib::Response& res) {
    Json out = Json::array();
    std::lock_guard lock(mu);
    for (const auto& e : log) {
      out.push_back({{"time", e.time_ms},
                     {"method", e.method},
                     {"path", e.path},
                     {"query", e.query},
                     {"kid", e.kid},
                     {"status", e.status}});
    }
    res.set_content(out.dump(), "application/json");
  });

  // Anything else under /v1 is an unknown path, in Apple's words.
  auto unknown = [this](const httplib::Request& req, httplib::Response& res) {
    JsonError(res, 404, "PATH_ERROR", "The URL path is not valid",
              "The resource '" + req.path + "' does not exist");
    Log(req, res);
  };
  server.Get(".*", unknown);
  server.Post(".*", unknown);
  server.Delete(".*", unknown);
}

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Sandbox>> Sandbox::Start(SandboxOptions options) {
  const Date today = options.today.value_or(Date::Today("America/Los_Angeles"));
  if (options.keys_dir.empty())
    return Error(Code::kInvalidArgument, "the sandbox needs a keys dir");
  std::error_code ec;
  std::filesystem::create_directories(options.keys_dir, ec);
  if (ec) {
    return Error(Code::kPermissionDenied,
                 "cannot create " + options.keys_dir.string() + ": " + ec.message());
  }
  auto impl = std::make_unique<Impl>(options, today);
  if (!options.faults_json.empty()) {
    std::lock_guard lock(impl->mu);
    ORCHARD_RETURN_IF_ERROR(impl->ApplyFaults(Json::parse(options.faults_json, nullptr, false)));
  }
  // The main team key (Admin), a key without access to Sales and Trends (Developer) and one
  // with Sales and Trends but not finance (Sales).
  ORCHARD_RETURN_IF_ERROR(impl->IssueKey(0, {"ADMIN"}, "key.json"));
  ORCHARD_RETURN_IF_ERROR(impl->IssueKey(1, {"DEVELOPER"}, "key-developer.json"));
  ORCHARD_RETURN_IF_ERROR(impl->IssueKey(2, {"SALES"}, "key-sales.json"));
  // An Admin user's individual key (no sales or finance reports, by Apple's rule).
  ORCHARD_RETURN_IF_ERROR(impl->IssueKey(3, {"ADMIN"}, "key-individual.json", /*individual=*/true));
  ORCHARD_RETURN_IF_ERROR(impl->IssueAppleIds());
  ORCHARD_RETURN_IF_ERROR(impl->IssueSearchAdsKey());
  ORCHARD_RETURN_IF_ERROR(impl->IssueWebAccount());
  impl->analytics_secret = impl->NewUuid() + impl->NewUuid();
  impl->amp_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  std::ofstream(options.keys_dir / "eurofxref-hist.csv")
      << impl->P()->EcbFxCsv(impl->P()->first_sales_day().StartOfYear().AddDays(-10), today);
  impl->Routes();
  impl->port = options.port == 0
                   ? impl->server.bind_to_any_port(options.host)
                   : (impl->server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (impl->port <= 0) {
    return Error(Code::kUnavailable, "the sandbox cannot listen on " + options.host + ":" +
                                         std::to_string(options.port) + " (port in use?)");
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  // Until the accept loop runs, stop() would be a no-op and a later join would hang.
  for (int i = 0; i < 5000 && !impl->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<Sandbox>(new Sandbox(std::move(impl)));
}

Sandbox::~Sandbox() { Stop(); }

void Sandbox::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int Sandbox::port() const { return impl_->port; }
std::string Sandbox::base_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port);
}

}  // namespace orchard::sandbox
