#pragma once
// The check every bad-input test makes: the model file text is refused with
// a model_error that names the file, the key and the reason.
#include "io/model_file.hpp"
#include "spec/error.hpp"

#include <gtest/gtest.h>
#include <string>

namespace myelin::test {

inline void expect_model_error(const std::string& text, const std::string& key, const std::string& reason) {
  try {
    io::parse_model(text, "bad.toml");
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const model_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad.toml"), std::string::npos) << what;
    EXPECT_NE(what.find(key), std::string::npos) << "key " << key << ": " << what;
    EXPECT_NE(what.find(reason), std::string::npos) << "reason " << reason << ": " << what;
  }
}

} // namespace myelin::test
