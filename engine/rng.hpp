#pragma once
// Counter-based random numbers (Random123 Philox4x32-10). Every number is a
// pure function of (seed, purpose, object, global id, position), never of a
// stream shared by a rank or a thread: this is what makes spikes independent of
// ranks, threads and backends (DESIGN.md §1).
#include "models/host_device.hpp"

#include <Random123/philox.h>
#include <cstdint>

namespace myelin::rng {

// What a stream is for; part of the key, so streams never overlap.
enum class purpose : std::uint32_t {
  connect = 1, // source choice, per target (per source for fixed_outdegree)
  split = 2,   // fixed_total_number: counts per target
  weight = 3,
  delay = 4,
  initial_state = 5,
  poisson = 6,
  poisson_source = 7, // object: population index
  noise_current = 8,  // object: index among the current devices
};

using philox = r123::Philox4x32;

// Key for one (seed, purpose, object) — object is a projection, device or
// population index. Hashed through Philox so that nearby seeds are unrelated.
inline philox::key_type make_key(std::uint64_t seed, purpose p, std::uint64_t object) {
  philox gen;
  const philox::ctr_type c = {{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(object),
                               static_cast<std::uint32_t>(object >> 32), 0x6d79656cu}};
  const philox::key_type k = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const auto r = gen(c, k);
  return {{r[0], r[1]}};
}

// Four words for block `block` of element `id` (a gid) under `key`.
MYELIN_HD inline philox::ctr_type block(const philox::key_type& key, std::uint64_t block, std::uint64_t id) {
  philox gen;
  const philox::ctr_type c = {{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                               static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32)}};
  return gen(c, key);
}

// A sequence of numbers for one element (gid) under one key. Cheap to create;
// make one per target neuron, use it, drop it.
class stream {
public:
  stream(const philox::key_type& key, std::uint64_t id)
      : key_(key)
      , id_(id) {}

  std::uint32_t next_u32() {
    if (used_ == 4) {
      words_ = block(key_, next_block_++, id_);
      used_ = 0;
    }
    return words_[used_++];
  }
  std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer on [0, n), unbiased. Below 2^32, Lemire's multiply-shift
  // with rejection: one 32-bit word per draw almost always.
  std::uint64_t below(std::uint64_t n) {
    if (n <= 0xffffffffu) {
      const auto n32 = static_cast<std::uint32_t>(n);
      std::uint64_t m = std::uint64_t{next_u32()} * n32;
      if (static_cast<std::uint32_t>(m) < n32) {
        const std::uint32_t threshold = (0u - n32) % n32; // 2^32 mod n
        while (static_cast<std::uint32_t>(m) < threshold)
          m = std::uint64_t{next_u32()} * n32;
      }
      return m >> 32;
    }
    // 64-bit multiply-high; bias below n / 2^64.
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next_u64()) * n) >> 64);
  }
  // Standard normal (ziggurat method, exact). Host only.
  double normal();

private:
  philox::key_type key_;
  std::uint64_t id_;
  std::uint64_t next_block_ = 0;
  philox::ctr_type words_{};
  int used_ = 4;
};

} // namespace myelin::rng
