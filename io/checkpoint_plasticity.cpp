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

void write_plasticity(const h5::shared_file& f, const spec::network& net, const local_network& ln,
                      comm::communicator& comm) {
  const auto plastic = plastic_projections(net);
  if (plastic.empty())
    return;
  const std::string& path = f.path();
  auto root = h5::create_group(f.id(), "plasticity", path);
  for (std::size_t i = 0; i < plastic.size(); ++i) {
    const std::size_t p = plastic[i];
    const auto& pr = net.projections[p];
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const std::uint64_t n_targets = net.populations[tp].size;
    auto g = h5::create_group(root, std::to_string(p), path);

    const auto mine = local_layout(ln, i);
    write_column(f, g, "indegree", H5T_NATIVE_UINT64, n_targets, runs_of(mine.target), mine.indegree, {},
                 comm);
    if (ln.shards[0].plastic[i]->plastic_weight()) {
      const auto offsets = global_target_offsets(mine, n_targets, comm);
      write_column(f, g, "weight", H5T_NATIVE_DOUBLE, offsets.back(), mine.runs(offsets),
                   local_canonical_weights(ln, i), {}, comm);
    }

    // Per-source state: every holder has the same values; the lowest rank
    // holding a source writes it, the first of its threads that holds it.
    const std::uint64_t n_sources = ln.shards[0].plastic[i]->n_sources;
    std::vector<std::uint64_t> holds(n_sources, 0);
    std::vector<int> holder(n_sources, -1);
    for (std::size_t t = 0; t < ln.shards.size(); ++t)
      for (std::uint64_t s = 0; s < n_sources; ++s)
        if (holder[s] < 0 && ln.shards[t].plastic[i]->has_source(s)) {
          holder[s] = static_cast<int>(t);
          holds[s] = 1;
        }
    const auto lower = comm.exclusive_prefix_sum(holds);
    const auto anyone = comm.sum(holds);
    std::vector<std::uint64_t> rows, nobody;
    for (std::uint64_t s = 0; s < n_sources; ++s) {
      if (holds[s] && lower[s] == 0)
        rows.push_back(s);
      if (comm.rank() == 0 && anyone[s] == 0)
        nobody.push_back(s);
    }
    auto pre = h5::create_group(g, "pre", path);
    std::vector<std::vector<std::vector<double>>> fields(ln.shards.size());
    std::vector<std::vector<std::int64_t>> last(ln.shards.size());
    for (std::size_t t = 0; t < ln.shards.size(); ++t) {
      fields[t] = ln.shards[t].plastic[i]->pre_fields();
      last[t] = ln.shards[t].plastic[i]->pre_last();
    }
    const auto names = ln.shards[0].plastic[i]->pre_field_names();
    for (std::size_t fi = 0; fi < names.size(); ++fi) {
      std::vector<double> values;
      for (auto s : rows)
        values.push_back(fields[static_cast<std::size_t>(holder[s])][fi][s]);
      write_column(f, pre, names[fi], H5T_NATIVE_DOUBLE, n_sources, runs_of(rows), values, runs_of(nobody),
                   comm);
    }
    std::vector<std::int64_t> stamps;
    for (auto s : rows)
      stamps.push_back(last[static_cast<std::size_t>(holder[s])][s]);
    write_column(f, pre, "last", H5T_NATIVE_INT64, n_sources, runs_of(rows), stamps, runs_of(nobody), comm);
  }

  if (!any_post_history(net))
    return;
  std::vector<std::uint64_t> gids;
  std::vector<std::int64_t> stamps;
  std::vector<double> k_minus;
  std::uint64_t local = 0;
  for (const auto& s : ln.slices)
    for (std::uint64_t k = 0; k < s.count; ++k, ++local)
      if (ln.post.keeps(local))
        for (const auto& e : ln.post.spikes(local)) {
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

void restore_plasticity(const h5::shared_file& f, const spec::network& net, local_network& ln,
                        comm::communicator&) {
  const auto plastic = plastic_projections(net);
  const std::string& path = f.path();
  for (std::size_t i = 0; i < plastic.size(); ++i) {
    const std::size_t p = plastic[i];
    const std::string g = group_of(p);
    const auto& pr = net.projections[p];
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const std::uint64_t n_targets = net.populations[tp].size;
    if (!h5::has_link(f.id(), g))
      throw checkpoint_error(path, "no plastic state for projections[" + std::to_string(p) + "] (" +
                                       pr.synapse_model + ")");
    const auto indegree =
        read_column<std::uint64_t>(f, g + "/indegree", H5T_NATIVE_UINT64, n_targets, {{0, 1, n_targets}});
    const auto mine = local_layout(ln, i);
    for (std::size_t k = 0; k < mine.target.size(); ++k)
      if (indegree[mine.target[k]] != mine.indegree[k])
        throw checkpoint_error(
            path, "projections[" + std::to_string(p) + "]: target " + std::to_string(mine.target[k]) +
                      " has " + std::to_string(indegree[mine.target[k]]) +
                      " stored synapses but this model builds " + std::to_string(mine.indegree[k]));
    if (ln.shards[0].plastic[i]->plastic_weight()) {
      std::uint64_t n = 0;
      for (auto d : mine.indegree)
        n += d;
      const auto w =
          read_column<double>(f, g + "/weight", H5T_NATIVE_DOUBLE, n, mine.runs(target_offsets(indegree)));
      std::size_t at = 0;
      for (auto& shard : ln.shards) {
        auto& pp = *shard.plastic[i];
        const std::vector<double> part(w.begin() + static_cast<std::ptrdiff_t>(at),
                                       w.begin() + static_cast<std::ptrdiff_t>(at + pp.canonical.size()));
        pp.set_canonical_weights(part);
        at += pp.canonical.size();
      }
    }
    const std::uint64_t n_sources = ln.shards[0].plastic[i]->n_sources;
    std::vector<std::vector<double>> fields;
    for (const auto& name : ln.shards[0].plastic[i]->pre_field_names())
      fields.push_back(
          read_column<double>(f, g + "/pre/" + name, H5T_NATIVE_DOUBLE, n_sources, {{0, 1, n_sources}}));
    const auto last =
        read_column<std::int64_t>(f, g + "/pre/last", H5T_NATIVE_INT64, n_sources, {{0, 1, n_sources}});
    for (auto& shard : ln.shards)
      shard.plastic[i]->set_pre(fields, last);
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
  std::vector<std::vector<models::post_spike>> lists(ln.n_local);
  for (std::uint64_t k = 0; k < n; ++k) {
    if (gids[k] >= ln.n_global)
      throw checkpoint_error(path,
                             "post_history names neuron " + std::to_string(gids[k]) + ", beyond the model");
    const auto pop = ln.population_of(gids[k]);
    if (ln.owns(pop, gids[k]))
      lists[ln.local_index(pop, gids[k])].push_back({stamps[k], k_minus[k]});
  }
  for (std::uint64_t l = 0; l < ln.n_local; ++l)
    if (ln.post.keeps(l))
      ln.post.set_spikes(l, std::move(lists[l]));
  for (auto& shard : ln.shards) {
    shard.history_entries = 0;
    for (std::uint64_t l = shard.first_local; l < shard.end_local; ++l)
      if (ln.post.keeps(l))
        shard.history_entries += ln.post.spikes(l).size();
    shard.prune_at = prune_threshold(shard, shard.history_entries);
  }
}

} // namespace myelin::io
