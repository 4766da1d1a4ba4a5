#include "fuzz/h5_from_bytes.hpp"

#include <hdf5.h>
#include <vector>

namespace myelin::fuzz {
namespace {

constexpr std::size_t max_elements = 1u << 16; // keeps one input's file small and quick

struct closer {
  hid_t id;
  herr_t (*close)(hid_t);
  ~closer() {
    if (id >= 0)
      close(id);
  }
};

hid_t numeric_type(std::uint8_t t) {
  switch (t) {
  case 0:
    return H5T_STD_I8LE;
  case 1:
    return H5T_STD_U8LE;
  case 2:
    return H5T_STD_I16LE;
  case 3:
    return H5T_STD_U16LE;
  case 4:
    return H5T_STD_I32LE;
  case 5:
    return H5T_STD_U32LE;
  case 6:
    return H5T_STD_I64LE;
  case 7:
    return H5T_STD_U64LE;
  case 8:
    return H5T_IEEE_F32LE;
  default:
    return H5T_IEEE_F64LE;
  }
}
std::size_t numeric_size(std::uint8_t t) {
  static const std::size_t sizes[] = {1, 1, 2, 2, 4, 4, 8, 8, 4, 8};
  return sizes[t < 10 ? t : 9];
}

// The object an attribute goes on: an existing dataset or group, else a new group.
hid_t open_or_create_object(hid_t file, const std::string& path, hid_t lcpl) {
  if (path.empty() || path == "/")
    return H5Oopen(file, "/", H5P_DEFAULT);
  if (H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0)
    return H5Oopen(file, path.c_str(), H5P_DEFAULT);
  return H5Gcreate2(file, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT);
}

void write_entry(hid_t file, hid_t lcpl, byte_reader& in) {
  const std::uint8_t kind = in.u8() % 2;
  std::string path = in.str8();
  const std::string attr_name = kind == 1 ? in.str8() : std::string();
  const std::uint8_t type_code = in.u8() % 12;
  const std::uint8_t fixed_size = type_code == 11 ? static_cast<std::uint8_t>(in.u8() | 1) : 0;
  const int rank = in.u8() % 4;
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  std::size_t n = 1;
  for (auto& d : dims) {
    d = in.u16();
    n *= static_cast<std::size_t>(d);
    if (n > max_elements)
      n = max_elements + 1;
  }
  if (n > max_elements)
    return;
  if (path.find('\0') != std::string::npos || attr_name.find('\0') != std::string::npos)
    return;

  // The values, in the file type's memory form.
  closer type{-1, H5Tclose};
  std::vector<std::uint8_t> buffer;
  std::vector<std::string> strings;
  std::vector<const char*> pointers;
  const void* values = nullptr;
  if (type_code <= 9) {
    type.id = H5Tcopy(numeric_type(type_code));
    buffer.resize(n * numeric_size(type_code));
    const std::string raw = in.bytes(buffer.size());
    std::copy(raw.begin(), raw.end(), buffer.begin());
    values = buffer.data();
  } else if (type_code == 10) {
    type.id = H5Tcopy(H5T_C_S1);
    H5Tset_size(type.id, H5T_VARIABLE);
    H5Tset_cset(type.id, H5T_CSET_UTF8);
    for (std::size_t i = 0; i < n; ++i)
      strings.push_back(in.str8());
    for (const auto& s : strings)
      pointers.push_back(s.c_str());
    values = pointers.data();
  } else {
    type.id = H5Tcopy(H5T_C_S1);
    H5Tset_size(type.id, fixed_size);
    buffer.assign(n * fixed_size, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string s = in.str8();
      std::copy(s.begin(),
                s.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(s.size(), fixed_size)),
                buffer.begin() + static_cast<std::ptrdiff_t>(i * fixed_size));
    }
    values = buffer.data();
  }
  closer space{rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims.data(), nullptr), H5Sclose};
  if (space.id < 0)
    return;
  if (kind == 0) {
    if (path.empty())
      return;
    closer ds{H5Dcreate2(file, path.c_str(), type.id, space.id, lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
    if (ds.id >= 0 && n > 0)
      H5Dwrite(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
  } else {
    closer object{open_or_create_object(file, path, lcpl), H5Oclose};
    if (object.id < 0 || attr_name.empty() || H5Aexists(object.id, attr_name.c_str()) != 0)
      return;
    closer attr{H5Acreate2(object.id, attr_name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose};
    if (attr.id >= 0 && n > 0)
      H5Awrite(attr.id, type.id, values);
  }
}

} // namespace

void write_h5_from_bytes(const std::string& path, byte_reader& in) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // refused entries are expected, not news
  closer file{H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
  if (file.id < 0)
    return;
  closer lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(lcpl.id, 1);
  const std::uint16_t count = in.u16();
  for (std::uint16_t i = 0; i < count && !in.empty(); ++i)
    write_entry(file.id, lcpl.id, in);
}

} // namespace myelin::fuzz
