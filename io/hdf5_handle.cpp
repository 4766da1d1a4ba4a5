#include "io/hdf5_handle.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace myelin::io::h5 {

hid_t check(hid_t id, const std::string& path, const char* what) {
  if (id < 0) {
    if (std::getenv("MYELIN_HDF5_DEBUG"))
      H5Eprint2(H5E_DEFAULT, stderr);
    throw io_error(path, std::string("HDF5 could not ") + what);
  }
  return id;
}

void silence_error_stack() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

shared_file::shared_file(const std::string& path, comm::communicator& comm, mode m)
    : path_(path)
    , parallel_(comm.size() > 1)
    , rank_(comm.rank()) {
  silence_error_stack();
  fapl_ = {check(H5Pcreate(H5P_FILE_ACCESS), path, "create a property list"), H5Pclose};
  dxpl_ = {check(H5Pcreate(H5P_DATASET_XFER), path, "create a property list"), H5Pclose};
  if (parallel_) {
#ifdef H5_HAVE_PARALLEL
    if (!comm.mpi_handle())
      throw internal_error("several ranks without an MPI communicator");
    check(H5Pset_fapl_mpio(fapl_, *static_cast<const MPI_Comm*>(comm.mpi_handle()), MPI_INFO_NULL), path,
          "use the MPI-IO driver");
    check(H5Pset_dxpl_mpio(dxpl_, H5FD_MPIO_COLLECTIVE), path, "set collective transfers");
#else
    throw io_error(path, "this HDF5 is not parallel; several ranks need libhdf5-openmpi-dev");
#endif
  }
  if (m == mode::create)
    file_ = {check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl_), path, "create the file"),
             H5Fclose};
  else
    file_ = {check(H5Fopen(path.c_str(), m == mode::read ? H5F_ACC_RDONLY : H5F_ACC_RDWR, fapl_), path,
                   "open the file (missing, truncated or not HDF5?)"),
             H5Fclose};
}

void shared_file::keep_consistent_on_crash() {
  H5AC_cache_config_t config{};
  config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Fget_mdc_config(file_, &config), path_, "read the metadata cache configuration");
  // Evictions may only be disabled with automatic resizing off.
  config.incr_mode = H5C_incr__off;
  config.flash_incr_mode = H5C_flash_incr__off;
  config.decr_mode = H5C_decr__off;
  config.evictions_enabled = false;
  check(H5Fset_mdc_config(file_, &config), path_, "keep metadata until flushed");
}

void shared_file::flush() {
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), path_, "flush the file (disk full?)");
}

void shared_file::close() {
  if (file_.get() < 0)
    return;
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), path_, "flush the file");
  file_.reset();
}

// Object modification times are not recorded, so that the same run writes
// byte-identical files (promise 1 is then checked with a plain cmp).
handle create_group(hid_t parent, const std::string& name, const std::string& path) {
  handle plist(check(H5Pcreate(H5P_GROUP_CREATE), path, "create a property list"), H5Pclose);
  check(H5Pset_obj_track_times(plist, false), path, "switch off time tracking");
  return {check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, plist, H5P_DEFAULT), path,
                ("create group " + name).c_str()),
          H5Gclose};
}

handle create_extendible(hid_t parent, const std::string& name, hid_t type, int rank, hsize_t columns,
                         hsize_t chunk_rows, const std::string& path) {
  const hsize_t dims[2] = {0, columns};
  const hsize_t maxdims[2] = {H5S_UNLIMITED, columns};
  const hsize_t chunk[2] = {chunk_rows, columns > 0 ? columns : 1};
  handle space(check(H5Screate_simple(rank, dims, maxdims), path, "create a dataspace"), H5Sclose);
  handle plist(check(H5Pcreate(H5P_DATASET_CREATE), path, "create a property list"), H5Pclose);
  check(H5Pset_chunk(plist, rank, chunk), path, "set the chunk size");
  check(H5Pset_obj_track_times(plist, false), path, "switch off time tracking");
  // Parallel HDF5 allocates chunks early; a file created by one rank must do
  // the same, or a run resumed on several ranks cannot extend it.
  check(H5Pset_alloc_time(plist, H5D_ALLOC_TIME_EARLY), path, "set early allocation");
  return {check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), path,
                ("create dataset " + name).c_str()),
          H5Dclose};
}

