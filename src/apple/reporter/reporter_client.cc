#include "apple/reporter/reporter_client.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace orchard::apple::reporter {
namespace {

using Json = nlohmann::json;

constexpr const char* kNoSalesText = "There were no sales for the date specified.";

// The text of an error answer, Normal ("message\n") or Robot.XML (<Message>…</Message>).
std::string MessageOf(const std::string& body) {
  const size_t open = body.find("<Message>");
  if (open != std::string::npos) {
    const size_t close = body.find("</Message>", open);
    return body.substr(open + 9, close == std::string::npos ? std::string::npos : close - open - 9);
  }
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// "AccessToken:<uuid>" / "Expiration Date:YYYY-MM-DD", or their XML elements.
std::optional<std::pair<std::string, std::string>> TokenOf(const std::string& body) {
  auto field = [&](std::string_view text_key, std::string_view xml_key) -> std::string {
    if (size_t at = body.find(text_key); at != std::string::npos) {
      const size_t start = at + text_key.size();
      const size_t end = body.find_first_of("\r\n", start);
      std::string v = body.substr(start, end == std::string::npos ? std::string::npos : end - start);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      return v;
    }
    const std::string open = "<" + std::string(xml_key) + ">", close = "</" + std::string(xml_key) + ">";
    if (size_t at = body.find(open); at != std::string::npos) {
      const size_t end = body.find(close, at);
      if (end != std::string::npos) return body.substr(at + open.size(), end - at - open.size());
    }
    return "";
  };
  std::string token = field("AccessToken:", "AccessToken");
  std::string expires = field("Expiration Date:", "ExpirationDate");
  if (token.empty() || expires.empty()) return std::nullopt;
  return std::make_pair(std::move(token), std::move(expires));
}

// The jsonRequest document with its credential field appended without ever being held by a
// JSON library value (which would free it unwiped). App-specific passwords and tokens are
// letters, digits and hyphens, so they need no escaping; anything else is refused.
Result<std::string> RequestJson(std::string_view apple_id, const char* secret_field, const Secret& secret,
                                const std::string& query) {
  for (char c : secret.view()) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return Error(Code::kInvalidArgument, std::string("the ") + secret_field + " has characters Apple never uses");
    }
  }
  std::string json = Json{{"userid", apple_id}, {"version", "2.2"}, {"mode", "Normal"}, {"queryInput", query}}.dump();
  json.pop_back();
  json += ",\"" + std::string(secret_field) + "\":\"";
  json.append(secret.view());
  json += "\"}";
  return json;
}

Result<AccessToken> ParseToken(std::string body) {
  auto parsed = TokenOf(body);
  WipeString(body);
  if (!parsed) return Error(Code::kDataLoss, "the Reporter service answered without an access token");
  auto expires = Date::ParseIso(parsed->second);
  if (!expires) {
    WipeString(parsed->first);
    return Error(Code::kDataLoss, "the Reporter token's expiration date is not YYYY-MM-DD");
  }
  AccessToken out{Secret(parsed->first), *expires};
  WipeString(parsed->first);
  return out;
}

}  // namespace

Result<Secret> NormalizeAppPassword(std::string_view typed) {
  std::string letters;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      WipeString(letters);
      return Error(Code::kInvalidArgument,
                   "an app-specific password is 16 letters, shown as abcd-efgh-ijkl-mnop");
    }
    letters.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (letters.size() != 16) {
    WipeString(letters);
    return Error(Code::kInvalidArgument,
                 "an app-specific password is 16 letters, shown as abcd-efgh-ijkl-mnop");
  }
  std::string formatted = letters.substr(0, 4) + "-" + letters.substr(4, 4) + "-" +
                          letters.substr(8, 4) + "-" + letters.substr(12, 4);
  WipeString(letters);
  Secret out(formatted);
  WipeString(formatted);
  return out;
}

ReporterClient::ReporterClient(std::string base_url, net::HttpClient* http)
    : base_url_(std::move(base_url)), http_(http) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<net::HttpResponse> ReporterClient::Post(bool finance, const std::string& json,
                                               const std::string& extra) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = base_url_ + (finance ? "/reportservice/finance/v1" : "/reportservice/sales/v1");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "text/html,image/gif,image/jpeg; q=.2, */*; q=.2"}};
  request.body = "jsonRequest=" + net::UrlEncode(json) + extra;
  auto response = http_->Send(request);
  WipeString(request.body);
  return response;
}

