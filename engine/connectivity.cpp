#include "engine/connectivity.hpp"

#include "engine/draw_rules.hpp"
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
  synapses_.delay = law_of(proj_.delay);
  synapses_.weight = law_of(proj_.weight);
  synapses_.dt = net.run.dt;
  synapses_.unit_weight = counts_spikes_;
  // A projection of listed edges takes each edge's delay from its file.
  if (proj_.delay.is_constant() && rule_.type != spec::rule::kind::edges) {
    rng::stream unused(delay_key_, 0);
    synapses_.constant_delay_steps = next_delay(unused); // rounded and validated once
  }
  partners_.type = rule_.type;
  partners_.n = rule_.n;
  partners_.others = keyed_by_source() ? T_ : S_;
  // An integer threshold: the same decision on every backend, no libm involved.
  partners_.bernoulli_threshold = static_cast<std::uint64_t>(rule_.p * 4294967296.0);
  partners_.exclude_self = same_population_ && !rule_.allow_autapses;
  partners_.allow_multapses = rule_.allow_multapses;
  if (rule_.type == spec::rule::kind::fixed_total_number) {
    const std::uint64_t pool = S_ - (same_population_ && !rule_.allow_autapses ? 1 : 0);
    total_counts_ = split_counts(rule_.n, T_, rule_.allow_multapses, pool,
                                 rng::make_key(net.run.seed, rng::purpose::split, index));
  }
}

void projection_generator::choose(std::uint64_t index, connect_scratch& sc) const {
  if (rule_.type == spec::rule::kind::edges)
    throw internal_error("a projection of listed edges has no rule to draw from");
  sc.chosen.clear();
  rng::stream s(connect_key_, key_gid(index));
  const bool marked = needs_marks(partners_);
  if (marked)
    sc.marks.resize(partner_marks_words(partners_)); // new words zeroed; used ones cleared below
  choose_partners(partners_, index, total_of(index), s, sc.marks.data(),
                  [&](std::uint64_t partner) { sc.chosen.push_back(partner); });
  if (marked)
    for (const auto partner : sc.chosen)
      forget_partner(partners_, index, partner, sc.marks.data());
}

std::int64_t projection_generator::next_delay(rng::stream& s) const {
  std::int64_t steps = 0;
  double ms = 0.0;
  switch (draw_delay_steps(synapses_, s, rng::host_ziggurat(), steps, ms)) {
  case draw_status::ok:
    return steps;
  case draw_status::out_of_range:
    return steps_of(ms); // throws, naming the drawn value
  case draw_status::no_value:
    break;
  }
  // Named here: the builder names the weight for its own sampling errors.
  throw model_error(net_.source_file, "projections[" + std::to_string(index_) + "].synapse.delay",
                    no_value_message(proj_.delay));
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
  const auto steps = delay_steps_of(ms, net_.run.dt);
  if (steps < 1 || steps > max_delay_steps) {
    std::ostringstream os;
    os << "drawn delay " << ms << " ms is outside [1, 65535] steps of dt = " << net_.run.dt << " ms";
    throw model_error(net_.source_file, "projections[" + std::to_string(index_) + "].synapse.delay",
                      os.str());
  }
  return steps;
}

double projection_generator::next_weight(rng::stream& s) const {
  double w = 0.0;
  if (!draw_weight(synapses_, s, rng::host_ziggurat(), w))
    throw sampling_error(no_value_message(proj_.weight));
  return w;
}

double projection_generator::expected_synapses() const {
  return spec::expected_synapses(net_, proj_);
}

} // namespace myelin