void append_rows(const shared_file& f, hid_t dataset, hid_t type, const void* data, hsize_t rows,
                 hsize_t row_offset, hsize_t total_rows, const std::vector<column_block>& columns) {
  const std::string& path = f.path();
  if (total_rows == 0)
    return;
  handle space(check(H5Dget_space(dataset), path, "read a dataspace"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 1 || rank > 2) // dims[] below holds two
    throw io_error(path, "a dataset to extend has " + std::to_string(rank) + " dimensions, not 1 or 2");
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  const hsize_t old_rows = dims[0];
  dims[0] += total_rows;
  check(H5Dset_extent(dataset, dims), path, "extend a dataset");
  handle file_space(check(H5Dget_space(dataset), path, "read a dataspace"), H5Sclose);
  hsize_t selected = 0; // values this rank writes
  if (rank == 1) {
    const hsize_t start[1] = {old_rows + row_offset}, count[1] = {rows};
    if (rows > 0)
      check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr), path,
            "select rows");
    selected = rows;
  } else {
    bool first = true;
    for (const auto& c : columns) {
      const hsize_t start[2] = {old_rows + row_offset, c.start}, count[2] = {rows, c.width};
      if (rows == 0 || c.width == 0)
        continue;
      check(H5Sselect_hyperslab(file_space, first ? H5S_SELECT_SET : H5S_SELECT_OR, start, nullptr, count,
                                nullptr),
            path, "select columns");
      first = false;
      selected += rows * c.width;
    }
  }
  // Ranks with nothing to write still take part in the collective write.
  const hsize_t mem_dims[1] = {selected > 0 ? selected : 1};
  handle mem_space(check(H5Screate_simple(1, mem_dims, nullptr), path, "create a dataspace"), H5Sclose);
  if (selected == 0) {
    H5Sselect_none(file_space);
    H5Sselect_none(mem_space);
  }
  check(H5Dwrite(dataset, type, mem_space, file_space, f.transfer(), data), path, "write (disk full?)");
}

template <class T>
void write_fixed(const shared_file& f, hid_t parent, const std::string& name, hid_t type, const T* data,
                 hsize_t n) {
  const std::string& path = f.path();
  handle space(check(H5Screate_simple(1, &n, nullptr), path, "create a dataspace"), H5Sclose);
  handle plist(check(H5Pcreate(H5P_DATASET_CREATE), path, "create a property list"), H5Pclose);
  check(H5Pset_obj_track_times(plist, false), path, "switch off time tracking");
  handle ds(check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), path,
                  ("create dataset " + name).c_str()),
            H5Dclose);
  if (n == 0)
    return;
  handle file_space(check(H5Dget_space(ds), path, "read a dataspace"), H5Sclose);
  handle mem_space(check(H5Screate_simple(1, &n, nullptr), path, "create a dataspace"), H5Sclose);
  if (f.rank() != 0) {
    H5Sselect_none(file_space);
    H5Sselect_none(mem_space);
  }
  check(H5Dwrite(ds, type, mem_space, file_space, f.transfer(), data), path,
        ("write dataset " + name).c_str());
}
template void write_fixed<double>(const shared_file&, hid_t, const std::string&, hid_t, const double*,
                                  hsize_t);
template void write_fixed<std::uint64_t>(const shared_file&, hid_t, const std::string&, hid_t,
                                         const std::uint64_t*, hsize_t);
template void write_fixed<std::uint8_t>(const shared_file&, hid_t, const std::string&, hid_t,
                                        const std::uint8_t*, hsize_t);
template void write_fixed<std::uint32_t>(const shared_file&, hid_t, const std::string&, hid_t,
                                         const std::uint32_t*, hsize_t);

void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::string& path) {
  handle type(check(H5Tcopy(H5T_C_S1), path, "copy a type"), H5Tclose);
  check(H5Tset_size(type, value.size() > 0 ? value.size() : 1), path, "size a string type");
  handle space(check(H5Screate(H5S_SCALAR), path, "create a dataspace"), H5Sclose);
  handle attr(check(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), path,
                    ("create attribute " + name).c_str()),
              H5Aclose);
  check(H5Awrite(attr, type, value.c_str()), path, ("write attribute " + name).c_str());
}

