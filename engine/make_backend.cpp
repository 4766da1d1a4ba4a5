// Which backend runs a rank: the one place that knows them all.
#include "engine/backend.hpp"
#include "engine/cpu/cpu_backend.hpp"
#include "engine/cuda/device_query.hpp"
#include "engine/device/device_backends.hpp"
#include "spec/error.hpp"

#include <cstdlib>

namespace myelin {
namespace {

// Why `--backend cuda` cannot run here, or "" when it can.
std::string cuda_unavailable() {
#if MYELIN_HAVE_CUDA_BACKEND
  if (cuda::device_count() == 0)
    return "no CUDA device is visible (no driver or no GPU)";
  return "";
#else
  return "this myelin was built without nvcc (no CUDA backend)";
#endif
}

#if MYELIN_HAVE_CUDA_BACKEND
// Before any device memory exists (the table maker's, then the backend's):
// each node-local rank takes its own device. Selecting it again is harmless.
void select_cuda_device() {
  if (cuda::select_device() < 0)
    throw usage_error("--backend cuda: no CUDA device could be selected");
}
#endif

} // namespace

std::optional<bool> device_graphs_setting() {
  const char* set = std::getenv("MYELIN_DEVICE_GRAPHS");
  if (!set || !*set)
    return std::nullopt;
  const std::string value = set;
  if (value != "on" && value != "off")
    throw usage_error("MYELIN_DEVICE_GRAPHS is '" + value + "': it must be on or off (or unset)");
  return value == "on";
}

std::string device_exchange_setting() {
  const char* set = std::getenv("MYELIN_DEVICE_EXCHANGE");
  if (!set || !*set)
    return "";
  const std::string value = set;
  if (value != "loop" && value != "mpi" && value != "nccl")
    throw usage_error("MYELIN_DEVICE_EXCHANGE is '" + value + "': it must be loop, mpi or nccl (or unset)");
  return value;
}

backend_kind parse_backend(const std::string& name) {
  if (name == "cpu")
    return backend_kind::cpu;
  if (name == "auto") // the best this build and machine have
    return cuda_unavailable().empty() ? backend_kind::cuda : backend_kind::cpu;
  if (name == "omp") {
#if MYELIN_HAVE_DEVICE
    return backend_kind::omp;
#else
    throw usage_error("--backend omp: this myelin was built without the device backend (CMake found no CCCL "
                      "headers of a CUDA toolkit); run with --backend cpu");
#endif
  }
  if (name == "cuda") {
    if (const auto why = cuda_unavailable(); !why.empty())
      throw usage_error("--backend cuda: " + why +
                        "; run with --backend cpu, or --backend omp for the same device code on CPU threads");
    return backend_kind::cuda;
  }
  throw usage_error("--backend: unknown backend '" + name + "' (cpu, omp, cuda or auto)");
}

const char* backend_name(backend_kind kind) {
  switch (kind) {
  case backend_kind::cpu:
    return "cpu";
  case backend_kind::omp:
    return "omp";
  case backend_kind::cuda:
    return "cuda";
  }
  return "?";
}

std::span<const local_spike> backend::advance_alone(std::int64_t, std::int64_t) {
  throw internal_error("advance_alone on a backend that cannot run alone");
}

std::unique_ptr<static_table_maker> make_table_maker(backend_kind kind, std::uint64_t host_memory) {
  switch (kind) {
  case backend_kind::cpu:
    return nullptr;
  case backend_kind::omp:
#if MYELIN_HAVE_DEVICE
    return device_omp::make_table_maker(host_memory);
#else
    return nullptr;
#endif
  case backend_kind::cuda:
#if MYELIN_HAVE_CUDA_BACKEND
    select_cuda_device();
    return device_cuda::make_table_maker(cuda::free_device_memory());
#else
    return nullptr;
#endif
  }
  return nullptr;
}

std::unique_ptr<backend> make_backend(backend_kind kind, const spec::network& net, built_network built,
                                      static_table_maker* made) {
  switch (kind) {
  case backend_kind::cpu:
    return std::make_unique<cpu::cpu_backend>(net, std::move(built));
  case backend_kind::omp:
#if MYELIN_HAVE_DEVICE
    return device_omp::make_backend(net, std::move(built), made);
#else
    break;
#endif
  case backend_kind::cuda:
#if MYELIN_HAVE_CUDA_BACKEND
    select_cuda_device();
    return device_cuda::make_backend(net, std::move(built), made);
#else
    break;
#endif
  }
  throw usage_error(std::string("this myelin has no ") + backend_name(kind) + " backend");
}

} // namespace myelin
