#include "io/sonata/spike_input.hpp"

#include "io/sonata/h5_reader.hpp"

#include <algorithm>
#include <cmath>

namespace myelin::io::sonata {

spike_trains read_spike_trains(const std::string& file, const std::string& population,
                               std::uint64_t n_nodes) {
  h5_reader f(file);
  std::string ids_path, times_path;
  if (f.has("/spikes/" + population + "/timestamps")) {
    ids_path = "/spikes/" + population + "/node_ids";
    times_path = "/spikes/" + population + "/timestamps";
  } else if (f.has("/spikes/gids") && f.has("/spikes/timestamps")) {
    ids_path = "/spikes/gids";
    times_path = "/spikes/timestamps";
  } else {
    f.fail("/spikes/" + population, "no spikes for population " + population + " (neither /spikes/" +
                                        population + "/timestamps nor a flat /spikes/gids)");
  }
  const auto ids = f.integers(ids_path);
  const auto times = f.numbers(times_path);
  if (ids.size() != times.size())
    f.fail(times_path, "wrong shape: " + std::to_string(times.size()) + " times for " +
                           std::to_string(ids.size()) + " node ids");
  double scale = 1.0; // timestamps in ms unless the units attribute says s
  const auto units = f.string_attribute(times_path, "units");
  if (units == "s")
    scale = 1000.0;
  else if (!units.empty() && units != "ms")
    f.fail(times_path + "@units", "unknown time unit '" + units + "' (ms or s)");
  spike_trains out;
  out.times.resize(n_nodes);
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (ids[k] < 0 || static_cast<std::uint64_t>(ids[k]) >= n_nodes)
      f.fail(ids_path, "spike " + std::to_string(k) + " names node " + std::to_string(ids[k]) + ", but " +
                           population + " has " + std::to_string(n_nodes) + " nodes");
    const double t = times[k] * scale;
    if (!std::isfinite(t))
      f.fail(times_path, "spike " + std::to_string(k) + " has no finite time");
    const double us = std::round(t * 1000.0) / 1000.0;
    if (us <= 0) {
      ++out.dropped;
      continue;
    }
    out.times[static_cast<std::size_t>(ids[k])].push_back(us);
  }
  for (auto& t : out.times)
    std::sort(t.begin(), t.end());
  return out;
}

} // namespace myelin::io::sonata
