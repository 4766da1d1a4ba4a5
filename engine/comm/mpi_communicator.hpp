#pragma once
// The MPI communicator, built from any MPI_Comm (passed by address so this
// header needs no mpi.h); never hard-wired to MPI_COMM_WORLD.
#include "engine/comm/communicator.hpp"

namespace myelin::comm {

std::unique_ptr<communicator> make_mpi_communicator(const void* mpi_comm);

} // namespace myelin::comm
