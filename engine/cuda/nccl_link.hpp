#pragma once
// NCCL between the ranks' GPUs, for the device backend's spike records
// (engine/device/record_transport.hpp). libnccl is loaded when a run asks for
// it, not linked: it is over 200 MB, far more than a device kit may carry
// (bench/make-device-kit.sh), and a build with its header runs on machines
// without it. No CUDA or NCCL header leaks from here.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace myelin::cuda {

class nccl_link {
public:
  // Whether libnccl.so.2 loads here (LD_LIBRARY_PATH, then the toolkit this
  // build was made with); the reason in `why_not` when it does not.
  static bool loadable(std::string& why_not);
  // Joins the `size` ranks' NCCL communicator (collective, after loadable()
  // on every rank): rank 0 makes the id, `share` hands rank 0's bytes to
  // every rank. Null, with the reason, where NCCL refuses (two ranks on one
  // GPU, for instance).
  static std::unique_ptr<nccl_link>
  open(int rank, int size, const std::function<void(std::vector<std::byte>&)>& share, std::string& why_not);
  ~nccl_link();
  nccl_link(const nccl_link&) = delete;
  nccl_link& operator=(const nccl_link&) = delete;

  // In one NCCL group: send_counts[r] records from `send` (rank after rank)
  // to rank r and recv_counts[r] from rank r into `recv` (rank after rank);
  // device pointers, queued on `stream` (a cudaStream_t), done on return.
  // Throws comm-style errors naming the call.
  void exchange(const std::uint64_t* send, const std::vector<int>& send_counts, std::uint64_t* recv,
                const std::vector<int>& recv_counts, void* stream);

private:
  nccl_link() = default;
  void* comm_ = nullptr; // ncclComm_t
};

} // namespace myelin::cuda
