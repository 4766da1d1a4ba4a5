#pragma once
// The plastic part of a checkpoint, gid-indexed like the rest so that it
// loads on any number of ranks and threads:
//   /plasticity/<p>/indegree      uint64 [target population size][1]
//   /plasticity/<p>/weight        float64 [synapses][1], canonical order: targets
//                                 ascending, each target's synapses in draw order
//                                 (rules with per-synapse weights only)
//   /plasticity/<p>/pre/<field>   float64 [source population size][1] per-source state
//   /plasticity/<p>/pre/last      int64   [source population size][1] last presynaptic stamp
//   /plasticity/post_history/{gid, stamp, k_minus}   [entries][1] postsynaptic spikes
// <p> is the projection's index in the spec. Each dataset carries a checksum.
#include "engine/backend.hpp"
#include "engine/comm/communicator.hpp"
#include "io/hdf5_handle.hpp"
#include "spec/spec.hpp"

#include <string>
#include <vector>

namespace myelin::io {

// Collective.
void write_plasticity(const h5::shared_file& f, const spec::network& net, const backend& b,
                      comm::communicator& comm);
// Collective; throws checkpoint_error when the stored synapses do not match
// the ones this model builds.
void restore_plasticity(const h5::shared_file& f, const spec::network& net, backend& b,
                        comm::communicator& comm);

// Every plastic dataset a checkpoint of this spec holds, for verification;
// all have 8-byte elements.
std::vector<std::string> plasticity_datasets(const spec::network& net);

} // namespace myelin::io
