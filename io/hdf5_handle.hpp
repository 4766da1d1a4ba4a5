#pragma once
// Small RAII layer over the HDF5 C API: every handle closes itself and every
// failing call becomes an io_error naming the file and the operation.
#include "engine/error.hpp"

#include <hdf5.h>
#include <string>
#include <utility>

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

handle create_file(const std::string& path);
handle create_group(hid_t parent, const std::string& name, const std::string& path);
// 1-D or 2-D dataset, unlimited along the first dimension.
handle create_extendible(hid_t parent, const std::string& name, hid_t type, int rank, hsize_t columns,
                         hsize_t chunk_rows, const std::string& path);
// Appends rows (row-major, `columns` values each) at the end of the first dimension.
void append(hid_t dataset, hid_t type, const void* data, hsize_t rows, hsize_t columns,
            const std::string& path);
template <class T>
void write_fixed(hid_t parent, const std::string& name, hid_t type, const T* data, hsize_t n,
                 const std::string& path);
void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::string& path);
void write_sorting_attribute(hid_t group, std::uint8_t value, const std::string& path);
void silence_error_stack();

} // namespace myelin::io::h5
