// Built with MPI: start MPI when an MPI launcher started us, else run alone.
#include "engine/comm/communicator.hpp"
#include "engine/comm/mpi_communicator.hpp"

#include <cstdlib>
#include <mpi.h>

namespace myelin::comm {

world::world(int& argc, char**& argv) {
  if (!launched_by_mpi()) {
    comm_ = std::make_unique<local_communicator>();
    return;
  }
  // Open MPI's shared-file-pointer component `sm` guards every collective
  // file open with a machine-wide POSIX semaphore named after the file's
  // basename (/dev/shm/sem.OMPIO_<name>); a rank killed while holding it
  // leaves it locked, and the next job on the node that opens a file of that
  // name (spikes.h5, a checkpoint) hangs in H5Fcreate forever (Open MPI issues
  // 9656, 11934). myelin never uses shared file pointers, so it leaves `sm`
  // out unless the user chose the components. MCA variables are read from
  // the environment inside MPI_Init, so this must come first.
  setenv("OMPI_MCA_sharedfp", "^sm", /*overwrite=*/0);
  // A host program may have started MPI already (Python with mpi4py); then
  // it also ends it.
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) {
    MPI_Comm world_comm = MPI_COMM_WORLD;
    comm_ = make_mpi_communicator(&world_comm);
    return;
  }
  // Serialized: worker threads never call MPI, and the end-of-epoch work that
  // does runs on whichever thread completes the epoch barrier.
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
    throw comm_error("MPI_Init_thread failed", 0);
  mpi_started_ = true;
  if (provided < MPI_THREAD_SERIALIZED)
    throw comm_error("this MPI library does not support MPI_THREAD_SERIALIZED", provided);
  MPI_Comm world_comm = MPI_COMM_WORLD;
  comm_ = make_mpi_communicator(&world_comm);
}

world::~world() {
  comm_.reset(); // frees the duplicated communicator before MPI_Finalize
  if (mpi_started_)
    MPI_Finalize();
}

void world::abort(int code) {
  if (!mpi_started_)
    throw internal_error("world::abort on a single rank"); // main returns its exit code instead
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort(); // MPI_Abort does not return
}

} // namespace myelin::comm
