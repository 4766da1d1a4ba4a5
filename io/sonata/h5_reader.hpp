#pragma once
// Read-only access to a SONATA HDF5 file (nodes, edges, spikes), opened by
// one rank on its own: ranks read the parts they need independently. Every
// dataset is checked for rank and type before it is read, and any integer
// width or float type is accepted, since real files differ in both (ids
// stored as whole floats included). Errors are
// model_error(file, dataset, reason): bad input, exit code 2.
#include "io/hdf5_handle.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace myelin::io::sonata {

// Rows [first, first + count) of a 1-D dataset.
struct row_range {
  std::uint64_t first = 0, count = 0;
};

class h5_reader {
public:
  explicit h5_reader(const std::string& path);

  const std::string& path() const { return path_; }
  bool has(const std::string& object) const;
  std::vector<std::string> members(const std::string& group) const; // sorted by name
  // Length of a 1-D dataset (error if missing or not 1-D).
  std::uint64_t length(const std::string& dataset) const;
  // Whole 1-D dataset, or the given rows (ascending, disjoint), as one vector.
  std::vector<std::int64_t> integers(const std::string& dataset) const;
  std::vector<std::int64_t> integers(const std::string& dataset, const std::vector<row_range>& rows) const;
  std::vector<double> numbers(const std::string& dataset) const;
  std::vector<double> numbers(const std::string& dataset, const std::vector<row_range>& rows) const;
  // Rows of a [n][2] integer dataset (error if missing or of another shape).
  std::uint64_t pair_rows(const std::string& dataset) const;
  // A [n][2] integer dataset, row-major (the index datasets).
  std::vector<std::int64_t> pairs(const std::string& dataset) const;
  std::vector<std::int64_t> pairs(const std::string& dataset, const std::vector<row_range>& rows) const;
  // A string attribute of an object ("" when absent).
  std::string string_attribute(const std::string& object, const std::string& name) const;

  [[noreturn]] void fail(const std::string& object, const std::string& reason) const;

private:
  bool holds_floats(const std::string& dataset) const;
  std::vector<std::int64_t> whole_numbers(const std::string& dataset, const std::vector<double>& v) const;
  h5::handle open_dataset(const std::string& dataset, int rank, hsize_t width, bool integer) const;
  void read(const std::string& dataset, int rank, hsize_t width, bool integer, hid_t memtype, void* out,
            const std::vector<row_range>* rows, std::uint64_t& n_rows) const;

  std::string path_;
  h5::handle file_;
};

// Rows ascending and merged: the runs a sorted list of row numbers makes.
std::vector<row_range> runs_of(const std::vector<std::uint64_t>& sorted_rows);

} // namespace myelin::io::sonata
