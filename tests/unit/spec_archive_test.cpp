// The spec archive loader against damaged bytes: every truncation and every
// byte set to 0xff either loads or throws myelin::error; never a huge
// allocation (Boost's binary_iarchive trusted length fields: found by
// fuzz/fuzz_spec_archive), never another exception, never an invalid bool.
#include "io/model_file.hpp"
#include "io/spec_archive.hpp"
#include "spec/error.hpp"
#include "tests/support/source_files.hpp"

#include <gtest/gtest.h>
#include <typeinfo>

namespace myelin::test {
namespace {

std::string archive() {
  return io::save_spec(io::parse_model(all_rules(), "all_rules.toml"));
}

TEST(SpecArchiveDamage, RoundTrips) {
  const auto bytes = archive();
  EXPECT_EQ(io::save_spec(io::load_spec(bytes)), bytes);
}

TEST(SpecArchiveDamage, EveryTruncationIsAnError) {
  const auto bytes = archive();
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_THROW(io::load_spec(bytes.substr(0, n)), myelin::error) << n << " of " << bytes.size() << " bytes";
}

TEST(SpecArchiveDamage, EveryDamagedByteLoadsOrIsAnError) {
  const auto bytes = archive();
  for (std::size_t i = 0; i < bytes.size(); ++i)
    for (unsigned char value : {0x00, 0x02, 0x7f, 0xff}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(value);
      try {
        io::load_spec(damaged);
      } catch (const myelin::error&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << "byte " << i << " = " << int(value) << ": " << typeid(e).name() << ": " << e.what();
      }
    }
}

TEST(SpecArchive, PerNeuronParametersRoundTripAndMustFitTheirPopulation) {
  const auto net = io::parse_model(all_rules(), "all_rules.toml");
  const auto m = static_cast<std::size_t>(net.find_population("M"));
  ASSERT_EQ(net.populations[m].param_arrays.at("I_e").size(), 20u);
  EXPECT_EQ(io::load_spec(io::save_spec(net)).populations[m].param_arrays, net.populations[m].param_arrays);
  auto short_array = net;
  short_array.populations[m].param_arrays["I_e"].pop_back();
  EXPECT_THROW(io::load_spec(io::save_spec(short_array)), myelin::error);
  auto unknown = net;
  unknown.populations[m].param_arrays["no_such_parameter"] = std::vector<double>(20, 1.0);
  EXPECT_THROW(io::load_spec(io::save_spec(unknown)), myelin::error);
}

// A projection of SONATA edges keeps its edge set and types, and may name
// only an edge set the spec has.
TEST(SpecArchive, EdgeProjectionsRoundTripAndMustNameTheirEdgeSet) {
  auto net = io::parse_model(all_rules(), "all_rules.toml");
  net.edge_sets.emplace_back();
  auto pr = net.projections.front();
  pr.connectivity = {};
  pr.connectivity.type = spec::rule::kind::edges;
  pr.connectivity.edge_set = 0;
  pr.connectivity.edge_types = {3, 10};
  net.projections.push_back(pr);
  const auto back = io::load_spec(io::save_spec(net)).projections.back().connectivity;
  EXPECT_EQ(back.type, spec::rule::kind::edges);
  EXPECT_EQ(back.edge_set, 0u);
  EXPECT_EQ(back.edge_types, (std::vector<std::int64_t>{3, 10}));
  net.projections.back().connectivity.edge_set = 1;
  EXPECT_THROW(io::load_spec(io::save_spec(net)), myelin::error);
}

TEST(SpecArchiveDamage, AHugeLengthIsRefusedBeforeAllocating) {
  auto bytes = archive();
  const auto at = bytes.find("thalamus");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at - 8, 8, std::string(8, '\x7f')); // the name's length: 9e18 bytes
  try {
    io::load_spec(bytes);
    FAIL() << "loaded";
  } catch (const myelin::error& e) {
    EXPECT_NE(std::string(e.what()).find("longer than the rest"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace myelin::test
