#include "reports/table.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace orchard::reports {

Result<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  return Error(Code::kInvalidArgument,
               "unknown format '" + std::string(name) + "' (use table, csv or json)");
}

std::string CellText(const Cell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  const auto& n = std::get<Number>(cell);
  return FormatFixed(n.value, n.decimals, n.digits);
}

namespace {

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += "\"\"";
    else out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::string Render(const Table& table, Format format) {
  std::string out;
  switch (format) {
    case Format::kCsv: {
      for (size_t i = 0; i < table.columns.size(); ++i) {
        if (i) out += ',';
        out += CsvField(table.columns[i]);
      }
      out += '\n';
      for (const auto& row : table.rows) {
        for (size_t i = 0; i < row.size(); ++i) {
          if (i) out += ',';
          out += CsvField(CellText(row[i]));
        }
        out += '\n';
      }
      return out;
    }
    case Format::kJson: {
      auto rows = nlohmann::ordered_json::array();
      for (const auto& row : table.rows) {
        nlohmann::ordered_json obj = nlohmann::ordered_json::object();
        for (size_t i = 0; i < row.size() && i < table.columns.size(); ++i) {
          if (const auto* s = std::get_if<std::string>(&row[i])) {
            obj[table.columns[i]] = *s;
          } else {
            // Numbers are written as JSON numbers with their printed precision.
            obj[table.columns[i]] = nlohmann::ordered_json::parse(CellText(row[i]));
          }
        }
        rows.push_back(std::move(obj));
      }
      nlohmann::ordered_json doc = {{"columns", table.columns}, {"rows", rows}};
      return doc.dump(2) + "\n";
    }
    case Format::kTable: {
      std::vector<std::vector<std::string>> text;
      std::vector<size_t> width(table.columns.size());
      for (size_t i = 0; i < table.columns.size(); ++i) width[i] = table.columns[i].size();
      for (const auto& row : table.rows) {
        auto& line = text.emplace_back();
        for (size_t i = 0; i < row.size(); ++i) {
          line.push_back(CellText(row[i]));
          if (i < width.size()) width[i] = std::max(width[i], line.back().size());
        }
      }
      auto emit = [&](const std::vector<std::string>& cells, const std::vector<Cell>* kinds) {
        for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
          const bool numeric = kinds != nullptr && std::holds_alternative<Number>((*kinds)[i]);
          const std::string pad(width[i] - cells[i].size(), ' ');
          if (i) out += "  ";
          out += numeric ? pad + cells[i] : cells[i] + (i + 1 < cells.size() ? pad : "");
        }
        out += '\n';
      };
      // Headers of numeric columns align like their numbers.
      emit(table.columns, table.rows.empty() ? nullptr : &table.rows[0]);
      for (size_t r = 0; r < text.size(); ++r) emit(text[r], &table.rows[r]);
      if (table.rows.empty()) out += "(no rows)\n";
      return out;
    }
  }
  return out;
}

}  // namespace orchard::reports
