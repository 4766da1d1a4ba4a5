// The MPI boundary: the only file (with world_mpi.cpp) that includes mpi.h.
// Every call is checked; a failure becomes a comm_error naming the call.
#include "engine/comm/mpi_communicator.hpp"

#include <deque>
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
    for (auto& p : pending_)
      MPI_Wait(&p.request, MPI_STATUS_IGNORE);
    MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void exchange_start(const std::vector<std::span<const std::byte>>& blocks) override {
    if (blocks.size() != static_cast<std::size_t>(size_))
      throw internal_error("exchange_start needs one block per rank");
    pending p;
    p.send_counts.resize(static_cast<std::size_t>(size_));
    p.send_displs.resize(static_cast<std::size_t>(size_));
    std::size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      p.send_displs[static_cast<std::size_t>(r)] = as_count(total, "MPI_Ialltoallv");
      p.send_counts[static_cast<std::size_t>(r)] =
          as_count(blocks[static_cast<std::size_t>(r)].size(), "MPI_Ialltoallv");
      total += blocks[static_cast<std::size_t>(r)].size();
    }
    p.send.reserve(total);
    for (const auto& b : blocks)
      p.send.insert(p.send.end(), b.begin(), b.end());
    // Counts first (small, blocking), then the records without waiting.
    p.recv_counts.resize(static_cast<std::size_t>(size_));
    check(MPI_Alltoall(p.send_counts.data(), 1, MPI_INT, p.recv_counts.data(), 1, MPI_INT, comm_),
          "MPI_Alltoall");
    p.recv_displs.resize(static_cast<std::size_t>(size_));
    std::size_t received = 0;
    for (int r = 0; r < size_; ++r) {
      p.recv_displs[static_cast<std::size_t>(r)] = as_count(received, "MPI_Ialltoallv");
      received += static_cast<std::size_t>(p.recv_counts[static_cast<std::size_t>(r)]);
    }
    p.recv.resize(received);
    pending_.push_back(std::move(p));
    auto& q = pending_.back();
    check(MPI_Ialltoallv(q.send.data(), q.send_counts.data(), q.send_displs.data(), MPI_BYTE, q.recv.data(),
                         q.recv_counts.data(), q.recv_displs.data(), MPI_BYTE, comm_, &q.request),
          "MPI_Ialltoallv");
  }

  std::vector<std::byte> exchange_finish(std::vector<std::size_t>& recv_counts) override {
    if (pending_.empty())
      throw internal_error("exchange_finish without exchange_start");
    auto& p = pending_.front();
    check(MPI_Wait(&p.request, MPI_STATUS_IGNORE), "MPI_Wait");
    recv_counts.assign(p.recv_counts.begin(), p.recv_counts.end());
    auto bytes = std::move(p.recv);
    pending_.pop_front();
    return bytes;
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
  struct pending {
    std::vector<std::byte> send, recv;
    std::vector<int> send_counts, send_displs, recv_counts, recv_displs;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::deque<pending> pending_;
};

} // namespace

std::unique_ptr<communicator> make_mpi_communicator(const void* mpi_comm) {
  return std::make_unique<mpi_communicator>(*static_cast<const MPI_Comm*>(mpi_comm));
}

} // namespace myelin::comm
