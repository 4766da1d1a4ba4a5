#include "tests/support/harness.hpp"

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

std::vector<backend_kind> test_backends() {
  std::vector<backend_kind> kinds{backend_kind::cpu};
#if MYELIN_HAVE_DEVICE
  kinds.push_back(backend_kind::omp);
#endif
  try {
    kinds.push_back(parse_backend("cuda")); // only where a GPU is present
  } catch (const usage_error&) {
  }
  return kinds;
}

backend_kind& current_backend() {
  static backend_kind kind = backend_kind::cpu;
  return kind;
}

std::unique_ptr<running_network> start(const std::string& toml, unsigned threads) {
  auto r = std::make_unique<running_network>();
  r->net = io::parse_model(toml, "test.toml");
  r->engine = make_backend(current_backend(), r->net, build(r->net, threads));
  r->sim = std::make_unique<simulation>(*r->engine, r->comm);
  return r;
}

run_result simulate(const std::string& toml, unsigned threads) {
  const auto run = start(toml, threads);
  const auto& net = run->net;
  auto& sim = *run->sim;
  memory_spikes ms;
  ms.dt = net.run.dt;
  memory_traces mt;
  for (std::size_t m = 0; m < net.multimeters.size(); ++m) {
    mt.traces.emplace_back();
    mt.intervals.push_back(net.multimeters[m].interval);
    mt.widths.push_back(run->engine->layout().trace_row_size[m]);
  }
  sim.set_spike_output(&ms);
  sim.set_trace_output(&mt);
  sim.run(std::llround(net.run.duration / net.run.dt));
  sim.settle(); // weights then reflect every spike emitted, whatever the epoch
  run_result r{std::move(ms.spikes), std::move(mt.traces), sim.spike_counts(), {}};
  for (std::size_t p = 0; p < run->engine->layout().plastic_projections.size(); ++p)
    r.plastic_weights.push_back(run->engine->read_plastic(p).weight);
  r.saturated_input_steps = run->engine->counters().saturated_input_steps;
  return r;
}

std::vector<edge> edges(const built_network& net) {
  std::vector<edge> out;
  for (const auto& block : net.blocks) {
    const auto& t = block.table;
    for (std::uint64_t row = 0; row + 1 < t.source_segments.size(); ++row)
      for (auto seg = t.source_segments[row]; seg < t.source_segments[row + 1]; ++seg)
        for (auto k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k)
          out.emplace_back(net.layout.row_gid[row], t.synapses[k].target, t.segment_delay[seg],
                           t.synapses[k].weight);
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace myelin::test
