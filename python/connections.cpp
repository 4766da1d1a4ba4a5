#include "python/connections.hpp"

#include "engine/build.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace myelin::python {
namespace {

// Rows [row_first, row_first + rows) of a table, whose synapses' targets are
// local indices (one rank: local index = gid).
void append(connection_list& out, const synapse_table& t, const rank_layout& ln, std::uint64_t row_first,
            double dt, const std::vector<double>* exact_weight) {
  for (std::uint64_t row = 0; row + 1 < t.source_segments.size(); ++row)
    for (std::uint64_t seg = t.source_segments[row]; seg < t.source_segments[row + 1]; ++seg)
      for (std::uint64_t k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k) {
        out.source.push_back(ln.row_gid[row_first + row]);
        out.target.push_back(ln.gid_of(t.synapses[k].target));
        out.weight.push_back(exact_weight ? (*exact_weight)[k] : t.synapses[k].weight);
        out.delay.push_back(static_cast<double>(t.segment_delay[seg]) * dt);
      }
}

} // namespace

connection_list projection_connections(const spec::network& net, std::size_t projection) {
  if (projection >= net.projections.size())
    throw internal_error("projection_connections: no such projection");
  if (net.projections[projection].connectivity.type == spec::rule::kind::edges)
    throw internal_error(
        "projection_connections: a projection of SONATA edges (myelin.nest reads no circuits)");
  // Every other projection keeps its index (its keys) but draws nothing.
  spec::network one = net;
  for (std::size_t j = 0; j < one.projections.size(); ++j)
    if (j != projection) {
      one.projections[j].connectivity = {};
      one.projections[j].connectivity.type = spec::rule::kind::fixed_total_number;
      one.projections[j].connectivity.n = 0;
    }
  one.edge_sets.clear();
  const built_network built = build(one, 1);
  connection_list out;
  for (const auto& block : built.blocks) {
    append(out, block.table, built.layout, 0, net.run.dt, nullptr);
    for (const auto& p : block.plastic)
      append(out, p.table, built.layout, p.row_first, net.run.dt, &p.initial_weight);
  }
  // NEST's order: by source, then target.
  std::vector<std::size_t> order(out.source.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(out.source[a], out.target[a]) < std::tie(out.source[b], out.target[b]);
  });
  connection_list sorted;
  for (const std::size_t k : order) {
    sorted.source.push_back(out.source[k]);
    sorted.target.push_back(out.target[k]);
    sorted.weight.push_back(out.weight[k]);
    sorted.delay.push_back(out.delay[k]);
  }
  return sorted;
}

} // namespace myelin::python
