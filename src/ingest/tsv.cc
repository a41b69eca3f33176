#include "ingest/tsv.h"

#include <cstring>

namespace orchard::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Takes one line off the front of `rest` (without its '\n' and a trailing '\r').
std::string_view TakeLine(std::string_view* rest) {
  const void* nl = std::memchr(rest->data(), '\n', rest->size());
  const size_t n = nl == nullptr ? rest->size()
                                 : static_cast<size_t>(static_cast<const char*>(nl) - rest->data());
  std::string_view line = rest->substr(0, n);
  rest->remove_prefix(nl == nullptr ? n : n + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

TsvReader::TsvReader(std::string_view text) : rest_(text) {
  if (rest_.starts_with("\xEF\xBB\xBF")) rest_.remove_prefix(3);
  Split(TakeLine(&rest_), &header_, static_cast<size_t>(-1));
  fields_.reserve(header_.size() + 4);
}

std::optional<size_t> TsvReader::Column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (EqualsIgnoreCase(header_[i], name)) return i;
  }
  return std::nullopt;
}

void TsvReader::Split(std::string_view line, std::vector<std::string_view>* out,
                      size_t limit) const {
  out->clear();
  while (out->size() < limit) {
    const void* tab = std::memchr(line.data(), '\t', line.size());
    if (tab == nullptr) {
      out->push_back(Trim(line));
      break;
    }
    const size_t n = static_cast<size_t>(static_cast<const char*>(tab) - line.data());
    out->push_back(Trim(line.substr(0, n)));
    line.remove_prefix(n + 1);
  }
}

bool TsvReader::Next() {
  while (!rest_.empty()) {
    const std::string_view line = TakeLine(&rest_);
    ++line_;
    if (Trim(line).empty()) continue;  // blank or trailing empty line
    bool only_blanks = true;
    for (char c : line) {
      if (c != '\t' && c != ' ') {
        only_blanks = false;
        break;
      }
    }
    if (only_blanks) continue;
    Split(line, &fields_, limit_);
    return true;
  }
  return false;
}

}  // namespace orchard::ingest
