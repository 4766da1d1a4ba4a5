#include "io/spike_file.hpp"

#include <algorithm>

namespace myelin::io {

namespace {
constexpr std::size_t flush_threshold = 1 << 15; // spikes buffered before an append (512 KiB)
}

spike_file::spike_file(const std::string& path, const spec::network& net)
    : path_(path)
    , dt_(net.run.dt)
    , offsets_(net.population_offsets())
    , pops_(net.populations.size()) {
  file_ = h5::create_file(path);
  auto root = h5::create_group(file_, "spikes", path);
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
    h5::write_sorting_attribute(p.group, 2, path);
    p.timestamps = h5::create_extendible(p.group, "timestamps", H5T_NATIVE_DOUBLE, 1, 1, 16384, path);
    h5::write_string_attribute(p.timestamps, "units", "ms", path);
    p.node_ids = h5::create_extendible(p.group, "node_ids", H5T_NATIVE_UINT64, 1, 1, 16384, path);
  }
}

spike_file::~spike_file() {
  try {
    close();
  } catch (...) {
    // Destructors must not throw; close() is called explicitly on the normal path.
  }
}

void spike_file::write(std::span<const spike> spikes) {
  if (file_.get() < 0)
    throw internal_error("spike_file written after close");
  for (const spike& s : spikes) {
    const auto p = static_cast<std::size_t>(std::upper_bound(offsets_.begin(), offsets_.end(), s.gid) -
                                            offsets_.begin() - 1);
    auto& out = pops_[p];
    if (!out.recorded)
      continue;
    out.times.push_back(static_cast<double>(s.step + 1) * dt_);
    out.ids.push_back(s.gid - offsets_[p]);
    ++buffered_;
  }
  if (buffered_ >= flush_threshold)
    flush();
}

void spike_file::flush() {
  for (auto& p : pops_) {
    if (!p.recorded || p.times.empty())
      continue;
    h5::append(p.timestamps, H5T_NATIVE_DOUBLE, p.times.data(), p.times.size(), 1, path_);
    h5::append(p.node_ids, H5T_NATIVE_UINT64, p.ids.data(), p.ids.size(), 1, path_);
    p.times.clear();
    p.ids.clear();
  }
  buffered_ = 0;
}

void spike_file::close() {
  if (file_.get() < 0)
    return;
  flush();
  for (auto& p : pops_) {
    p.timestamps.reset();
    p.node_ids.reset();
    p.group.reset();
  }
  h5::check(H5Fflush(file_, H5F_SCOPE_GLOBAL), path_, "flush the file");
  file_.reset();
}

} // namespace myelin::io
