#pragma once
// Static synapse tables in device memory, 6 bytes a synapse: each piece of
// engine/narrow_tables.hpp (at most 65,536 targets) with its segments, a
// 16-bit target offset and a float weight per synapse.
#include "engine/device/tables.hpp"
#include "engine/narrow_tables.hpp"

namespace myelin::MYELIN_DEVICE_NS {

struct static_view : segment_view {
  const std::uint16_t* target; // target - target_base
  const float* weight;
  std::uint64_t target_base;
};

struct device_static_table {
  device_segments segments;
  device_vector<std::uint16_t> target;
  device_vector<float> weight;
  std::uint64_t target_base;

  explicit device_static_table(const narrow_table& t)
      : segments(t.segments)
      , target(upload(t.target))
      , weight(upload(t.weight))
      , target_base(t.target_base) {}
  // A piece made on the device (engine/device/construction.hpp).
  device_static_table(device_segments segs, device_vector<std::uint16_t> targets,
                      device_vector<float> weights, std::uint64_t base)
      : segments(std::move(segs))
      , target(std::move(targets))
      , weight(std::move(weights))
      , target_base(base) {}
  static_view view() const { return {segments.view(), raw(target), raw(weight), target_base}; }
  std::uint64_t bytes() const { return segments.bytes() + target.size() * 2 + weight.size() * 4; }
};

// A host table's pieces, uploaded.
inline std::vector<device_static_table> upload_static(const synapse_table& t) {
  std::vector<device_static_table> out;
  for (const auto& piece : split_narrow(t))
    out.emplace_back(piece);
  return out;
}

} // namespace myelin::MYELIN_DEVICE_NS
