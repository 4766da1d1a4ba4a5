#include "io/hdf5_handle.hpp"

namespace myelin::io::h5 {

hid_t check(hid_t id, const std::string& path, const char* what) {
  if (id < 0)
    throw io_error(path, std::string("HDF5 could not ") + what);
  return id;
}

void silence_error_stack() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

handle create_file(const std::string& path) {
  silence_error_stack();
  return {check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path, "create the file"),
          H5Fclose};
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
  return {check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), path,
                ("create dataset " + name).c_str()),
          H5Dclose};
}

void append(hid_t dataset, hid_t type, const void* data, hsize_t rows, hsize_t columns,
            const std::string& path) {
  if (rows == 0)
    return;
  handle space(check(H5Dget_space(dataset), path, "read a dataspace"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {0, columns};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  const hsize_t old_rows = dims[0];
  dims[0] += rows;
  check(H5Dset_extent(dataset, dims), path, "extend a dataset");
  handle file_space(check(H5Dget_space(dataset), path, "read a dataspace"), H5Sclose);
  const hsize_t start[2] = {old_rows, 0};
  const hsize_t count[2] = {rows, columns};
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr), path, "select rows");
  handle mem_space(check(H5Screate_simple(rank, count, nullptr), path, "create a dataspace"), H5Sclose);
  check(H5Dwrite(dataset, type, mem_space, file_space, H5P_DEFAULT, data), path, "write (disk full?)");
}

template <class T>
void write_fixed(hid_t parent, const std::string& name, hid_t type, const T* data, hsize_t n,
                 const std::string& path) {
  handle space(check(H5Screate_simple(1, &n, nullptr), path, "create a dataspace"), H5Sclose);
  handle plist(check(H5Pcreate(H5P_DATASET_CREATE), path, "create a property list"), H5Pclose);
  check(H5Pset_obj_track_times(plist, false), path, "switch off time tracking");
  handle ds(check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), path,
                  ("create dataset " + name).c_str()),
            H5Dclose);
  if (n > 0)
    check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path, ("write dataset " + name).c_str());
}
template void write_fixed<double>(hid_t, const std::string&, hid_t, const double*, hsize_t,
                                  const std::string&);
template void write_fixed<std::uint64_t>(hid_t, const std::string&, hid_t, const std::uint64_t*, hsize_t,
                                         const std::string&);
template void write_fixed<std::uint32_t>(hid_t, const std::string&, hid_t, const std::uint32_t*, hsize_t,
                                         const std::string&);

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

void write_sorting_attribute(hid_t group, std::uint8_t value, const std::string& path) {
  // SONATA: enum over uint8 {none = 0, by_id = 1, by_time = 2}, as libsonata writes it.
  handle type(check(H5Tenum_create(H5T_NATIVE_UINT8), path, "create an enum type"), H5Tclose);
  const char* names[] = {"none", "by_id", "by_time"};
  for (std::uint8_t v = 0; v < 3; ++v)
    check(H5Tenum_insert(type, names[v], &v), path, "define the sorting enum");
  handle space(check(H5Screate(H5S_SCALAR), path, "create a dataspace"), H5Sclose);
  handle attr(check(H5Acreate2(group, "sorting", type, space, H5P_DEFAULT, H5P_DEFAULT), path,
                    "create attribute sorting"),
              H5Aclose);
  check(H5Awrite(attr, type, &value), path, "write attribute sorting");
}

} // namespace myelin::io::h5
