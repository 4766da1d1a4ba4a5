#include "app/output_dir.hpp"

#include "spec/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace myelin::cli {

void prepare_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw usage_error("output directory '" + dir.string() + "' cannot be created: " + ec.message());
  if (!std::filesystem::is_directory(dir, ec))
    throw usage_error("output directory '" + dir.string() + "' is not a directory");
  const auto probe = dir / ".myelin-write-test";
  {
    std::ofstream f(probe);
    if (!f || !(f << "x") || !f.flush())
      throw usage_error("output directory '" + dir.string() + "' cannot be written: " + std::strerror(errno));
  }
  std::filesystem::remove(probe, ec);
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!(f << text) || !f.flush())
      throw io_error(tmp, std::string("cannot be written: ") + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    throw io_error(path.string(), "cannot be renamed into place: " + ec.message());
}

} // namespace myelin::cli
