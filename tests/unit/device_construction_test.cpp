// Construction on the device (engine/device/construction.hpp) against the
// host builder: for every rule (fixed_outdegree too, drawn per source),
// every distribution, typed receptors, plastic projections beside it (their
// own tables drawn on the device too: synapses, segments, canonical order,
// initial weights) and several target blocks, the tables are the host
// builder's, piece for piece and bit for bit. Here the
// device code runs on CPU threads (the omp build); a GPU runs the same code.
#define MYELIN_DEVICE_CUDA 0
#include "engine/build.hpp"
#include "engine/device/construction.hpp"
#include "engine/device/device_backends.hpp"
#include "engine/narrow_tables.hpp"
#include "io/model_file.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

namespace myelin {
namespace {

bool same_synapses(const std::vector<synapse>& a, const std::vector<synapse>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(synapse)) == 0);
}

template <class T>
std::vector<T> host_copy(const device_omp::device_vector<T>& v) {
  return device_omp::download(v);
}

// The host builder's static table of a block, split as the device backend
// stores it, against the pieces the device made.
void expect_same_pieces(const synapse_table& host,
                        const std::vector<device_omp::device_static_table>& device) {
  const auto pieces = split_narrow(host);
  ASSERT_EQ(pieces.size(), device.size());
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    SCOPED_TRACE("piece " + std::to_string(p));
    const auto& h = pieces[p];
    const auto& d = device[p];
    EXPECT_EQ(h.target_base, d.target_base);
    EXPECT_EQ(h.segments.source_segments, host_copy(d.segments.source_segments));
    EXPECT_EQ(h.segments.segment_delay, host_copy(d.segments.segment_delay));
    EXPECT_EQ(h.segments.segment_port, host_copy(d.segments.segment_port));
    EXPECT_EQ(h.segments.segment_synapses, host_copy(d.segments.segment_synapses));
    EXPECT_EQ(h.target, host_copy(d.target));
    const auto weights = host_copy(d.weight);
    EXPECT_TRUE(h.weight.size() == weights.size() &&
                std::memcmp(h.weight.data(), weights.data(), weights.size() * sizeof(float)) == 0);
  }
}

// Everything build() returns besides the static tables, and the static
// tables against the maker's pieces.
void expect_same_tables(const built_network& host, const built_network& device,
                        device_omp::device_table_maker& maker) {
  ASSERT_EQ(host.layout.row_gid, device.layout.row_gid);
  EXPECT_EQ(host.layout.min_delay, device.layout.min_delay);
  EXPECT_EQ(host.layout.max_delay, device.layout.max_delay);
  ASSERT_EQ(host.blocks.size(), device.blocks.size());
  for (std::size_t b = 0; b < host.blocks.size(); ++b) {
    SCOPED_TRACE("block " + std::to_string(b));
    if (device.static_tables_by_maker) {
      EXPECT_TRUE(device.blocks[b].table.synapses.empty());
      EXPECT_EQ(maker.synapses_of(b), host.blocks[b].table.synapses.size());
      expect_same_pieces(host.blocks[b].table, maker.take(b));
    } else {
      EXPECT_EQ(host.blocks[b].table.source_segments, device.blocks[b].table.source_segments);
      EXPECT_EQ(host.blocks[b].table.segment_delay, device.blocks[b].table.segment_delay);
      EXPECT_TRUE(same_synapses(host.blocks[b].table.synapses, device.blocks[b].table.synapses));
    }
    ASSERT_EQ(host.blocks[b].plastic.size(), device.blocks[b].plastic.size());
    for (std::size_t p = 0; p < host.blocks[b].plastic.size(); ++p) {
      SCOPED_TRACE("plastic table " + std::to_string(p));
      const plastic_table& h = host.blocks[b].plastic[p];
      const plastic_table& d = device.blocks[b].plastic[p];
      EXPECT_EQ(h.projection, d.projection);
      EXPECT_EQ(h.row_first, d.row_first);
      EXPECT_EQ(h.target_first, d.target_first);
      EXPECT_EQ(h.target_offsets, d.target_offsets);
      EXPECT_EQ(h.canonical, d.canonical);
      EXPECT_TRUE(h.initial_weight.size() == d.initial_weight.size() &&
                  (h.initial_weight.empty() || std::memcmp(h.initial_weight.data(), d.initial_weight.data(),
                                                           h.initial_weight.size() * sizeof(double)) == 0));
      EXPECT_EQ(h.table.source_segments, d.table.source_segments);
      EXPECT_EQ(h.table.segment_delay, d.table.segment_delay);
      EXPECT_EQ(h.table.segment_port, d.table.segment_port);
      EXPECT_EQ(h.table.segment_synapses, d.table.segment_synapses);
      EXPECT_TRUE(same_synapses(h.table.synapses, d.table.synapses));
    }
  }
}

