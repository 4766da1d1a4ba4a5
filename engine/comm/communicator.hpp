#pragma once
// How ranks talk: an interface, so the loop does not care whether it runs on
// one rank (local_communicator), on MPI (mpi_communicator) or, later, NCCL.
#include "spec/error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace myelin::comm {

// A failed communication call; carries the implementation's error code.
struct comm_error : error {
  int code;
  comm_error(const std::string& what, int code_)
      : error(what)
      , code(code_) {}
};

// One epoch's spike records on their way. The sender packs `send` (the
// records for rank 0, then rank 1, ...) and `send_counts`; the exchange fills
// `received` and `recv_counts`, rank after rank. The caller keeps and reuses
// it, so that once its vectors have grown an epoch allocates nothing.
struct spike_exchange {
  std::vector<std::uint64_t> send;
  std::vector<int> send_counts; // per rank, records
  std::vector<std::uint64_t> received;
  std::vector<int> recv_counts; // per rank, records
  // The implementation's own: displacements, and the count-and-stop header.
  std::vector<int> send_displs, recv_displs, header_out, header_in;
};

class communicator {
public:
  virtual ~communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Starts sending x's records. Blocks only for the counts, which carry
  // `stop`: returns whether any rank passed stop = true (the same answer on
  // every rank, without a collective of its own). Exchanges finish in the
  // order they start, so one can be in flight while the next epoch is
  // computed; x must stay untouched until then.
  virtual bool exchange_start(spike_exchange& x, bool stop) = 0;
  // Completes the oldest exchange started: its `received` is filled.
  virtual void exchange_finish() = 0;

  // One count to each rank, blocking: recv[r] is what rank r sent here.
  // The counts that precede a transfer whose data does not go through this
  // communicator (NCCL between device buffers, engine/device/record_transport.hpp).
  virtual void exchange_counts(const std::vector<int>& send, std::vector<int>& recv) = 0;

  // Block r to rank r, blocking (setting up, not per epoch): what every
  // rank sent here, concatenated in rank order; recv_counts[r] is the size
  // of rank r's block.
  virtual std::vector<std::byte> all_to_all_v(const std::vector<std::span<const std::byte>>& blocks,
                                              std::vector<std::size_t>& recv_counts) = 0;

  // Root's bytes replace every other rank's.
  virtual void broadcast(std::vector<std::byte>& data, int root) = 0;
  // Element-wise over ranks.
  virtual std::vector<std::uint64_t> sum(const std::vector<std::uint64_t>& values) = 0;
  virtual std::vector<std::uint64_t> exclusive_prefix_sum(const std::vector<std::uint64_t>& values) = 0;
  virtual double max(double value) = 0;
  // Every rank's values, rank after rank, at root (empty elsewhere).
  virtual std::vector<double> gather(const std::vector<double>& values, int root) = 0;
  virtual void barrier() = 0;
  // How many ranks share this rank's machine (they share its memory).
  virtual int ranks_on_this_node() { return 1; }
  // Address of the underlying MPI_Comm, for parallel HDF5; null without MPI.
  virtual const void* mpi_handle() const { return nullptr; }

  double min(double value) { return -max(-value); }
};

// One rank: every block goes to itself.
class local_communicator : public communicator {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  bool exchange_start(spike_exchange& x, bool stop) override {
    x.received.assign(x.send.begin(), x.send.end());
    x.recv_counts.assign(x.send_counts.begin(), x.send_counts.end());
    ++in_flight_;
    return stop;
  }
  void exchange_finish() override {
    if (in_flight_ == 0)
      throw internal_error("exchange_finish without exchange_start");
    --in_flight_;
  }
  void exchange_counts(const std::vector<int>& send, std::vector<int>& recv) override {
    recv.assign(send.begin(), send.end());
  }
  std::vector<std::byte> all_to_all_v(const std::vector<std::span<const std::byte>>& blocks,
                                      std::vector<std::size_t>& recv_counts) override {
    recv_counts.assign(1, blocks.at(0).size());
    return {blocks.at(0).begin(), blocks.at(0).end()};
  }
  void broadcast(std::vector<std::byte>&, int) override {}
  std::vector<std::uint64_t> sum(const std::vector<std::uint64_t>& v) override { return v; }
  std::vector<std::uint64_t> exclusive_prefix_sum(const std::vector<std::uint64_t>& v) override {
    return std::vector<std::uint64_t>(v.size(), 0);
  }
  double max(double value) override { return value; }
  std::vector<double> gather(const std::vector<double>& values, int) override { return values; }
  void barrier() override {}

private:
  int in_flight_ = 0;
};

// The ranks this process runs with: MPI's when it was started by an MPI
// launcher (mpirun, srun --mpi=pmix) and myelin was built with MPI, one local
// rank otherwise. Owns MPI's initialisation and finalisation.
class world {
public:
  world(int& argc, char**& argv);
  ~world();
  world(const world&) = delete;
  world& operator=(const world&) = delete;
  communicator& comm() { return *comm_; }
  // Ends every rank's process with this code (MPI_Abort) after an error that
  // only some ranks saw. Only for several ranks: one rank simply returns.
  [[noreturn]] void abort(int code);

private:
  std::unique_ptr<communicator> comm_;
  bool mpi_started_ = false;
};

// Whether the environment says an MPI launcher started this process.
bool launched_by_mpi();

} // namespace myelin::comm
