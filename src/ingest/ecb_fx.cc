#include "ingest/ecb_fx.h"

#include "core/decimal.h"

namespace orchard::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitComma(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t comma = line.find(',');
    out.push_back(Trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Result<FxParseResult> ParseEcbCsv(std::string_view csv) {
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  FxParseResult result;
  std::vector<std::string_view> header;
  size_t line_no = 0;
  while (!csv.empty()) {
    const size_t nl = csv.find('\n');
    std::string_view line = Trim(csv.substr(0, nl));
    csv = nl == std::string_view::npos ? std::string_view() : csv.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    auto fields = SplitComma(line);
    if (header.empty()) {
      if (fields.empty() || fields[0] != "Date") {
        return Error(Code::kInvalidArgument,
                     "line 1: expected the ECB header 'Date,USD,JPY,…', got '" +
                         std::string(line.substr(0, 40)) + "'");
      }
      header = fields;
      for (size_t i = 1; i < header.size(); ++i) {
        if (header[i].empty()) continue;  // the trailing comma
        if (header[i].size() != 3) {
          return Error(Code::kInvalidArgument,
                       "line 1: '" + std::string(header[i]) + "' is not a currency code");
        }
        result.currencies.emplace_back(header[i]);
      }
      continue;
    }
    auto day = Date::ParseIso(fields[0]);
    if (!day) {
      return Error(Code::kInvalidArgument, "line " + std::to_string(line_no) + ": " + day.error().message());
    }
    ++result.days;
    for (size_t i = 1; i < fields.size() && i < header.size(); ++i) {
      if (header[i].empty() || fields[i].empty() || fields[i] == "N/A") continue;
      auto rate = ParseFixed(fields[i], kFxDecimals);
      if (!rate || *rate <= 0) {
        return Error(Code::kInvalidArgument, "line " + std::to_string(line_no) + ": rate '" +
                                                 std::string(fields[i]) + "' for " +
                                                 std::string(header[i]) + " is not a positive number");
      }
      result.rates.push_back({*day, std::string(header[i]), *rate});
    }
  }
  if (header.empty()) return Error(Code::kInvalidArgument, "the rate file is empty");
  return result;
}

}  // namespace orchard::ingest
