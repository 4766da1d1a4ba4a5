#pragma once
// Synapse tables in device memory. Every table keeps the host builder's
// segment structure (engine/synapse_table.hpp: a row's synapses grouped by
// delay and receptor port); static and plastic tables differ in what a
// synapse holds (static_tables.hpp, and here the plastic tables' synapses
// as the host built them).
#include "engine/device/system.hpp"
#include "engine/synapse_table.hpp"

namespace myelin::MYELIN_DEVICE_NS {

// The segment structure of a synapse table as device code reads it: raw
// pointers into device memory. Every table has it; what a synapse holds
// differs (static_view, table_view).
struct segment_view {
  const std::uint64_t* source_segments;
  const std::uint16_t* segment_delay;
  const std::uint8_t* segment_port; // null: every segment on port 0
  const std::uint64_t* segment_synapses;

  // Synapses of a row.
  MYELIN_HD std::uint64_t row_length(std::uint64_t row) const {
    return segment_synapses[source_segments[row + 1]] - segment_synapses[source_segments[row]];
  }
  MYELIN_HD int port(std::uint64_t segment) const { return segment_port ? segment_port[segment] : 0; }
};

// A plastic table: synapses as the host builds them (engine/synapse_table.hpp).
struct table_view : segment_view {
  const synapse* synapses;
};

// The segments of a synapse_table in device memory.
struct device_segments {
  device_vector<std::uint64_t> source_segments;
  device_vector<std::uint16_t> segment_delay;
  device_vector<std::uint8_t> segment_port; // empty: every segment on port 0
  device_vector<std::uint64_t> segment_synapses;

  device_segments(device_vector<std::uint64_t> sources, device_vector<std::uint16_t> delays,
                  device_vector<std::uint8_t> ports, device_vector<std::uint64_t> synapses)
      : source_segments(std::move(sources))
      , segment_delay(std::move(delays))
      , segment_port(std::move(ports))
      , segment_synapses(std::move(synapses)) {}
  explicit device_segments(const synapse_table& t)
      : source_segments(upload(t.source_segments))
      , segment_delay(upload(t.segment_delay))
      , segment_port(upload(t.segment_port))
      , segment_synapses(upload(t.segment_synapses)) {}
  segment_view view() const {
    return {raw(source_segments), raw(segment_delay), segment_port.empty() ? nullptr : raw(segment_port),
            raw(segment_synapses)};
  }
  std::uint64_t bytes() const {
    return source_segments.size() * 8 + segment_delay.size() * 2 + segment_port.size() +
           segment_synapses.size() * 8;
  }
};

// A plastic synapse_table in device memory, synapses as they are.
struct device_table {
  device_segments segments;
  device_vector<synapse> synapses;

  explicit device_table(const synapse_table& t)
      : segments(t)
      , synapses(upload(t.synapses)) {}
  table_view view() const { return {segments.view(), raw(synapses)}; }
  std::uint64_t bytes() const { return segments.bytes() + synapses.size() * sizeof(synapse); }
};

} // namespace myelin::MYELIN_DEVICE_NS
