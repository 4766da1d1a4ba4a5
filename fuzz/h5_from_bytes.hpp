#pragma once
// Fuzzed bytes -> a well-formed HDF5 file whose datasets, attributes, types,
// shapes and values all come from the bytes (fuzz/make_seeds.py turns real
// files into this form). Never raw HDF5 bytes: those would fuzz the HDF5
// library's parser, not myelin's readers.
//
//   file    := count:u16 entry{count}
//   entry   := kind:u8 (0 dataset, 1 attribute) path:str8 [name:str8 if attribute]
//              type:u8 [size:u8 if fixed string] rank:u8 dims:u16{rank} values
//   type    := 0 i8, 1 u8, 2 i16, 3 u16, 4 i32, 5 u32, 6 i64, 7 u64, 8 f32, 9 f64,
//              10 variable-length UTF-8 string, 11 fixed-length string
//   values  := little-endian numbers (zeros past the input's end), or str8 each
//   str8    := length:u8 bytes
// Groups on a path are created as needed; an attribute's object is a group
// unless a dataset of that path exists. Entries that HDF5 refuses (a name
// taken twice, say) are skipped.
#include "fuzz/byte_reader.hpp"

#include <string>

namespace myelin::fuzz {

void write_h5_from_bytes(const std::string& path, byte_reader& in);

} // namespace myelin::fuzz
