#include "engine/build.hpp"

#include "engine/fixed_point.hpp"
#include "engine/sampling.hpp"
#include "engine/synapse_tables.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>

namespace myelin {
namespace {

void plan_devices(built_network& b, const spec::network& net) {
  b.currents = plan_currents(net);
  b.inputs.resize(net.populations.size());
  for (std::size_t d = 0; d < net.poisson_devices.size(); ++d) {
    const auto& dev = net.poisson_devices[d];
    for (const auto& target : dev.targets) {
      const auto pop = static_cast<std::size_t>(net.find_population(target));
      // A target that counts spikes (parrot_neuron) ignores the weight.
      const double weight = models::find_model(net.populations[pop].model)->counts_spikes ? 1.0 : dev.weight;
      poisson_input in;
      in.table = poisson_table(dev.rate * net.run.dt * 1e-3);
      in.key = rng::make_key(net.run.seed, rng::purpose::poisson, d);
      in.weight = to_fixed(weight);
      in.channel = ring_layout::channel_of(weight);
      in.delay = spec::delay_steps(dev.delay, net.run.dt);
      b.inputs[pop].push_back(in);
    }
  }
}

void plan_multimeters(built_network& b, const spec::network& net) {
  auto& ln = b.layout;
  for (const auto& m : net.multimeters) {
    // A SONATA population's parts may differ in model: state indices are per part.
    const auto [first_gid, size] = net.output_range(m.population);
    multimeter_plan plan;
    for (const auto& v : m.variables)
      plan.variables.push_back(
          models::find_model(net.populations[net.population_of(first_gid)].model)->find_state(v));
    std::vector<std::uint64_t> ids = m.ids;
    if (ids.empty())
      for (std::uint64_t i = 0; i < size; ++i)
        ids.push_back(i);
    std::vector<std::uint64_t> columns; // positions in ids held by this rank
    for (std::size_t c = 0; c < ids.size(); ++c) {
      const std::uint64_t gid = first_gid + ids[c];
      const std::size_t pop = net.population_of(gid);
      if (!ln.owns(pop, gid))
        continue;
      const auto g = ln.slice_of(pop, gid);
      plan.probes.push_back(
          {g, ln.local_index(pop, gid) - ln.slices[g].first_local, columns.size() * plan.variables.size()});
      columns.push_back(c);
    }
    ln.trace_interval.push_back(std::llround(m.interval / net.run.dt));
    ln.trace_row_size.push_back(columns.size() * plan.variables.size());
    ln.trace_columns.push_back(std::move(columns));
    b.multimeters.push_back(std::move(plan));
  }
}

// Neurons that are targets of an STDP projection keep their spike history,
// with their population's tau_minus.
void plan_post_histories(built_network& b, const spec::network& net) {
  const auto& ln = b.layout;
  b.tau_minus.assign(ln.n_local, 0.0);
  for (const auto& pr : net.projections) {
    if (!models::find_synapse_model(pr.synapse_model)->uses_post_spikes)
      continue;
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto& params = net.populations[tp].params;
    const auto it = params.find(models::tau_minus_name);
    const double tau = it != params.end() ? it->second : models::default_tau_minus;
    const auto [first, end] = ln.local_range(tp);
    std::fill(b.tau_minus.begin() + static_cast<std::ptrdiff_t>(first),
              b.tau_minus.begin() + static_cast<std::ptrdiff_t>(end), tau);
  }
}

// Tells the owner of every row's source that this rank needs its spikes, and
// under which row; builds, for each local neuron, its subscribers and rows.
void subscribe(rank_layout& ln, const partition::decomposition& decomp, comm::communicator& comm) {
  std::vector<std::vector<std::uint64_t>> wanted(static_cast<std::size_t>(ln.n_ranks)); // (gid, row) pairs
  for (std::uint64_t row = 0; row < ln.row_gid.size(); ++row) {
    auto& w = wanted[static_cast<std::size_t>(decomp.owner(ln.row_gid[row]))];
    w.push_back(ln.row_gid[row]);
    w.push_back(row);
  }
  std::vector<std::span<const std::byte>> blocks;
  for (const auto& w : wanted)
    blocks.push_back(std::as_bytes(std::span(w)));
  std::vector<std::size_t> counts;
  const auto received = comm.all_to_all_v(blocks, counts);
  std::vector<std::uint64_t> per_neuron(ln.n_local + 1, 0);
  struct subscription {
    std::uint64_t local, row;
    std::uint32_t rank;
  };
  std::vector<subscription> subs;
  std::size_t at = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    for (std::size_t k = 0; k < counts[r] / (2 * sizeof(std::uint64_t)); ++k) {
      std::uint64_t pair[2];
      std::memcpy(pair, received.data() + at + k * sizeof pair, sizeof pair);
      const std::uint64_t local = ln.local_index(ln.population_of(pair[0]), pair[0]);
      subs.push_back({local, pair[1], static_cast<std::uint32_t>(r)});
      ++per_neuron[local + 1];
    }
    at += counts[r];
  }
  for (std::uint64_t l = 0; l < ln.n_local; ++l)
    per_neuron[l + 1] += per_neuron[l];
  ln.subscriber_ranks.resize(subs.size());
  ln.subscriber_rows.resize(subs.size());
  std::vector<std::uint64_t> cursor(per_neuron.begin(), per_neuron.end() - 1);
  for (const auto& s : subs) { // ranks ascending per neuron, as received
    const auto k = cursor[s.local]++;
    ln.subscriber_ranks[k] = s.rank;
    ln.subscriber_rows[k] = s.row;
  }
  ln.subscriber_offsets = std::move(per_neuron);
}

rank_layout make_layout(const spec::network& net, const partition::decomposition& decomp,
                        comm::communicator& comm) {
  rank_layout ln;
  ln.rank = comm.rank();
  ln.n_ranks = comm.size();
  ln.dt = net.run.dt;
  ln.n_global = net.total_neurons();
  ln.n_local = decomp.local_count(ln.rank);
  ln.population_offsets = net.population_offsets();
  ln.slices = decomp.slices(ln.rank);
  ln.population_slices.assign(net.populations.size() + 1, 0);
  for (const auto& s : ln.slices)
    ++ln.population_slices[s.population + 1];
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    ln.population_slices[p + 1] += ln.population_slices[p];
  for (const auto& pop : net.populations)
    ln.state_fields.push_back(models::find_model(pop.model)->stored_fields);
  for (std::size_t p = 0; p < net.projections.size(); ++p)
    if (models::find_synapse_model(net.projections[p].synapse_model)->plastic)
      ln.plastic_projections.push_back(p);
  return ln;
}

} // namespace

