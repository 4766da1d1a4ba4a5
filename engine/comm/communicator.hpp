#pragma once
// How ranks talk: an interface so the loop does not care whether it runs on one
// rank (local_communicator), on MPI, or (later) NCCL. Kept small on purpose.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace myelin::comm {

class communicator {
public:
  virtual ~communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Block r of `send` goes to rank r. Returns what every rank sent to this one,
  // concatenated in rank order; recv_counts[r] is the size of rank r's block.
  virtual std::vector<std::byte> all_to_all_v(const std::vector<std::span<const std::byte>>& send,
                                              std::vector<std::size_t>& recv_counts) = 0;
  virtual std::uint64_t sum(std::uint64_t value) = 0;
  virtual double max(double value) = 0;
  virtual void barrier() = 0;
};

// One rank: every block goes to itself.
class local_communicator final : public communicator {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::vector<std::byte> all_to_all_v(const std::vector<std::span<const std::byte>>& send,
                                      std::vector<std::size_t>& recv_counts) override {
    recv_counts.assign(1, send.at(0).size());
    return {send[0].begin(), send[0].end()};
  }
  std::uint64_t sum(std::uint64_t value) override { return value; }
  double max(double value) override { return value; }
  void barrier() override {}
};

} // namespace myelin::comm
