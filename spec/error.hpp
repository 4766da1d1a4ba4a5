#pragma once
// Error types. Each carries its context as fields. Exit codes are decided in
// one place per command (app/main.cpp, app/on_root.hpp): anything derived from
// bad_input (model and SONATA files, flags, checkpoints) -> 2, anything else -> 1.
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

// The user's input is wrong (a file, a flag, a checkpoint), not myelin:
// exit code 2. Every error a user can fix derives from it, so each exit-code
// site catches this one type.
struct bad_input : error {
  using error::error;
};

// Something wrong in a model file: which file, which key, why.
struct model_error : bad_input {
  std::string file, key, reason;
  model_error(std::string file_, std::string key_, std::string reason_)
      : bad_input(file_ + ": " + key_ + ": " + reason_)
      , file(std::move(file_))
      , key(std::move(key_))
      , reason(std::move(reason_)) {}
};

// A bad command-line flag or an unusable output location.
struct usage_error : bad_input {
  using bad_input::bad_input;
};

// Reading or writing a file failed (HDF5, disk full, ...).
struct io_error : error {
  std::string path;
  io_error(std::string path_, const std::string& reason)
      : error(path_ + ": " + reason)
      , path(std::move(path_)) {}
};

} // namespace myelin
