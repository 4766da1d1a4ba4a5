#include "io/weight_file.hpp"

#include "models/synapse_registry.hpp"

#include <algorithm>
#include <cmath>

namespace myelin::io {
namespace {

// This rank's synapses of plastic projection i in canonical order: their
// global canonical positions, sources and targets (ids within populations).
struct local_synapses {
  std::vector<std::uint64_t> position, source, target;
};

local_synapses synapses_of(const spec::network& net, const local_network& ln, std::size_t i,
                           comm::communicator& comm) {
  const auto& pr = net.projections[ln.shards[0].plastic[i]->projection];
  const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
  const auto& s = ln.slices[tp];
  const std::uint64_t n_targets = net.populations[tp].size;
  std::vector<std::uint64_t> indegree(n_targets, 0);
  for (const auto& shard : ln.shards) {
    const auto& pp = *shard.plastic[i];
    for (std::size_t k = 0; k + 1 < pp.target_offsets.size(); ++k)
      indegree[s.first_index + (pp.target_first + k - s.first_local) * s.stride] =
          pp.target_offsets[k + 1] - pp.target_offsets[k];
  }
  const auto global = comm.sum(indegree);
  std::vector<std::uint64_t> offset(n_targets + 1, 0);
  for (std::uint64_t t = 0; t < n_targets; ++t)
    offset[t + 1] = offset[t] + global[t];
  local_synapses out;
  for (const auto& shard : ln.shards) {
    const auto& pp = *shard.plastic[i];
    const auto& tab = pp.table;
    std::vector<std::uint64_t> source(pp.canonical.size());
    for (std::uint64_t src = 0; src + 1 < tab.source_segments.size(); ++src)
      for (auto seg = tab.source_segments[src]; seg < tab.source_segments[src + 1]; ++seg)
        for (auto k = tab.segment_synapses[seg]; k < tab.segment_synapses[seg + 1]; ++k)
          source[pp.canonical[k]] = src;
    for (std::size_t k = 0; k + 1 < pp.target_offsets.size(); ++k) {
      const std::uint64_t target = s.first_index + (pp.target_first + k - s.first_local) * s.stride;
      for (auto c = pp.target_offsets[k]; c < pp.target_offsets[k + 1]; ++c) {
        out.position.push_back(offset[target] + (c - pp.target_offsets[k]));
        out.source.push_back(source[c]);
        out.target.push_back(target);
      }
    }
  }
  out.position.push_back(offset.back()); // sentinel: the total
  return out;
}

std::size_t plastic_index_of(const local_network& ln, std::size_t projection) {
  const auto& list = ln.shards[0].plastic;
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i]->projection == projection)
      return i;
  throw internal_error("weight recorder on a projection that is not plastic");
}

} // namespace

weight_files::weight_files(const std::filesystem::path& dir, const spec::network& net,
                           const local_network& ln, comm::communicator& comm, const std::int64_t* resume_step)
    : dt_(net.run.dt) {
  for (const auto& w : net.weight_recorders) {
    recorder r;
    r.path = (dir / (w.name + ".h5")).string();
    r.plastic_index = plastic_index_of(ln, w.projection);
    r.interval = std::llround(w.interval / net.run.dt);
    std::error_code ec;
    if (resume_step && std::filesystem::exists(r.path, ec)) {
      r.file = std::make_unique<h5::shared_file>(r.path, comm, h5::shared_file::mode::update);
      if (!h5::has_link(r.file->id(), "weights/data") || !h5::has_link(r.file->id(), "weights/time"))
        throw io_error(r.path, "is not this weight recorder's file; move it away to start a new one");
      r.data = {h5::check(H5Dopen2(r.file->id(), "weights/data", H5P_DEFAULT), r.path, "open data"),
                H5Dclose};
      r.time = {h5::check(H5Dopen2(r.file->id(), "weights/time", H5P_DEFAULT), r.path, "open time"),
                H5Dclose};
      const auto dims = h5::dataset_dims(r.file->id(), "weights/data", r.path);
      // Snapshots at 0, interval, ... up to the checkpoint's step were taken.
      r.rows = std::min<std::uint64_t>(dims.at(0), static_cast<std::uint64_t>(*resume_step / r.interval) + 1);
      const hsize_t extent[2] = {r.rows, dims.at(1)}, extent1[1] = {r.rows};
      h5::check(H5Dset_extent(r.data, extent), r.path, "truncate the weights");
      h5::check(H5Dset_extent(r.time, extent1), r.path, "truncate the times");
      const auto mine = synapses_of(net, ln, r.plastic_index, comm);
      for (std::size_t k = 0; k + 1 < mine.position.size(); ++k) {
        if (!r.columns.empty() && r.columns.back().start + r.columns.back().width == mine.position[k])
          ++r.columns.back().width;
        else
          r.columns.push_back({mine.position[k], 1});
      }
    } else {
      create(r, net, w, ln, comm);
    }
    r.file->keep_consistent_on_crash();
    r.file->flush();
    recorders_.push_back(std::move(r));
  }
}

