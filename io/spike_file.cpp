#include "io/spike_file.hpp"

#include <algorithm>

namespace myelin::io {

spike_file::spike_file(const std::string& path, const spec::network& net, comm::communicator& comm,
                       int flush_every_epochs)
    : comm_(comm)
    , dt_(net.run.dt)
    , flush_every_(std::max(1, flush_every_epochs))
    , offsets_(net.population_offsets())
    , pops_(net.populations.size())
    , file_(path, comm) {
  auto root = h5::create_group(file_.id(), "spikes", path);
  for (const auto& rec : net.spike_recorders) {
    if (rec.populations.empty())
      for (auto& p : pops_)
        p.recorded = true;
    for (const auto& name : rec.populations)
      pops_[static_cast<std::size_t>(net.find_population(name))].recorded = true;
  }
  for (std::size_t i = 0; i < pops_.size(); ++i) {
    auto& p = pops_[i];
    if (!p.recorded)
      continue;
    p.group = h5::create_group(root, net.populations[i].name, path);
    h5::write_sorting_attribute(p.group, comm.size() == 1 ? 2 : 0, path);
    p.timestamps = h5::create_extendible(p.group, "timestamps", H5T_NATIVE_DOUBLE, 1, 1, 16384, path);
    h5::write_string_attribute(p.timestamps, "units", "ms", path);
    p.node_ids = h5::create_extendible(p.group, "node_ids", H5T_NATIVE_UINT64, 1, 1, 16384, path);
  }
}

spike_file::~spike_file() {
  // close() is collective and must be called explicitly; here only handles
  // are released (an exception is already unwinding, or close() ran).
}

void spike_file::write(std::span<const spike> spikes) {
  if (!open_)
    throw internal_error("spike_file written after close");
  for (const spike& s : spikes) {
    const auto p = static_cast<std::size_t>(std::upper_bound(offsets_.begin(), offsets_.end(), s.gid) -
                                            offsets_.begin() - 1);
    auto& out = pops_[p];
    if (!out.recorded)
      continue;
    out.times.push_back(static_cast<double>(s.step + 1) * dt_);
    out.ids.push_back(s.gid - offsets_[p]);
  }
  if (++epochs_ % flush_every_ == 0)
    flush();
}

void spike_file::flush() {
  std::vector<std::uint64_t> counts;
  for (const auto& p : pops_)
    counts.push_back(p.times.size());
  const auto before = comm_.exclusive_prefix_sum(counts);
  const auto totals = comm_.sum(counts);
  for (std::size_t i = 0; i < pops_.size(); ++i) {
    auto& p = pops_[i];
    if (!p.recorded)
      continue;
    h5::append_rows(file_, p.timestamps, H5T_NATIVE_DOUBLE, p.times.data(), counts[i], before[i], totals[i],
                    {});
    h5::append_rows(file_, p.node_ids, H5T_NATIVE_UINT64, p.ids.data(), counts[i], before[i], totals[i], {});
    p.times.clear();
    p.ids.clear();
  }
}

void spike_file::close() {
  if (!open_)
    return;
  flush();
  for (auto& p : pops_) {
    p.timestamps.reset();
    p.node_ids.reset();
    p.group.reset();
  }
  file_.close();
  open_ = false;
}

} // namespace myelin::io
