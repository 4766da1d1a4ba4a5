// The run session as a library (app/session), driven without the binary: a
// run stopped at a checkpoint and resumed in a new session, on another thread
// count, ends in exactly the state of a straight run.
#include "app/session.hpp"
#include "io/model_file.hpp"
#include "tests/support/harness.hpp"
#include "tests/support/source_files.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace myelin::test {
namespace {

class Session : public backend_test {};

// Every stored field of every slice, the pending input, and the plastic
// weights: the whole state a continuation depends on.
struct snapshot {
  std::vector<std::vector<double>> fields;
  std::vector<std::int64_t> pending;
  std::vector<std::vector<double>> weights;
  std::vector<std::uint64_t> spike_counts;
  bool operator==(const snapshot&) const = default;
};

snapshot take(cli::session& s) {
  s.sim().settle();
  auto& b = s.engine();
  const auto& ln = b.layout();
  snapshot out;
  for (std::size_t slice = 0; slice < ln.slices.size(); ++slice)
    for (std::size_t f = 0; f < ln.state_fields[ln.slices[slice].population].size(); ++f)
      out.fields.push_back(b.read_state(slice, f));
  out.pending = b.read_pending(s.sim().current_step(), ln.ring.n_slots);
  for (std::size_t i = 0; i < ln.plastic_projections.size(); ++i)
    out.weights.push_back(b.read_plastic(i).weight);
  out.spike_counts = s.sim().spike_counts();
  return out;
}

TEST_P(Session, ACheckpointResumedInANewSessionEqualsAStraightRun) {
  const auto net = io::parse_model(all_rules(), "all_rules.toml");
  const auto dir = std::filesystem::temp_directory_path() / ("myelin-session-" + std::to_string(getpid()));
  comm::local_communicator comm;
  cli::session_options o;
  o.backend = GetParam();
  o.threads = 2;
  o.output_dir = dir / "straight";
  snapshot straight;
  {
    cli::session s(net, o, comm);
    EXPECT_TRUE(s.run());
    straight = take(s);
    s.finish();
  }
  EXPECT_GT(straight.spike_counts.at(0), 0u);

  o.output_dir = dir / "pieces";
  o.checkpoint_steps = {1234};
  {
    cli::session s(net, o, comm);
    EXPECT_TRUE(s.run(1234)); // stops at the checkpoint, which is written there
    s.finish();
  }
  const auto checkpoint = dir / "pieces" / "checkpoints" / "ckpt-1234.h5";
  ASSERT_TRUE(std::filesystem::exists(checkpoint));
  o.resume_path = checkpoint.string();
  o.checkpoint_steps = {};
  o.threads = 3;
  snapshot resumed;
  {
    cli::session s(net, o, comm);
    EXPECT_EQ(s.sim().current_step(), 1234);
    EXPECT_TRUE(s.run());
    resumed = take(s);
    s.finish();
  }
  // Counts since step 0: the resumed run carries the checkpoint's.
  EXPECT_EQ(resumed.spike_counts, straight.spike_counts);
  EXPECT_EQ(resumed.fields.size(), straight.fields.size());
  EXPECT_TRUE(resumed == straight);
  std::filesystem::remove_all(dir);
}

MYELIN_ON_EVERY_BACKEND(Session);

} // namespace
} // namespace myelin::test
