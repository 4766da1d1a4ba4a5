#pragma once
// The network spec as bytes (Boost.Serialization): what rank 0 broadcasts to
// the other ranks and what a checkpoint embeds, so neither re-reads model files.
#include "spec/spec.hpp"

#include <string>

namespace myelin::io {

// A binary archive: every double round-trips bit for bit, infinities included
// (text archives cannot read "inf" back). Binary archives assume the same
// type sizes and byte order on writer and reader: true of every LP64
// little-endian machine a cluster runs (x86-64, aarch64).
std::string save_spec(const spec::network& net);
// Throws myelin::error when the bytes are not a spec archive of this format.
spec::network load_spec(const std::string& bytes);

} // namespace myelin::io