Result<AccessToken> ReporterClient::GenerateToken(std::string_view apple_id, const Secret& app_password) {
  ORCHARD_ASSIGN_OR_RETURN(std::string json,
                           RequestJson(apple_id, "password", app_password, "[p=Reporter.properties, Sales.generateToken]"));
  auto first = Post(false, json, "");
  if (!first) {
    WipeString(json);
    return std::unexpected(first.error());
  }
  if (first->status == 401) {
    WipeString(json);
    return Error(Code::kUnauthenticated, "Apple refused the Apple ID or app-specific password: " + MessageOf(first->body));
  }
  const auto request_id = first->Header("service_request_id");
  if (first->status != 200 || !request_id) {
    WipeString(json);
    return Error(first->status >= 500 ? Code::kUnavailable : Code::kInvalidArgument,
                 "the Reporter service did not open a token request (HTTP " + std::to_string(first->status) + ")");
  }
  auto second = Post(false, json, "&isExistingToken=Y&requestId=" + net::UrlEncode(*request_id));
  WipeString(json);
  if (!second) return std::unexpected(second.error());
  if (second->status != 200) {
    return Error(second->status == 401 ? Code::kUnauthenticated : Code::kInvalidArgument,
                 "the Reporter service did not confirm the token request: " + MessageOf(second->body));
  }
  return ParseToken(std::move(second->body));
}

Result<std::optional<AccessToken>> ReporterClient::ViewToken(std::string_view apple_id,
                                                             const Secret& app_password) {
  ORCHARD_ASSIGN_OR_RETURN(std::string json,
                           RequestJson(apple_id, "password", app_password, "[p=Reporter.properties, Sales.viewToken]"));
  auto response = Post(false, json, "");
  WipeString(json);
  if (!response) return std::unexpected(response.error());
  if (response->status == 401) {
    return Error(Code::kUnauthenticated, "Apple refused the Apple ID or app-specific password: " + MessageOf(response->body));
  }
  if (response->status != 200) {
    return Error(Code::kUnavailable, "the Reporter service answered HTTP " + std::to_string(response->status));
  }
  if (!TokenOf(response->body)) return std::optional<AccessToken>();
  ORCHARD_ASSIGN_OR_RETURN(AccessToken token, ParseToken(std::move(response->body)));
  return std::optional<AccessToken>(std::move(token));
}

Result<asc::ReportResponse> ReporterClient::Report(bool finance, std::string_view apple_id,
                                                   const Secret& token, const std::string& query) {
  ORCHARD_ASSIGN_OR_RETURN(std::string json, RequestJson(apple_id, "accesstoken", token, query));
  auto response = Post(finance, json, "");
  WipeString(json);
  if (!response) return std::unexpected(response.error());
  const std::string message = response->status == 200 ? "" : MessageOf(response->body);
  switch (response->status) {
    case 200: {
      asc::ReportResponse out;
      out.body = std::move(response->body);
      return out;
    }
    case 401:
      return Error(Code::kUnauthenticated,
                   message.find("expired") != std::string::npos
                       ? "the Reporter access token has expired; generate a new one: " + message
                       : "Apple refused the Reporter access token: " + message);
    case 404: {
      asc::ReportResponse out;
      out.availability = message.rfind(kNoSalesText, 0) == 0 ? asc::ReportAvailability::kNoSales
                                                             : asc::ReportAvailability::kNotYetAvailable;
      out.detail = message;
      return out;
    }
    default:
      return Error(response->status >= 500 ? Code::kUnavailable : Code::kInvalidArgument,
                   "the Reporter service refused the request (HTTP " + std::to_string(response->status) +
                       "): " + message);
  }
}

Result<asc::ReportResponse> ReporterClient::GetSalesReport(std::string_view apple_id, const Secret& token,
                                                           std::string_view vendor, std::string_view type,
                                                           std::string_view subtype, std::string_view frequency,
                                                           std::string_view date, std::string_view version) {
  std::string query = "[p=Reporter.properties, Sales.getReport, " + std::string(vendor) + "," +
                      std::string(type) + "," + std::string(subtype) + "," + std::string(frequency) + "," +
                      std::string(date);
  if (!version.empty()) query += "," + std::string(version);
  return Report(false, apple_id, token, query + "]");
}

Result<asc::ReportResponse> ReporterClient::GetFinanceReport(std::string_view apple_id, const Secret& token,
                                                             std::string_view vendor, std::string_view region,
                                                             int fiscal_year, int fiscal_period) {
  return Report(true, apple_id, token,
                "[p=Reporter.properties, Finance.getReport, " + std::string(vendor) + "," +
                    std::string(region) + ",Financial," + std::to_string(fiscal_year) + "," +
                    std::to_string(fiscal_period) + "]");
}

}  // namespace orchard::apple::reporter
