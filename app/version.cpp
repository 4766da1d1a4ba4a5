// What `myelin --version`, run.json and checkpoints say about this build.
#include "app/commands.hpp"
#include "engine/cuda/device_query.hpp"

#include <sstream>

namespace myelin::cli {

std::string version_text() {
  std::ostringstream os;
  os << "myelin " << MYELIN_VERSION << " (MPI " << (MYELIN_HAVE_MPI ? "yes" : "no") << ", CUDA "
     << (cuda::compiled() ? "yes" : "no") << ", CUDA devices " << cuda::device_count() << ")";
  return os.str();
}

} // namespace myelin::cli