void write_sorting_attribute(hid_t group, sorting value, const std::string& path) {
  if (H5Aexists(group, "sorting") > 0)
    check(H5Adelete(group, "sorting"), path, "replace attribute sorting");
  // A variable-length UTF-8 string, as the SONATA reference toolkit (BMTK)
  // writes it and reads it back ("none", "by_id", "by_time"); h5py returns it
  // as str. (A fixed-length string reads as bytes, an enum as a number:
  // BMTK calls both "unknown".)
  const char* names[] = {"none", "by_id", "by_time"};
  const char* text = names[static_cast<int>(value)];
  handle type(check(H5Tcopy(H5T_C_S1), path, "copy a type"), H5Tclose);
  check(H5Tset_size(type, H5T_VARIABLE), path, "size a string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), path, "set a string's character set");
  handle space(check(H5Screate(H5S_SCALAR), path, "create a dataspace"), H5Sclose);
  handle attr(check(H5Acreate2(group, "sorting", type, space, H5P_DEFAULT, H5P_DEFAULT), path,
                    "create attribute sorting"),
              H5Aclose);
  check(H5Awrite(attr, type, &text), path, "write attribute sorting");
}

} // namespace myelin::io::h5

namespace myelin::io::h5 {

handle create_table(hid_t parent, const std::string& name, hid_t type, hsize_t rows, hsize_t width,
                    const std::string& path) {
  const hsize_t dims[2] = {rows, width};
  handle space(check(H5Screate_simple(2, dims, nullptr), path, "create a dataspace"), H5Sclose);
  handle plist(check(H5Pcreate(H5P_DATASET_CREATE), path, "create a property list"), H5Pclose);
  check(H5Pset_obj_track_times(plist, false), path, "switch off time tracking");
  return {check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), path,
                ("create dataset " + name).c_str()),
          H5Dclose};
}

namespace {
// Selects the runs' rows (all columns); returns the number of values selected.
hsize_t select_runs(hid_t space, const std::vector<row_run>& runs, const std::string& path) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 1 || rank > 2) // a 3-D dataset would overrun dims[]
    throw io_error(path, "a dataset of " + std::to_string(rank) + " dimensions where rows of 1 or 2 belong");
  hsize_t dims[2] = {0, 1};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  H5Sselect_none(space);
  hsize_t values = 0;
  for (const auto& r : runs) {
    if (r.count == 0)
      continue;
    const hsize_t start[2] = {r.first, 0}, stride[2] = {r.stride, 1}, count[2] = {r.count, 1},
                  block[2] = {1, dims[1]};
    check(H5Sselect_hyperslab(space, H5S_SELECT_OR, start, stride, count, block), path, "select rows");
    values += r.count * dims[1];
  }
  return values;
}

void transfer_rows(const shared_file& f, hid_t dataset, hid_t type, void* data,
                   const std::vector<row_run>& runs, bool write) {
  const std::string& path = f.path();
  handle file_space(check(H5Dget_space(dataset), path, "read a dataspace"), H5Sclose);
  const hsize_t values = select_runs(file_space, runs, path);
  const hsize_t mem_dims[1] = {values > 0 ? values : 1};
  handle mem_space(check(H5Screate_simple(1, mem_dims, nullptr), path, "create a dataspace"), H5Sclose);
  if (values == 0)
    H5Sselect_none(mem_space);
  if (write)
    check(H5Dwrite(dataset, type, mem_space, file_space, f.transfer(), data), path,
          "write rows (disk full?)");
  else
    check(H5Dread(dataset, type, mem_space, file_space, f.transfer(), data), path,
          "read rows (file damaged?)");
}
} // namespace

void write_rows(const shared_file& f, hid_t dataset, hid_t type, const void* data,
                const std::vector<row_run>& runs) {
  transfer_rows(f, dataset, type, const_cast<void*>(data), runs, true);
}

void read_rows(const shared_file& f, hid_t dataset, hid_t type, void* data, const std::vector<row_run>& runs,
               hsize_t columns) {
  handle space(check(H5Dget_space(dataset), f.path(), "read a dataspace"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {0, 1};
  if (rank >= 1 && rank <= 2)
    H5Sget_simple_extent_dims(space, dims, nullptr);
  if (rank < 1 || rank > 2 || dims[1] != columns) // found by fuzz/fuzz_checkpoint
    throw io_error(f.path(),
                   "a dataset of the wrong shape: rows of " + std::to_string(columns) + " value(s) expected");
  transfer_rows(f, dataset, type, data, runs, false);
}

std::vector<hsize_t> dataset_dims(hid_t parent, const std::string& name, const std::string& path) {
  if (!has_link(parent, name))
    throw io_error(path, "missing dataset " + name);
  handle ds(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), path, ("open dataset " + name).c_str()),
            H5Dclose);
  handle space(check(H5Dget_space(ds), path, "read a dataspace"), H5Sclose);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(0, H5Sget_simple_extent_ndims(space))));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