// Builds net on the host and with the device maker; true when the device
// drew. `own_tables`: how many plastic tables it should have made.
bool compare(const std::string& toml, unsigned blocks, std::uint64_t own_tables = 0) {
  const auto net = io::parse_model(toml, "test.toml");
  const auto host = build(net, blocks);
  device_omp::device_table_maker maker(~std::uint64_t{0}, true); // plastic tables too, as on a GPU
  const auto device = build(net, blocks, {}, &maker);
  expect_same_tables(host, device, maker);
  EXPECT_EQ(maker.own_tables_made(), device.static_tables_by_maker ? own_tables : 0);
  return device.static_tables_by_maker;
}

std::string header(int a = 300, int b = 200) {
  std::ostringstream os;
  os << "[run]\ndt = 0.1\nduration = 1.0\nseed = 11\n"
     << "[populations.A]\nmodel = \"iaf_psc_alpha\"\nsize = " << a << "\n"
     << "[populations.B]\nmodel = \"iaf_psc_exp_multisynapse\"\nsize = " << b << "\n"
     << "params = { tau_syn = [1.0, 3.0, 7.0] }\n";
  return os.str();
}

std::string projection(const std::string& source, const std::string& target, const std::string& rule,
                       const std::string& synapse) {
  return "[[projections]]\nsource = \"" + source + "\"\ntarget = \"" + target + "\"\nrule = { " + rule +
         " }\nsynapse = { " + synapse + " }\n";
}

TEST(DeviceConstruction, EveryRuleGivesTheHostTables) {
  const std::string rules[] = {
      "kind = \"all_to_all\"",
      "kind = \"all_to_all\", allow_autapses = false",
      "kind = \"one_to_one\"",
      "kind = \"fixed_indegree\", indegree = 40",
      "kind = \"fixed_indegree\", indegree = 40, allow_multapses = false",
      "kind = \"fixed_indegree\", indegree = 299, allow_multapses = false, allow_autapses = false",
      "kind = \"fixed_total_number\", N = 5000",
      "kind = \"fixed_total_number\", N = 5000, allow_multapses = false",
      "kind = \"pairwise_bernoulli\", p = 0.1",
      "kind = \"pairwise_bernoulli\", p = 1.0, allow_autapses = false",
      "kind = \"fixed_outdegree\", outdegree = 30",
      "kind = \"fixed_outdegree\", outdegree = 30, allow_multapses = false, allow_autapses = false",
  };
  for (const auto& rule : rules) {
    SCOPED_TRACE(rule);
    const std::string toml =
        header() +
        projection("A", "A", rule, "weight = { dist = \"uniform\", low = -3.0, high = 5.0 }, delay = 1.5");
    for (unsigned blocks : {1u, 3u})
      EXPECT_TRUE(compare(toml, blocks));
  }
}

TEST(DeviceConstruction, EveryDistributionGivesTheHostTables) {
  const std::string synapses[] = {
      "weight = 2.0, delay = 1.0",
      "weight = { dist = \"normal\", mean = 5.0, std = 2.0, min = 0.0 }, "
      "delay = { dist = \"normal\", mean = 1.5, std = 0.75, min = 0.1 }",
      "weight = { dist = \"lognormal\", mean = 0.0, std = 0.5 }, "
      "delay = { dist = \"uniform\", low = 0.1, high = 25.0 }",
      "weight = { dist = \"exponential\", beta = 2.0 }, delay = { dist = \"exponential\", beta = 3.0, min = "
      "0.1, max = "
      "6000.0 }",
      // Delays over a range of more than 256 keys: the host's wide segment sort.
      "weight = -1.0, delay = { dist = \"uniform\", low = 0.1, high = 400.0 }",
      // Weights beyond the fixed-point range are held at its end.
      "weight = { dist = \"normal\", mean = 0.0, std = 1e10 }, delay = 2.0",
  };
  for (const auto& syn : synapses) {
    SCOPED_TRACE(syn);
    const std::string toml =
        header() + projection("A", "B", "kind = \"fixed_indegree\", indegree = 60", syn + ", receptor = 2") +
        projection("B", "A", "kind = \"pairwise_bernoulli\", p = 0.2", syn);
    for (unsigned blocks : {1u, 2u})
      EXPECT_TRUE(compare(toml, blocks));
  }
}

