#include "fuzz/file_tree.hpp"

#include "fuzz/h5_from_bytes.hpp"

#include <fstream>

namespace myelin::fuzz {
namespace {

bool safe(const std::filesystem::path& p) {
  if (p.empty() || p.is_absolute())
    return false;
  for (const auto& part : p)
    if (part == ".." || part == "." || part.empty())
      return false;
  return true;
}

} // namespace

std::optional<std::filesystem::path> write_file_tree(const std::filesystem::path& dir, byte_reader& in) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  std::optional<std::filesystem::path> first;
  const int count = in.u8();
  for (int i = 0; i < count && !in.empty(); ++i) {
    const std::string name = in.str8();
    const int kind = in.u8() % 2;
    const std::filesystem::path relative(name);
    const bool ok = name.find('\0') == std::string::npos && safe(relative);
    const auto path = dir / relative;
    if (ok)
      std::filesystem::create_directories(path.parent_path(), ec);
    if (kind == 0) {
      const std::string text = in.bytes(in.u32() % (1u << 20));
      if (ok && !ec)
        std::ofstream(path, std::ios::binary) << text;
    } else if (ok && !ec) {
      write_h5_from_bytes(path.string(), in);
    } else {
      const std::string skipped = dir.string() + "/.skipped.h5"; // consume the entry all the same
      write_h5_from_bytes(skipped, in);
    }
    if (ok && !ec && !first)
      first = path;
  }
  return first;
}

} // namespace myelin::fuzz
