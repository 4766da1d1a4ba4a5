// The communicator under several ranks: exchanges (uneven, empty, two in
// flight), broadcast and reductions.
#include "tests/distributed/distributed.hpp"

#include <cstring>
#include <gtest/gtest.h>

namespace myelin::test {
namespace {

std::vector<std::byte> pattern(int from, int to, std::size_t n) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::byte>((from * 31 + to * 7 + static_cast<int>(i)) & 0xff);
  return v;
}

TEST(Communicator, ExchangeDeliversEveryBlockToItsRankOnly) {
  auto& c = *world_comm;
  const int me = c.rank(), n = c.size();
  ASSERT_GE(n, 2) << "run under mpirun -np 2 or more";
  std::vector<std::vector<std::byte>> send;
  for (int to = 0; to < n; ++to) // uneven sizes, and some blocks empty
    send.push_back(pattern(me, to, (to + me) % 3 == 0 ? 0 : static_cast<std::size_t>(100 * (to + 1) + me)));
  std::vector<std::span<const std::byte>> blocks(send.begin(), send.end());
  std::vector<std::size_t> counts;
  const auto got = c.all_to_all_v(blocks, counts);
  ASSERT_EQ(counts.size(), static_cast<std::size_t>(n));
  std::size_t at = 0;
  for (int from = 0; from < n; ++from) {
    const auto expected =
        pattern(from, me, (me + from) % 3 == 0 ? 0 : static_cast<std::size_t>(100 * (me + 1) + from));
    ASSERT_EQ(counts[static_cast<std::size_t>(from)], expected.size()) << "from " << from;
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), got.begin() + static_cast<std::ptrdiff_t>(at)));
    at += expected.size();
  }
  EXPECT_EQ(at, got.size());
}

TEST(Communicator, EmptyEpochsExchangeNothing) {
  auto& c = *world_comm;
  std::vector<std::span<const std::byte>> blocks(static_cast<std::size_t>(c.size()));
  for (int epoch = 0; epoch < 5; ++epoch) {
    std::vector<std::size_t> counts;
    EXPECT_TRUE(c.all_to_all_v(blocks, counts).empty());
    for (auto n : counts)
      EXPECT_EQ(n, 0u);
  }
}

TEST(Communicator, ExchangesInFlightFinishInOrderAndCarryTheStopFlag) {
  auto& c = *world_comm;
  const std::size_t n = static_cast<std::size_t>(c.size());
  // Exchange a: one record 0xA to every rank; b: two records 0xB0 + sender.
  comm::spike_exchange a, b;
  a.send.assign(n, 0xA);
  a.send_counts.assign(n, 1);
  for (std::size_t r = 0; r < n; ++r)
    for (int k = 0; k < 2; ++k)
      b.send.push_back(0xB0 + static_cast<std::uint64_t>(c.rank()));
  b.send_counts.assign(n, 2);
  EXPECT_FALSE(c.exchange_start(a, false));
  // Only the last rank asks to stop: every rank hears it.
  EXPECT_TRUE(c.exchange_start(b, c.rank() == c.size() - 1)); // two in flight, as with overlapping epochs
  c.exchange_finish();
  EXPECT_EQ(a.received, std::vector<std::uint64_t>(n, 0xA));
  c.exchange_finish();
  std::vector<std::uint64_t> expected;
  for (std::size_t r = 0; r < n; ++r)
    expected.insert(expected.end(), 2, 0xB0 + r);
  EXPECT_EQ(b.received, expected);
  EXPECT_EQ(b.recv_counts, std::vector<int>(n, 2));
}

TEST(Communicator, BroadcastAndReductions) {
  auto& c = *world_comm;
  const int me = c.rank(), n = c.size();
  std::vector<std::byte> data;
  if (me == n - 1)
    data = pattern(9, 9, 1000);
  c.broadcast(data, n - 1);
  EXPECT_EQ(data, pattern(9, 9, 1000));
  const auto u = static_cast<std::uint64_t>(me);
  EXPECT_EQ(c.sum({u, 1}), (std::vector<std::uint64_t>{static_cast<std::uint64_t>(n * (n - 1) / 2),
                                                       static_cast<std::uint64_t>(n)}));
  EXPECT_EQ(c.exclusive_prefix_sum({u + 1}), (std::vector<std::uint64_t>{u * (u + 1) / 2}));
  EXPECT_EQ(c.max(me * 1.5), (n - 1) * 1.5);
  EXPECT_EQ(c.min(me * 1.5 + 2), 2.0);
  const auto g = c.gather({me * 1.0, -me * 1.0}, 0);
  if (me == 0) {
    ASSERT_EQ(g.size(), static_cast<std::size_t>(2 * n));
    for (int r = 0; r < n; ++r)
      EXPECT_EQ(g[static_cast<std::size_t>(2 * r + 1)], -r);
  } else {
    EXPECT_TRUE(g.empty());
  }
}

} // namespace
} // namespace myelin::test
