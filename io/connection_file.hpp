#pragma once
// `myelin check --connections FILE`: the synapses of the network as built
// on one rank, static and plastic, one row per synapse sorted by (target,
// source, delay, weight): /connections/{source, target} (gids), weight (a
// static one as stored, float32 widened; a plastic one's initial weight in
// double precision), delay (ms), and /populations/{first_gid, size} with the output
// population names in the attribute "names" (comma-separated). What NEST's
// GetConnections shows, for comparing a loaded circuit with its files.
#include "engine/built_network.hpp"
#include "spec/spec.hpp"

#include <string>

namespace myelin::io {

// From the built network, before any backend owns it.
void write_connection_file(const std::string& path, const spec::network& net, const built_network& built);

} // namespace myelin::io
