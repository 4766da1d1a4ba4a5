// Which backend runs a rank: the one place that knows them all.
#include "engine/backend.hpp"
#include "engine/cpu/cpu_backend.hpp"
#include "spec/error.hpp"

namespace myelin {

backend_kind parse_backend(const std::string& name) {
  if (name == "cpu" || name == "auto") // auto: the best this build has, today the CPU
    return backend_kind::cpu;
  if (name == "cuda")
    throw usage_error(
        "--backend cuda: this myelin has no CUDA backend yet (only cpu); run with --backend cpu");
  throw usage_error("--backend: unknown backend '" + name + "' (cpu, cuda or auto)");
}

const char* backend_name(backend_kind kind) {
  switch (kind) {
  case backend_kind::cpu:
    return "cpu";
  case backend_kind::cuda:
    return "cuda";
  }
  return "?";
}

std::unique_ptr<backend> make_backend(backend_kind kind, const spec::network& net, built_network built) {
  switch (kind) {
  case backend_kind::cpu:
    return std::make_unique<cpu::cpu_backend>(net, std::move(built));
  case backend_kind::cuda:
    break;
  }
  throw usage_error("this myelin has no CUDA backend");
}

} // namespace myelin