TEST(DeviceConstruction, ReceptorPortsAndPlasticProjectionsBesideIt) {
  const std::string toml =
      header() +
      projection("A", "B", "kind = \"fixed_indegree\", indegree = 30",
                 "weight = 3.0, delay = 1.0, receptor = 1") +
      projection("A", "B", "kind = \"fixed_indegree\", indegree = 20",
                 "weight = 2.0, delay = { dist = \"uniform\", low = 0.5, high = 3.0 }, receptor = 3") +
      projection("B", "A", "kind = \"fixed_total_number\", N = 3000",
                 "model = \"stdp_synapse\", weight = 5.0, delay = 1.0") +
      projection("A", "A", "kind = \"fixed_indegree\", indegree = 10", "weight = -4.0, delay = 2.0");
  for (unsigned blocks : {1u, 4u})
    EXPECT_TRUE(compare(toml, blocks, blocks));
}

// Plastic projections' own tables, drawn on the device, for every rule
// (fixed_outdegree drawn per source: its canonical order is not its walk
// order), varied delays and ports, tables of no synapse, several blocks.
TEST(DeviceConstruction, PlasticTablesAreTheHostBuilders) {
  const std::string rules[] = {
      "kind = \"all_to_all\", allow_autapses = false",
      "kind = \"one_to_one\"",
      "kind = \"fixed_indegree\", indegree = 40",
      "kind = \"fixed_indegree\", indegree = 40, allow_multapses = false",
      "kind = \"fixed_total_number\", N = 5000",
      "kind = \"pairwise_bernoulli\", p = 0.1",
      "kind = \"fixed_outdegree\", outdegree = 30",
      "kind = \"fixed_outdegree\", outdegree = 30, allow_multapses = false, allow_autapses = false",
  };
  for (const auto& rule : rules) {
    SCOPED_TRACE(rule);
    const std::string toml =
        header(300, 300) +
        projection("A", "A", rule,
                   "model = \"stdp_synapse\", weight = { dist = \"uniform\", low = 1.0, high = 5.0 }, "
                   "delay = { dist = \"uniform\", low = 0.5, high = 3.0 }") +
        projection("A", "B", "kind = \"fixed_indegree\", indegree = 20",
                   "weight = 2.0, delay = 1.0, receptor = 2") +
        projection("B", "A", rule,
                   "model = \"tsodyks2_synapse\", weight = { dist = \"normal\", mean = 3.0, std = 1e10 }, "
                   "delay = 1.0");
    for (unsigned blocks : {1u, 3u})
      EXPECT_TRUE(compare(toml, blocks, 2 * blocks));
  }
  // Typed receptors on a plastic projection, and one whose targets lie in
  // only some blocks.
  const std::string ports =
      header() +
      projection(
          "A", "B", "kind = \"fixed_indegree\", indegree = 25",
          "model = \"stdp_synapse\", weight = 4.0, delay = { dist = \"uniform\", low = 0.5, high = 2.0 }, "
          "receptor = 3") +
      projection("B", "B", "kind = \"pairwise_bernoulli\", p = 0.3",
                 "model = \"stdp_synapse\", weight = 1.0, delay = 1.0, receptor = 1");
  for (unsigned blocks : {1u, 2u, 5u})
    EXPECT_TRUE(compare(ports, blocks, 2 * blocks));
}

