#pragma once
// A call's epochs captured once as a CUDA graph and replayed by every later
// call that names the same buffers, so that a call costs one launch from the
// host instead of a handful per epoch (the per-step budget of issue 16).
// Capture records launches without running them; the launches read their
// step numbers from device memory (engine/device/step_window.hpp), so one
// graph serves every call. On CPU threads, and once a capture has failed,
// the launches run directly: the same functors, the same results.
#include "engine/device/system.hpp"
#include "spec/error.hpp"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace myelin::MYELIN_DEVICE_NS {

class epoch_graph {
public:
  epoch_graph() = default;
  epoch_graph(const epoch_graph&) = delete;
  epoch_graph& operator=(const epoch_graph&) = delete;
  ~epoch_graph() { drop(); }

  // Runs launch(). `key` names everything the launches hold by address or
  // size (buffers, counts). One graph is kept, replayed by every call with
  // its key; another key runs directly, and is captured in its place when
  // two calls in a row have it, so that the call before a capture ran
  // directly and sized every buffer (a buffer that grew while capturing
  // would use the legacy stream, which ends the capture).
  template <class F>
  void run(const std::vector<std::uint64_t>& key, const F& launch) {
#if MYELIN_DEVICE_CUDA
    if (usable_) {
      if (key != key_ && key == last_key_) // another shape of call, seen twice: capture it instead
        capture(key, launch);
      last_key_ = key;
      if (exec_ && key == key_) {
        check(cudaGraphLaunch(exec_, device_stream()), "cudaGraphLaunch");
        ++replays_;
        return;
      }
    }
#else
    (void)key;
#endif
    launch();
  }

  // Calls replayed as a graph so far.
  std::uint64_t replays() const {
    return replays_;
  }

private:
#if MYELIN_DEVICE_CUDA
  template <class F>
  void capture(const std::vector<std::uint64_t>& key, const F& launch) {
    drop();
    const cudaStream_t s = device_stream();
    // Relaxed: Thrust's kept scratch blocks may still be allocated while capturing.
    if (cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed) != cudaSuccess)
      return give_up("cudaStreamBeginCapture", cudaGetLastError());
    std::string failed;
    try {
      launch();
    } catch (const std::exception& e) {
      failed = e.what();
    }
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(s, &graph);
    if (!failed.empty() || ended != cudaSuccess || !graph) {
      if (graph)
        cudaGraphDestroy(graph);
      (void)cudaGetLastError(); // a failed capture leaves no error behind for the next launch
      return give_up(failed.empty() ? "cudaStreamEndCapture" : failed.c_str(), ended);
    }
    const cudaError_t made = cudaGraphInstantiate(&exec_, graph, 0);
    cudaGraphDestroy(graph);
    if (made != cudaSuccess) {
      exec_ = nullptr;
      (void)cudaGetLastError();
      return give_up("cudaGraphInstantiate", made);
    }
    key_ = key;
  }
  // The launches run directly from now on: nothing was recorded that ran.
  void give_up(const char* what, cudaError_t e) {
    usable_ = false;
    std::fprintf(stderr, "myelin: a CUDA graph could not be captured (%s: %s); launching directly\n", what,
                 cudaGetErrorString(e));
  }
  static void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess)
      throw error(std::string(what) + ": " + cudaGetErrorString(e));
  }
#endif
  void drop() {
#if MYELIN_DEVICE_CUDA
    if (exec_)
      cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
    key_.clear();
#endif
  }

#if MYELIN_DEVICE_CUDA
  cudaGraphExec_t exec_ = nullptr;
  std::vector<std::uint64_t> key_, last_key_;
  bool usable_ = true;
#endif
  std::uint64_t replays_ = 0;
};

} // namespace myelin::MYELIN_DEVICE_NS
