#include "io/checkpoint_plasticity.hpp"

#include "io/canonical_layout.hpp"
#include "io/checkpoint.hpp"
#include "io/checksum.hpp"
#include "models/synapse_registry.hpp"

namespace myelin::io {
namespace {

std::vector<std::size_t> plastic_projections(const spec::network& net) {
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < net.projections.size(); ++p)
    if (models::find_synapse_model(net.projections[p].synapse_model)->plastic)
      out.push_back(p);
  return out;
}

bool any_post_history(const spec::network& net) {
  for (const auto& pr : net.projections)
    if (models::find_synapse_model(pr.synapse_model)->uses_post_spikes)
      return true;
  return false;
}

std::string group_of(std::size_t p) {
  return "plasticity/" + std::to_string(p);
}

// Rows `index[k]` (ascending) as runs of consecutive rows.
std::vector<h5::row_run> runs_of(const std::vector<std::uint64_t>& index) {
  std::vector<h5::row_run> runs;
  for (auto i : index)
    add_run(runs, i, 1);
  return runs;
}

// Writes a [rows][1] table of 8-byte values: this rank's values at the rows
// of `runs`, and its checksum (rank 0 adds the hash of the rows in
// `unwritten`, which nobody writes and stay 0).
template <class T>
void write_column(const h5::shared_file& f, hid_t parent, const std::string& name, hid_t type,
                  std::uint64_t rows, const std::vector<h5::row_run>& runs, const std::vector<T>& values,
                  const std::vector<h5::row_run>& unwritten, comm::communicator& comm) {
  auto ds = h5::create_table(parent, name, type, rows, 1, f.path());
  h5::write_rows(f, ds, type, values.data(), runs);
  std::uint64_t part = 0;
  std::size_t k = 0;
  for (const auto& r : runs)
    for (std::uint64_t j = 0; j < r.count; ++j)
      part += element_hash(r.first + j, values[k++]);
  for (const auto& r : unwritten)
    for (std::uint64_t j = 0; j < r.count; ++j)
      part += element_hash(r.first + j, T{});
  h5::write_u64_attribute(ds, "checksum", {comm.sum({part})[0]}, f.path());
}

template <class T>
std::vector<T> read_column(const h5::shared_file& f, const std::string& name, hid_t type, std::uint64_t rows,
                           const std::vector<h5::row_run>& runs) {
  h5::handle ds(h5::check(H5Dopen2(f.id(), name.c_str(), H5P_DEFAULT), f.path(), ("open " + name).c_str()),
                H5Dclose);
  std::vector<T> out(rows);
  h5::read_rows(f, ds, type, out.data(), runs, 1);
  return out;
}

} // namespace

std::vector<std::string> plasticity_datasets(const spec::network& net) {
  std::vector<std::string> names;
  for (auto p : plastic_projections(net)) {
    const auto* info = models::find_synapse_model(net.projections[p].synapse_model);
    names.push_back(group_of(p) + "/indegree");
    if (info->plastic_weight)
      names.push_back(group_of(p) + "/weight");
    for (const auto& f : info->pre_fields)
      names.push_back(group_of(p) + "/pre/" + f);
    names.push_back(group_of(p) + "/pre/last");
  }
  if (any_post_history(net))
    for (const char* n : {"gid", "stamp", "k_minus"})
      names.push_back(std::string("plasticity/post_history/") + n);
  return names;
}

void write_plasticity(const h5::shared_file& f, const spec::network& net, const backend& b,
                      comm::communicator& comm) {
  const rank_layout& ln = b.layout();
  const auto& plastic = ln.plastic_projections;
  if (plastic.empty())
    return;
  const std::string& path = f.path();
  auto root = h5::create_group(f.id(), "plasticity", path);
  for (std::size_t i = 0; i < plastic.size(); ++i) {
    const std::size_t p = plastic[i];
    const auto& pr = net.projections[p];
    const auto* info = models::find_synapse_model(pr.synapse_model);
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto sp = static_cast<std::size_t>(net.find_population(pr.source));
    const std::uint64_t n_targets = net.populations[tp].size;
    const std::uint64_t n_sources = net.populations[sp].size;
    auto g = h5::create_group(root, std::to_string(p), path);

    const auto mine = local_layout(b, i);
    const auto st = b.read_plastic(i);
    write_column(f, g, "indegree", H5T_NATIVE_UINT64, n_targets, runs_of(mine.target), mine.indegree, {},
                 comm);
    if (info->plastic_weight) {
      const auto offsets = global_target_offsets(mine, n_targets, comm);
      write_column(f, g, "weight", H5T_NATIVE_DOUBLE, offsets.back(), mine.runs(offsets), st.weight, {},
                   comm);
    }

    // Per-source state: every holder has the same values; the lowest rank
    // holding a source writes it.
    std::vector<std::uint64_t> holds(n_sources, 0);
    for (auto s : st.source)
      holds[s] = 1;
    const auto lower = comm.exclusive_prefix_sum(holds);
    const auto anyone = comm.sum(holds);
    std::vector<std::uint64_t> rows, nobody;
    std::vector<std::size_t> picked; // positions in st.source of the rows written here
    for (std::size_t k = 0; k < st.source.size(); ++k)
      if (lower[st.source[k]] == 0) {
        rows.push_back(st.source[k]);
        picked.push_back(k);
      }
    if (comm.rank() == 0)
      for (std::uint64_t s = 0; s < n_sources; ++s)
        if (anyone[s] == 0)
          nobody.push_back(s);
    auto pre = h5::create_group(g, "pre", path);
    for (std::size_t fi = 0; fi < info->pre_fields.size(); ++fi) {
      std::vector<double> values;
      for (auto k : picked)
        values.push_back(st.pre[fi][k]);
      write_column(f, pre, info->pre_fields[fi], H5T_NATIVE_DOUBLE, n_sources, runs_of(rows), values,
                   runs_of(nobody), comm);
    }
    std::vector<std::int64_t> stamps;
    for (auto k : picked)
      stamps.push_back(st.last[k]);
    write_column(f, pre, "last", H5T_NATIVE_INT64, n_sources, runs_of(rows), stamps, runs_of(nobody), comm);
  }

  if (!any_post_history(net))
    return;
  const auto lists = b.read_post_histories();
  std::vector<std::uint64_t> gids;
  std::vector<std::int64_t> stamps;
  std::vector<double> k_minus;
  std::uint64_t local = 0;
  for (const auto& s : ln.slices)
    for (std::uint64_t k = 0; k < s.count; ++k, ++local)
      for (const auto& e : lists[local]) {
        gids.push_back(s.first_gid + k * s.stride);
        stamps.push_back(e.stamp);
        k_minus.push_back(e.k_minus);
      }
  const std::uint64_t first = comm.exclusive_prefix_sum({gids.size()})[0];
  const std::uint64_t total = comm.sum({gids.size()})[0];
  std::vector<h5::row_run> rows;
  add_run(rows, first, gids.size());
  auto h = h5::create_group(root, "post_history", path);
  write_column(f, h, "gid", H5T_NATIVE_UINT64, total, rows, gids, {}, comm);
  write_column(f, h, "stamp", H5T_NATIVE_INT64, total, rows, stamps, {}, comm);
  write_column(f, h, "k_minus", H5T_NATIVE_DOUBLE, total, rows, k_minus, {}, comm);
}

