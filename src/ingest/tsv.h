// TsvReader: a zero-copy reader of Apple's tab-separated reports, by column NAME.
//
// Apple adds, drops and reorders columns between report versions, so columns are looked up by
// their header name (trimmed, case-insensitive), never by position. Tolerated: a UTF-8 BOM,
// CRLF line ends, unknown extra columns, rows shorter than the header (missing trailing fields
// read as ""), blank lines and a trailing newline. Fields are trimmed of spaces (Apple writes
// an empty field as a single space). Views point into the input, which must outlive the reader.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace orchard::ingest {

class TsvReader {
 public:
  explicit TsvReader(std::string_view text);

  const std::vector<std::string_view>& header() const { return header_; }
  // Index of a header by name (trimmed, ASCII case-insensitive).
  std::optional<size_t> Column(std::string_view name) const;

  // Only split the first `n` fields of each row (a speed-up when later columns are unused).
  void LimitColumns(size_t n) { limit_ = n; }

  // Advances to the next non-blank row; false at the end.
  bool Next();
  // The trimmed field `index` of the current row ("" when the row is shorter).
  std::string_view field(size_t index) const {
    return index < fields_.size() ? fields_[index] : std::string_view();
  }
  size_t field_count() const { return fields_.size(); }
  // 1-based line number of the current row (the header is line 1).
  size_t line() const { return line_; }

 private:
  void Split(std::string_view line, std::vector<std::string_view>* out, size_t limit) const;

  std::string_view rest_;
  std::vector<std::string_view> header_;
  std::vector<std::string_view> fields_;
  size_t line_ = 1;
  size_t limit_ = static_cast<size_t>(-1);
};

}  // namespace orchard::ingest
