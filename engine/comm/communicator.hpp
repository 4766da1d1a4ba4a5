#pragma once
// How ranks talk: an interface, so the loop does not care whether it runs on
// one rank (local_communicator), on MPI (mpi_communicator) or, later, NCCL.
#include "engine/error.hpp"

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

class communicator {
public:
  virtual ~communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Starts sending block r to rank r. Exchanges finish in the order they
  // start, so one can be in flight while the next epoch is computed.
  virtual void exchange_start(const std::vector<std::span<const std::byte>>& blocks) = 0;
  // Completes the oldest exchange: what every rank sent here, concatenated in
  // rank order; recv_counts[r] is the size of rank r's block.
  virtual std::vector<std::byte> exchange_finish(std::vector<std::size_t>& recv_counts) = 0;

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

  std::vector<std::byte> all_to_all_v(const std::vector<std::span<const std::byte>>& blocks,
                                      std::vector<std::size_t>& recv_counts) {
    exchange_start(blocks);
    return exchange_finish(recv_counts);
  }
  double min(double value) { return -max(-value); }
};

// One rank: every block goes to itself.
class local_communicator final : public communicator {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void exchange_start(const std::vector<std::span<const std::byte>>& blocks) override {
    pending_.emplace_back(blocks.at(0).begin(), blocks.at(0).end());
  }
  std::vector<std::byte> exchange_finish(std::vector<std::size_t>& recv_counts) override {
    if (pending_.empty())
      throw internal_error("exchange_finish without exchange_start");
    auto bytes = std::move(pending_.front());
    pending_.erase(pending_.begin());
    recv_counts.assign(1, bytes.size());
    return bytes;
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
  std::vector<std::vector<std::byte>> pending_;
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
