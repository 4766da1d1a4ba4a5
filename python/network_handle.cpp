#include "python/network_handle.hpp"

#include "app/commands.hpp"
#include "app/on_root.hpp"
#include "app/run_setup.hpp"
#include "engine/recording.hpp"
#include "io/checkpoint.hpp"
#include "io/model_checks.hpp"
#include "io/model_file.hpp"
#include "io/spec_archive.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <cstring>
#include <set>

namespace myelin::python {
namespace {

std::unique_ptr<comm::world>& world_slot() {
  static std::unique_ptr<comm::world> w;
  return w;
}

std::set<network_handle*>& open_networks() {
  static std::set<network_handle*> open;
  return open;
}

} // namespace

comm::communicator& world() {
  auto& w = world_slot();
  if (!w) {
    int argc = 0;
    char** argv = nullptr;
    w = std::make_unique<comm::world>(argc, argv);
  }
  return w->comm();
}

void shutdown() {
  for (auto* n : std::set<network_handle*>(open_networks()))
    n->close();
  world_slot().reset();
}

// What the simulation hands out, kept: every spike (when asked) and every
// multimeter row of this rank.
struct network_handle::memory final : spike_output, trace_output {
  bool keep_spikes = true;
  std::vector<spike> spikes;
  std::vector<trace_rows> traces;
  std::vector<double> interval_ms;

