#include "io/connection_file.hpp"

#include "io/hdf5_handle.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace myelin::io {

void write_connection_file(const std::string& path, const spec::network& net, const built_network& built) {
  const rank_layout& ln = built.layout;
  if (ln.n_ranks != 1)
    throw internal_error("write_connection_file needs the whole network on one rank");
  using row = built_connection;
  auto rows = built_connections(built);
  std::sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
    return std::tie(a.target_local, a.source, a.delay_ms, a.weight) <
           std::tie(b.target_local, b.source, b.delay_ms, b.weight);
  });
  comm::local_communicator one;
  h5::shared_file f(path, one);
  auto g = h5::create_group(f.id(), "connections", path);
  std::vector<std::uint64_t> u(rows.size());
  std::vector<double> d(rows.size());
  auto put_u = [&](const char* name, auto field) {
    std::transform(rows.begin(), rows.end(), u.begin(), field);
    h5::write_fixed(f, g, name, H5T_NATIVE_UINT64, u.data(), u.size());
  };
  auto put_d = [&](const char* name, auto field) {
    std::transform(rows.begin(), rows.end(), d.begin(), field);
    h5::write_fixed(f, g, name, H5T_NATIVE_DOUBLE, d.data(), d.size());
  };
  put_u("source", [](const row& r) { return r.source; });
  put_u("target", [](const row& r) { return r.target_local; }); // one rank, block: local index = gid
  put_d("weight", [](const row& r) { return r.weight; });
  put_d("delay", [](const row& r) { return r.delay_ms; });
  auto pops = h5::create_group(f.id(), "populations", path);
  std::vector<std::uint64_t> first, size;
  std::string names;
  const auto offsets = net.population_offsets();
  for (std::size_t i = 0; i < net.populations.size(); ++i) {
    const auto& p = net.populations[i];
    const auto [fg, n] = net.output_range(p.output());
    if (fg != offsets[i])
      continue; // a later part of a SONATA population
    names += (names.empty() ? "" : ",") + p.output();
    first.push_back(fg);
    size.push_back(n);
  }
  h5::write_fixed(f, pops, "first_gid", H5T_NATIVE_UINT64, first.data(), first.size());
  h5::write_fixed(f, pops, "size", H5T_NATIVE_UINT64, size.data(), size.size());
  h5::write_string_attribute(pops, "names", names, path);
  f.close();
}

} // namespace myelin::io