TEST(DeviceConstruction, ParrotTargetsTakeUnitWeights) {
  const std::string toml = "[run]\ndt = 0.1\nduration = 1.0\nseed = 3\n"
                           "[populations.A]\nmodel = \"iaf_psc_alpha\"\nsize = 50\n"
                           "[populations.P]\nmodel = \"parrot_neuron\"\nsize = 40\n" +
                           projection("A", "P", "kind = \"fixed_indegree\", indegree = 5",
                                      "weight = { dist = \"uniform\", low = 1.0, high = 2.0 }, delay = 1.0");
  EXPECT_TRUE(compare(toml, 2));
}

// A block of more than 65,536 targets is stored in several pieces.
TEST(DeviceConstruction, TargetsBeyondOnePieceSplitAsTheBackendStoresThem) {
  const std::string toml =
      "[run]\ndt = 0.1\nduration = 1.0\nseed = 5\n"
      "[populations.A]\nmodel = \"iaf_psc_alpha\"\nsize = 200\n"
      "[populations.C]\nmodel = \"iaf_psc_alpha\"\nsize = 140000\n" +
      projection("A", "C", "kind = \"fixed_indegree\", indegree = 2",
                 "weight = 1.0, delay = { dist = \"uniform\", low = 0.1, high = 2.0 }") +
      projection("C", "A", "kind = \"fixed_indegree\", indegree = 50", "weight = -2.0, delay = 1.0");
  for (unsigned blocks : {1u, 3u})
    EXPECT_TRUE(compare(toml, blocks));
}

// What the device does not draw (listed values), the host builds: the same
// tables either way.
TEST(DeviceConstruction, DeclinesWhatItDoesNotDraw) {
  // Listed weights.
  EXPECT_FALSE(compare(header(3, 3) + projection("A", "B", "kind = \"one_to_one\"",
                                                 "weight = [1.0, 2.0, 3.0], delay = 1.0, receptor = 1"),
                       1));
  // A plastic projection's listed weights: its own tables are the host's,
  // the static table the device's.
  EXPECT_TRUE(compare(
      header(3, 3) +
          projection("A", "B", "kind = \"one_to_one\"",
                     "model = \"stdp_synapse\", weight = [1.0, 2.0, 3.0], delay = 1.0, receptor = 1") +
          projection("B", "A", "kind = \"all_to_all\"", "weight = 1.0, delay = 1.0"),
      2, 0));
}

// Synapses that would not fit the device's memory while being made are
// built on the host.
TEST(DeviceConstruction, DeclinesWhatDoesNotFitItsMemory) {
  const auto net = io::parse_model(header() + projection("A", "A", "kind = \"fixed_indegree\", indegree = 40",
                                                         "weight = 1.0, delay = 1.0"),
                                   "test.toml");
  const auto host = build(net, 2);
  device_omp::device_table_maker small(40 * 300 * device_omp::construction_bytes_per_synapse - 1);
  const auto declined = build(net, 2, {}, &small);
  EXPECT_FALSE(declined.static_tables_by_maker);
  expect_same_tables(host, declined, small);
  device_omp::device_table_maker enough(40 * 300 * device_omp::construction_bytes_per_synapse);
  const auto made = build(net, 2, {}, &enough);
  EXPECT_TRUE(made.static_tables_by_maker);
  expect_same_tables(host, made, enough);
}

// A draw the host builder reports (no value within the bounds) is left to
// it, with the file and the key.
TEST(DeviceConstruction, AFailedDrawIsTheHostBuildersToReport) {
  const std::pair<std::string, std::string> cases[] = {
      {"weight = { dist = \"normal\", mean = 0.0, std = 1.0, min = 50.0 }, delay = 1.0", "synapse.weight"},
      {"weight = 1.0, delay = { dist = \"normal\", mean = 1.0, std = 0.1, min = 50.0 }", "synapse.delay"},
  };
  for (const auto& [synapse, key] : cases) {
    const auto net = io::parse_model(
        header() + projection("A", "A", "kind = \"fixed_indegree\", indegree = 3", synapse), "test.toml");
    device_omp::device_table_maker maker(~std::uint64_t{0});
    try {
      build(net, 1, {}, &maker);
      ADD_FAILURE() << "no error for " << synapse;
    } catch (const model_error& e) {
      EXPECT_NE(std::string(e.what()).find("test.toml"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("projections[0]." + key), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("no value within"), std::string::npos) << e.what();
    }
  }
}

} // namespace
} // namespace myelin