  void write(std::span<const spike> s) override {
    if (keep_spikes)
      spikes.insert(spikes.end(), s.begin(), s.end());
  }
  void write(std::size_t m, std::int64_t first_sample, std::size_t n_rows, const double* rows) override {
    auto& t = traces[m];
    if (n_rows == 0)
      return;
    const std::size_t width = row_width[m];
    for (std::size_t r = 0; r < n_rows; ++r)
      t.times_ms.push_back(static_cast<double>(first_sample + static_cast<std::int64_t>(r)) * interval_ms[m]);
    t.values.insert(t.values.end(), rows, rows + n_rows * width);
  }
  std::vector<std::size_t> row_width;
  std::vector<std::vector<std::uint64_t>> columns; // per multimeter: positions in its ids held here
};

network_handle::network_handle(spec::network net, const network_options& opts, std::string resume_path)
    : net_(std::move(net))
    , opts_(opts)
    , comm_(world())
    , memory_(std::make_unique<memory>()) {
  cli::session_options so;
  so.output_dir = opts_.output_dir;
  so.threads = std::max(1u, opts_.threads);
  so.backend = parse_backend(opts_.backend);
  so.resume_path = std::move(resume_path);
  so.model_name = net_.source_file;
  so.stop_requested = opts_.interrupted;
  session_ = std::make_unique<cli::session>(net_, so, comm_);
  const auto& ln = session_->engine().layout();
  memory_->keep_spikes = opts_.record_spikes;
  memory_->traces.resize(ln.trace_interval.size());
  for (std::size_t m = 0; m < ln.trace_interval.size(); ++m) {
    memory_->interval_ms.push_back(static_cast<double>(ln.trace_interval[m]) * net_.run.dt);
    memory_->row_width.push_back(ln.trace_row_size[m]);
    memory_->columns.push_back(ln.trace_columns[m]);
  }
  session_->also_record(memory_.get(), memory_.get());
  open_networks().insert(this);
}

network_handle::~network_handle() {
  open_networks().erase(this);
}

std::unique_ptr<network_handle> network_handle::from_file(const std::string& path,
                                                          const network_options& opts) {
  cli::run_options ro;
  ro.model = path;
  ro.seed = opts.seed;
  auto net = cli::read_and_share(ro, world());
  return std::unique_ptr<network_handle>(new network_handle(std::move(net), opts, {}));
}

std::unique_ptr<network_handle> network_handle::from_text(const std::string& text, const std::string& origin,
                                                          const network_options& opts) {
  auto& comm = world();
  // As read_and_share: rank 0 reads and checks, every rank gets its spec.
  const auto bytes = cli::on_root(comm, [&] {
    auto net = io::parse_model(text, origin);
    if (opts.seed)
      net.run.seed = *opts.seed;
    io::check_network(net);
    return io::save_spec(net);
  });
  auto net = io::load_spec(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return std::unique_ptr<network_handle>(new network_handle(std::move(net), opts, {}));
}

std::unique_ptr<network_handle> network_handle::resume(const std::string& checkpoint,
                                                       const network_options& opts) {
  auto& comm = world();
  // Rank 0 validates the checkpoint; every rank gets the model it holds.
  const auto bytes = cli::on_root(comm, [&] {
    auto info = io::validate_checkpoint(checkpoint);
    if (opts.seed && *opts.seed != info.spec.run.seed)
      throw usage_error(checkpoint + ": the checkpoint was written with seed " +
                        std::to_string(info.spec.run.seed) + ", not " + std::to_string(*opts.seed));
    return io::save_spec(info.spec);
  });
  auto net = io::load_spec(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return std::unique_ptr<network_handle>(new network_handle(std::move(net), opts, checkpoint));
}

bool network_handle::run_steps(std::int64_t n_steps) {
  if (!session_)
    throw usage_error("this network was closed");
  if (n_steps < 0)
    throw usage_error("cannot run for a negative time");
  return session_->run(session_->sim().current_step() + n_steps);
}

std::int64_t network_handle::step() const {
  return session_ ? session_->sim().current_step() : 0;
}

std::uint64_t network_handle::synapses() {
  if (!session_)
    throw usage_error("this network was closed");
  return comm_.sum({session_->engine().counters().synapses})[0];
}

void network_handle::spikes(const std::string& name, std::vector<double>& times_ms,
                            std::vector<std::uint64_t>& ids) {
  if (!opts_.record_spikes)
    throw usage_error("this network was made with record_spikes=False");
  const auto offsets = net_.population_offsets();
  std::vector<char> wanted(net_.populations.size());
  for (std::size_t p = 0; p < wanted.size(); ++p)
    wanted[p] = net_.populations[p].output() == name;
  // Mine as (step, node id) pairs; with several ranks, padded to the longest
  // rank's and gathered on rank 0, sorted there and broadcast.
  std::vector<double> mine;
  for (const spike& s : memory_->spikes) {
    const auto p = static_cast<std::size_t>(std::upper_bound(offsets.begin(), offsets.end(), s.gid) -
                                            offsets.begin() - 1);
    if (!wanted[p])
      continue;
    mine.push_back(static_cast<double>(s.step));
    mine.push_back(static_cast<double>(s.gid - offsets[p] + net_.populations[p].output_first_id));
  }
  std::vector<double> all;
  if (comm_.size() == 1) {
    all = std::move(mine);
  } else {
    const auto longest = static_cast<std::size_t>(comm_.max(static_cast<double>(mine.size())));
    std::vector<double> padded(1 + longest, -1.0);
    padded[0] = static_cast<double>(mine.size());
    std::copy(mine.begin(), mine.end(), padded.begin() + 1);
    const auto gathered = comm_.gather(padded, 0);
    for (int r = 0; r < comm_.size() && comm_.rank() == 0; ++r) {
      const double* block = gathered.data() + static_cast<std::size_t>(r) * padded.size();
      all.insert(all.end(), block + 1, block + 1 + static_cast<std::size_t>(block[0]));
    }
    std::vector<std::byte> bytes(all.size() * sizeof(double));
    if (!all.empty())
      std::memcpy(bytes.data(), all.data(), bytes.size());
    comm_.broadcast(bytes, 0);
    all.resize(bytes.size() / sizeof(double));
    if (!all.empty())
      std::memcpy(all.data(), bytes.data(), bytes.size());
  }
  std::vector<std::pair<std::int64_t, std::uint64_t>> pairs;
  for (std::size_t k = 0; k + 1 < all.size(); k += 2)
    pairs.emplace_back(static_cast<std::int64_t>(all[k]), static_cast<std::uint64_t>(all[k + 1]));
  std::sort(pairs.begin(), pairs.end());
  times_ms.clear();
  ids.clear();
  for (const auto& [step, id] : pairs) {
    times_ms.push_back(static_cast<double>(step + 1) * net_.run.dt); // the spike files' stamp
    ids.push_back(id);
  }
}

trace_rows network_handle::traces(std::size_t m) {
  const trace_rows& mine = memory_->traces[m];
  if (comm_.size() == 1)
    return mine;
  // Every rank sampled the same times for its own columns: each sends
  // [its number of columns, the columns, its values], padded to the longest;
  // rank 0 puts the columns in place and broadcasts the whole rows.
  const auto& cols = memory_->columns[m];
  const std::size_t nv = net_.multimeters[m].variables.size(), n_rows = mine.times_ms.size();
  std::vector<double> packed{static_cast<double>(cols.size())};
  packed.insert(packed.end(), cols.begin(), cols.end());
  packed.insert(packed.end(), mine.values.begin(), mine.values.end());
  const auto longest = static_cast<std::size_t>(comm_.max(static_cast<double>(packed.size())));
  packed.resize(longest, 0.0);
  const auto gathered = comm_.gather(packed, 0);
  const auto width = static_cast<std::size_t>(comm_.max(static_cast<double>(
                         cols.empty() ? 0 : (*std::max_element(cols.begin(), cols.end()) + 1)))) *
                     nv;
  std::vector<double> all(n_rows * width, 0.0);
  for (int r = 0; r < comm_.size() && comm_.rank() == 0; ++r) {
    const double* block = gathered.data() + static_cast<std::size_t>(r) * longest;
    const auto n_cols = static_cast<std::size_t>(block[0]);
    const double* values = block + 1 + n_cols;
    for (std::size_t row = 0; row < n_rows; ++row)
      for (std::size_t c = 0; c < n_cols; ++c)
        for (std::size_t v = 0; v < nv; ++v)
          all[row * width + static_cast<std::size_t>(block[1 + c]) * nv + v] =
              values[(row * n_cols + c) * nv + v];
  }
  std::vector<std::byte> bytes(all.size() * sizeof(double));
  if (!all.empty())
    std::memcpy(bytes.data(), all.data(), bytes.size());
  comm_.broadcast(bytes, 0);
  if (!all.empty())
    std::memcpy(all.data(), bytes.data(), bytes.size());
  return {mine.times_ms, std::move(all)};
}

std::string network_handle::checkpoint() {
  if (!session_)
    throw usage_error("this network was closed");
  return session_->write_checkpoint().string();
}

void network_handle::close() {
  if (!session_)
    return;
  session_->finish();
  session_.reset();
  open_networks().erase(this);
}

} // namespace myelin::python
