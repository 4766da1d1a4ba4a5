#pragma once
// Construction on the device: a rank's static synapse tables drawn by the
// device's threads, equal to the host builder's tables bit for bit
// (engine/static_table_maker.hpp). The draws are engine/draw_rules.hpp's,
// the host builder's own code.
//
// 1. The host lists one work item per (projection, target), in the host
//    builder's walk order, and uploads them; fixed_outdegree, drawn per
//    source, has one per (projection, source, block) that keeps the
//    source's targets in that block.
// 2. Each item counts its synapses (pairwise_bernoulli draws to count); an
//    exclusive scan gives each item its place.
// 3. Each item draws its partners, delays and weights into its place:
//    source candidate, (delay, port), target, weight. Floyd's draws without
//    multapses take a bitset from scratch memory, items in chunks that fit.
// 4. Once the host has numbered the rows, a block's synapses are sorted by
//    (piece, row, delay key), ties by place: the stable order of the host's
//    segment sort, split into the backend's 65,536-target pieces as
//    engine/narrow_tables.hpp splits a host table. Segment bounds come from
//    where the key changes. The pieces stay on the device for the backend.
// 5. A plastic projection's own table of a block (its items come after
//    every static item) is sorted by (row, delay key) the same way, as one
//    table; each synapse's canonical position (the host builder's order:
//    targets ascending, each target's synapses in walk order) is its rank
//    in a stable sort by target, and its initial weight is kept in double
//    precision. The table goes to the host, as the host builder leaves it.
#include "engine/device/atomics.hpp"
#include "engine/device/static_tables.hpp"
#include "engine/device/system.hpp"
#include "engine/draw_rules.hpp"
#include "engine/fixed_point.hpp"
#include "engine/static_table_maker.hpp"

#include <thrust/transform_reduce.h>

namespace myelin::MYELIN_DEVICE_NS {

// One projection as the device draws it.
struct drawn_projection {
  partner_law partners;
  synapse_law synapses;
  rng::philox::key_type connect, delay, weight;
  std::uint64_t key_base = 0;     // gid of the target with index 0: the streams' element ids
  std::uint64_t source_base = 0;  // candidate of source 0
  std::uint64_t totals_first = 0; // fixed_total_number: its counts per target in the totals array; else ~0
  std::uint32_t port = 0;         // receptor port
  std::uint64_t marks_words = 0;  // bitset words an element's draw needs (0: none)
  // fixed_outdegree: drawn per source (key_base: the gid of source 0), its
  // targets' local indices from local_first on in the local_of array.
  bool by_source = false;
  std::uint64_t local_first = 0;
};

inline constexpr std::uint32_t not_here = ~std::uint32_t{0}; // local_of: a target another rank holds

// One element of one projection: a target, or for a projection drawn by
// source, a source whose targets in one block are kept.
struct draw_item {
  std::uint32_t projection;
  std::uint32_t local; // the target's local index; by source: the block
  std::uint64_t index; // in the target (by source: the source) population
};

// What every draw over the items reads.
struct draw_inputs {
  const drawn_projection* projections;
  const draw_item* items;
  const std::uint64_t* totals;
  const std::uint32_t* local_of;     // projections drawn by source: per target index
  const std::uint64_t* block_bounds; // per block: first and end local index
  std::uint64_t* marks;              // chunk slots of slot_words each
  std::uint64_t slot_words;

