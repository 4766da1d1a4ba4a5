// The model-file reader, then what `check` and `run` do with an accepted
// file: partition, build and a few hundred steps of a small network.
// Seeds: examples/, tests/data/, tests/data/bad/.
#include "fuzz/small_network.hpp"
#include "io/model_file.hpp"
#include "spec/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto net = myelin::io::parse_model(text, "fuzz.toml");
    myelin::fuzz::build_and_step(net);
  } catch (const myelin::error&) {
    // bad input, reported with file, key and reason: what we want
  }
  return 0;
}
