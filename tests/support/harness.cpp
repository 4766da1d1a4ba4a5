#include "tests/support/harness.hpp"

#include "io/canonical_layout.hpp"

#include <algorithm>
#include <cmath>

namespace myelin::test {
namespace {

struct memory_spikes final : spike_output {
  double dt;
  std::vector<recorded_spike> spikes;
  void write(std::span<const spike> s) override {
    for (const auto& x : s)
      spikes.push_back({x.gid, static_cast<double>(x.step + 1) * dt});
  }
};

struct memory_traces final : trace_output {
  std::vector<trace> traces;
  std::vector<double> intervals;
  std::vector<std::size_t> widths;
  void write(std::size_t index, std::int64_t first, std::size_t n_rows, const double* rows) override {
    for (std::size_t r = 0; r < n_rows; ++r) {
      traces[index].times_ms.push_back(static_cast<double>(first + static_cast<std::int64_t>(r)) *
                                       intervals[index]);
      traces[index].rows.emplace_back(rows + r * widths[index], rows + (r + 1) * widths[index]);
    }
  }
};

} // namespace

run_result simulate(const std::string& toml, unsigned threads) {
  const auto net = io::parse_model(toml, "test.toml");
  auto ln = build(net, threads);
  comm::local_communicator comm;
  simulation sim(ln, comm);
  memory_spikes ms;
  ms.dt = net.run.dt;
  memory_traces mt;
  for (std::size_t m = 0; m < net.multimeters.size(); ++m) {
    mt.traces.emplace_back();
    mt.intervals.push_back(net.multimeters[m].interval);
    mt.widths.push_back(ln.traces[m]->row_size);
  }
  sim.set_spike_output(&ms);
  sim.set_trace_output(&mt);
  sim.run(std::llround(net.run.duration / net.run.dt));
  sim.settle(); // weights then reflect every spike emitted, whatever the epoch
  run_result r{std::move(ms.spikes), std::move(mt.traces), sim.spike_counts(), {}};
  const std::size_t n_plastic = ln.shards.empty() ? 0 : ln.shards[0].plastic.size();
  for (std::size_t p = 0; p < n_plastic; ++p)
    r.plastic_weights.push_back(canonical_weights(ln, p));
  for (const auto& g : ln.groups)
    r.saturated_input_steps += g->saturated_inputs();
  return r;
}

std::vector<double> canonical_weights(const local_network& net, std::size_t plastic_index) {
  return io::local_canonical_weights(net, plastic_index);
}

std::vector<edge> edges(const local_network& net) {
  std::vector<edge> out;
  for (const auto& shard : net.shards) {
    const auto& t = shard.table;
    for (std::uint64_t src = 0; src + 1 < t.source_segments.size(); ++src)
      for (auto seg = t.source_segments[src]; seg < t.source_segments[src + 1]; ++seg)
        for (auto k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k)
          out.emplace_back(src, t.synapses[k].target, t.segment_delay[seg], t.synapses[k].weight);
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace myelin::test
