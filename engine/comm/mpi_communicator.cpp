// The MPI boundary: the only file (with world_mpi.cpp) that includes mpi.h.
// Every call is checked; a failure becomes a comm_error naming the call.
#include "engine/comm/mpi_communicator.hpp"

#include <limits>
#include <mpi.h>

namespace myelin::comm {
namespace {

void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS)
    return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw comm_error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(len)), rc);
}

int as_count(std::size_t n, const char* call) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw comm_error(
        std::string(call) + ": message of " + std::to_string(n) + " bytes exceeds MPI's int counts", 0);
  return static_cast<int>(n);
}

class mpi_communicator final : public communicator {
public:
  explicit mpi_communicator(MPI_Comm parent) {
    // A private duplicate: our messages never mix with the caller's, and
    // errors return codes instead of aborting.
    check(MPI_Comm_dup(parent, &comm_), "MPI_Comm_dup");
    check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  ~mpi_communicator() override {
    for (auto& request : pending_)
      MPI_Wait(&request, MPI_STATUS_IGNORE);
    MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  bool exchange_start(spike_exchange& x, bool stop) override {
    const auto n = static_cast<std::size_t>(size_);
    if (x.send_counts.size() != n)
      throw internal_error("exchange_start needs one count per rank");
    if (pending_.size() == max_in_flight)
      throw internal_error("exchange_start: too many exchanges in flight");
    x.send_displs.resize(n);
    x.header_out.resize(2 * n);
    x.header_in.resize(2 * n);
    std::size_t total = 0;
    for (std::size_t r = 0; r < n; ++r) {
      x.send_displs[r] = as_count(total, "MPI_Ialltoallv");
      total += static_cast<std::size_t>(x.send_counts[r]);
      x.header_out[2 * r] = x.send_counts[r];
      x.header_out[2 * r + 1] = stop ? 1 : 0;
    }
    // Counts and stop flags first (small, blocking), then the records without waiting.
    check(MPI_Alltoall(x.header_out.data(), 2, MPI_INT, x.header_in.data(), 2, MPI_INT, comm_),
          "MPI_Alltoall");
    x.recv_counts.resize(n);
    x.recv_displs.resize(n);
    std::size_t received = 0;
    bool any_stop = false;
    for (std::size_t r = 0; r < n; ++r) {
      x.recv_counts[r] = x.header_in[2 * r];
      any_stop = any_stop || x.header_in[2 * r + 1] != 0;
      x.recv_displs[r] = as_count(received, "MPI_Ialltoallv");
      received += static_cast<std::size_t>(x.recv_counts[r]);
    }
    x.received.resize(received);
    MPI_Request request;
    check(MPI_Ialltoallv(x.send.data(), x.send_counts.data(), x.send_displs.data(), MPI_UINT64_T,
                         x.received.data(), x.recv_counts.data(), x.recv_displs.data(), MPI_UINT64_T, comm_,
                         &request),
          "MPI_Ialltoallv");
    pending_.push_back(request);
    return any_stop;
  }

  void exchange_finish() override {
    if (pending_.empty())
      throw internal_error("exchange_finish without exchange_start");
    check(MPI_Wait(&pending_.front(), MPI_STATUS_IGNORE), "MPI_Wait");
    pending_.erase(pending_.begin()); // at most a few: no allocation
  }

  std::vector<std::byte> all_to_all_v(const std::vector<std::span<const std::byte>>& blocks,
                                      std::vector<std::size_t>& recv_counts) override {
    const auto n = static_cast<std::size_t>(size_);
    if (blocks.size() != n)
      throw internal_error("all_to_all_v needs one block per rank");
    std::vector<int> send_counts(n), send_displs(n), counts_in(n), recv_displs(n);
    std::vector<std::byte> send;
    for (std::size_t r = 0; r < n; ++r) {
      send_displs[r] = as_count(send.size(), "MPI_Alltoallv");
      send_counts[r] = as_count(blocks[r].size(), "MPI_Alltoallv");
      send.insert(send.end(), blocks[r].begin(), blocks[r].end());
    }
    check(MPI_Alltoall(send_counts.data(), 1, MPI_INT, counts_in.data(), 1, MPI_INT, comm_), "MPI_Alltoall");
    std::size_t received = 0;
    recv_counts.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      recv_displs[r] = as_count(received, "MPI_Alltoallv");
      recv_counts[r] = static_cast<std::size_t>(counts_in[r]);
      received += recv_counts[r];
    }
    std::vector<std::byte> out(received);
    check(MPI_Alltoallv(send.data(), send_counts.data(), send_displs.data(), MPI_BYTE, out.data(),
                        counts_in.data(), recv_displs.data(), MPI_BYTE, comm_),
          "MPI_Alltoallv");
    return out;
  }

  void exchange_counts(const std::vector<int>& send, std::vector<int>& recv) override {
    if (send.size() != static_cast<std::size_t>(size_))
      throw internal_error("exchange_counts needs one count per rank");
    recv.resize(send.size());
    check(MPI_Alltoall(send.data(), 1, MPI_INT, recv.data(), 1, MPI_INT, comm_), "MPI_Alltoall");
  }

  void broadcast(std::vector<std::byte>& data, int root) override {
    unsigned long long n = data.size();
    check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm_), "MPI_Bcast");
    data.resize(static_cast<std::size_t>(n));
    check(MPI_Bcast(data.data(), as_count(data.size(), "MPI_Bcast"), MPI_BYTE, root, comm_), "MPI_Bcast");
  }

  std::vector<std::uint64_t> sum(const std::vector<std::uint64_t>& v) override {
    std::vector<std::uint64_t> out(v.size());
    check(MPI_Allreduce(v.data(), out.data(), as_count(v.size(), "MPI_Allreduce"), MPI_UINT64_T, MPI_SUM,
                        comm_),
          "MPI_Allreduce");
    return out;
  }

  std::vector<std::uint64_t> exclusive_prefix_sum(const std::vector<std::uint64_t>& v) override {
    std::vector<std::uint64_t> out(v.size(), 0);
    check(MPI_Exscan(v.data(), out.data(), as_count(v.size(), "MPI_Exscan"), MPI_UINT64_T, MPI_SUM, comm_),
          "MPI_Exscan");
    if (rank_ == 0) // MPI leaves rank 0's result undefined
      std::fill(out.begin(), out.end(), 0);
    return out;
  }

  double max(double value) override {
    double out = 0;
    check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
    return out;
  }

  std::vector<double> gather(const std::vector<double>& values, int root) override {
    std::vector<double> out(rank_ == root ? values.size() * static_cast<std::size_t>(size_) : 0);
    check(MPI_Gather(values.data(), as_count(values.size(), "MPI_Gather"), MPI_DOUBLE, out.data(),
                     as_count(values.size(), "MPI_Gather"), MPI_DOUBLE, root, comm_),
          "MPI_Gather");
    return out;
  }

  void barrier() override { check(MPI_Barrier(comm_), "MPI_Barrier"); }
  int ranks_on_this_node() override {
    MPI_Comm node = MPI_COMM_NULL;
    check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
    int n = 1;
    MPI_Comm_size(node, &n);
    MPI_Comm_free(&node);
    return n;
  }
  const void* mpi_handle() const override { return &comm_; }

private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  // Requests of the exchanges in flight, oldest first; reserved once.
  static constexpr std::size_t max_in_flight = 8;
  std::vector<MPI_Request> pending_ = [] {
    std::vector<MPI_Request> v;
    v.reserve(max_in_flight);
    return v;
  }();
};

} // namespace

std::unique_ptr<communicator> make_mpi_communicator(const void* mpi_comm) {
  return std::make_unique<mpi_communicator>(*static_cast<const MPI_Comm*>(mpi_comm));
}

} // namespace myelin::comm
