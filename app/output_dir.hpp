#pragma once
#include <filesystem>

namespace myelin::cli {

// Creates the directory if needed and proves it writable, before any work is
// done; throws usage_error naming the directory and the reason.
void prepare_output_dir(const std::filesystem::path& dir);

// Writes a file atomically: a temporary name, then rename over the target.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

} // namespace myelin::cli
