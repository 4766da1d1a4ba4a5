// The checkpoint loader, as `myelin run --resume` uses it: validate (magic,
// format, attributes, every dataset's shape and checksum, the embedded spec),
// then, for a checkpoint of this model, restore it into a built network.
// Checksums would stop nearly every mutation at validation, so for half of
// the inputs (first byte odd) the harness rewrites each dataset's checksum to
// match its data, as validation computes it, and the mutation reaches the
// shape, spec and restore checks behind it.
// Seeds: a checkpoint of fuzz/checkpoint_model.toml (fuzz/make_seeds.py).
#include "engine/backend.hpp"
#include "engine/build.hpp"
#include "engine/comm/communicator.hpp"
#include "fuzz/h5_from_bytes.hpp"
#include "io/checkpoint.hpp"
#include "io/checksum.hpp"
#include "io/model_file.hpp"
#include "spec/error.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <hdf5.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

struct model {
  myelin::spec::network net = myelin::io::read_model(MYELIN_SOURCE_DIR "/fuzz/checkpoint_model.toml");
  std::unique_ptr<myelin::backend> engine =
      myelin::make_backend(myelin::backend_kind::cpu, net, myelin::build(net, 2));
};

// The checksum validate_checkpoint expects of dataset `name`, read the way it reads it.
herr_t fix_checksum(hid_t root, const char* name, const H5O_info_t* info, void*) {
  if (info->type != H5O_TYPE_DATASET)
    return 0;
  const hid_t ds = H5Dopen2(root, name, H5P_DEFAULT);
  if (ds < 0)
    return 0;
  const std::string n = name;
  const hid_t file_type = H5Dget_type(ds), space = H5Dget_space(ds);
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  std::uint64_t sum = 0;
  if (count > 0 && count <= (1 << 16)) {
    const auto k = static_cast<std::size_t>(count);
    if (n == "spec") {
      std::vector<std::uint8_t> v(k);
      if (H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0)
        for (std::size_t i = 0; i < k; ++i)
          sum += myelin::io::element_hash(i, v[i]);
    } else if ((H5Tget_size(file_type) == 8 && H5Tget_class(file_type) != H5T_STRING) ||
               n.rfind("populations/", 0) == 0) {
      const hid_t mem = n.rfind("populations/", 0) == 0 ? H5T_NATIVE_DOUBLE
                        : n == "ring"                   ? H5T_NATIVE_INT64
                                                        : file_type;
      std::vector<std::uint64_t> v(k);
      if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0)
        for (std::size_t i = 0; i < k; ++i)
          sum += myelin::io::element_hash(i, v[i]);
    }
  }
  if (H5Aexists(ds, "checksum") > 0)
    H5Adelete(ds, "checksum");
  const hid_t scalar = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(ds, "checksum", H5T_STD_U64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0) {
    H5Awrite(attr, H5T_NATIVE_UINT64, &sum);
    H5Aclose(attr);
  }
  H5Sclose(scalar);
  H5Sclose(space);
  H5Tclose(file_type);
  H5Dclose(ds);
  return 0;
}

void fix_checksums(const std::string& path) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0)
    return;
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, fix_checksum, nullptr, H5O_INFO_BASIC);
  H5Fclose(file);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static model m;
  static const auto path =
      std::filesystem::temp_directory_path() / ("myelin-fuzz-checkpoint-" + std::to_string(getpid()) + ".h5");
  myelin::fuzz::byte_reader in(data, size);
  const bool checksums_fixed = in.u8() & 1;
  myelin::fuzz::write_h5_from_bytes(path.string(), in);
  if (checksums_fixed)
    fix_checksums(path.string());
  try {
    const auto info = myelin::io::validate_checkpoint(path);
    const auto steps = std::llround(m.net.run.duration / m.net.run.dt);
    if (info.digest != myelin::io::model_digest(m.net) || info.state.step > steps)
      return 0; // `run` refuses these before restoring
    myelin::comm::local_communicator comm;
    myelin::io::restore_checkpoint(path, m.net, *m.engine, comm);
  } catch (const myelin::error&) {
  }
  return 0;
}
