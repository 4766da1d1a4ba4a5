#include "io/sonata/clamp_table.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace myelin::io::sonata {
namespace {

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  if (separator == ' ') {
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        ++i;
      const std::size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
        ++i;
      if (i > start)
        fields.push_back(line.substr(start, i - start));
    }
    return fields;
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(separator, start);
    std::string f = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    f.erase(0, f.find_first_not_of(" \t\r"));
    f.erase(f.find_last_not_of(" \t\r") + 1);
    fields.push_back(f);
    if (end == std::string::npos)
      return fields;
    start = end + 1;
  }
}

double number(const std::string& text, const std::string& file, const std::string& key) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v))
    throw model_error(file, key, "'" + text + "' is not a finite number");
  return v;
}

} // namespace

std::vector<std::pair<double, double>> read_clamp_table(const std::string& file, char separator,
                                                        const std::string& times_column,
                                                        const std::string& amplitudes_column) {
  std::ifstream in(file);
  if (!in)
    throw model_error(file, "file", "cannot be opened");
  std::string line;
  if (!std::getline(in, line))
    throw model_error(file, "file", "is empty; it needs a header row");
  const auto header = split(line, separator);
  auto column = [&](const std::string& name, const char* option) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      std::string found;
      for (const auto& h : header)
        found += (found.empty() ? "'" : ", '") + h + "'";
      throw model_error(file, "header",
                        "no column '" + name + "' (the input's " + option + " names it); the header has " +
                            found + " (is `separator` right?)");
    }
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t t = column(times_column, "timestamps_column");
  const std::size_t a = column(amplitudes_column, "amplitudes_column");
  std::vector<std::pair<double, double>> rows;
  for (std::size_t row = 2; std::getline(in, line); ++row) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    const auto fields = split(line, separator);
    const std::string key = "row " + std::to_string(row);
    if (fields.size() != header.size())
      throw model_error(file, key,
                        std::to_string(fields.size()) + " fields, the header has " +
                            std::to_string(header.size()));
    rows.emplace_back(number(fields[t], file, key + ", " + times_column),
                      number(fields[a], file, key + ", " + amplitudes_column));
  }
  if (rows.size() < 2) // as BMTK's CSVAmpReader
    throw model_error(file, "file",
                      "a current clamp table needs two or more rows, got " + std::to_string(rows.size()));
  return rows;
}

} // namespace myelin::io::sonata
