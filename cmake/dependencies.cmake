# Every dependency comes from a Debian package (see .ci/run); nothing is
# downloaded or vendored.

find_package(Threads REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS serialization)
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
# METIS (libmetis-dev) partitions the coarse block graph for --partition graph.
find_path(METIS_INCLUDE_DIR metis.h REQUIRED)
find_library(METIS_LIBRARY metis REQUIRED)

# Parallel HDF5 (libhdf5-openmpi-dev). Its headers include mpi.h, so MPI's
# include path is needed even when the MPI communicator is switched off.
set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(MPI COMPONENTS C CXX)
add_library(myelin_hdf5 INTERFACE)
target_include_directories(myelin_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_compile_definitions(myelin_hdf5 INTERFACE ${HDF5_DEFINITIONS})
target_link_libraries(myelin_hdf5 INTERFACE ${HDF5_C_LIBRARIES})
if(HDF5_IS_PARALLEL)
  if(NOT MPI_C_FOUND)
    message(FATAL_ERROR "parallel HDF5 found but no MPI: install libopenmpi-dev")
  endif()
  target_link_libraries(myelin_hdf5 INTERFACE MPI::MPI_C)
endif()

set(MYELIN_HAVE_MPI OFF)
if(MYELIN_WITH_MPI AND MPI_CXX_FOUND)
  set(MYELIN_HAVE_MPI ON)
endif()

set(MYELIN_HAVE_CUDA OFF)
set(MYELIN_HAVE_NCCL OFF)
if(MYELIN_WITH_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # "native" fails on machines without a GPU (CI); build for A100 and H100.
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    # CMake 3.25 knows no C++20 flag for nvcc 13; nvcc takes -std=c++20. The
    # device backend's CUDA sources need it (engine/CMakeLists.txt).
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA_STANDARD 17)
    set(MYELIN_HAVE_CUDA ON)
    if(MYELIN_WITH_NCCL)
      find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
      find_library(NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
      # The header is enough: the library is loaded at run time.
      if(NCCL_INCLUDE_DIR)
        set(MYELIN_HAVE_NCCL ON)
      endif()
    endif()
  endif()
endif()

# The device backend (engine/device/) needs only CCCL's headers (Thrust,
# libcu++), which ship with the CUDA toolkit: with them its sources run on CPU
# threads (--backend omp, OpenMP when the compiler has it, else one thread);
# with nvcc as well they also run on the GPU (--backend cuda). Debian's older
# libthrust-dev is never picked up: only the toolkit's copy is searched.
option(MYELIN_WITH_DEVICE "Build the device backend when CCCL is found" ON)
option(MYELIN_WITH_DEVICE_THREADS "Run --backend omp on OpenMP threads (OFF: on one thread)" ON)
set(MYELIN_HAVE_DEVICE OFF)
set(MYELIN_HAVE_DEVICE_THREADS OFF)
if(MYELIN_WITH_DEVICE)
  find_path(MYELIN_CCCL_INCLUDE_DIR cuda/atomic
            PATHS ${CUDAToolkit_INCLUDE_DIRS}/cccl $ENV{CUDA_HOME}/include/cccl /usr/local/cuda/include/cccl
            NO_DEFAULT_PATH)
  if(MYELIN_CCCL_INCLUDE_DIR)
    set(MYELIN_HAVE_DEVICE ON)
    if(MYELIN_WITH_DEVICE_THREADS)
      find_package(OpenMP COMPONENTS CXX)
    endif()
    if(MYELIN_WITH_DEVICE_THREADS AND OpenMP_CXX_FOUND)
      set(MYELIN_HAVE_DEVICE_THREADS ON)
    endif()
  endif()
endif()
if(MYELIN_HAVE_CUDA AND NOT MYELIN_HAVE_DEVICE)
  message(WARNING "nvcc found but not its CCCL headers: no CUDA backend")
endif()

# The Python module (python/): pybind11-dev and python3-dev, for Debian's
# /usr/bin/python3 (another python3 first on PATH cannot see Debian's numpy).
# Not in sanitized builds: an instrumented module needs a preloaded runtime.
option(MYELIN_WITH_PYTHON "Build the myelin Python module when pybind11 is found" ON)
set(MYELIN_HAVE_PYTHON OFF)
if(MYELIN_WITH_PYTHON AND NOT MYELIN_SANITIZE)
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python3 COMPONENTS Interpreter Development.Module)
  if(Python3_FOUND)
    set(PYBIND11_FINDPYTHON ON)
    find_package(pybind11 CONFIG QUIET)
  endif()
  if(pybind11_FOUND)
    set(MYELIN_HAVE_PYTHON ON)
    # The module is a shared object linking the static libraries.
    set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  endif()
endif()
