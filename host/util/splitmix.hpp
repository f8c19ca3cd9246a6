// SplitMix64 (Steele, Lea & Flood 2014): a cheap, well-mixed 64-bit hash.
// bertlab uses it to derive independent seeds from (seed, epoch, index), so
// that work done in any order or on any thread draws the same numbers.
#pragma once

#include <cstdint>

namespace bertlab::util {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A seed for item `index` of stream `stream` under the run's `seed`.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return splitmix64(seed ^ splitmix64(stream ^ splitmix64(index)));
}

}  // namespace bertlab::util
