// Built when MPI is not available or switched off: every run has one rank.
#include "engine/comm/communicator.hpp"

namespace myelin::comm {

world::world(int&, char**&)
    : comm_(std::make_unique<local_communicator>()) {}
world::~world() = default;

// One rank has no one waiting for it: main returns its exit code instead.
void world::abort(int) {
  throw internal_error("world::abort on a single rank");
}

} // namespace myelin::comm
