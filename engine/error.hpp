#pragma once
// Error types. Each carries its context as fields; main() maps them to exit
// codes: bad input (model file, flags) -> 2, anything else -> 1.
#include <stdexcept>
#include <string>

namespace myelin {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A bug in myelin, never the user's fault.
struct internal_error : std::logic_error {
  using std::logic_error::logic_error;
};

// Something wrong in a model file: which file, which key, why.
struct model_error : error {
  std::string file, key, reason;
  model_error(std::string file_, std::string key_, std::string reason_)
      : error(file_ + ": " + key_ + ": " + reason_)
      , file(std::move(file_))
      , key(std::move(key_))
      , reason(std::move(reason_)) {}
};

// A bad command-line flag or an unusable output location.
struct usage_error : error {
  using error::error;
};

// Reading or writing a file failed (HDF5, disk full, ...).
struct io_error : error {
  std::string path;
  io_error(std::string path_, const std::string& reason)
      : error(path_ + ": " + reason)
      , path(std::move(path_)) {}
};

} // namespace myelin