void restore_plasticity(const h5::shared_file& f, const spec::network& net, backend& b, comm::communicator&) {
  const rank_layout& ln = b.layout();
  const auto& plastic = ln.plastic_projections;
  const std::string& path = f.path();
  for (std::size_t i = 0; i < plastic.size(); ++i) {
    const std::size_t p = plastic[i];
    const std::string g = group_of(p);
    const auto& pr = net.projections[p];
    const auto* info = models::find_synapse_model(pr.synapse_model);
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto sp = static_cast<std::size_t>(net.find_population(pr.source));
    const std::uint64_t n_targets = net.populations[tp].size;
    const std::uint64_t n_sources = net.populations[sp].size;
    if (!h5::has_link(f.id(), g))
      throw checkpoint_error(path, "no plastic state for projections[" + std::to_string(p) + "] (" +
                                       pr.synapse_model + ")");
    const auto indegree =
        read_column<std::uint64_t>(f, g + "/indegree", H5T_NATIVE_UINT64, n_targets, {{0, 1, n_targets}});
    const auto mine = local_layout(b, i);
    for (std::size_t k = 0; k < mine.target.size(); ++k)
      if (indegree[mine.target[k]] != mine.indegree[k])
        throw checkpoint_error(
            path, "projections[" + std::to_string(p) + "]: target " + std::to_string(mine.target[k]) +
                      " has " + std::to_string(indegree[mine.target[k]]) +
                      " stored synapses but this model builds " + std::to_string(mine.indegree[k]));
    plastic_state st;
    if (info->plastic_weight) {
      std::uint64_t n = 0;
      for (auto d : mine.indegree)
        n += d;
      st.weight =
          read_column<double>(f, g + "/weight", H5T_NATIVE_DOUBLE, n, mine.runs(target_offsets(indegree)));
    }
    for (const auto& name : info->pre_fields)
      st.pre.push_back(
          read_column<double>(f, g + "/pre/" + name, H5T_NATIVE_DOUBLE, n_sources, {{0, 1, n_sources}}));
    st.last = read_column<std::int64_t>(f, g + "/pre/last", H5T_NATIVE_INT64, n_sources, {{0, 1, n_sources}});
    b.write_plastic(i, st);
  }

  if (!any_post_history(net))
    return;
  const auto dims = h5::dataset_dims(f.id(), "plasticity/post_history/gid", path);
  const std::uint64_t n = dims.empty() ? 0 : dims[0];
  const auto gids =
      read_column<std::uint64_t>(f, "plasticity/post_history/gid", H5T_NATIVE_UINT64, n, {{0, 1, n}});
  const auto stamps =
      read_column<std::int64_t>(f, "plasticity/post_history/stamp", H5T_NATIVE_INT64, n, {{0, 1, n}});
  const auto k_minus =
      read_column<double>(f, "plasticity/post_history/k_minus", H5T_NATIVE_DOUBLE, n, {{0, 1, n}});
  post_history_lists lists(ln.n_local);
  for (std::uint64_t k = 0; k < n; ++k) {
    if (gids[k] >= ln.n_global)
      throw checkpoint_error(path,
                             "post_history names neuron " + std::to_string(gids[k]) + ", beyond the model");
    const auto pop = ln.population_of(gids[k]);
    if (ln.owns(pop, gids[k]))
      lists[ln.local_index(pop, gids[k])].push_back({stamps[k], k_minus[k]});
  }
  b.write_post_histories(std::move(lists));
}

} // namespace myelin::io
