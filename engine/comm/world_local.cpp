// Built when MPI is not available or switched off: every run has one rank.
#include "engine/comm/communicator.hpp"

#include <cstdlib>

namespace myelin::comm {

world::world(int&, char**&)
    : comm_(std::make_unique<local_communicator>()) {}
world::~world() = default;
void world::abort(int code) {
  std::exit(code);
}

} // namespace myelin::comm
