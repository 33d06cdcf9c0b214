// lscan's documented random generator, the same numbers on every platform:
//   uniform 64-bit words: SplitMix64 (Steele, Lea, Flood 2014)
//     x += 0x9E3779B97F4A7C15; z = x;
//     z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
//     return z ^ (z >> 31)
//   a stream (seed, s) starts from x = splitmix64(seed) ^ splitmix64(s + 0xD1B54A32D192ED03)
//   uniform in [0, 1): (word >> 11) * 2^-53
//   normal: Box-Muller from two uniforms, sqrt(-2 ln(1 - u1)) * cos(2 pi u2), one deviate per pair
// Integer and IEEE arithmetic only, apart from log, sqrt and cos (sqrt is exact; glibc's log and
// cos are correctly rounded in practice), so a seed names the same directions everywhere.
#pragma once

#include <cmath>
#include <cstdint>

namespace lscan {

inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0)
      : x_(splitmix64_mix(seed + 0x9E3779B97F4A7C15ull) ^
           splitmix64_mix(stream + 0xD1B54A32D192ED03ull)) {}

  uint64_t next_u64() {
    x_ += 0x9E3779B97F4A7C15ull;
    return splitmix64_mix(x_);
  }
  // [0, 1)
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // [lo, hi)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Standard normal, Box-Muller.
  double normal() {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586476925 * u2);
  }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next_u64()) * n) >> 64);
  }

 private:
  uint64_t x_;
};

}  // namespace lscan
