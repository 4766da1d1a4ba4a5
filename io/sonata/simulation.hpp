#pragma once
// Reads a SONATA config into a spec, as NEST's SonataNetwork runs it: a
// simulation config (run, network, inputs of type spikes, membrane reports,
// output), BMTK's combined config ({"network": ..., "simulation": ...}), or a
// bare circuit config (myelin's default run: dt 0.1 ms, 1000 ms). Values the
// files leave open are warned about on stderr; policies are in docs/sonata.md.
#include "spec/spec.hpp"

#include <filesystem>

namespace myelin::io::sonata {

spec::network read_sonata(const std::filesystem::path& file);

// A model path that names a SONATA config rather than a TOML model file.
bool is_sonata_config(const std::filesystem::path& file);

} // namespace myelin::io::sonata
