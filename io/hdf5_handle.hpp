#pragma once
// Small RAII layer over the HDF5 C API: every handle closes itself and every
// failing call becomes an io_error naming the file and the operation.
#include "engine/comm/communicator.hpp"
#include "spec/error.hpp"

#include <cstdint>
#include <hdf5.h>
#include <string>
#include <utility>
#include <vector>

namespace myelin::io::h5 {

class handle {
public:
  handle() = default;
  handle(hid_t id, herr_t (*close)(hid_t))
      : id_(id)
      , close_(close) {}
  handle(handle&& o) noexcept
      : id_(std::exchange(o.id_, -1))
      , close_(o.close_) {}
  handle& operator=(handle&& o) noexcept {
    reset();
    id_ = std::exchange(o.id_, -1);
    close_ = o.close_;
    return *this;
  }
  ~handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_)
      close_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }

private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

// Throws io_error(path, what) when id or status is negative.
hid_t check(hid_t id, const std::string& path, const char* what);
void silence_error_stack();

// A file shared by all ranks of a communicator: opened with the MPI-IO driver
// and written collectively when there are several ranks, plainly otherwise.
// Every call below is collective: all ranks make it, in the same order.
class shared_file {
public:
  enum class mode { create, read, update };
  shared_file(const std::string& path, comm::communicator& comm, mode m = mode::create);
  hid_t id() const { return file_; }
  hid_t transfer() const { return dxpl_; } // collective transfer properties
  bool parallel() const { return parallel_; }
  int rank() const { return rank_; }
  const std::string& path() const { return path_; }
  // Output files that must survive a crash: metadata reaches the disk only at
  // flush(), so the file on disk is always as it was at the last flush (data
  // written since then lies beyond it, unreferenced).
  void keep_consistent_on_crash();
  void flush(); // collective: everything written so far reaches the disk
  void close(); // flushes; further use is an error

private:
  std::string path_;
  bool parallel_ = false;
  int rank_ = 0;
  handle fapl_, dxpl_, file_;
};

handle create_group(hid_t parent, const std::string& name, const std::string& path);
// 1-D or 2-D dataset, unlimited along the first dimension.
handle create_extendible(hid_t parent, const std::string& name, hid_t type, int rank, hsize_t columns,
                         hsize_t chunk_rows, const std::string& path);

// Grows the dataset by total_rows and writes this rank's `rows` rows at
// row_offset within the new part; for 2-D data only the given column blocks
// (ascending), held row-major in `data`.
struct column_block {
  hsize_t start, width;
};
void append_rows(const shared_file& f, hid_t dataset, hid_t type, const void* data, hsize_t rows,
                 hsize_t row_offset, hsize_t total_rows, const std::vector<column_block>& columns);

// A small dataset written whole by rank 0.
template <class T>
void write_fixed(const shared_file& f, hid_t parent, const std::string& name, hid_t type, const T* data,
                 hsize_t n);

void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::string& path);
// Rows first + k * stride (k < count) of a 2-D dataset [rows][width]: how a
// rank's neurons of one population lie in a gid-indexed dataset.
struct row_run {
  hsize_t first, stride, count;
};
// A fixed-size 2-D dataset [rows][width] (width 1 for per-neuron values).
handle create_table(hid_t parent, const std::string& name, hid_t type, hsize_t rows, hsize_t width,
                    const std::string& path);
// Collective: this rank's rows, in ascending order, held row-major in data.
void write_rows(const shared_file& f, hid_t dataset, hid_t type, const void* data,
                const std::vector<row_run>& runs);
// Reads the runs' rows into data, which holds `columns` values per row: a
// dataset of another width is an io_error, never a read past data's end.
void read_rows(const shared_file& f, hid_t dataset, hid_t type, void* data, const std::vector<row_run>& runs,
               hsize_t columns);
// Dimensions of a dataset (throws io_error when it is missing).
std::vector<hsize_t> dataset_dims(hid_t parent, const std::string& name, const std::string& path);

void write_u64_attribute(hid_t object, const std::string& name, const std::vector<std::uint64_t>& values,
                         const std::string& path);
void write_f64_attribute(hid_t object, const std::string& name, double value, const std::string& path);
std::vector<std::uint64_t> read_u64_attribute(hid_t object, const std::string& name, const std::string& path);
double read_f64_attribute(hid_t object, const std::string& name, const std::string& path);
std::string read_string_attribute(hid_t object, const std::string& name, const std::string& path);
bool has_attribute(hid_t object, const std::string& name);
bool has_link(hid_t parent, const std::string& path_in_file);

// SONATA's spike sort order, group attribute `sorting`. Replaces an existing
// value (resumed files may change from one rank to several).
enum class sorting { none = 0, by_id = 1, by_time = 2 };
void write_sorting_attribute(hid_t group, sorting value, const std::string& path);

} // namespace myelin::io::h5
