#include "engine/connectivity.hpp"

#include "engine/sampling.hpp"
#include "models/registry.hpp"
#include "spec/error.hpp"

#include <sstream>

namespace myelin {

projection_generator::projection_generator(const spec::network& net, std::size_t index)
    : net_(net)
    , proj_(net.projections[index])
    , rule_(proj_.connectivity)
    , index_(index) {
  const auto offsets = net.population_offsets();
  const auto s = static_cast<std::size_t>(net.find_population(proj_.source));
  const auto t = static_cast<std::size_t>(net.find_population(proj_.target));
  S_ = net.populations[s].size;
  T_ = net.populations[t].size;
  source_gid_ = offsets[s];
  target_gid_ = offsets[t];
  same_population_ = s == t;
  const auto* target_model = models::find_model(net.populations[t].model);
  counts_spikes_ = target_model && target_model->counts_spikes;
  connect_key_ = rng::make_key(net.run.seed, rng::purpose::connect, index);
  delay_key_ = rng::make_key(net.run.seed, rng::purpose::delay, index);
  weight_key_ = rng::make_key(net.run.seed, rng::purpose::weight, index);
  // A projection of listed edges takes each edge's delay from its file.
  if (proj_.delay.is_constant() && rule_.type != spec::rule::kind::edges) {
    rng::stream unused(delay_key_, 0);
    constant_delay_steps_ = next_delay(unused); // validates it once
  }
  if (rule_.type == spec::rule::kind::fixed_total_number) {
    const std::uint64_t pool = S_ - (same_population_ && !rule_.allow_autapses ? 1 : 0);
    total_counts_ = split_counts(rule_.n, T_, rule_.allow_multapses, pool,
                                 rng::make_key(net.run.seed, rng::purpose::split, index));
  }
}

void projection_generator::draw(std::uint64_t count, std::uint64_t pool, std::uint64_t self,
                                bool exclude_self, rng::stream& s, connect_scratch& sc) const {
  // Indices drawn from [0, pool) skip `self` by shifting the upper part.
  auto map = [&](std::uint64_t r) { return exclude_self && r >= self ? r + 1 : r; };
  if (rule_.allow_multapses) {
    for (std::uint64_t k = 0; k < count; ++k)
      sc.chosen.push_back(map(s.below(pool)));
    return;
  }
  // Floyd's algorithm: `count` distinct values with `count` draws.
  sc.marks.resize((pool + 63) / 64);
  sc.raw.clear();
  for (std::uint64_t j = pool - count; j < pool; ++j) {
    std::uint64_t r = s.below(j + 1);
    if (sc.marks[r / 64] >> (r % 64) & 1)
      r = j;
    sc.marks[r / 64] |= std::uint64_t{1} << (r % 64);
    sc.raw.push_back(r);
    sc.chosen.push_back(map(r));
  }
  for (auto r : sc.raw)
    sc.marks[r / 64] = 0;
}

void projection_generator::choose(std::uint64_t index, connect_scratch& sc) const {
  using kind = spec::rule::kind;
  sc.chosen.clear();
  const bool exclude_self = same_population_ && !rule_.allow_autapses;
  rng::stream s(connect_key_, key_gid(index));
  switch (rule_.type) {
  case kind::all_to_all:
    for (std::uint64_t src = 0; src < S_; ++src)
      if (!(exclude_self && src == index))
        sc.chosen.push_back(src);
    break;
  case kind::one_to_one:
    if (!exclude_self)
      sc.chosen.push_back(index);
    break;
  case kind::fixed_indegree:
    draw(rule_.n, S_ - exclude_self, index, exclude_self, s, sc);
    break;
  case kind::fixed_outdegree:
    draw(rule_.n, T_ - exclude_self, index, exclude_self, s, sc);
    break;
  case kind::fixed_total_number:
    draw(total_counts_[index], S_ - exclude_self, index, exclude_self, s, sc);
    break;
  case kind::pairwise_bernoulli: {
    // Integer threshold: the same decision on every backend, no libm involved.
    const auto threshold = static_cast<std::uint64_t>(rule_.p * 4294967296.0);
    for (std::uint64_t src = 0; src < S_; ++src) {
      if (exclude_self && src == index)
        continue;
      if (s.next_u32() < threshold)
        sc.chosen.push_back(src);
    }
    break;
  }
  case kind::edges:
    throw internal_error("a projection of listed edges has no rule to draw from");
  }
}

std::int64_t projection_generator::next_delay(rng::stream& s) const {
  if (constant_delay_steps_ > 0)
    return constant_delay_steps_;
  return steps_of(sample(proj_.delay, s));
}

std::int64_t projection_generator::delay_of(std::uint64_t at, rng::stream& s) const {
  if (!proj_.delay.is_listed())
    return next_delay(s);
  if (at >= proj_.delay.values.size())
    throw internal_error("a listed delay past the array's end");
  return steps_of(proj_.delay.values[at]);
}

double projection_generator::weight_of(std::uint64_t at, rng::stream& s) const {
  if (counts_spikes_)
    return 1.0;
  if (!proj_.weight.is_listed())
    return next_weight(s);
  if (at >= proj_.weight.values.size())
    throw internal_error("a listed weight past the array's end");
  return proj_.weight.values[at];
}

std::int64_t projection_generator::steps_of(double ms) const {
  const auto steps = spec::delay_steps(ms, net_.run.dt);
  if (steps < 1 || steps > 65535) {
    std::ostringstream os;
    os << "drawn delay " << ms << " ms is outside [1, 65535] steps of dt = " << net_.run.dt << " ms";
    throw model_error(net_.source_file, "projections[" + std::to_string(index_) + "].synapse.delay",
                      os.str());
  }
  return steps;
}

double projection_generator::next_weight(rng::stream& s) const {
  if (counts_spikes_)
    return 1.0;
  return proj_.weight.is_constant() ? proj_.weight.value : sample(proj_.weight, s);
}

double projection_generator::expected_synapses() const {
  return spec::expected_synapses(net_, proj_);
}

} // namespace myelin
