#pragma once
// Counter-based random numbers (Random123 Philox4x32-10). Every number is a
// pure function of (seed, purpose, object, global id, position), never of a
// stream shared by a rank or a thread: this is what makes spikes independent of
// ranks, threads and backends (DESIGN.md §1).
#include "models/host_device.hpp"
#include "models/portable_math.hpp"

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
// The standard normal's ziggurat (Marsaglia & Tsang 2000, in the
// double-precision form of Doornik 2005): 128 layers of equal area. Computed
// once on the host (engine/rng.cpp); a device gets a copy of these values.
struct ziggurat_tables {
  static constexpr int layers = 128;
  double x[layers + 1];
  double ratio[layers]; // x[i+1] / x[i]: the part of layer i inside the next one
};
const ziggurat_tables& host_ziggurat();

class stream {
public:
  MYELIN_HD stream(const philox::key_type& key, std::uint64_t id)
      : key_(key)
      , id_(id) {}

  MYELIN_HD std::uint32_t next_u32() {
    if (used_ == 4) {
      words_ = block(key_, next_block_++, id_);
      used_ = 0;
    }
    return words_[used_++];
  }
  MYELIN_HD std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  // Uniform on [0, 1) with 53 random bits.
  MYELIN_HD double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer on [0, n), unbiased. Below 2^32, Lemire's multiply-shift
  // with rejection: one 32-bit word per draw almost always.
  MYELIN_HD std::uint64_t below(std::uint64_t n) {
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
#if defined(__CUDA_ARCH__)
    return __umul64hi(next_u64(), n);
#else
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next_u64()) * n) >> 64);
#endif
  }
  // Standard normal, exact: a draw falls inside its layer's rectangle ~99 %
  // of the time and costs one uniform, 7 bits and a multiply; the wedges and
  // the tail beyond r are sampled exactly by rejection. exp and log are the
  // portable ones, so the host and a GPU draw the same bits.
  MYELIN_HD double normal(const ziggurat_tables& z) {
    constexpr double r = 3.442619855899; // start of the tail
    for (;;) {
      const double u = 2.0 * uniform() - 1.0;
      const unsigned i = next_u32() & (ziggurat_tables::layers - 1);
      if ((u < 0 ? -u : u) < z.ratio[i])
        return u * z.x[i];
      if (i == 0) { // the tail beyond r, by Marsaglia's exact method
        double a, b;
        do {
          a = models::portable_log(1.0 - uniform()) / r;
          b = models::portable_log(1.0 - uniform());
        } while (-2.0 * b < a * a);
        return u < 0 ? a - r : r - a;
      }
      const double v = u * z.x[i]; // in the wedge: accept under the density
      const double f0 = models::portable_exp(-0.5 * (z.x[i] * z.x[i] - v * v));
      const double f1 = models::portable_exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - v * v));
      if (f1 + uniform() * (f0 - f1) < 1.0)
        return v;
    }
  }
  double normal() {
    return normal(host_ziggurat());
  }

private:
  philox::key_type key_;
  std::uint64_t id_;
  std::uint64_t next_block_ = 0;
  philox::ctr_type words_{};
  int used_ = 4;
};

} // namespace myelin::rng
