#pragma once
// Order-free dataset checksums for checkpoints: the sum over elements of a
// hash of (element index, bits), so no rank needs to know who wrote what.
#include <cstdint>
#include <cstring>

namespace myelin::io {

inline std::uint64_t mix(std::uint64_t x) { // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

template <class T>
std::uint64_t element_hash(std::uint64_t index, T value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof value);
  return mix(index * 0x632be59bd9b4e019ull ^ bits);
}

} // namespace myelin::io