void write_u64_attribute(hid_t object, const std::string& name, const std::vector<std::uint64_t>& values,
                         const std::string& path) {
  const hsize_t n = values.size();
  handle space(check(n ? H5Screate_simple(1, &n, nullptr) : H5Screate(H5S_NULL), path, "create a dataspace"),
               H5Sclose);
  handle attr(check(H5Acreate2(object, name.c_str(), H5T_NATIVE_UINT64, space, H5P_DEFAULT, H5P_DEFAULT),
                    path, ("create attribute " + name).c_str()),
              H5Aclose);
  if (n)
    check(H5Awrite(attr, H5T_NATIVE_UINT64, values.data()), path, ("write attribute " + name).c_str());
}

void write_f64_attribute(hid_t object, const std::string& name, double value, const std::string& path) {
  handle space(check(H5Screate(H5S_SCALAR), path, "create a dataspace"), H5Sclose);
  handle attr(check(H5Acreate2(object, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT),
                    path, ("create attribute " + name).c_str()),
              H5Aclose);
  check(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), path, ("write attribute " + name).c_str());
}

bool has_attribute(hid_t object, const std::string& name) {
  return H5Aexists(object, name.c_str()) > 0;
}

bool has_link(hid_t parent, const std::string& path_in_file) {
  // Each component must exist before the next may be asked about.
  std::string prefix;
  std::size_t at = 0;
  while (at <= path_in_file.size()) {
    const std::size_t next = path_in_file.find('/', at);
    prefix = path_in_file.substr(0, next == std::string::npos ? path_in_file.size() : next);
    if (!prefix.empty() && H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0)
      return false;
    if (next == std::string::npos)
      break;
    at = next + 1;
  }
  return true;
}

namespace {
// A scalar or one-element attribute: reading more values into one would
// write past the buffer (found by fuzz/fuzz_checkpoint).
void require_one_value(hid_t attr, const std::string& name, const std::string& path) {
  handle space(check(H5Aget_space(attr), path, "read a dataspace"), H5Sclose);
  if (H5Sget_simple_extent_npoints(space) != 1)
    throw io_error(path, "attribute " + name + " should hold one value");
}
} // namespace

std::vector<std::uint64_t> read_u64_attribute(hid_t object, const std::string& name,
                                              const std::string& path) {
  if (!has_attribute(object, name))
    throw io_error(path, "missing attribute " + name);
  handle attr(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), path, ("open attribute " + name).c_str()),
              H5Aclose);
  handle space(check(H5Aget_space(attr), path, "read a dataspace"), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<std::uint64_t> out(static_cast<std::size_t>(std::max<hssize_t>(0, n)));
  if (!out.empty())
    check(H5Aread(attr, H5T_NATIVE_UINT64, out.data()), path, ("read attribute " + name).c_str());
  return out;
}

double read_f64_attribute(hid_t object, const std::string& name, const std::string& path) {
  if (!has_attribute(object, name))
    throw io_error(path, "missing attribute " + name);
  handle attr(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), path, ("open attribute " + name).c_str()),
              H5Aclose);
  require_one_value(attr, name, path);
  double v = 0;
  check(H5Aread(attr, H5T_NATIVE_DOUBLE, &v), path, ("read attribute " + name).c_str());
  return v;
}

std::string read_string_attribute(hid_t object, const std::string& name, const std::string& path) {
  if (!has_attribute(object, name))
    throw io_error(path, "missing attribute " + name);
  handle attr(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), path, ("open attribute " + name).c_str()),
              H5Aclose);
  handle type(check(H5Aget_type(attr), path, "read an attribute type"), H5Tclose);
  if (H5Tget_class(type) != H5T_STRING)
    throw io_error(path, "attribute " + name + " is not a string");
  require_one_value(attr, name, path);
  if (H5Tis_variable_str(type) > 0) { // h5py writes these; HDF5 allocates, we free
    handle mem(check(H5Tcopy(H5T_C_S1), path, "copy a type"), H5Tclose);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    char* text = nullptr;
    check(H5Aread(attr, mem, &text), path, ("read attribute " + name).c_str());
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type) + 1, '\0'); // a fixed-length string need not end in a null
  check(H5Aread(attr, type, value.data()), path, ("read attribute " + name).c_str());
  value.resize(std::strlen(value.c_str()));
  return value;
}

} // namespace myelin::io::h5
