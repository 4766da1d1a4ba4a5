#pragma once
// Fuzzed bytes -> a directory of files (configs, CSV tables, HDF5 files), for
// readers that follow paths from one file to the next:
//
//   tree := count:u8 file{count}
//   file := path:str8 kind:u8 body
//   body := (kind 0) length:u32 bytes   -- text, as it is
//         | (kind 1) h5file             -- fuzz/h5_from_bytes.hpp
//
// Paths are relative and stay inside the directory ("..", absolute paths and
// empty names are skipped). fuzz/make_seeds.py writes real circuits this way.
#include "fuzz/byte_reader.hpp"

#include <filesystem>
#include <optional>

namespace myelin::fuzz {

// Empties `dir`, writes the tree into it; the first file's path, if any.
std::optional<std::filesystem::path> write_file_tree(const std::filesystem::path& dir, byte_reader& in);

} // namespace myelin::fuzz
