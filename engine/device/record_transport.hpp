#pragma once
// How the device backend's packed spike records (engine/device/spike_routes.hpp)
// reach the other ranks when it runs alone on several ranks:
// - `mpi`: through the communicator by way of host buffers (page-locked on
//   a GPU), the records travelling exactly as the epoch loop's (one copy off
//   the device, the counts and records through MPI, one copy back);
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
};

#if MYELIN_DEVICE_CUDA
// Keeps a host vector's storage page-locked (cudaHostRegister), so that the
// copies between it and the device run at full speed and without a staging
// copy. Registration follows the storage when the vector reallocates; where
// the driver refuses, the copies simply stay pageable.
template <class T>
class pinned_storage {
public:
  ~pinned_storage() { release(); }
  // Before the vector reallocates (its storage is still there to unpin).
  void release() {
    if (at_ && cudaHostUnregister(const_cast<T*>(at_)) != cudaSuccess)
      (void)cudaGetLastError(); // freed by a reallocation we did not see: nothing left to unpin
    at_ = nullptr;
    capacity_ = 0;
  }
  void cover(std::vector<T>& v) {
    if (v.data() == at_ && v.capacity() == capacity_)
      return;
    release();
    if (v.capacity() == 0)
      return;
    if (cudaHostRegister(v.data(), v.capacity() * sizeof(T), cudaHostRegisterDefault) != cudaSuccess) {
      (void)cudaGetLastError();
      return;
    }
    at_ = v.data();
    capacity_ = v.capacity();
  }

private:
  const T* at_ = nullptr;
  std::size_t capacity_ = 0;
};
#else
// On CPU threads device memory is host memory: nothing to pin.
template <class T>
struct pinned_storage {
  void release() {}
  void cover(std::vector<T>&) {}
};
#endif

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
    if (total > x_.send.capacity()) {
      send_pinned_.release();
      x_.send.reserve(total + total / 4);
    }
    x_.send.resize(total);
    send_pinned_.cover(x_.send);
    copy_to_host(send, 0, total, x_.send.data());
    x_.send_counts = send_counts;
    comm_.exchange_start(x_, false);
    comm_.exchange_finish();
    received_pinned_.cover(x_.received);
    hold_at_least(recv, x_.received.size(), x_.received.size() / 4);
    copy_to_device(x_.received.data(), x_.received.size(), recv);
    return x_.received.size();
  }

private:
  comm::communicator& comm_;
  comm::spike_exchange x_; // reused: after the first epochs nothing is allocated
  pinned_storage<std::uint64_t> send_pinned_, received_pinned_;
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
    hold_at_least(recv, total, total / 4);
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
