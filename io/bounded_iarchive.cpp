#include "io/bounded_iarchive.hpp"

#include <boost/archive/archive_exception.hpp>
// A new archive type instantiates Boost's archive templates itself.
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>

namespace boost::archive {
template class basic_binary_iprimitive<myelin::io::bounded_iarchive, char, std::char_traits<char>>;
template class basic_binary_iarchive<myelin::io::bounded_iarchive>;
template class binary_iarchive_impl<myelin::io::bounded_iarchive, char, std::char_traits<char>>;
template class detail::archive_serializer_map<myelin::io::bounded_iarchive>;
} // namespace boost::archive

namespace myelin::io {

bounded_iarchive::bounded_iarchive(std::stringbuf& in)
    : base(in, 0)
    , in_(in) {
  init(0);
}

std::size_t bounded_iarchive::remaining() const {
  const std::streamsize n = in_.in_avail();
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void bounded_iarchive::load(std::string& s) {
  std::size_t length = 0;
  base::load(length);
  if (length > remaining())
    boost::serialization::throw_exception(
        boost::archive::archive_exception(boost::archive::archive_exception::input_stream_error,
                                          "a string longer than the rest of the archive"));
  s.resize(length);
  if (length > 0)
    load_binary(s.data(), length);
}

void bounded_iarchive::load(bool& b) {
  unsigned char byte = 0;
  load_binary(&byte, 1);
  if (byte > 1)
    boost::serialization::throw_exception(boost::archive::archive_exception(
        boost::archive::archive_exception::input_stream_error, "a bool that is neither 0 nor 1"));
  b = byte == 1;
}

void bounded_iarchive::load_override(boost::serialization::collection_size_type& t) {
  base::load_override(t);
  if (static_cast<std::size_t>(t) > remaining())
    boost::serialization::throw_exception(
        boost::archive::archive_exception(boost::archive::archive_exception::input_stream_error,
                                          "a collection larger than the rest of the archive"));
}

} // namespace myelin::io