int ring_channels(const spec::network& net) {
  int ports = 1;
  for (const auto& p : net.populations) {
    const auto* info = models::find_model(p.model);
    if (info && info->typed_receptors)
      ports = std::max(ports, info->ports(p.params_of(0))); // the same for all (io/model_checks.cpp)
  }
  return 2 * ports;
}

std::int64_t ring_slots_for(std::int64_t max_delay, std::int64_t device_delay) {
  // Spikes are delivered before an epoch reads anything, for steps below
  // (epoch start + largest delay); Poisson input is written `delay` steps
  // past the step being read. So these slots suffice, with or without
  // overlapping epochs.
  return std::max<std::int64_t>({max_delay, device_delay + 1, 1});
}

std::int64_t choose_epoch_steps(std::int64_t min_delay, bool overlap) {
  // Without synapses nothing constrains the epoch; 100 steps keeps the
  // per-epoch overhead small and recorder buffers short.
  if (min_delay <= 0)
    return 100;
  return overlap ? min_delay / 2 : min_delay;
}

built_network build(const spec::network& net, unsigned blocks, const std::vector<listed_synapse>& listed,
                    static_table_maker* maker) {
  comm::local_communicator comm;
  return build(net, partition::decomposition(net, 1, partition::strategy::block), comm, blocks, listed,
               maker);
}

built_network build(const spec::network& net, const partition::decomposition& decomp,
                    comm::communicator& comm, unsigned blocks, const std::vector<listed_synapse>& listed,
                    static_table_maker* maker) {
  if (blocks == 0)
    blocks = 1;
  built_network b;
  b.layout = make_layout(net, decomp, comm);
  rank_layout& ln = b.layout;

  b.blocks.resize(blocks);
  for (unsigned t = 0; t < blocks; ++t) {
    b.blocks[t].first_local = ln.n_local * t / blocks;
    b.blocks[t].end_local = ln.n_local * (t + 1) / blocks;
  }
  auto tables = build_tables(net, ln, listed, b.blocks, maker);
  ln.row_gid = std::move(tables.row_gid);
  b.static_tables_by_maker = tables.static_by_maker;
  b.plastic_tables_by_maker = tables.plastic_by_maker;
  // The epoch must be the same on every rank: the smallest delay anywhere.
  // Local spikes travel the same path as remote ones (sent at the end of the
  // epoch), so local synapses bound it too.
  const double global_min = comm.min(tables.max_delay > 0 ? static_cast<double>(tables.min_delay) : 1e18);
  ln.min_delay = global_min < 1e18 ? static_cast<std::int64_t>(global_min) : 0;
  ln.max_delay = tables.max_delay;
  ln.overlap = ln.n_ranks > 1 && ln.min_delay >= 2;
  ln.epoch_steps = choose_epoch_steps(ln.min_delay, ln.overlap);
  plan_devices(b, net);
  plan_multimeters(b, net);
  plan_post_histories(b, net);
  subscribe(ln, decomp, comm);

  std::int64_t device_delay = 0;
  for (const auto& d : net.poisson_devices)
    device_delay = std::max(device_delay, spec::delay_steps(d.delay, net.run.dt));
  ln.ring.n_neurons = ln.n_local;
  ln.ring.n_channels = ring_channels(net);
  ln.ring.n_slots = ring_slots_for(ln.max_delay, device_delay);
  return b;
}

} // namespace myelin