  // The bitset of `slot` when item i's projection draws without multapses.
  MYELIN_HD std::uint64_t* bits(const drawn_projection& p, std::uint64_t slot) const {
    return p.marks_words ? marks + slot * slot_words : nullptr;
  }
  MYELIN_HD std::uint64_t total(const drawn_projection& p, std::uint64_t index) const {
    return p.totals_first == ~std::uint64_t{0} ? 0 : totals[p.totals_first + index];
  }
  // Local index of target t of a projection drawn by source when it lies in
  // block b, else not_here.
  MYELIN_HD std::uint32_t kept(const drawn_projection& p, std::uint64_t t, std::uint32_t b) const {
    const std::uint32_t l = local_of[p.local_first + t];
    return l != not_here && l >= block_bounds[2 * b] && l < block_bounds[2 * b + 1] ? l : not_here;
  }
};

// Item i's synapse count; `slot`: its bitset among the chunk's.
struct count_synapses {
  draw_inputs in;
  std::uint64_t* counts;
  MYELIN_HD void operator()(std::uint64_t i, std::uint64_t slot) const {
    const draw_item it = in.items[i];
    const drawn_projection& p = in.projections[it.projection];
    if (!p.by_source && p.partners.type != spec::rule::kind::pairwise_bernoulli) {
      counts[i] = fixed_partner_count(p.partners, in.total(p, it.index));
      return;
    }
    rng::stream s(p.connect, p.key_base + it.index);
    std::uint64_t n = 0;
    std::uint64_t* const bits = in.bits(p, slot);
    choose_partners(p.partners, it.index, 0, s, bits, [&](std::uint64_t partner) {
      n += !p.by_source || in.kept(p, partner, it.local) != not_here ? 1 : 0;
    });
    for (std::uint64_t w = 0; bits && w < p.marks_words; ++w)
      bits[w] = 0;
    counts[i] = n;
  }
};

// Where a drawn synapse goes: source candidate, delay << 8 | port, target,
// weight; synapses from place weight64_first on (the own tables') also keep
// their weight in double precision.
struct drawn_synapses {
  std::uint32_t* candidate;
  std::uint32_t* delay_port;
  std::uint32_t* target;
  float* weight;
  double* weight64;
  std::uint64_t weight64_first;
};

// Draws item i's synapses into their places; `slot`: its bitset among the
// chunk's (Floyd's draws), left zeroed.
struct draw_synapses {
  draw_inputs in;
  const std::uint64_t* place; // per item: its first synapse
  const rng::ziggurat_tables* zig;
  drawn_synapses out;
  unsigned* used;   // per candidate: has a synapse here
  unsigned* failed; // set when a draw fails (the host builder then reports it)
  MYELIN_HD void operator()(std::uint64_t i, std::uint64_t slot) const;
};

struct delay_of_synapse {
  MYELIN_HD std::uint64_t operator()(std::uint32_t dp) const { return dp >> 8; }
};
struct port_of_synapse {
  MYELIN_HD std::uint64_t operator()(std::uint32_t dp) const { return dp & 0xffu; }
};
struct smallest {
  MYELIN_HD std::uint64_t operator()(std::uint64_t a, std::uint64_t b) const { return a < b ? a : b; }
};
struct largest {
  MYELIN_HD std::uint64_t operator()(std::uint64_t a, std::uint64_t b) const { return a < b ? b : a; }
};

// Bytes a drawn synapse may need at once while tables are made: the drawn
// arrays (16), one block's sort key, synapse and radix buffers and segment
// starts (40), and the pieces made (6), rounded up.
inline constexpr std::uint64_t construction_bytes_per_synapse = 64;

class device_table_maker final : public static_table_maker {
public:
  // Declines a network whose synapses would need more than memory_budget
  // bytes while being made (the host builder then builds them). With
  // `own_tables` it draws the plastic projections' own tables too: by
  // default on a GPU only. On CPU threads the host builder is faster at
  // them (the same threads, placing each synapse by a cursor where this
  // sorts twice and copies the table out: hpc_benchmark's 81 M STDP
  // synapses took 3-4 times as long, docs/benchmarks.md), so there the
  // tests ask for them, to check the GPU's code.
  explicit device_table_maker(std::uint64_t memory_budget, bool own_tables = MYELIN_DEVICE_CUDA != 0)
      : budget_(memory_budget)
      , own_tables_(own_tables) {}
  bool draw(const static_draws& d, drawn_tables& out) override;
  // Makes block b's static table as the pieces the backend stores
  // (engine/device/static_tables.hpp: engine/narrow_tables.hpp's split of
  // the host builder's table, made on the device).
  void make(std::size_t b, const std::vector<std::uint64_t>& row_before, std::uint64_t rows) override;
  plastic_table make_own(std::size_t b, std::size_t p, const std::vector<std::uint64_t>& row_before,
                         std::uint64_t rows) override;
  // Block b's pieces, once made (the backend takes them).
  std::vector<device_static_table> take(std::size_t b);
  std::uint64_t synapses_of(std::size_t b) const { return synapses_of_.at(b); }
  // Own tables made so far (plastic projections' tables of a block).
  std::uint64_t own_tables_made() const { return own_tables_made_; }

private:
  bool draw_all(const static_draws& d, drawn_tables& out);
  drawn_block summarize(std::uint64_t first, std::uint64_t end) const;
  void release_drawn_when_done();

  // A projection drawn into tables of its own: its source candidates and
  // its targets' local range here (what the host builder's plan_block uses).
  struct own_projection {
    std::uint64_t cand_first = 0, cand_count = 0;
    std::uint64_t pop_first = 0, pop_end = 0;
  };

  std::uint64_t budget_;
  bool own_tables_;
  [[maybe_unused]] int threads_ = 1; // CPU threads (the omp build; unused on the GPU and one thread)
  // Synapses of block b: [block_place_[b], block_place_[b + 1]).
  std::vector<std::uint64_t> block_place_;
  std::vector<drawn_block> summary_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks_; // target ranges
  std::vector<own_projection> own_;                             // per projection drawn into its own tables
  // [block][projection]: the places of its own table's synapses, and their summary.
  std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> own_place_;
  std::vector<std::vector<drawn_block>> own_summary_;
  std::uint64_t own_tables_left_ = 0; // own tables not made yet
  std::uint64_t own_tables_made_ = 0;
  uninitialized_array<std::uint32_t> candidate_, delay_port_, target_;
  uninitialized_array<float> weight_;
  uninitialized_array<double> weight64_; // from place static_total_ on
  std::uint64_t static_total_ = 0;
  device_vector<std::uint64_t> row_of_; // per candidate, uploaded once
  std::vector<std::uint64_t> pieces_;   // per block: pieces its targets span
  std::vector<std::vector<device_static_table>> made_;
  std::vector<std::uint64_t> synapses_of_;
  std::size_t blocks_made_ = 0;
};

} // namespace myelin::MYELIN_DEVICE_NS
