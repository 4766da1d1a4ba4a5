#pragma once
// Reads a fuzz input as a little-endian stream. Past the end it yields zeros
// and empty strings, so every input, however short, means something.
#include <cstddef>
#include <cstdint>
#include <string>

namespace myelin::fuzz {

class byte_reader {
public:
  byte_reader(const std::uint8_t* data, std::size_t size)
      : p_(data)
      , n_(size) {}

  bool empty() const { return n_ == 0; }
  std::uint8_t u8() { return n_ ? (--n_, *p_++) : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() { return u16() | (static_cast<std::uint32_t>(u16()) << 16); }
  // Up to `size` bytes (fewer at the end of the input).
  std::string bytes(std::size_t size) {
    const std::size_t k = size < n_ ? size : n_;
    std::string s(reinterpret_cast<const char*>(p_), k);
    p_ += k;
    n_ -= k;
    return s;
  }
  std::string str8() { return bytes(u8()); }

private:
  const std::uint8_t* p_;
  std::size_t n_;
};

} // namespace myelin::fuzz
