// Receptor ports: a projection's `receptor` (NEST's receptor_type) selects
// the port of a model with typed receptors; inputs of either sign on one
// port add up; wrong or missing ports are bad input; pending input on every
// port survives a checkpoint round trip; and the network is thread-invariant.
#include "engine/model_plugin.hpp"
#include "io/checkpoint.hpp"
#include "tests/support/harness.hpp"
#include "tests/support/three_port_neuron.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace myelin::test {
namespace {

const bool registered = [] {
  add_neuron_model<three_port_neuron>();
  return true;
}();

class Receptors : public backend_test {};

// Three sources firing at 1 ms into one neuron: source k on receptor k + 1
// with weight w[k]; a fourth on receptor 3 with weight +5.
std::string three_inputs(const std::string& receptors = "1, 2, 3, 3") {
  std::istringstream in(receptors);
  std::ostringstream s;
  s << "[run]\ndt = 0.1\nduration = 5.0\n"
       "[populations.src]\nmodel = \"spike_source\"\nsize = 4\nparams = { spike_times = [1.0] }\n"
       "[populations.n]\nmodel = \"test_three_port\"\nsize = 1\n"
       "[recorders.vm]\nkind = \"multimeter\"\npopulation = \"n\"\nvariables = [\"V_m\"]\ninterval = 0.1\n";
  const double w[] = {1.0, 2.0, -3.0, 5.0};
  std::string r;
  for (int k = 0; k < 4 && std::getline(in, r, ','); ++k)
    s << "[[projections]]\nsource = \"src\"\ntarget = \"n\"\n"
         "rule = { kind = \"fixed_total_number\", N = 1 }\n"
      << "synapse = { weight = " << w[k] << ", delay = 1.0"
      << (r.find_first_not_of(' ') == std::string::npos ? "" : ", receptor = " + r) << " }\n";
  return s.str();
}

TEST_P(Receptors, EachInputReachesItsPort) {
  const auto r = simulate(three_inputs());
  const auto& vm = r.traces.at(0).rows;
  ASSERT_EQ(vm.size(), 50u);
  // Each source fires once; fixed_total_number with N = 1 picks one source
  // per projection, so the neuron gets one input of each weight, stamped
  // 1 ms and arriving one delay later: in the sample at 2 ms.
  const double expected = 1.0 + 10.0 * 2.0 + 100.0 * (-3.0 + 5.0);
  for (std::size_t k = 0; k < vm.size(); ++k)
    EXPECT_EQ(vm[k][0], r.traces[0].times_ms[k] < 1.95 ? 0.0 : expected) << "t = " << r.traces[0].times_ms[k];
}

TEST_P(Receptors, WrongOrMissingPortsAreBadInput) {
  auto reason = [](const std::string& toml) -> std::string {
    try {
      io::parse_model(toml, "test.toml");
    } catch (const model_error& e) {
      return e.key + ": " + e.reason;
    }
    return "accepted";
  };
  EXPECT_NE(
      reason(three_inputs("1, 2, 4, 3")).find("projections[2].synapse.receptor: receptor 4 is not a port"),
      std::string::npos);
  EXPECT_NE(
      reason(three_inputs("1, , 3, 3")).find("projections[1].synapse.receptor: test_three_port takes input"),
      std::string::npos);
  auto text = three_inputs();
  text.replace(text.find("test_three_port"), 15, "iaf_psc_exp");
  EXPECT_NE(reason(text).find("projections[0].synapse.receptor: iaf_psc_exp has no typed receptor ports"),
            std::string::npos);
}

// Poisson sources into ten three-port neurons on every port, both signs,
// delays up to 5 ms: plenty of pending input on all six channels.
std::string busy_network() {
  std::ostringstream s;
  s << "[run]\ndt = 0.1\nduration = 60.0\nseed = 7\n"
       "[populations.src]\nmodel = \"poisson_source\"\nsize = 40\nparams = { rate = 400.0 }\n"
       "[populations.n]\nmodel = \"test_three_port\"\nsize = 10\nparams = { leak = 0.9 }\n";
  const double w[] = {1.5, -0.5, 2.0, -1.25, 0.75, -3.0};
  for (int k = 0; k < 6; ++k)
    s << "[[projections]]\nsource = \"src\"\ntarget = \"n\"\nrule = { kind = \"fixed_indegree\", indegree = "
         "6 }\n"
      << "synapse = { weight = " << w[k] << ", receptor = " << (k / 2 + 1)
      << ", delay = { dist = \"uniform\", low = 0.1, high = 5.0 } }\n";
  return s.str();
}

std::vector<double> final_vm(running_network& r) {
  return r.engine->read_state(r.engine->layout().population_slices[1], 0);
}

TEST_P(Receptors, ThreadInvariantAndACheckpointRoundTripContinuesBitForBit) {
  const auto text = busy_network();
  const auto straight = start(text, 1);
  straight->sim->run(600);
  const auto expected = final_vm(*straight);
  EXPECT_NE(expected, std::vector<double>(10, 0.0));
  const auto three = start(text, 3);
  three->sim->run(600);
  EXPECT_EQ(final_vm(*three), expected);

  const auto dir = std::filesystem::temp_directory_path() / ("myelin-receptors-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "ckpt.h5";
  {
    const auto first = start(text, 2);
    first->sim->run(373);
    first->sim->settle();
    const auto& net = first->net;
    io::checkpoint_state state{first->sim->current_step(), first->sim->spike_counts(),
                               std::vector<std::uint64_t>(net.populations.size(), 0),
                               std::vector<std::uint64_t>(net.multimeters.size(), 0)};
    io::write_checkpoint(path, net, *first->engine, state, first->comm);
    // Six channels of pending input, none of them empty.
    const auto pending = first->engine->read_pending(373, first->engine->layout().ring.n_slots);
    ASSERT_EQ(first->engine->layout().ring.n_channels, 6);
    const auto width = static_cast<std::size_t>(6 * first->engine->layout().ring.n_slots);
    for (std::size_t c = 0; c < 6; ++c) {
      bool any = false;
      const auto [first_n, end_n] = first->engine->layout().local_range(1); // population n
      for (std::size_t l = first_n; l < end_n; ++l)
        for (std::size_t o = 0; o < width / 6; ++o)
          any = any || pending[l * width + c * (width / 6) + o] != 0;
      EXPECT_TRUE(any) << "channel " << c;
    }
  }
  const auto info = io::validate_checkpoint(path);
  EXPECT_EQ(info.state.step, 373);
  const auto second = start(text, 1);
  const auto state = io::restore_checkpoint(path, second->net, *second->engine, second->comm);
  second->sim->restore(state.step, state.spike_counts);
  second->sim->run(600 - 373);
  EXPECT_EQ(final_vm(*second), expected);
  std::filesystem::remove_all(dir);
}

MYELIN_ON_EVERY_BACKEND(Receptors);

} // namespace
} // namespace myelin::test
