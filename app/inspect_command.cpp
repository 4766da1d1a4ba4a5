#include "app/commands.hpp"
#include "io/checkpoint.hpp"
#include "io/hdf5_handle.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <filesystem>
#include <hdf5.h>
#include <iostream>
#include <vector>

namespace myelin::cli {
namespace {

int inspect_spikes(const std::string& file, hid_t root) {
  namespace h5 = io::h5;
  h5::handle spikes(h5::check(H5Gopen2(root, "spikes", H5P_DEFAULT), file, "open /spikes"), H5Gclose);
  H5G_info_t info{};
  H5Gget_info(spikes, &info);
  std::cout << file << ": SONATA spike file\n";
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[256] = {};
    H5Lget_name_by_idx(spikes, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    const std::string ts = std::string(name) + "/timestamps";
    const auto dims = h5::dataset_dims(spikes, ts, file);
    const hsize_t n = dims.empty() ? 0 : dims[0];
    std::cout << "  " << name << ": " << n << " spikes";
    if (n > 0) {
      std::vector<double> t(n);
      h5::handle ds(h5::check(H5Dopen2(spikes, ts.c_str(), H5P_DEFAULT), file, "open timestamps"), H5Dclose);
      h5::check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()), file,
                "read timestamps");
      const auto [lo, hi] = std::minmax_element(t.begin(), t.end());
      std::cout << ", " << *lo << " to " << *hi << " ms";
    }
    std::cout << "\n";
  }
  return 0;
}

int inspect_checkpoint(const std::string& file) {
  const auto info = io::validate_checkpoint(file); // reads and verifies everything
  const auto& net = info.spec;
  std::cout << file << ": myelin checkpoint, written by " << info.version << "\n"
            << "  step " << info.state.step << " (t = " << static_cast<double>(info.state.step) * net.run.dt
            << " ms), dt " << net.run.dt << " ms, seed " << net.run.seed << "\n"
            << "  model " << net.source_file << ", digest " << std::hex << info.digest << std::dec
            << ", checksums verified\n"
            << "  populations:\n";
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    std::cout << "    " << net.populations[p].name << ": " << net.populations[p].size << " neurons ("
              << net.populations[p].model << "), " << info.state.spike_counts[p] << " spikes so far\n";
  return 0;
}

} // namespace

int inspect_command(const std::string& file) {
  io::h5::silence_error_stack();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw usage_error(file + ": no such file");
  if (H5Fis_hdf5(file.c_str()) <= 0)
    throw usage_error(file + ": not an HDF5 file (or its header is damaged)");
  io::h5::handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (f.get() < 0)
    throw usage_error(file + ": cannot be opened: truncated or damaged");
  if (io::h5::has_attribute(f, "magic"))
    return inspect_checkpoint(file);
  if (io::h5::has_link(f, "spikes"))
    return inspect_spikes(file, f);
  throw usage_error(file + ": neither a myelin checkpoint nor a SONATA spike file");
}

} // namespace myelin::cli
