#pragma once
// A Boost binary input archive that refuses lengths its input cannot hold.
// Boost's own binary_iarchive trusts every collection size and string length
// it reads: one damaged length field makes it allocate exabytes (found by
// fuzz/fuzz_spec_archive). Here every count is checked against the bytes left
// in the input (each element takes at least one byte) before anything is
// allocated, and a bad one is an archive_exception like any other damage;
// so is a bool stored as anything but 0 or 1.
#include <boost/archive/binary_iarchive_impl.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <cstddef>
#include <sstream>
#include <string>

namespace myelin::io {

class bounded_iarchive
    : public boost::archive::binary_iarchive_impl<bounded_iarchive, char, std::char_traits<char>> {
  using base = boost::archive::binary_iarchive_impl<bounded_iarchive, char, std::char_traits<char>>;
  friend class boost::archive::detail::interface_iarchive<bounded_iarchive>;
  friend class boost::archive::basic_binary_iarchive<bounded_iarchive>;
  friend class boost::archive::basic_binary_iprimitive<bounded_iarchive, char, std::char_traits<char>>;
  friend class boost::archive::load_access;

public:
  explicit bounded_iarchive(std::stringbuf& in);

  using base::load;
  void load(std::string& s);
  void load(bool& b); // a byte other than 0 or 1 is damage, not a bool

protected:
  template <class T>
  void load_override(T& t) {
    base::load_override(t);
  }
  void load_override(boost::serialization::collection_size_type& t);

private:
  std::size_t remaining() const;
  std::stringbuf& in_;
};

} // namespace myelin::io

// Vectors of numbers as one block, as binary_oarchive writes them.
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(myelin::io::bounded_iarchive)
