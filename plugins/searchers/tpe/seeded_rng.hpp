// Seeding and the few draws TPE needs, written out so that a study's
// proposals are the same with every standard library (<random>'s
// distributions are implementation-defined; std::mt19937_64's output is not).
#pragma once

#include <cstdint>
#include <random>

namespace bertlab::tpe {

// SplitMix64 finalizer: decorrelates seeds that differ in few bits (trial 0, 1, 2, ...).
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A uniform double in [0, 1) from the top 53 bits.
inline double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// A uniform double in (0, 1): inverse-CDF sampling must not see 0.
inline double open_unit(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace bertlab::tpe
