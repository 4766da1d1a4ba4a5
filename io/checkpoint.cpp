#include "io/checkpoint.hpp"

#include "engine/build.hpp"
#include "io/checkpoint_plasticity.hpp"
#include "io/checksum.hpp"
#include "io/hdf5_handle.hpp"
#include "io/spec_archive.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <regex>
#include <string_view>
#include <unistd.h>

namespace myelin::io {
namespace {

constexpr const char* magic = "myelin-checkpoint";
// 2: plastic synapses (/plasticity). Format 1 files, which have none, still load.
constexpr std::uint64_t format = 2;

// The rows of a gid-indexed dataset held by this rank, ascending.
std::vector<h5::row_run> local_gid_rows(const rank_layout& ln) {
  std::vector<h5::row_run> runs;
  for (const auto& s : ln.slices)
    runs.push_back({s.first_gid, s.stride, s.count});
  return runs;
}

void fsync_path(const std::filesystem::path& p, bool directory) {
  const int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0)
    throw io_error(p.string(), std::string("cannot be opened to sync: ") + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    throw io_error(p.string(), std::string("cannot be synced: ") + std::strerror(errno));
}

void write_checksum(hid_t object, std::uint64_t sum, const std::string& path) {
  h5::write_u64_attribute(object, "checksum", {sum}, path);
}

} // namespace

std::uint64_t model_digest(const spec::network& net) {
  spec::network copy = net;
  copy.run.duration = 0;
  copy.source_file.clear();
  const std::string bytes = save_spec(copy);
  std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a: detects changes; not a security check
  for (unsigned char c : bytes)
    h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string checkpoint_name(std::int64_t step) {
  return "ckpt-" + std::to_string(step) + ".h5";
}

void write_checkpoint(const std::filesystem::path& path, const spec::network& net, const backend& b,
                      const checkpoint_state& state, comm::communicator& comm) {
  const rank_layout& ln = b.layout();
  const std::filesystem::path tmp = path.string() + ".tmp";
  const std::string p = tmp.string();
  const auto horizon = static_cast<std::uint64_t>(comm.max(static_cast<double>(ln.ring.n_slots)));
  {
    h5::shared_file f(p, comm, h5::shared_file::mode::create);
    const hid_t root = f.id();
    h5::write_string_attribute(root, "magic", magic, p);
    h5::write_u64_attribute(root, "format", {format}, p);
    h5::write_u64_attribute(root, "step", {static_cast<std::uint64_t>(state.step)}, p);
    h5::write_f64_attribute(root, "dt", net.run.dt, p);
    h5::write_u64_attribute(root, "seed", {net.run.seed}, p);
    h5::write_string_attribute(root, "version", "myelin " MYELIN_VERSION, p);
    h5::write_u64_attribute(root, "digest", {model_digest(net)}, p);
    h5::write_u64_attribute(root, "neurons", {ln.n_global}, p);
    h5::write_u64_attribute(root, "ring_horizon", {horizon}, p);
    h5::write_u64_attribute(root, "spike_counts", state.spike_counts, p);
    h5::write_u64_attribute(root, "spike_file_rows", state.spike_file_rows, p);
    h5::write_u64_attribute(root, "report_rows", state.report_rows, p);

    const std::string bytes = save_spec(net);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i)
      sum += element_hash(i, static_cast<std::uint8_t>(bytes[i]));
    h5::write_fixed(f, root, "spec", H5T_NATIVE_UINT8, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                    bytes.size());
    {
      h5::handle ds(h5::check(H5Dopen2(root, "spec", H5P_DEFAULT), p, "open spec"), H5Dclose);
      write_checksum(ds, sum, p);
    }

    auto pops = h5::create_group(root, "populations", p);
    std::vector<double> values;
    for (std::size_t pi = 0; pi < net.populations.size(); ++pi) {
      const auto& pop = net.populations[pi];
      auto g = h5::create_group(pops, pop.name, p);
      const auto& fields = ln.state_fields[pi];
      for (std::size_t fi = 0; fi < fields.size(); ++fi) {
        // This rank's slices of the population, one after another.
        values.clear();
        std::vector<h5::row_run> runs;
        std::uint64_t part = 0;
        for (auto si = ln.population_slices[pi]; si < ln.population_slices[pi + 1]; ++si) {
          const auto& s = ln.slices[si];
          const auto group_values = b.read_state(si, fi);
          for (std::uint64_t k = 0; k < s.count; ++k)
            part += element_hash(s.first_index + k * s.stride, group_values[k]);
          values.insert(values.end(), group_values.begin(), group_values.end());
          runs.push_back({s.first_index, s.stride, s.count});
        }
        auto ds = h5::create_table(g, fields[fi], H5T_NATIVE_DOUBLE, pop.size, 1, p);
        h5::write_rows(f, ds, H5T_NATIVE_DOUBLE, values.data(), runs);
        write_checksum(ds, comm.sum({part})[0], p);
      }
    }

    // Pending input, rotated so that offset 0 is the checkpoint's step.
    const std::uint64_t width = static_cast<std::uint64_t>(ln.ring.n_channels) * horizon;
    const auto pending = b.read_pending(state.step, static_cast<std::int64_t>(horizon));
    std::uint64_t part = 0;
    std::uint64_t local = 0;
    for (const auto& s : ln.slices)
      for (std::uint64_t k = 0; k < s.count; ++k, ++local) {
        const std::uint64_t gid = s.first_gid + k * s.stride;
        for (std::uint64_t col = 0; col < width; ++col) // the zeros count too
          part += element_hash(gid * width + col, pending[local * width + col]);
      }
    auto ring = h5::create_table(root, "ring", H5T_NATIVE_INT64, ln.n_global, width, p);
    h5::write_rows(f, ring, H5T_NATIVE_INT64, pending.data(), local_gid_rows(ln));
    write_checksum(ring, comm.sum({part})[0], p);
    write_plasticity(f, net, b, comm);
    f.close();
  }
  // Only a complete, synced file gets the final name; a crash before this
  // leaves at most a .tmp that nothing mistakes for a checkpoint.
  if (comm.rank() == 0) {
    fsync_path(tmp, false);
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
      throw io_error(path.string(), "cannot be renamed into place: " + ec.message());
    fsync_path(path.parent_path().empty() ? "." : path.parent_path(), true);
  }
  comm.barrier();
}

checkpoint_info validate_checkpoint(const std::filesystem::path& path) {
  const std::string p = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw checkpoint_error(p, "no such checkpoint file");
  h5::silence_error_stack();
  if (H5Fis_hdf5(p.c_str()) <= 0)
    throw checkpoint_error(p, "not an HDF5 file (or its header is damaged)");
  h5::handle file(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file.get() < 0)
    throw checkpoint_error(p, "cannot be opened: truncated or damaged");
  const hid_t root = file.get();
  try {
    if (!h5::has_attribute(root, "magic") || h5::read_string_attribute(root, "magic", p) != magic)
      throw checkpoint_error(p, h5::has_link(root, "spikes")
                                    ? "this is a SONATA spike file, not a myelin checkpoint"
                                    : "not a myelin checkpoint (no magic attribute)");
    // A one-number attribute (an empty one threw std::out_of_range: found by fuzz/fuzz_checkpoint).
    auto one = [&](const char* name) {
      const auto values = h5::read_u64_attribute(root, name, p);
      if (values.size() != 1)
        throw checkpoint_error(p, std::string("attribute ") + name + " should hold one number");
      return values[0];
    };
    const auto fmt = one("format");
    if (fmt != format && fmt != 1)
      throw checkpoint_error(p, "checkpoint format " + std::to_string(fmt) +
                                    " is not supported (this myelin reads " + std::to_string(format) + ")");
    checkpoint_info info;
    info.version = h5::read_string_attribute(root, "version", p);
    info.digest = one("digest");
    info.state.step = static_cast<std::int64_t>(one("step"));
    info.state.spike_counts = h5::read_u64_attribute(root, "spike_counts", p);
    info.state.spike_file_rows = h5::read_u64_attribute(root, "spike_file_rows", p);
    info.state.report_rows = h5::read_u64_attribute(root, "report_rows", p);
    const auto neurons = one("neurons");
    const auto horizon = one("ring_horizon");
    const auto file_bytes = std::filesystem::file_size(path, ec);

    auto verify = [&](const std::string& name, hid_t type, std::size_t element_size, auto checksum_of) {
      const auto dims = h5::dataset_dims(root, name, p);
      std::uint64_t n = 1;
      for (auto d : dims)
        n = d == 0 || n <= file_bytes / d ? n * d : file_bytes + 1;
      // Checkpoints are stored uncompressed: a dataset cannot hold more than the file.
      if (n > file_bytes / element_size)
        throw checkpoint_error(p, "dataset " + name + " claims more data than the file holds: damaged");
      h5::handle ds(h5::check(H5Dopen2(root, name.c_str(), H5P_DEFAULT), p, "open a dataset"), H5Dclose);
      std::vector<std::byte> data(n * element_size);
      if (n > 0 && H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
        throw checkpoint_error(p, "dataset " + name + " cannot be read: truncated or damaged");
      const auto stored = h5::read_u64_attribute(ds, "checksum", p);
      if (stored.size() != 1 || stored[0] != checksum_of(data, n))
        throw checkpoint_error(p, "dataset " + name + " fails its checksum: the file is damaged");
      return std::pair{dims, std::move(data)};
    };

    auto [spec_dims, spec_bytes] = verify("spec", H5T_NATIVE_UINT8, 1, [](const auto& d, std::uint64_t n) {
      std::uint64_t s = 0;
      for (std::uint64_t i = 0; i < n; ++i)
        s += element_hash(i, static_cast<std::uint8_t>(d[i]));
      return s;
    });
    info.spec = load_spec(std::string(reinterpret_cast<const char*>(spec_bytes.data()), spec_bytes.size()));
    if (info.spec.total_neurons() != neurons)
      throw checkpoint_error(p, "its spec and its neuron count disagree");
    if (info.state.spike_counts.size() != info.spec.populations.size() ||
        info.state.spike_file_rows.size() != info.spec.populations.size() ||
        info.state.report_rows.size() != info.spec.multimeters.size())
      throw checkpoint_error(p, "recorder positions do not match its spec");

    auto sum_f64 = [](const auto& d, std::uint64_t n) {
      std::uint64_t s = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        double v;
        std::memcpy(&v, d.data() + i * 8, 8);
        s += element_hash(i, v);
      }
      return s;
    };
    for (const auto& pop : info.spec.populations) {
      const std::string group = "populations/" + pop.name;
      if (!h5::has_link(root, group))
        throw checkpoint_error(p, "missing group " + group);
      h5::handle g(h5::check(H5Gopen2(root, group.c_str(), H5P_DEFAULT), p, "open a group"), H5Gclose);
      H5G_info_t gi{};
      H5Gget_info(g, &gi);
      for (hsize_t i = 0; i < gi.nlinks; ++i) {
        char name[256] = {};
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        auto [dims, data] = verify(group + "/" + name, H5T_NATIVE_DOUBLE, 8, sum_f64);
        if (dims.size() != 2 || dims[0] != pop.size || dims[1] != 1)
          throw checkpoint_error(p, "dataset " + group + "/" + name + " has the wrong shape");
        if (std::string_view(name) == "refractory_steps")
          for (std::uint64_t i = 0; i < pop.size; ++i) {
            double v;
            std::memcpy(&v, data.data() + i * 8, 8);
            if (!(v >= 0 && v <= 2147483647.0 && v == std::floor(v)))
              throw checkpoint_error(p, "dataset " + group + "/refractory_steps holds " + std::to_string(v) +
                                            ", not a whole number of steps");
          }
      }
    }
    // 8-byte elements hash by their bits, whatever their type.
    auto sum_8 = [](const auto& d, std::uint64_t n) {
      std::uint64_t s = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t v;
        std::memcpy(&v, d.data() + i * 8, 8);
        s += element_hash(i, v);
      }
      return s;
    };
    auto [ring_dims, ring] = verify("ring", H5T_NATIVE_INT64, 8, sum_8);
    const auto channels = static_cast<std::uint64_t>(ring_channels(info.spec));
    if (ring_dims.size() != 2 || ring_dims[0] != neurons || ring_dims[1] != channels * horizon)
      throw checkpoint_error(p, "dataset ring has the wrong shape");
    // Even channels hold positive input, odd ones negative (engine/ring_layout.hpp).
    for (std::uint64_t k = 0; k < neurons * channels * horizon; ++k) {
      std::int64_t v;
      std::memcpy(&v, ring.data() + k * 8, 8);
      if (!ring_layout::sign_fits(static_cast<int>(k % (channels * horizon) / horizon), v))
        throw checkpoint_error(p, "dataset ring holds input of the wrong sign for its channel");
    }
    for (const auto& name : plasticity_datasets(info.spec)) {
      if (!h5::has_link(root, name))
        throw checkpoint_error(p, "missing dataset " + name + " (plastic synapse state)");
      h5::handle ds(h5::check(H5Dopen2(root, name.c_str(), H5P_DEFAULT), p, "open a dataset"), H5Dclose);
      h5::handle type(h5::check(H5Dget_type(ds), p, "read a dataset type"), H5Tclose);
      // 8-byte numbers; a variable-length string is 8 bytes too (a pointer
      // HDF5 allocates: found leaking by fuzz/fuzz_checkpoint).
      const auto type_class = H5Tget_class(type);
      if (H5Tget_size(type) != 8 || (type_class != H5T_INTEGER && type_class != H5T_FLOAT))
        throw checkpoint_error(p, "dataset " + name + " has the wrong element type");
      const auto dims = verify(name, type, 8, sum_8).first;
      if (dims.size() != 2 || dims[1] != 1)
        throw checkpoint_error(p, "dataset " + name + " has the wrong shape");
    }
    return info;
  } catch (const io_error& e) {
    throw checkpoint_error(p, e.what() + std::string(" (damaged or incomplete checkpoint)"));
  } catch (const checkpoint_error&) {
    throw;
  } catch (const error& e) {
    throw checkpoint_error(p, e.what());
  }
}

