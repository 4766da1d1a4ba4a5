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

TEST(Communicator, ExchangesInFlightFinishInOrder) {
  auto& c = *world_comm;
  const std::size_t n = static_cast<std::size_t>(c.size());
  std::vector<std::byte> a(n, std::byte{0xA}), b(n * 2, std::byte{0xB});
  std::vector<std::span<const std::byte>> first, second;
  for (std::size_t r = 0; r < n; ++r) {
    first.emplace_back(a.data() + r, 1);
    second.emplace_back(b.data() + 2 * r, 2);
  }
  c.exchange_start(first);
  c.exchange_start(second); // two in flight, as with overlapping epochs
  std::vector<std::size_t> counts;
  const auto got_a = c.exchange_finish(counts);
  const auto got_b = c.exchange_finish(counts);
  EXPECT_EQ(got_a, std::vector<std::byte>(n, std::byte{0xA}));
  EXPECT_EQ(got_b, std::vector<std::byte>(2 * n, std::byte{0xB}));
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
