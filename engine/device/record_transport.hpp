#pragma once
// How the device backend's packed spike records (engine/device/spike_routes.hpp)
// reach the other ranks when it runs alone on several ranks:
// - `mpi`: through the communicator by way of host buffers, the records
//   travelling exactly as the epoch loop's (one copy off the device, the
//   counts and records through MPI, one copy back);
// - `nccl` (nvcc builds with NCCL's header, engine/cuda/nccl_link.hpp): the
//   counts through the communicator first, then the records from device
//   buffer to device buffer, ncclSend/ncclRecv in one group.
// Either way every rank receives its records rank after rank.
#include "engine/comm/communicator.hpp"
#include "engine/device/system.hpp"
#include "spec/error.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#if MYELIN_DEVICE_CUDA && MYELIN_HAVE_NCCL
#include "engine/cuda/nccl_link.hpp"
#endif

namespace myelin::MYELIN_DEVICE_NS {

class record_transport {
public:
  virtual ~record_transport() = default;
  virtual const char* name() const = 0;
  // send_counts[r] records for rank r in `send` (device memory, rank after
  // rank); the records every rank sent here go into `recv` (device memory,
  // grown as needed), rank after rank. Returns how many. Collective.
  virtual std::uint64_t exchange(const device_vector<std::uint64_t>& send,
                                 const std::vector<int>& send_counts, device_vector<std::uint64_t>& recv) = 0;

protected:
  static void make_room(device_vector<std::uint64_t>& v, std::uint64_t n) {
    if (v.size() < n)
      v = device_vector<std::uint64_t>(n + n / 4);
  }
};

class mpi_record_transport final : public record_transport {
public:
  explicit mpi_record_transport(comm::communicator& comm)
      : comm_(comm) {}
  const char* name() const override { return "mpi"; }
  std::uint64_t exchange(const device_vector<std::uint64_t>& send, const std::vector<int>& send_counts,
                         device_vector<std::uint64_t>& recv) override {
    std::size_t total = 0;
    for (const int n : send_counts)
      total += static_cast<std::size_t>(n);
    x_.send.resize(total);
    copy_to_host(send, 0, total, x_.send.data());
    x_.send_counts = send_counts;
    comm_.exchange_start(x_, false);
    comm_.exchange_finish();
    make_room(recv, x_.received.size());
    copy_to_device(x_.received.data(), x_.received.size(), recv);
    return x_.received.size();
  }

private:
  comm::communicator& comm_;
  comm::spike_exchange x_; // reused: after the first epochs nothing is allocated
};

#if MYELIN_DEVICE_CUDA && MYELIN_HAVE_NCCL
class nccl_record_transport final : public record_transport {
public:
  nccl_record_transport(comm::communicator& comm, std::unique_ptr<cuda::nccl_link> link)
      : comm_(comm)
      , link_(std::move(link)) {}
  const char* name() const override { return "nccl"; }
  std::uint64_t exchange(const device_vector<std::uint64_t>& send, const std::vector<int>& send_counts,
                         device_vector<std::uint64_t>& recv) override {
    comm_.exchange_counts(send_counts, recv_counts_);
    std::uint64_t total = 0;
    for (const int n : recv_counts_)
      total += static_cast<std::uint64_t>(n);
    make_room(recv, total);
    link_->exchange(raw(send), send_counts, raw(recv), recv_counts_, device_stream());
    return total;
  }

private:
  comm::communicator& comm_;
  std::unique_ptr<cuda::nccl_link> link_;
  std::vector<int> recv_counts_;
};
#endif

// The transport asked for (MYELIN_DEVICE_EXCHANGE, `wanted`: "mpi", "nccl",
// or "" for the best one here), agreed by every rank (collective). NCCL
// needs an nvcc build with NCCL, libnccl.so.2 on every rank and one GPU per
// rank; asked for and not possible, it is a usage_error with the reason;
// not asked for, MPI takes its place.
inline std::unique_ptr<record_transport> make_record_transport(comm::communicator& comm,
                                                               const std::string& wanted) {
  std::string why_not;
#if MYELIN_DEVICE_CUDA && MYELIN_HAVE_NCCL
  if (wanted != "mpi") {
    const bool here = cuda::nccl_link::loadable(why_not);
    if (comm.min(here ? 1.0 : 0.0) > 0) {
      auto link = cuda::nccl_link::open(
          comm.rank(), comm.size(), [&](std::vector<std::byte>& bytes) { comm.broadcast(bytes, 0); },
          why_not);
      if (comm.min(link ? 1.0 : 0.0) > 0)
        return std::make_unique<nccl_record_transport>(comm, std::move(link));
      if (why_not.empty())
        why_not = "NCCL failed to start on another rank";
    } else if (why_not.empty()) {
      why_not = "libnccl.so.2 does not load on another rank";
    }
  }
#elif MYELIN_DEVICE_CUDA
  why_not = "this build has no NCCL (nccl.h was not found when it was configured)";
#else
  why_not = "NCCL moves GPU buffers; --backend omp exchanges through MPI";
#endif
  if (wanted == "nccl")
    throw usage_error("MYELIN_DEVICE_EXCHANGE=nccl: " + why_not);
  if (MYELIN_DEVICE_CUDA && wanted.empty() && comm.rank() == 0)
    std::fprintf(stderr, "myelin: spike records between GPUs go through MPI: %s\n", why_not.c_str());
  return std::make_unique<mpi_record_transport>(comm);
}

} // namespace myelin::MYELIN_DEVICE_NS
