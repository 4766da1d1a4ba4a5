#include "io/spike_file.hpp"

#include <algorithm>
#include <filesystem>

namespace myelin::io {

namespace {
h5::shared_file::mode open_mode(const std::string& path, const std::vector<std::uint64_t>* resume_rows) {
  std::error_code ec;
  return resume_rows && std::filesystem::exists(path, ec) ? h5::shared_file::mode::update
                                                          : h5::shared_file::mode::create;
}
} // namespace

spike_file::spike_file(const std::string& path, const spec::network& net, comm::communicator& comm,
                       int flush_every_epochs, const std::vector<std::uint64_t>* resume_rows)
    : comm_(comm)
    , dt_(net.run.dt)
    , flush_every_(std::max(1, flush_every_epochs))
    , offsets_(net.population_offsets())
    , first_id_(net.populations.size(), 0)
    , group_of_(net.populations.size(), 0)
    , pops_(net.populations.size())
    , written_(net.populations.size(), 0)
    , file_(path, comm, open_mode(path, resume_rows)) {
  const bool reopened = open_mode(path, resume_rows) == h5::shared_file::mode::update;
  auto root =
      reopened && h5::has_link(file_.id(), "spikes")
          ? h5::handle(h5::check(H5Gopen2(file_.id(), "spikes", H5P_DEFAULT), path, "open /spikes"), H5Gclose)
          : h5::create_group(file_.id(), "spikes", path);
  for (std::size_t i = 0; i < pops_.size(); ++i) {
    first_id_[i] = net.populations[i].output_first_id;
    group_of_[i] = i;
    for (std::size_t j = 0; j < i; ++j)
      if (net.populations[j].output() == net.populations[i].output()) {
        group_of_[i] = j;
        break;
      }
  }
  for (const auto& rec : net.spike_recorders) {
    if (rec.populations.empty())
      for (auto& p : pops_)
        p.recorded = true;
    for (const auto& name : rec.populations)
      pops_[group_of_[static_cast<std::size_t>(net.find_population(name))]].recorded = true;
  }
  for (std::size_t i = 0; i < pops_.size(); ++i) {
    auto& p = pops_[i];
    if (!p.recorded || group_of_[i] != i)
      continue;
    const std::string& name = net.populations[i].output();
    if (reopened && h5::has_link(root, name)) {
      // Back to the checkpoint: whatever was written after it goes.
      p.group = {h5::check(H5Gopen2(root, name.c_str(), H5P_DEFAULT), path, "open a population"), H5Gclose};
      p.timestamps = {h5::check(H5Dopen2(p.group, "timestamps", H5P_DEFAULT), path, "open timestamps"),
                      H5Dclose};
      p.node_ids = {h5::check(H5Dopen2(p.group, "node_ids", H5P_DEFAULT), path, "open node_ids"), H5Dclose};
      const hsize_t rows[1] = {(*resume_rows)[i]};
      h5::check(H5Dset_extent(p.timestamps, rows), path, "truncate timestamps");
      h5::check(H5Dset_extent(p.node_ids, rows), path, "truncate node_ids");
      written_[i] = rows[0];
    } else {
      p.group = h5::create_group(root, name, path);
      p.timestamps = h5::create_extendible(p.group, "timestamps", H5T_NATIVE_DOUBLE, 1, 1, 16384, path);
      h5::write_string_attribute(p.timestamps, "units", "ms", path);
      p.node_ids = h5::create_extendible(p.group, "node_ids", H5T_NATIVE_UINT64, 1, 1, 16384, path);
    }
    // Several ranks append rank after rank: sorted by time only on one rank.
    h5::write_sorting_attribute(
        p.group, comm.size() == 1 && !reopened ? h5::sorting::by_time : h5::sorting::none, path);
  }
  file_.keep_consistent_on_crash();
  file_.flush(); // a crash from here on leaves a readable file
}

void spike_file::sync() {
  flush();
  file_.flush();
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
    auto& out = pops_[group_of_[p]];
    if (!out.recorded)
      continue;
    out.times.push_back(static_cast<double>(s.step + 1) * dt_);
    out.ids.push_back(s.gid - offsets_[p] + first_id_[p]);
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
    if (!p.recorded || group_of_[i] != i)
      continue;
    h5::append_rows(file_, p.timestamps, H5T_NATIVE_DOUBLE, p.times.data(), counts[i], before[i], totals[i],
                    {});
    h5::append_rows(file_, p.node_ids, H5T_NATIVE_UINT64, p.ids.data(), counts[i], before[i], totals[i], {});
    written_[i] += totals[i];
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
