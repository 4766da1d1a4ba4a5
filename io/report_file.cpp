#include "io/report_file.hpp"

#include "models/registry.hpp"

#include <array>

namespace myelin::io {
namespace {
constexpr std::int64_t flush_rows = 4096; // samples buffered before a collective append
}

report_files::report_files(const std::filesystem::path& dir, const spec::network& net,
                           const std::vector<std::vector<std::uint64_t>>& local_columns,
                           comm::communicator& comm, const std::vector<std::uint64_t>* resume_rows) {
  for (std::size_t mi = 0; mi < net.multimeters.size(); ++mi) {
    const auto& m = net.multimeters[mi];
    report r;
    r.path = (dir / (m.name + ".h5")).string();
    r.interval_ms = m.interval;
    const std::size_t nv = m.variables.size();
    r.local_width = local_columns[mi].size() * nv;
    for (auto c : local_columns[mi]) { // merge neighbouring columns into blocks
      if (!r.columns.empty() && r.columns.back().start + r.columns.back().width == c * nv)
        r.columns.back().width += nv;
      else
        r.columns.push_back({c * nv, nv});
    }
    std::error_code ec;
    if (resume_rows && std::filesystem::exists(r.path, ec))
      reopen(r, m, comm, (*resume_rows)[mi]);
    else
      create(r, net, m, comm);
    r.file->keep_consistent_on_crash();
    r.file->flush();
    reports_.push_back(std::move(r));
  }
}

void report_files::reopen(report& r, const spec::multimeter& m, comm::communicator& comm,
                          std::uint64_t rows) {
  const std::string base = "report/" + m.population;
  r.file = std::make_unique<h5::shared_file>(r.path, comm, h5::shared_file::mode::update);
  if (!h5::has_link(r.file->id(), base + "/data") || !h5::has_link(r.file->id(), base + "/mapping/time"))
    throw io_error(r.path, "is not this multimeter's report; move it away to start a new one");
  r.data = {h5::check(H5Dopen2(r.file->id(), (base + "/data").c_str(), H5P_DEFAULT), r.path, "open data"),
            H5Dclose};
  r.time = {
      h5::check(H5Dopen2(r.file->id(), (base + "/mapping/time").c_str(), H5P_DEFAULT), r.path, "open time"),
      H5Dclose};
  if (h5::dataset_dims(r.file->id(), base + "/mapping/time", r.path) != std::vector<hsize_t>{3})
    throw io_error(r.path, base + "/mapping/time should hold start, stop and step");
  double time[3] = {0, 0, 0};
  h5::check(H5Dread(r.time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time), r.path,
            "read mapping/time");
  r.first_sample = std::llround(time[0] / m.interval);
  r.samples = static_cast<std::int64_t>(rows);
  const auto dims = h5::dataset_dims(r.file->id(), base + "/data", r.path);
  const hsize_t extent[2] = {rows, dims.at(1)};
  h5::check(H5Dset_extent(r.data, extent), r.path, "truncate the report");
}

void report_files::create(report& r, const spec::network& net, const spec::multimeter& m,
                          comm::communicator& comm) {
  const std::string& path = r.path;
  const auto [first_gid, size] = net.output_range(m.population);
  const auto* info = models::find_model(net.populations[net.population_of(first_gid)].model);
  std::vector<std::uint64_t> ids = m.ids;
  if (ids.empty())
    for (std::uint64_t i = 0; i < size; ++i)
      ids.push_back(i);
  const std::size_t nv = m.variables.size();
  r.file = std::make_unique<h5::shared_file>(path, comm);
  auto top = h5::create_group(r.file->id(), "report", path);
  auto group = h5::create_group(top, m.population, path);
  auto mapping = h5::create_group(group, "mapping", path);
  std::vector<std::uint64_t> pointers;
  std::vector<std::uint32_t> elements;
  for (std::size_t c = 0; c <= ids.size(); ++c)
    pointers.push_back(c * nv);
  for (std::size_t c = 0; c < ids.size(); ++c)
    for (std::size_t v = 0; v < nv; ++v)
      elements.push_back(static_cast<std::uint32_t>(v));
  h5::write_fixed(*r.file, mapping, "node_ids", H5T_NATIVE_UINT64, ids.data(), ids.size());
  h5::write_fixed(*r.file, mapping, "index_pointers", H5T_NATIVE_UINT64, pointers.data(), pointers.size());
  h5::write_fixed(*r.file, mapping, "element_ids", H5T_NATIVE_UINT32, elements.data(), elements.size());
  // What BMTK's report reader also needs: `index_pointer` (its name for
  // SONATA's index_pointers: a second link to the same dataset, no copy) and
  // each element's position along its section, 0.5 for a point neuron's one
  // compartment (NEURON's soma(0.5)).
  h5::check(H5Lcreate_hard(mapping, "index_pointers", mapping, "index_pointer", H5P_DEFAULT, H5P_DEFAULT),
            path, "link mapping/index_pointer");
  const std::vector<double> positions(elements.size(), 0.5);
  h5::write_fixed(*r.file, mapping, "element_pos", H5T_NATIVE_DOUBLE, positions.data(), positions.size());
  const double time[3] = {m.interval, m.interval, m.interval};
  h5::write_fixed(*r.file, mapping, "time", H5T_NATIVE_DOUBLE, time, 3);
  r.time = {h5::check(H5Dopen2(mapping, "time", H5P_DEFAULT), path, "open mapping/time"), H5Dclose};
  h5::write_string_attribute(r.time, "units", "ms", path);
  const std::size_t width = ids.size() * nv;
  const hsize_t chunk_rows =
      std::max<hsize_t>(1, std::min<hsize_t>(1024, (1u << 18) / std::max<std::size_t>(1, width)));
  r.data = h5::create_extendible(group, "data", H5T_NATIVE_FLOAT, 2, width, chunk_rows, path);
  std::string names, units;
  for (std::size_t v = 0; v < nv; ++v) {
    const auto& st = info->state[static_cast<std::size_t>(info->find_state(m.variables[v]))];
    names += (v ? "," : "") + st.name;
    units += (v ? "," : "") + st.unit;
  }
  h5::write_string_attribute(r.data, "variables", names, path);
  h5::write_string_attribute(r.data, "variable", names, path); // BMTK's name
  h5::write_string_attribute(r.data, "units", units, path);
}

void report_files::write(std::size_t index, std::int64_t first_sample, std::size_t n_rows,
                         const double* rows) {
  auto& r = reports_.at(index);
  if (r.samples == 0 && r.buffered_rows == 0)
    r.first_sample = first_sample; // a resumed report keeps the first sample it had
  r.buffer.insert(r.buffer.end(), rows, rows + n_rows * r.local_width); // float32, as SONATA reports store
  r.buffered_rows += static_cast<std::int64_t>(n_rows);
  if (r.buffered_rows >= flush_rows) // the same rows on every rank: collective
    flush(r);
}

void report_files::flush() {
  for (auto& r : reports_)
    flush(r);
}

void report_files::sync() {
  for (auto& r : reports_) {
    flush(r);
    // The time axis on disk must describe the rows on disk.
    write_time(r);
    r.file->flush();
  }
}

std::vector<std::uint64_t> report_files::rows() const {
  std::vector<std::uint64_t> out;
  for (const auto& r : reports_)
    out.push_back(static_cast<std::uint64_t>(r.samples));
  return out;
}

void report_files::flush(report& r) {
  const auto rows = static_cast<hsize_t>(r.buffered_rows);
  h5::append_rows(*r.file, r.data, H5T_NATIVE_FLOAT, r.buffer.data(), rows, 0, rows, r.columns);
  r.samples += r.buffered_rows;
  r.buffered_rows = 0;
  r.buffer.clear();
}

void report_files::write_time(report& r) {
  const double start = static_cast<double>(r.first_sample) * r.interval_ms;
  const double time[3] = {start, start + static_cast<double>(r.samples) * r.interval_ms, r.interval_ms};
  h5::handle space(h5::check(H5Dget_space(r.time), r.file->path(), "read a dataspace"), H5Sclose);
  h5::handle mem(h5::check(H5Screate_simple(1, std::array<hsize_t, 1>{3}.data(), nullptr), r.file->path(),
                           "create a dataspace"),
                 H5Sclose);
  if (r.file->rank() != 0) {
    H5Sselect_none(space);
    H5Sselect_none(mem);
  }
  h5::check(H5Dwrite(r.time, H5T_NATIVE_DOUBLE, mem, space, r.file->transfer(), time), r.file->path(),
            "write mapping/time");
}

void report_files::close() {
  for (auto& r : reports_) {
    if (!r.file)
      continue;
    flush(r);
    write_time(r);
    r.data.reset();
    r.time.reset();
    r.file->close();
    r.file.reset();
  }
}

} // namespace myelin::io
