// Draws from the generator the host passes in, written out here rather than
// with <random>'s distributions, whose algorithms differ between standard
// libraries: the same seed gives the same augmentations on every build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

namespace bertlab::augment {

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for any n we see).
inline std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
  return static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(n));
}

// Fisher-Yates with uniform_index.
template <typename Vector>
void shuffle(Vector& items, std::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    std::size_t j = uniform_index(rng, i);
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace bertlab::augment
