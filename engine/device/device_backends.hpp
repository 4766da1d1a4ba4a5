#pragma once
// The device backends this build has: the same sources compiled for CPU
// threads (device_omp, when CMake found CCCL and OpenMP) and for the GPU
// (device_cuda, when it found nvcc). engine/make_backend.cpp is their only user.
#include "engine/backend.hpp"
#include "engine/static_table_maker.hpp"

#include <memory>

namespace myelin {
namespace device_omp {
std::unique_ptr<backend> make_backend(const spec::network& net, built_network built,
                                      static_table_maker* made);
// Construction on the device (engine/device/construction.hpp), within
// memory_budget bytes of device memory.
std::unique_ptr<static_table_maker> make_table_maker(std::uint64_t memory_budget);
} // namespace device_omp
namespace device_cuda {
std::unique_ptr<backend> make_backend(const spec::network& net, built_network built,
                                      static_table_maker* made);
std::unique_ptr<static_table_maker> make_table_maker(std::uint64_t memory_budget);
} // namespace device_cuda
} // namespace myelin