namespace {

checkpoint_state restore_validated(const std::filesystem::path& path, const spec::network& net, backend& b,
                                   comm::communicator& comm) {
  const rank_layout& ln = b.layout();
  const std::string p = path.string();
  h5::shared_file f(p, comm, h5::shared_file::mode::read);
  const hid_t root = f.id();
  checkpoint_state state;
  state.step = static_cast<std::int64_t>(h5::read_u64_attribute(root, "step", p).at(0));
  state.spike_counts = h5::read_u64_attribute(root, "spike_counts", p);
  state.spike_file_rows = h5::read_u64_attribute(root, "spike_file_rows", p);
  state.report_rows = h5::read_u64_attribute(root, "report_rows", p);
  const auto horizon = static_cast<std::int64_t>(h5::read_u64_attribute(root, "ring_horizon", p).at(0));

  std::vector<double> values;
  for (std::size_t pi = 0; pi < net.populations.size(); ++pi) {
    const auto& fields = ln.state_fields[pi];
    const auto [first_local, end_local] = ln.local_range(pi);
    std::vector<h5::row_run> runs;
    for (auto si = ln.population_slices[pi]; si < ln.population_slices[pi + 1]; ++si)
      runs.push_back({ln.slices[si].first_index, ln.slices[si].stride, ln.slices[si].count});
    for (std::size_t fi = 0; fi < fields.size(); ++fi) {
      const std::string name = "populations/" + net.populations[pi].name + "/" + fields[fi];
      h5::handle ds(h5::check(H5Dopen2(root, name.c_str(), H5P_DEFAULT), p, ("open " + name).c_str()),
                    H5Dclose);
      values.assign(end_local - first_local, 0.0);
      h5::read_rows(f, ds, H5T_NATIVE_DOUBLE, values.data(), runs, 1);
      std::size_t at = 0;
      for (auto si = ln.population_slices[pi]; si < ln.population_slices[pi + 1]; ++si) {
        b.write_state(si, fi, std::span(values).subspan(at, ln.slices[si].count));
        at += ln.slices[si].count;
      }
    }
  }

  const auto width = static_cast<std::uint64_t>(ln.ring.n_channels * horizon);
  std::vector<std::int64_t> pending(ln.n_local * width, 0);
  h5::handle ring(h5::check(H5Dopen2(root, "ring", H5P_DEFAULT), p, "open ring"), H5Dclose);
  h5::read_rows(f, ring, H5T_NATIVE_INT64, pending.data(), local_gid_rows(ln), width);
  b.write_pending(state.step, horizon, pending);
  restore_plasticity(f, net, b, comm);
  f.close();
  return state;
}

} // namespace

