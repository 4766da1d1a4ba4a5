#pragma once
// A SONATA node- or edge-types CSV: a header row, then one row per type;
// columns separated by spaces or tabs (one or more), values optionally in
// double quotes. Rows are looked up by their type id column.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace myelin::io::sonata {

class types_table {
public:
  // id_column: node_type_id or edge_type_id (an error when missing).
  types_table(const std::string& file, const std::string& id_column);

  const std::string& file() const { return file_; }
  bool has_column(const std::string& name) const;
  bool has_type(std::int64_t id) const { return rows_.count(id) > 0; }
  // The value of column for type id; nullopt when the column is absent or the cell is NULL/empty.
  std::optional<std::string> value(std::int64_t id, const std::string& column) const;
  std::vector<std::int64_t> ids() const;

  [[noreturn]] void fail(const std::string& key, const std::string& reason) const;
  // Key for messages: "node_type_id 100: model_template".
  std::string key(std::int64_t id, const std::string& column) const;

private:
  std::string file_, id_column_;
  std::vector<std::string> columns_;
  std::map<std::int64_t, std::vector<std::string>> rows_;
};

} // namespace myelin::io::sonata
