// Table: the result of a report query, and its three output formats (table, csv, json), shared
// by the CLI and (later) the HTTP API so both print the same numbers.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "core/decimal.h"
#include "core/status.h"

namespace orchard::reports {

// An exact number: value / 10^decimals, printed with `digits` decimals (rounded only here).
struct Number {
  Wide value = 0;
  int decimals = 0;
  int digits = 0;
};

using Cell = std::variant<std::string, Number>;

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

enum class Format { kTable, kCsv, kJson };
Result<Format> ParseFormat(std::string_view name);

std::string Render(const Table& table, Format format);
std::string CellText(const Cell& cell);

}  // namespace orchard::reports
