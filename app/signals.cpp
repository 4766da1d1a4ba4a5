#include "app/signals.hpp"

#include <atomic>
#include <csignal>

namespace myelin::cli {
namespace {
std::atomic<int> requested{0};
extern "C" void on_stop_signal(int) {
  requested.store(1, std::memory_order_relaxed);
}
} // namespace

void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; // MPI and HDF5 calls are not interrupted
  sigaction(SIGUSR1, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() {
  return requested.load(std::memory_order_relaxed) != 0;
}

} // namespace myelin::cli