checkpoint_state restore_checkpoint(const std::filesystem::path& path, const spec::network& net, backend& b,
                                    comm::communicator& comm) {
  try {
    return restore_validated(path, net, b, comm);
  } catch (const checkpoint_error&) {
    throw;
  } catch (const error& e) { // bad input all the same (exit 2), whoever found it
    throw checkpoint_error(path.string(), e.what());
  }
}

std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& dir) {
  static const std::regex name(R"(ckpt-(\d+)\.h5)");
  std::optional<std::filesystem::path> best;
  std::int64_t best_step = -1;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::smatch m;
    const std::string file = e.path().filename().string();
    if (!std::regex_match(file, m, name))
      continue; // .tmp files are incomplete by construction
    const auto step = std::stoll(m[1].str());
    if (step > best_step) {
      best_step = step;
      best = e.path();
    }
  }
  return best;
}

void prune_checkpoints(const std::filesystem::path& dir, int keep) {
  static const std::regex name(R"(ckpt-(\d+)\.h5)");
  std::vector<std::pair<std::int64_t, std::filesystem::path>> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::smatch m;
    const std::string file = e.path().filename().string();
    if (std::regex_match(file, m, name))
      found.emplace_back(std::stoll(m[1].str()), e.path());
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = static_cast<std::size_t>(std::max(keep, 1)); i < found.size(); ++i)
    std::filesystem::remove(found[i].second, ec);
}

} // namespace myelin::io
