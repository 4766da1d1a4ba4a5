#include "io/sonata/types_table.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>

namespace myelin::io::sonata {

namespace {
std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
      ++i;
    if (i >= line.size())
      break;
    std::string f;
    if (line[i] == '"') {
      const std::size_t end = line.find('"', i + 1);
      f = line.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
      i = end == std::string::npos ? line.size() : end + 1;
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
        f += line[i++];
    }
    fields.push_back(f);
  }
  return fields;
}
} // namespace

types_table::types_table(const std::string& file, const std::string& id_column)
    : file_(file)
    , id_column_(id_column) {
  std::ifstream in(file);
  if (!in)
    throw model_error(file, "file", "cannot be opened");
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto fields = split_fields(line);
    if (fields.empty())
      continue;
    if (columns_.empty()) {
      columns_ = std::move(fields);
      if (!has_column(id_column))
        fail("header", "no " + id_column + " column");
      continue;
    }
    if (fields.size() != columns_.size())
      fail("line " + std::to_string(line_no),
           std::to_string(fields.size()) + " values for " + std::to_string(columns_.size()) + " columns");
    const auto col =
        static_cast<std::size_t>(std::find(columns_.begin(), columns_.end(), id_column) - columns_.begin());
    std::int64_t id = 0;
    const auto& s = fields[col];
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || end != s.data() + s.size())
      fail("line " + std::to_string(line_no) + ": " + id_column, "'" + s + "' is not an integer");
    if (rows_.count(id))
      fail("line " + std::to_string(line_no) + ": " + id_column, std::to_string(id) + " appears twice");
    rows_[id] = std::move(fields);
  }
  if (columns_.empty())
    fail("header", "the file is empty");
}

bool types_table::has_column(const std::string& name) const {
  return std::find(columns_.begin(), columns_.end(), name) != columns_.end();
}

std::optional<std::string> types_table::value(std::int64_t id, const std::string& column) const {
  const auto row = rows_.find(id);
  const auto col = std::find(columns_.begin(), columns_.end(), column);
  if (row == rows_.end() || col == columns_.end())
    return std::nullopt;
  const auto& v = row->second[static_cast<std::size_t>(col - columns_.begin())];
  if (v.empty() || v == "NULL" || v == "None" || v == "NONE")
    return std::nullopt;
  return v;
}

std::vector<std::int64_t> types_table::ids() const {
  std::vector<std::int64_t> out;
  for (const auto& [id, row] : rows_)
    out.push_back(id);
  return out;
}

void types_table::fail(const std::string& key, const std::string& reason) const {
  throw model_error(file_, key, reason);
}

std::string types_table::key(std::int64_t id, const std::string& column) const {
  return id_column_ + " " + std::to_string(id) + ": " + column;
}

} // namespace myelin::io::sonata
