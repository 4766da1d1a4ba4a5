// The spec archive loader (what a checkpoint embeds and rank 0 broadcasts),
// then what is done with a loaded spec: its digest and a second round trip.
// Seeds: archives of the example models (fuzz/make_seeds.py).
#include "io/checkpoint.hpp"
#include "io/spec_archive.hpp"
#include "spec/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto net = myelin::io::load_spec(std::string(reinterpret_cast<const char*>(data), size));
    myelin::io::model_digest(net);
    const auto again = myelin::io::save_spec(net);
    if (myelin::io::save_spec(myelin::io::load_spec(again)) != again)
      std::abort(); // a loaded spec must round-trip exactly
  } catch (const myelin::error&) {
  }
  return 0;
}
