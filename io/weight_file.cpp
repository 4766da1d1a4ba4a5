#include "io/weight_file.hpp"

#include "io/canonical_layout.hpp"

#include <algorithm>
#include <cmath>

namespace myelin::io {

// Sources and targets (ids within their populations) of this rank's
// synapses of plastic projection i, in canonical order.
struct synapse_ids {
  std::vector<std::uint64_t> source, target;
};

synapse_ids ids_of(const backend& b, std::size_t i) {
  auto synapses = b.plastic_layout(i, true);
  synapse_ids ids;
  ids.source = std::move(synapses.source);
  for (std::size_t k = 0; k < synapses.target.size(); ++k)
    ids.target.insert(ids.target.end(), synapses.indegree[k], synapses.target[k]);
  return ids;
}

namespace {

std::size_t plastic_index_of(const rank_layout& ln, std::size_t projection) {
  const auto& list = ln.plastic_projections;
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i] == projection)
      return i;
  throw internal_error("weight recorder on a projection that is not plastic");
}

// This rank's weights of plastic projection i, in canonical order.
std::vector<double> canonical_weights(const backend& b, std::size_t i) {
  return b.read_plastic(i).weight;
}

} // namespace

weight_files::weight_files(const std::filesystem::path& dir, const spec::network& net, const backend& b,
                           comm::communicator& comm, const std::int64_t* resume_step)
    : dt_(net.run.dt) {
  for (const auto& w : net.weight_recorders) {
    recorder r;
    r.path = (dir / (w.name + ".h5")).string();
    r.plastic_index = plastic_index_of(b.layout(), w.projection);
    r.interval = std::llround(w.interval / net.run.dt);
    const auto& pr = net.projections[w.projection];
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto layout = local_layout(b, r.plastic_index);
    const auto offsets = global_target_offsets(layout, net.populations[tp].size, comm);
    for (const auto& run : layout.runs(offsets))
      r.columns.push_back({run.first, run.count});
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
    } else {
      create(r, w, pr, ids_of(b, r.plastic_index), offsets.back(), comm);
    }
    r.file->keep_consistent_on_crash();
    r.file->flush();
    recorders_.push_back(std::move(r));
  }
}

void weight_files::create(recorder& r, const spec::weight_recorder& w, const spec::projection& pr,
                          const synapse_ids& ids, std::uint64_t total, comm::communicator& comm) {
  r.file = std::make_unique<h5::shared_file>(r.path, comm, h5::shared_file::mode::create);
  auto g = h5::create_group(r.file->id(), "weights", r.path);
  h5::write_string_attribute(g, "source_population", pr.source, r.path);
  h5::write_string_attribute(g, "target_population", pr.target, r.path);
  h5::write_string_attribute(g, "synapse_model", pr.synapse_model, r.path);
  h5::write_u64_attribute(g, "projection", {w.projection}, r.path);
  for (const auto& [name, values] :
       {std::pair{"source_node_ids", &ids.source}, {"target_node_ids", &ids.target}}) {
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

void weight_files::snapshot(std::int64_t step, const backend& b) {
  for (auto& r : recorders_) {
    if (step % r.interval != 0 || static_cast<std::uint64_t>(step / r.interval) + 1 <= r.rows)
      continue;
    const auto row = canonical_weights(b, r.plastic_index);
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
