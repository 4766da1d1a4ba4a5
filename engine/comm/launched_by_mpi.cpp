#include "engine/comm/communicator.hpp"

#include <cstdlib>

namespace myelin::comm {

bool launched_by_mpi() {
  // Open MPI's mpirun, PMIx launchers (srun --mpi=pmix, prterun), and the
  // PMI-1/2 launchers of MPICH's hydra set one of these.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v))
      return true;
  return false;
}

} // namespace myelin::comm
