#pragma once
// Reads a TOML model file into a validated NetworkSpec. Every problem is a
// myelin::model_error naming the file, the key (dotted path) and the reason.
// The key-by-key reference is docs/model-file.md.
#include "spec/spec.hpp"

#include <filesystem>
#include <string>

namespace myelin::io {

spec::network read_model(const std::filesystem::path& file);

// Same, from text already in memory (file is only used in messages).
spec::network parse_model(const std::string& text, const std::string& file);

} // namespace myelin::io
