#include "io/sonata/h5_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace myelin::io::sonata {

namespace {
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}
} // namespace

h5_reader::h5_reader(const std::string& path)
    : path_(path) {
  h5::silence_error_stack();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw model_error(path, "file", "no such file");
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0)
    throw model_error(path, "file", "not an HDF5 file (or not readable)");
  file_ = {id, H5Fclose};
}

void h5_reader::fail(const std::string& object, const std::string& reason) const {
  throw model_error(path_, object, reason);
}

bool h5_reader::has(const std::string& object) const {
  return h5::has_link(file_, object);
}

std::vector<std::string> h5_reader::members(const std::string& group) const {
  if (!has(group))
    fail(group, "no such group");
  h5::handle g(H5Gopen2(file_, group.c_str(), H5P_DEFAULT), H5Gclose);
  if (g.get() < 0)
    fail(group, "not a group");
  std::vector<std::string> names;
  H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names);
  return names;
}

h5::handle h5_reader::open_dataset(const std::string& dataset, int rank, hsize_t width, bool integer) const {
  if (!has(dataset))
    fail(dataset, "missing");
  h5::handle d(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (d.get() < 0)
    fail(dataset, "not a dataset");
  h5::handle type(H5Dget_type(d), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && (integer || cls != H5T_FLOAT))
    fail(dataset, integer ? "must hold integers" : "must hold numbers");
  h5::handle space(H5Dget_space(d), H5Sclose);
  const int found = H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {0, 0};
  if (found >= 1 && found <= 2) // more would overrun dims[]
    H5Sget_simple_extent_dims(space, dims, nullptr);
  if (found != rank || (rank == 2 && dims[1] != width))
    fail(dataset,
         "wrong shape: expected " +
             (rank == 1 ? std::string("a 1-D dataset") : "[n][" + std::to_string(width) + "]") + ", found " +
             std::to_string(found) + " dimensions" +
             (found == 2 ? " [" + std::to_string(dims[0]) + "][" + std::to_string(dims[1]) + "]" : ""));
  return d;
}

std::uint64_t h5_reader::length(const std::string& dataset) const {
  auto d = open_dataset(dataset, 1, 1, false);
  h5::handle space(H5Dget_space(d), H5Sclose);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  return n;
}

std::uint64_t h5_reader::pair_rows(const std::string& dataset) const {
  auto d = open_dataset(dataset, 2, 2, true);
  h5::handle space(H5Dget_space(d), H5Sclose);
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  return dims[0];
}

void h5_reader::read(const std::string& dataset, int rank, hsize_t width, bool integer, hid_t memtype,
                     void* out, const std::vector<row_range>* rows, std::uint64_t& n_rows) const {
  auto d = open_dataset(dataset, rank, width, integer);
  h5::handle space(H5Dget_space(d), H5Sclose);
  hsize_t dims[2] = {0, width};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  if (!rows) {
    n_rows = dims[0];
    if (out && n_rows > 0 && H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
      fail(dataset, "cannot be read (or a value does not fit 64 bits)");
    return;
  }
  n_rows = 0;
  H5Sselect_none(space);
  for (const auto& r : *rows) {
    if (r.count == 0)
      continue;
    if (r.first + r.count > dims[0])
      fail(dataset, "rows " + std::to_string(r.first) + ".." + std::to_string(r.first + r.count) +
                        " requested from a dataset of " + std::to_string(dims[0]));
    const hsize_t start[2] = {r.first, 0}, count[2] = {r.count, width};
    H5Sselect_hyperslab(space, H5S_SELECT_OR, start, nullptr, count, nullptr);
    n_rows += r.count;
  }
  if (!out || n_rows == 0)
    return;
  const hsize_t mem_dims[2] = {n_rows, width};
  h5::handle mem(H5Screate_simple(rank, mem_dims, nullptr), H5Sclose);
  if (H5Dread(d, memtype, mem, space, H5P_DEFAULT, out) < 0)
    fail(dataset, "cannot be read (or a value does not fit 64 bits)");
}

namespace {
std::uint64_t total(const std::vector<row_range>& rows) {
  std::uint64_t n = 0;
  for (const auto& r : rows)
    n += r.count;
  return n;
}
} // namespace

bool h5_reader::holds_floats(const std::string& dataset) const {
  auto d = open_dataset(dataset, 1, 1, false);
  h5::handle type(H5Dget_type(d), H5Tclose);
  return H5Tget_class(type) == H5T_FLOAT;
}

std::vector<std::int64_t> h5_reader::whole_numbers(const std::string& dataset,
                                                   const std::vector<double>& v) const {
  // Some writers store ids as floats; they are accepted when they are whole.
  std::vector<std::int64_t> out(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (!(std::fabs(v[k]) < 9.0e15) || v[k] != std::floor(v[k]))
      fail(dataset, "must hold integers; row " + std::to_string(k) + " holds " + std::to_string(v[k]));
    out[k] = static_cast<std::int64_t>(v[k]);
  }
  return out;
}

std::vector<std::int64_t> h5_reader::integers(const std::string& dataset) const {
  if (holds_floats(dataset))
    return whole_numbers(dataset, numbers(dataset));
  std::vector<std::int64_t> v(length(dataset));
  std::uint64_t n = 0;
  read(dataset, 1, 1, true, H5T_NATIVE_INT64, v.data(), nullptr, n);
  return v;
}

std::vector<std::int64_t> h5_reader::integers(const std::string& dataset,
                                              const std::vector<row_range>& rows) const {
  if (holds_floats(dataset))
    return whole_numbers(dataset, numbers(dataset, rows));
  std::vector<std::int64_t> v(total(rows));
  std::uint64_t n = 0;
  read(dataset, 1, 1, true, H5T_NATIVE_INT64, v.data(), &rows, n);
  return v;
}

std::vector<double> h5_reader::numbers(const std::string& dataset) const {
  std::vector<double> v(length(dataset));
  std::uint64_t n = 0;
  read(dataset, 1, 1, false, H5T_NATIVE_DOUBLE, v.data(), nullptr, n);
  return v;
}

std::vector<double> h5_reader::numbers(const std::string& dataset, const std::vector<row_range>& rows) const {
  std::vector<double> v(total(rows));
  std::uint64_t n = 0;
  read(dataset, 1, 1, false, H5T_NATIVE_DOUBLE, v.data(), &rows, n);
  return v;
}

std::vector<std::int64_t> h5_reader::pairs(const std::string& dataset) const {
  std::uint64_t n = 0;
  read(dataset, 2, 2, true, H5T_NATIVE_INT64, nullptr, nullptr, n);
  std::vector<std::int64_t> v(2 * n);
  read(dataset, 2, 2, true, H5T_NATIVE_INT64, v.data(), nullptr, n);
  return v;
}

std::vector<std::int64_t> h5_reader::pairs(const std::string& dataset,
                                           const std::vector<row_range>& rows) const {
  std::vector<std::int64_t> v(2 * total(rows));
  std::uint64_t n = 0;
  read(dataset, 2, 2, true, H5T_NATIVE_INT64, v.data(), &rows, n);
  return v;
}

std::string h5_reader::string_attribute(const std::string& object, const std::string& name) const {
  if (!has(object))
    return {};
  h5::handle o(H5Oopen(file_, object.c_str(), H5P_DEFAULT), H5Oclose);
  if (o.get() < 0 || !h5::has_attribute(o, name))
    return {};
  // h5py writes variable-length strings, other writers fixed-length ones;
  // an array of strings or a number is refused, naming the attribute.
  try {
    return h5::read_string_attribute(o, name, path_);
  } catch (const io_error& e) {
    fail(object + "@" + name, "must be one string: " + std::string(e.what()).substr(e.path.size() + 2));
  }
}

std::vector<row_range> runs_of(const std::vector<std::uint64_t>& sorted_rows) {
  std::vector<row_range> runs;
  for (std::uint64_t r : sorted_rows) {
    if (!runs.empty() && runs.back().first + runs.back().count == r)
      ++runs.back().count;
    else if (runs.empty() || r >= runs.back().first + runs.back().count)
      runs.push_back({r, 1});
  }
  return runs;
}

} // namespace myelin::io::sonata
