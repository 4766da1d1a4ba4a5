#pragma once
// A call's epochs captured once as a CUDA graph and replayed by every later
// call that names the same buffers, so that a call costs one launch from the
// host instead of a handful per epoch (the per-step budget of issue 16).
// Capture records launches without running them; the launches read their
// step numbers from device memory (engine/device/step_window.hpp), so one
// graph serves every call. On CPU threads the capture is emulated
// (engine/device/system.hpp's launch_recording: each launch's functor kept
// by value, as a kernel node keeps its arguments), so that CI replays the
// same launches the GPU would; once a capture has failed, the launches run
// directly: the same functors, the same results.
#include "engine/device/system.hpp"
#include "spec/error.hpp"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace myelin::MYELIN_DEVICE_NS {

// A buffer's address as an entry of a graph's key (epoch_graph::run).
inline std::uint64_t key_address(const void* p) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
}

class epoch_graph {
public:
  // wanted: MYELIN_DEVICE_GRAPHS (engine/backend.hpp), by default on for a
  // GPU and off on CPU threads (where replaying saves nothing, and direct
  // launches may skip an epoch without spikes by reading its count).
  explicit epoch_graph(bool wanted)
      : usable_(wanted) {}
  // Whether calls may still be captured (wanted, and no capture has failed).
  bool usable() const { return usable_; }
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
    if (usable_) {
      if (key != key_ && key == last_key_) // another shape of call, seen twice: capture it instead
        capture(key, launch);
      last_key_ = key;
      if (captured_ && key == key_) {
        replay();
        ++replays_;
        return;
      }
    }
    launch();
  }

  // Calls replayed as a graph so far.
  std::uint64_t replays() const { return replays_; }

private:
  template <class F>
  void capture(const std::vector<std::uint64_t>& key, const F& launch) {
    drop();
    std::string failed;
#if MYELIN_DEVICE_CUDA
    const cudaStream_t s = device_stream();
    // Relaxed: Thrust's kept scratch blocks may still be allocated while capturing.
    if (const cudaError_t e = cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed); e != cudaSuccess) {
      (void)cudaGetLastError();
      return give_up("cudaStreamBeginCapture", cudaGetErrorString(e));
    }
#else
    recording() = &recorded_;
#endif
    try {
      launch();
    } catch (const std::exception& e) {
      failed = e.what();
    }
#if MYELIN_DEVICE_CUDA
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(s, &graph);
    if (!failed.empty() || ended != cudaSuccess || !graph) {
      if (graph)
        cudaGraphDestroy(graph);
      (void)cudaGetLastError(); // a failed capture leaves no error behind for the next launch
      return give_up(failed.empty() ? "cudaStreamEndCapture" : failed.c_str(), cudaGetErrorString(ended));
    }
    const cudaError_t made = cudaGraphInstantiate(&exec_, graph, 0);
    cudaGraphDestroy(graph);
    if (made != cudaSuccess) {
      exec_ = nullptr;
      (void)cudaGetLastError();
      return give_up("cudaGraphInstantiate", cudaGetErrorString(made));
    }
#else
    recording() = nullptr;
    if (!failed.empty())
      return give_up(failed.c_str(), "recording on CPU threads");
#endif
    captured_ = true;
    key_ = key;
  }

  void replay() {
#if MYELIN_DEVICE_CUDA
    if (const cudaError_t e = cudaGraphLaunch(exec_, device_stream()); e != cudaSuccess)
      throw error(std::string("cudaGraphLaunch: ") + cudaGetErrorString(e));
#else
    for (const auto& launch : recorded_.launches)
      launch();
#endif
  }

  // Nothing recorded has run: the launches run directly from now on.
  void give_up(const char* what, const char* why) {
    drop();
    usable_ = false;
    std::fprintf(stderr, "myelin: a CUDA graph could not be captured (%s: %s); launching directly\n", what,
                 why);
  }

  void drop() {
#if MYELIN_DEVICE_CUDA
    if (exec_)
      cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
#else
    recorded_.launches.clear();
#endif
    captured_ = false;
    key_.clear();
  }

#if MYELIN_DEVICE_CUDA
  cudaGraphExec_t exec_ = nullptr;
#else
  launch_recording recorded_;
#endif
  bool usable_;
  bool captured_ = false;
  std::vector<std::uint64_t> key_, last_key_;
  std::uint64_t replays_ = 0;
};

} // namespace myelin::MYELIN_DEVICE_NS
