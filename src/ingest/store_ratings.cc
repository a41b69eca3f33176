#include "ingest/store_ratings.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace orchard::ingest {
namespace {

using Json = nlohmann::json;

Status Broken(std::string_view source, const std::string& what) {
  return Status(Code::kDataLoss, std::string(source) + ": " + what);
}

// A JSON number, or a string holding one (Apple sends both in places).
std::optional<double> Number(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    const double parsed = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(parsed)) return std::nullopt;
    return parsed;
  }
  return std::nullopt;
}

// A whole, non-negative count.
std::optional<int64_t> Count(const Json& value) {
  const auto n = Number(value);
  if (!n || *n < 0 || *n != std::floor(*n) || *n > 1e15) return std::nullopt;
  return static_cast<int64_t>(*n);
}

Result<int64_t> AverageX100(const Json& value, std::string_view source) {
  const auto n = Number(value);
  if (!n || *n < 0 || *n > 5) return Error(Broken(source, "the average rating is not a number from 0 to 5"));
  return static_cast<int64_t>(std::llround(*n * 100));
}

bool SameId(const Json& value, std::string_view id) {
  if (value.is_string()) return value.get_ref<const std::string&>() == id;
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>()) == id;
  if (value.is_number_unsigned()) return std::to_string(value.get<uint64_t>()) == id;
  return false;
}

}  // namespace

Result<std::string> ParseMediaApiToken(std::string_view json) {
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("token") || !doc["token"].is_string() ||
      doc["token"].get_ref<const std::string&>().empty()) {
    return Error(Broken("the store's token service", "the answer has no token"));
  }
  return doc["token"].get<std::string>();
}

Result<std::optional<StoreRating>> ParseMediaApiRating(std::string_view json, std::string_view app_id) {
  constexpr std::string_view kSource = "the store's app resource";
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error(Broken(kSource, "the answer is not JSON"));
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) {
    return Error(Broken(kSource, "the answer has no data array"));
  }
  for (const Json& app : doc["data"]) {
    if (!app.is_object() || !app.contains("id") || !SameId(app["id"], app_id)) continue;
    if (!app.contains("attributes") || !app["attributes"].is_object()) return std::nullopt;
    const Json& attributes = app["attributes"];
    if (!attributes.contains("userRating") || attributes["userRating"].is_null()) return std::nullopt;
    const Json& rating = attributes["userRating"];
    if (!rating.is_object()) return Error(Broken(kSource, "userRating is not an object"));
    StoreRating out;
    if (rating.contains("ratingCount")) {
      const auto count = Count(rating["ratingCount"]);
      if (!count) return Error(Broken(kSource, "ratingCount is not a whole number ≥ 0"));
      out.count = *count;
    }
    if (rating.contains("value") && !rating["value"].is_null()) {
      ORCHARD_ASSIGN_OR_RETURN(out.average_x100, AverageX100(rating["value"], kSource));
    }
    if (rating.contains("ratingCountList") && !rating["ratingCountList"].is_null()) {
      const Json& list = rating["ratingCountList"];
      if (!list.is_array() || list.size() != 5) {
        return Error(Broken(kSource, "ratingCountList is not a list of 5 counts"));
      }
      for (size_t i = 0; i < 5; ++i) {
        const auto c = Count(list[i]);
        if (!c) return Error(Broken(kSource, "ratingCountList holds a value that is not a count"));
        out.histogram[i] = *c;
      }
      out.has_histogram = true;
      if (!rating.contains("ratingCount")) {
        for (int64_t c : out.histogram) out.count += c;
      }
    }
    return out;
  }
  return std::nullopt;
}

Result<std::optional<StoreRating>> ParseLookupRating(std::string_view json, std::string_view app_id) {
  constexpr std::string_view kSource = "the iTunes lookup";
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error(Broken(kSource, "the answer is not JSON"));
  if (!doc.is_object() || !doc.contains("results") || !doc["results"].is_array()) {
    return Error(Broken(kSource, "the answer has no results array"));
  }
  for (const Json& result : doc["results"]) {
    if (!result.is_object() || !result.contains("trackId") || !SameId(result["trackId"], app_id)) continue;
    StoreRating out;
    if (result.contains("userRatingCount") && !result["userRatingCount"].is_null()) {
      const auto count = Count(result["userRatingCount"]);
      if (!count) return Error(Broken(kSource, "userRatingCount is not a whole number ≥ 0"));
      out.count = *count;
    }
    if (result.contains("averageUserRating") && !result["averageUserRating"].is_null()) {
      ORCHARD_ASSIGN_OR_RETURN(out.average_x100, AverageX100(result["averageUserRating"], kSource));
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace orchard::ingest
