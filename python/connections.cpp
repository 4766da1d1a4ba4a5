#include "python/connections.hpp"

#include "engine/build.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace myelin::python {

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
  for (const auto& c : built_connections(built)) {
    out.source.push_back(c.source);
    out.target.push_back(built.layout.gid_of(c.target_local));
    out.weight.push_back(c.weight);
    out.delay.push_back(c.delay_ms);
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