void weight_files::create(recorder& r, const spec::network& net, const spec::weight_recorder& w,
                          const local_network& ln, comm::communicator& comm) {
  const auto& pr = net.projections[w.projection];
  const auto mine = synapses_of(net, ln, r.plastic_index, comm);
  const std::uint64_t total = mine.position.back();
  for (std::size_t k = 0; k + 1 < mine.position.size(); ++k) {
    if (!r.columns.empty() && r.columns.back().start + r.columns.back().width == mine.position[k])
      ++r.columns.back().width;
    else
      r.columns.push_back({mine.position[k], 1});
  }
  r.file = std::make_unique<h5::shared_file>(r.path, comm, h5::shared_file::mode::create);
  auto g = h5::create_group(r.file->id(), "weights", r.path);
  h5::write_string_attribute(g, "source_population", pr.source, r.path);
  h5::write_string_attribute(g, "target_population", pr.target, r.path);
  h5::write_string_attribute(g, "synapse_model", pr.synapse_model, r.path);
  h5::write_u64_attribute(g, "projection", {w.projection}, r.path);
  for (const auto& [name, values] :
       {std::pair{"source_node_ids", &mine.source}, {"target_node_ids", &mine.target}}) {
    auto ds = h5::create_table(g, name, H5T_NATIVE_UINT64, total, 1, r.path);
    std::vector<h5::row_run> runs;
    for (const auto& c : r.columns)
      runs.push_back({c.start, 1, c.width});
    h5::write_rows(*r.file, ds, H5T_NATIVE_UINT64, values->data(), runs);
  }
  // One snapshot per chunk row, at most ~8 MB a chunk.
  const hsize_t chunk_rows =
      std::max<hsize_t>(1, std::min<hsize_t>(64, (1u << 20) / std::max<hsize_t>(total, 1)));
  r.data = h5::create_extendible(g, "data", H5T_NATIVE_DOUBLE, 2, total, chunk_rows, r.path);
  r.time = h5::create_extendible(g, "time", H5T_NATIVE_DOUBLE, 1, 0, 1024, r.path);
}

std::vector<std::int64_t> weight_files::snapshot_steps(std::int64_t from, std::int64_t to) const {
  std::vector<std::int64_t> steps;
  for (const auto& r : recorders_)
    for (std::int64_t s = (from / r.interval) * r.interval; s <= to; s += r.interval)
      if (s > from || (s == 0 && from == 0 && r.rows == 0))
        steps.push_back(s);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

void weight_files::snapshot(std::int64_t step, const local_network& ln) {
  for (auto& r : recorders_) {
    if (step % r.interval != 0 || static_cast<std::uint64_t>(step / r.interval) + 1 <= r.rows)
      continue;
    std::vector<double> row;
    for (const auto& shard : ln.shards) {
      const auto w = shard.plastic[r.plastic_index]->canonical_weights();
      row.insert(row.end(), w.begin(), w.end());
    }
    h5::append_rows(*r.file, r.data, H5T_NATIVE_DOUBLE, row.data(), 1, 0, 1, r.columns);
    const double t = static_cast<double>(step) * dt_;
    h5::append_rows(*r.file, r.time, H5T_NATIVE_DOUBLE, &t, r.file->rank() == 0 ? 1 : 0, 0, 1, {});
    ++r.rows;
  }
}

void weight_files::sync() {
  for (auto& r : recorders_)
    r.file->flush();
}

void weight_files::close() {
  for (auto& r : recorders_) {
    r.data.reset();
    r.time.reset();
    r.file->close();
  }
  recorders_.clear();
}

} // namespace myelin::io
