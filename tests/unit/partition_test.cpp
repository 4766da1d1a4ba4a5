// Decompositions: every gid has exactly one owner, slices agree with owner()
// and local_index(), and block slices balance cost rather than neuron count.
#include "engine/error.hpp"
#include "io/model_file.hpp"
#include "partition/decomposition.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace myelin::partition {
namespace {

spec::network all_rules() {
  return io::read_model(std::string(MYELIN_SOURCE_DIR) + "/tests/data/all_rules.toml");
}

TEST(Decomposition, EveryGidHasOneOwnerAndSlicesAgree) {
  const auto net = all_rules();
  for (auto s : {strategy::block, strategy::round_robin}) {
    for (int ranks : {1, 2, 3, 7, 1000}) { // 1000 ranks: most own nothing
      const decomposition d(net, ranks, s);
      std::vector<int> owner(net.total_neurons(), -1);
      std::uint64_t total = 0;
      for (int r = 0; r < ranks; ++r) {
        std::uint64_t local = 0;
        for (const auto& sl : d.slices(r)) {
          EXPECT_EQ(sl.first_local, local);
          for (std::uint64_t k = 0; k < sl.count; ++k) {
            const std::uint64_t gid = sl.first_gid + k * sl.stride;
            ASSERT_EQ(owner[gid], -1) << "gid " << gid << " owned twice";
            owner[gid] = r;
            EXPECT_EQ(d.owner(gid), r);
            EXPECT_EQ(d.local_index(gid), local + k);
          }
          local += sl.count;
        }
        EXPECT_EQ(local, d.local_count(r));
        total += local;
      }
      EXPECT_EQ(total, net.total_neurons()) << strategy_name(s) << " " << ranks;
    }
  }
}

TEST(Decomposition, BlockBalancesCostNotNeurons) {
  const auto net = all_rules();
  const decomposition d(net, 3, strategy::block);
  EXPECT_LT(d.imbalance(), 1.02);
  // Population D (400 inputs per neuron) sits at the end of the E/I/D block:
  // the rank holding it gets fewer neurons.
  EXPECT_LT(d.local_count(2), d.local_count(0));
}

TEST(Decomposition, UnknownStrategyIsAUsageError) {
  EXPECT_EQ(parse_strategy("round_robin"), strategy::round_robin);
  EXPECT_THROW(parse_strategy("graph-ish"), usage_error);
}

} // namespace
} // namespace myelin::partition
