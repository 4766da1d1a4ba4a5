// The device backend's building blocks against the CPU implementation, on
// random inputs and at the edges: the overflow arithmetic, the saturating
// atomic, spike collection, Poisson counts, delivery into the ring and the
// CPU systems' stable radix sort. They
// run here through Thrust's CPU system (the omp build of engine/device).
#define MYELIN_DEVICE_CUDA 0
#include "engine/device/cpu_radix_sort.hpp"
#include "engine/device/delivery.hpp"
#include "engine/device/neuron_update.hpp"
#include "engine/device/spike_routes.hpp"
#include "engine/fixed_point.hpp"
#include "engine/poisson_table.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace myelin::device_omp {
namespace {

TEST(DeviceArithmetic, SaturatingAddAndTimesEqualTheBuiltins) {
  std::mt19937_64 gen(7);
  const std::int64_t edges[] = {0,
                                1,
                                -1,
                                fixed_max,
                                fixed_min,
                                fixed_max - 1,
                                fixed_min + 1,
                                fixed_max / 2,
                                fixed_min / 2,
                                fixed_max / 3 + 1,
                                4294967296LL};
  std::vector<std::int64_t> values(std::begin(edges), std::end(edges));
  for (int k = 0; k < 2000; ++k)
    values.push_back(static_cast<std::int64_t>(gen()) >> (gen() % 64));
  for (const std::int64_t a : values)
    for (const std::int64_t b : values) {
      std::int64_t slot = a;
      ring_add(slot, b);
      ASSERT_EQ(saturating_add(a, b), slot) << a << " + " << b;
    }
  const std::uint32_t counts[] = {0, 1, 2, 3, 7, 1000, 65535, 4000000000u};
  for (const std::uint32_t n : counts)
    for (const std::int64_t v : values)
      ASSERT_EQ(saturating_times(n, v), fixed_times(n, v)) << n << " * " << v;
}

// Many threads adding into a few slots: the plain sum when it fits, the end
// of the range when it does not, whatever the order.
TEST(DeviceArithmetic, AtomicRingAddIsOrderFreeAndSaturates) {
  for (const std::int64_t step :
       {std::int64_t{12345}, fixed_max / 1000, -(fixed_max / 1000), fixed_max / 3}) {
    device_vector<std::int64_t> slots(4, 0);
    std::int64_t* p = raw(slots);
    const std::uint64_t n = 4000;
    for_each_index(n, [=](std::uint64_t i) { atomic_ring_add(p + i % 4, step); });
    std::int64_t expected = 0;
    for (std::uint64_t i = 0; i < n / 4; ++i)
      ring_add(expected, step);
    for (const std::int64_t v : download(slots))
      EXPECT_EQ(v, expected) << "step " << step;
  }
}

TEST(DeviceSpikes, CollectionKeepsEverySpikeAndReportsOverflow) {
  device_vector<local_spike> buffer(100);
  device_vector<unsigned long long> count(1, 0);
  const spike_buffer b{raw(buffer), raw(count), buffer.size()};
  for_each_index(60, [=](std::uint64_t i) { b.push(i, static_cast<std::int64_t>(i % 5)); });
  EXPECT_EQ(read_element(count, 0), 60u);
  auto got = download(buffer);
  got.resize(60);
  std::vector<int> seen(60, 0);
  for (const auto& s : got) {
    ASSERT_LT(s.local, 60u);
    EXPECT_EQ(s.step, static_cast<std::int64_t>(s.local % 5));
    ++seen[s.local];
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 60);
  // 90 more with multiplicity 2: 240 asked for, 100 held, the count tells.
  for_each_index(90, [=](std::uint64_t i) { b.push(i, 0, 2); });
  EXPECT_EQ(read_element(count, 0), 240u);
}

TEST(DevicePoisson, CountsEqualThePoissonTable) {
  std::mt19937 gen(3);
  for (const double mean : {0.0, 0.01, 0.9, 2.5, 30.0, 800.0}) {
    const poisson_table table(mean);
    const auto& t = table.thresholds();
    std::vector<std::uint32_t> us{0u, 0xffffffffu};
    for (int k = 0; k < 20000; ++k)
      us.push_back(static_cast<std::uint32_t>(gen()));
    for (std::size_t k = 0; k + 1 < t.size(); ++k)
      for (const std::uint64_t d : {std::uint64_t{0}, std::uint64_t{1}})
        if (t[k] >= d && t[k] - d <= 0xffffffffu)
          us.push_back(static_cast<std::uint32_t>(t[k] - d));
    for (const std::uint32_t u : us)
      ASSERT_EQ(poisson_count(t.data(), u), table.draw(u)) << "mean " << mean << " u " << u;
  }
}

// The CPU backend's delivery loop (engine/cpu/cpu_backend.cpp), serially.
void deliver_on_host(const synapse_table& t, const std::vector<arriving_spike>& spikes, const ring_layout& rl,
                     std::vector<std::int64_t>& ring) {
  for (const auto& s : spikes)
    for (auto seg = t.source_segments[s.row]; seg < t.source_segments[s.row + 1]; ++seg) {
      const int port = t.segment_port.empty() ? 0 : t.segment_port[seg];
      for (auto k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k) {
        const synapse syn = t.synapses[k];
        ring_add(ring[rl.index(ring_layout::channel_of(syn.weight, port), s.step + t.segment_delay[seg],
                               syn.target)],
                 to_fixed_in_range(syn.weight));
      }
    }
}

// Launch shapes: one worker doing everything, fewer workers than chunks
// (each strides over several), more workers than events (most idle); the
// same with contiguous shares (per_item 0).
const event_grid grids[] = {{1, 1}, {1, 256}, {3, 3}, {7, 256},   {100000, 1},
                            {1, 0}, {2, 0},   {7, 0}, {100000, 0}};

// The device backend's delivery: the table split into 16-bit pieces,
// delivered `per_launch` pieces at a time by one parallel loop over all the
// spikes' synapses in them.
std::vector<std::int64_t> deliver_on_device(const synapse_table& t, const std::vector<arriving_spike>& spikes,
                                            const ring_layout& rl, const event_grid& grid,
                                            std::uint64_t per_launch = 1000) {
  device_vector<std::int64_t> ring(rl.size(), 0);
  const auto arrived = upload(spikes);
  const std::uint64_t n = spikes.size();
  const auto pieces = upload_static(t);
  std::vector<static_view> views;
  for (const auto& piece : pieces)
    views.push_back(piece.view());
  const auto dev_views = upload(views);
  device_vector<std::uint64_t> first;
  device_vector<unsigned long long> events(1, 0);
  for (std::uint64_t p = 0; p < views.size() && n > 0; p += per_launch) {
    const std::uint64_t count = std::min<std::uint64_t>(per_launch, views.size() - p);
    number_piece_events(raw(arrived), n, raw(dev_views) + p, count, first);
    for_each_index(grid.workers, deliver_events{raw(arrived), raw(first), n, grid, raw(dev_views) + p, count,
                                                raw(ring), rl, raw(events)});
  }
  // Every synapse of every spike's row counted once (run.json static_synaptic_events).
  std::uint64_t synapses = 0;
  for (const auto& s : spikes)
    synapses +=
        t.segment_synapses[t.source_segments[s.row + 1]] - t.segment_synapses[t.source_segments[s.row]];
  EXPECT_EQ(read_element(events, 0), synapses);
  return download(ring);
}

// A random table: rows with 0..4 segments (some empty), delays up to
// max_delay, ports 0..2, weights of both signs over n_neurons targets.
synapse_table random_table(std::mt19937& gen, std::uint64_t n_rows, std::uint32_t n_neurons, int max_delay,
                           bool ports) {
  synapse_table t;
  t.source_segments.push_back(0);
  t.segment_synapses.push_back(0);
  for (std::uint64_t r = 0; r < n_rows; ++r) {
    const int segments = static_cast<int>(gen() % 5);
    for (int s = 0; s < segments; ++s) {
      t.segment_delay.push_back(static_cast<std::uint16_t>(1 + gen() % max_delay));
      if (ports)
        t.segment_port.push_back(static_cast<std::uint8_t>(gen() % 3));
      const int len = gen() % 4 == 0 ? 0 : static_cast<int>(gen() % 40);
      for (int k = 0; k < len; ++k)
        t.synapses.push_back({static_cast<std::uint32_t>(gen() % n_neurons),
                              static_cast<float>(static_cast<int>(gen() % 2001) - 1000) * 0.37f});
      t.segment_synapses.push_back(t.synapses.size());
    }
    t.source_segments.push_back(t.segment_delay.size());
  }
  return t;
}

// Each synapse in exactly one piece, with its target, weight, delay and
// port, in the host table's order within its segment; 6 bytes a synapse.
TEST(DeviceTables, PiecesHoldEverySynapseOnceWithSixteenBitTargets) {
  std::mt19937 gen(5);
  for (const std::uint32_t n_neurons : {50u, 65536u, 70000u, 200000u}) {
    const auto table = random_table(gen, 300, n_neurons, 30, n_neurons % 2 == 1);
    const auto pieces = split_narrow(table);
    std::set<std::uint32_t> used; // pieces with synapses: only those are kept
    for (const auto& syn : table.synapses)
      used.insert(syn.target / 65536);
    ASSERT_EQ(pieces.size(), used.size()) << n_neurons;
    EXPECT_EQ(pieces.size(), n_neurons <= 65536 ? 1u : n_neurons / 65536 + 1) << n_neurons;
    std::uint64_t held = 0;
    for (const auto& p : pieces) {
      held += p.target.size();
      EXPECT_EQ(p.target_base % narrow_table::span, 0u);
      EXPECT_TRUE(p.segments.synapses.empty());
    }
    EXPECT_EQ(held, table.synapses.size());
    // Walk every row of every piece: per (row, delay, port), the synapses
    // equal the host table's targets in that range, in its order.
    for (const auto& p : pieces)
      for (std::uint64_t row = 0; row + 1 < table.source_segments.size(); ++row) {
        std::vector<std::tuple<int, int, std::uint32_t, float>> want, got;
        for (auto seg = table.source_segments[row]; seg < table.source_segments[row + 1]; ++seg)
          for (auto k = table.segment_synapses[seg]; k < table.segment_synapses[seg + 1]; ++k)
            if (table.synapses[k].target / narrow_table::span == p.target_base / narrow_table::span)
              want.emplace_back(table.segment_delay[seg],
                                table.segment_port.empty() ? 0 : table.segment_port[seg],
                                table.synapses[k].target, table.synapses[k].weight);
        const auto& s = p.segments;
        for (auto seg = s.source_segments[row]; seg < s.source_segments[row + 1]; ++seg) {
          EXPECT_LT(s.segment_synapses[seg], s.segment_synapses[seg + 1]) << "an empty segment";
          for (auto k = s.segment_synapses[seg]; k < s.segment_synapses[seg + 1]; ++k)
            got.emplace_back(s.segment_delay[seg], s.segment_port.empty() ? 0 : s.segment_port[seg],
                             static_cast<std::uint32_t>(p.target_base + p.target[k]), p.weight[k]);
        }
        ASSERT_EQ(got, want) << n_neurons << " neurons, row " << row << ", piece at " << p.target_base;
      }
  }
  std::mt19937 gen2(9);
  const auto big = random_table(gen2, 2000, 60000, 10, false);
  std::uint64_t bytes = 0;
  for (const auto& piece : upload_static(big))
    bytes += piece.target.size() * 2 + piece.weight.size() * 4;
  EXPECT_EQ(bytes, 6 * big.synapses.size());
}

TEST(DeviceDelivery, EqualsTheCpuLoop) {
  std::mt19937 gen(11);
  for (const bool ports : {false, true}) {
    const int max_delay = 40;
    const std::uint32_t n_neurons = 50;
    const auto table = random_table(gen, 200, n_neurons, max_delay, ports);
    const ring_layout rl{n_neurons, max_delay + 1, ports ? 6 : 2};
    std::vector<std::vector<arriving_spike>> cases;
    cases.push_back({}); // an empty epoch
    std::vector<arriving_spike> many;
    for (int k = 0; k < 500; ++k)
      many.push_back({gen() % 200, static_cast<std::int64_t>(gen() % 15)});
    cases.push_back(many);
    cases.push_back(std::vector<arriving_spike>(300, {17, 3})); // one source, all the spikes
    std::vector<arriving_spike> late;                           // the largest delay, far on in time
    for (std::uint64_t r = 0; r < 200; ++r)
      late.push_back({r, 1000000 + static_cast<std::int64_t>(r % 7)});
    cases.push_back(late);
    for (const auto& spikes : cases) {
      std::vector<std::int64_t> expected(rl.size(), 0);
      deliver_on_host(table, spikes, rl, expected);
      for (const event_grid grid : grids)
        EXPECT_EQ(deliver_on_device(table, spikes, rl, grid), expected)
            << spikes.size() << " spikes, " << grid.workers << " workers of " << grid.per_item << ", ports "
            << ports;
    }
  }
}

// Targets beyond 16 bits: each piece delivered at its base, all pieces in
// one launch or some in each.
TEST(DeviceDelivery, EqualsTheCpuLoopOverSeveralPieces) {
  std::mt19937 gen(13);
  const std::uint32_t n_neurons = 150000;
  const int max_delay = 3;
  const auto table = random_table(gen, 400, n_neurons, max_delay, true);
  const ring_layout rl{n_neurons, max_delay + 1, 6};
  std::vector<arriving_spike> spikes;
  for (int k = 0; k < 600; ++k)
    spikes.push_back({gen() % 400, static_cast<std::int64_t>(gen() % 9)});
  std::vector<std::int64_t> expected(rl.size(), 0);
  deliver_on_host(table, spikes, rl, expected);
  for (const std::uint64_t per_launch : {1, 2, 3})
    for (const event_grid grid : grids)
      EXPECT_EQ(deliver_on_device(table, spikes, rl, grid, per_launch), expected)
          << grid.workers << " workers of " << grid.per_item << ", " << per_launch << " pieces a launch";
}

// Several ranks running alone (engine/device/spike_routes.hpp): each rank's
// block holds the records the epoch loop's host packing writes for it (in
// any order), entries past the neuron buffer's count and the sources'
// padding are ignored, sources follow, and received records come back as
// the loop's arrivals, those past a received count as no arrival. Steps are
// offsets from a first step in device memory (as a replayed graph reads them).
TEST(DeviceRoutes, RecordsEqualTheLoopsPackingAndComeBackAsArrivals) {
  std::mt19937 gen(5);
  const std::uint32_t n_ranks = 4;
  const std::uint64_t n_local = 60;
  std::vector<std::uint64_t> offsets{0}, rows;
  std::vector<std::uint32_t> ranks;
  for (std::uint64_t l = 0; l < n_local; ++l) { // some neurons subscribed nowhere, some everywhere
    for (std::uint32_t r = 0; r < n_ranks; ++r)
      if (l % 7 == 0 || (l % 5 != 0 && gen() % 2 == 0)) {
        ranks.push_back(r);
        rows.push_back(gen() % 100000);
      }
    offsets.push_back(ranks.size());
  }
  const std::int64_t epoch_first = 4000;
  for (const unsigned long long in_buffer : {0ULL, 1ULL, 37ULL}) {
    std::vector<local_spike> neuron(50, {n_local + 99, -1}), sources; // unused entries hold nonsense
    for (unsigned long long k = 0; k < in_buffer; ++k)
      neuron[k] = {gen() % n_local, epoch_first + static_cast<std::int64_t>(gen() % 20)};
    for (int k = 0; k < 9; ++k)
      sources.push_back({gen() % n_local, epoch_first + static_cast<std::int64_t>(gen() % 20)});
    const std::vector<local_spike> padded_sources = [&] {
      auto padded = sources;
      padded.resize(16, {no_source_spike, 0});
      return padded;
    }();
    // The loop's packing (engine/simulation.cpp, send_epoch), rank by rank.
    std::vector<std::vector<std::uint64_t>> expected(n_ranks);
    std::vector<local_spike> all(neuron.begin(), neuron.begin() + static_cast<std::ptrdiff_t>(in_buffer));
    all.insert(all.end(), sources.begin(), sources.end());
    for (const auto& sp : all)
      for (auto j = offsets[sp.local]; j < offsets[sp.local + 1]; ++j)
        expected[ranks[j]].push_back(rows[j] << 16 | static_cast<std::uint64_t>(sp.step - epoch_first));

    const auto d_neuron = upload(neuron), d_sources = upload(padded_sources);
    const auto d_offsets = upload(offsets), d_rows = upload(rows);
    const auto d_ranks = upload(ranks);
    device_vector<unsigned long long> count(1, in_buffer), per_rank(n_ranks, 0);
    const epoch_spikes items{raw(d_neuron), raw(count), neuron.size(), raw(d_sources)};
    const subscribers subs{raw(d_offsets), raw(d_ranks), raw(d_rows)};
    const std::uint64_t n = neuron.size() + padded_sources.size();
    const device_vector<std::int64_t> call_first(1, epoch_first - 30);
    const step_origin origin{raw(call_first), 30};
    for_each_index(n, count_routes{items, subs, raw(per_rank)});
    auto counts = download(per_rank);
    std::vector<unsigned long long> first(n_ranks + 1, 0);
    for (std::uint32_t r = 0; r < n_ranks; ++r) {
      EXPECT_EQ(counts[r], expected[r].size()) << "rank " << r << ", " << in_buffer << " in the buffer";
      first[r + 1] = first[r] + counts[r];
    }
    assign(per_rank, std::vector<unsigned long long>(first.begin(), first.end() - 1));
    device_vector<std::uint64_t> records(first[n_ranks]);
    for_each_index(n, write_routes{items, subs, origin, raw(per_rank), raw(records)});
    const auto packed = download(records);
    for (std::uint32_t r = 0; r < n_ranks; ++r) {
      std::vector<std::uint64_t> block(packed.begin() + static_cast<std::ptrdiff_t>(first[r]),
                                       packed.begin() + static_cast<std::ptrdiff_t>(first[r + 1]));
      std::sort(block.begin(), block.end());
      std::sort(expected[r].begin(), expected[r].end());
      EXPECT_EQ(block, expected[r]) << "rank " << r;
    }
    for (const bool counted : {false, true}) { // all entries records, or the first half and padding
      const std::size_t received = counted ? packed.size() / 2 : packed.size();
      const device_vector<unsigned long long> received_count(1, received);
      device_vector<arriving_spike> arrived(packed.size());
      for_each_index(packed.size(), read_records{raw(records), counted ? raw(received_count) : nullptr,
                                                 origin, raw(arrived)});
      const auto got = download(arrived);
      for (std::size_t k = 0; k < packed.size(); ++k) { // the loop's receive_oldest
        EXPECT_EQ(got[k].row, k < received ? packed[k] >> 16 : no_row);
        EXPECT_EQ(got[k].step,
                  k < received ? epoch_first + static_cast<std::int64_t>(packed[k] & 0xffff) : 0);
      }
    }
  }
}

// Against std::stable_sort: keys of every width (none, one pass, several),
// many equal keys, below and above the size where the team sorts, on one
// to three threads: each gives the sequential order.
TEST(DeviceSort, StableRadixSortEqualsStdStableSortOnAnyThreads) {
  std::mt19937_64 gen(11);
  for (const int key_bits : {0, 3, 17, 33, 64})
    for (const std::uint64_t n :
         {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000}, cpu_radix::parallel_from + 12345})
      for (const int threads : {1, 2, 3}) {
#if MYELIN_DEVICE_THREADS
        omp_set_num_threads(threads);
#endif
        std::vector<std::uint64_t> keys(n);
        std::vector<std::uint32_t> values(n);
        for (std::uint64_t i = 0; i < n; ++i) {
          keys[i] = key_bits == 0 ? 0 : gen() >> (64 - key_bits);
          if (i % 3 == 1) // runs of equal keys
            keys[i] = keys[i - 1];
          values[i] = static_cast<std::uint32_t>(i);
        }
        std::vector<std::pair<std::uint64_t, std::uint32_t>> expected(n);
        for (std::uint64_t i = 0; i < n; ++i)
          expected[i] = {keys[i], values[i]};
        std::stable_sort(expected.begin(), expected.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        cpu_radix::stable_sort_by_key(keys.data(), values.data(), n);
        for (std::uint64_t i = 0; i < n; ++i)
          ASSERT_EQ(expected[i], std::make_pair(keys[i], values[i]))
              << "at " << i << " of " << n << ", " << key_bits << " bits, " << threads << " threads";
      }
}

} // namespace
} // namespace myelin::device_omp
