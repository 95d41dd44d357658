// Random: a small, fast, seedable pseudo-random generator whose output is the same on every
// platform and standard library for the same seed (the standard distributions are not), so that
// "same seed, same bytes" holds for everything built on it.
//
// The generator is xoshiro256** seeded through splitmix64. Not for cryptography. Not thread-safe:
// give each thread its own instance.
#pragma once

#include <cstdint>

namespace tarn {

class Random {
 public:
  explicit Random(uint64_t seed);

  // 64 uniformly distributed bits.
  uint64_t Next();
  // Uniform in [0, 1), with 53 bits of precision.
  double Uniform01();
  // Uniform integer in [0, bound); `bound` must be positive. Unbiased (rejection sampling).
  uint64_t UniformInt(uint64_t bound);
  // True with probability `p` (p <= 0 never, p >= 1 always).
  bool Bernoulli(double p) { return Uniform01() < p; }
  // Normally distributed with the given mean and standard deviation (Marsaglia's polar method).
  double Normal(double mean, double stddev);

 private:
  uint64_t state_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

}  // namespace tarn
