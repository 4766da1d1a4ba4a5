#include "io/report_file.hpp"

#include "models/registry.hpp"

namespace myelin::io {

report_files::report_files(const std::filesystem::path& dir, const spec::network& net) {
  for (const auto& m : net.multimeters) {
    report r;
    r.path = (dir / (m.name + ".h5")).string();
    r.interval_ms = m.interval;
    const auto& pop = net.populations[static_cast<std::size_t>(net.find_population(m.population))];
    const auto* info = models::find_model(pop.model);
    std::vector<std::uint64_t> ids = m.ids;
    if (ids.empty())
      for (std::uint64_t i = 0; i < pop.size; ++i)
        ids.push_back(i);
    const std::size_t nv = m.variables.size();
    r.columns = ids.size() * nv;
    r.file = h5::create_file(r.path);
    auto top = h5::create_group(r.file, "report", r.path);
    auto group = h5::create_group(top, pop.name, r.path);
    auto mapping = h5::create_group(group, "mapping", r.path);
    std::vector<std::uint64_t> pointers;
    std::vector<std::uint32_t> elements;
    for (std::size_t c = 0; c <= ids.size(); ++c)
      pointers.push_back(c * nv);
    for (std::size_t c = 0; c < ids.size(); ++c)
      for (std::size_t v = 0; v < nv; ++v)
        elements.push_back(static_cast<std::uint32_t>(v));
    h5::write_fixed(mapping, "node_ids", H5T_NATIVE_UINT64, ids.data(), ids.size(), r.path);
    h5::write_fixed(mapping, "index_pointers", H5T_NATIVE_UINT64, pointers.data(), pointers.size(), r.path);
    h5::write_fixed(mapping, "element_ids", H5T_NATIVE_UINT32, elements.data(), elements.size(), r.path);
    const double time[3] = {m.interval, m.interval, m.interval};
    h5::write_fixed(mapping, "time", H5T_NATIVE_DOUBLE, time, 3, r.path);
    r.time = {h5::check(H5Dopen2(mapping, "time", H5P_DEFAULT), r.path, "open mapping/time"), H5Dclose};
    h5::write_string_attribute(r.time, "units", "ms", r.path);
    const hsize_t chunk_rows =
        std::max<hsize_t>(1, std::min<hsize_t>(1024, (1u << 20) / std::max<std::size_t>(1, r.columns)));
    r.data = h5::create_extendible(group, "data", H5T_NATIVE_FLOAT, 2, r.columns, chunk_rows, r.path);
    std::string names, units;
    for (std::size_t v = 0; v < nv; ++v) {
      const auto& st = info->state[static_cast<std::size_t>(info->find_state(m.variables[v]))];
      names += (v ? "," : "") + st.name;
      units += (v ? "," : "") + st.unit;
    }
    h5::write_string_attribute(r.data, "variables", names, r.path);
    h5::write_string_attribute(r.data, "units", units, r.path);
    reports_.push_back(std::move(r));
  }
}

void report_files::write(std::size_t index, std::int64_t first_sample, std::size_t n_rows,
                         const double* rows) {
  auto& r = reports_.at(index);
  if (r.samples == 0)
    r.first_sample = first_sample;
  r.buffer.assign(rows, rows + n_rows * r.columns); // float32, as SONATA reports store
  h5::append(r.data, H5T_NATIVE_FLOAT, r.buffer.data(), n_rows, r.columns, r.path);
  r.samples += static_cast<std::int64_t>(n_rows);
}

void report_files::update_time(report& r) {
  const double start = static_cast<double>(r.first_sample) * r.interval_ms;
  const double time[3] = {start, start + static_cast<double>(r.samples) * r.interval_ms, r.interval_ms};
  h5::check(H5Dwrite(r.time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time), r.path,
            "write mapping/time");
}

void report_files::close() {
  for (auto& r : reports_) {
    if (r.file.get() < 0)
      continue;
    update_time(r);
    r.data.reset();
    r.time.reset();
    h5::check(H5Fflush(r.file, H5F_SCOPE_GLOBAL), r.path, "flush the file");
    r.file.reset();
  }
}

} // namespace myelin::io
