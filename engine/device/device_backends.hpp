#pragma once
// The device backends this build has: the same sources compiled for CPU
// threads (device_omp, when CMake found CCCL and OpenMP) and for the GPU
// (device_cuda, when it found nvcc). engine/make_backend.cpp is their only user.
#include "engine/backend.hpp"

#include <memory>

namespace myelin {
namespace device_omp {
std::unique_ptr<backend> make_backend(const spec::network& net, built_network built);
}
namespace device_cuda {
std::unique_ptr<backend> make_backend(const spec::network& net, built_network built);
}
} // namespace myelin
