// HyperLogLog for approx_distinct (Flajolet, Fusy, Gandouet, Meunier 2007, "HyperLogLog: the
// analysis of a near-optimal cardinality estimation algorithm"), with a sparse start.
//
// Only the top 32 bits of each 64-bit hash are used. A sketch first keeps the exact set of
// those it saw (so small counts are exact: two of n values share 32 bits with probability
// about n^2 / 2^33), and turns into 2^p one-byte registers once it holds more than 2^p / 2 of
// them (the size of the registers, at 4 bytes each). A register's index is the top p of the
// 32 bits, its rank the position of the first 1 in the other 32 - p (capped at 33 - p, enough
// for about 2^p * 2^(32-p) = 4e9 distinct values). The estimate is the raw HLL estimate, or
// linear counting (Whang et al. 1990) while it is at most 2.5 * 2^p and some register is
// still zero.
//
// A sketch depends only on the set of hashes added, never on the order of Add and Merge (nor
// on when it turned dense), so partial aggregates merged in any order give the same estimate.
//
// Also here: Hash64, the 64-bit hash of byte strings used by approx_distinct and by DISTINCT
// aggregates (the XXH64 algorithm as specified in xxHash's doc/xxhash_spec.md), and Mix64,
// a bijective finalizer for fixed-width values (MurmurHash3's fmix64).
//
// Thread-safety: plain values; one thread at a time.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace tarn::sql {

namespace hash_internal {
inline constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
inline constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
inline constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
inline constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
inline constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t Round(uint64_t acc, uint64_t lane) {
  acc += lane * kP2;
  return std::rotl(acc, 31) * kP1;
}
inline uint64_t MergeRound(uint64_t acc, uint64_t lane) {
  acc ^= Round(0, lane);
  return acc * kP1 + kP4;
}
}  // namespace hash_internal

// MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  x ^= x >> 33;
  return x;
}

// XXH64 of `data` with `seed` (little-endian machines, which are all tarn runs on).
inline uint64_t Hash64(std::string_view data, uint64_t seed = 0) {
  using namespace hash_internal;
  const char* p = data.data();
  const char* const end = p + data.size();
  uint64_t acc;
  if (data.size() >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    for (; end - p >= 32; p += 32) {
      v1 = Round(v1, Load64(p));
      v2 = Round(v2, Load64(p + 8));
      v3 = Round(v3, Load64(p + 16));
      v4 = Round(v4, Load64(p + 24));
    }
    acc = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    acc = MergeRound(acc, v1);
    acc = MergeRound(acc, v2);
    acc = MergeRound(acc, v3);
    acc = MergeRound(acc, v4);
  } else {
    acc = seed + kP5;
  }
  acc += data.size();
  for (; end - p >= 8; p += 8) {
    acc ^= Round(0, Load64(p));
    acc = std::rotl(acc, 27) * kP1 + kP4;
  }
  if (end - p >= 4) {
    acc ^= uint64_t{Load32(p)} * kP1;
    acc = std::rotl(acc, 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) {
    acc ^= uint64_t{static_cast<uint8_t>(*p)} * kP5;
    acc = std::rotl(acc, 11) * kP1;
  }
  acc ^= acc >> 33;
  acc *= kP2;
  acc ^= acc >> 29;
  acc *= kP3;
  acc ^= acc >> 32;
  return acc;
}

class HyperLogLog {
 public:
  static constexpr int kMinIndexBits = 4;
  static constexpr int kMaxIndexBits = 16;

  // 2^index_bits registers; index_bits in [kMinIndexBits, kMaxIndexBits].
  explicit HyperLogLog(int index_bits = 11) : index_bits_(index_bits) {}

  // Index bits for a maximum standard error (1.04 / sqrt(m), m rounded up to a power of two),
  // clamped to the supported range.
  static int IndexBitsForError(double max_standard_error) {
    const double buckets = std::pow(1.04 / max_standard_error, 2);
    int bits = kMinIndexBits;
    while (bits < kMaxIndexBits && static_cast<double>(uint64_t{1} << bits) < buckets) ++bits;
    return bits;
  }

  void Add(uint64_t hash) {
    const uint32_t top = static_cast<uint32_t>(hash >> 32);
    if (!registers_.empty()) {
      AddToRegisters(top);
      return;
    }
    sparse_.push_back(top);
    // Deduplicating lazily keeps Add O(1) amortized; the buffer holds at most twice the limit.
    if (sparse_.size() > 2 * SparseLimit()) NormalizeSparse();
  }

  // Adds every hash `other` saw. Both must have the same index_bits.
  void Merge(const HyperLogLog& other) {
    if (!other.registers_.empty()) {
      ToDense();
      for (size_t i = 0; i < registers_.size(); ++i) {
        registers_[i] = std::max(registers_[i], other.registers_[i]);
      }
      return;
    }
    if (!registers_.empty()) {
      for (uint32_t h : other.sparse_) AddToRegisters(h);
      return;
    }
    sparse_.insert(sparse_.end(), other.sparse_.begin(), other.sparse_.end());
    NormalizeSparse();
  }

  // The estimated number of distinct hashes added (exact while sparse, up to collisions of the
  // top 32 bits).
  int64_t Estimate() {
    if (registers_.empty()) {
      NormalizeSparse();
      if (registers_.empty()) return static_cast<int64_t>(sparse_.size());
    }
    const double m = static_cast<double>(registers_.size());
    double inverse_sum = 0;
    size_t zeros = 0;
    for (uint8_t r : registers_) {
      inverse_sum += std::ldexp(1.0, -static_cast<int>(r));
      zeros += r == 0;
    }
    const double alpha = 0.7213 / (1.0 + 1.079 / m);
    double estimate = alpha * m * m / inverse_sum;
    if (estimate <= 2.5 * m && zeros > 0) {
      estimate = m * std::log(m / static_cast<double>(zeros));
    }
    return std::llround(estimate);
  }

  bool is_sparse() const { return registers_.empty(); }
  int index_bits() const { return index_bits_; }
  size_t MemoryBytes() const {
    return sizeof(*this) + sparse_.capacity() * sizeof(uint32_t) + registers_.capacity();
  }

 private:
  size_t SparseLimit() const { return (size_t{1} << index_bits_) / 2; }

  void AddToRegisters(uint32_t top) {
    const size_t index = top >> (32 - index_bits_);
    const uint32_t rest = top << index_bits_;
    const int rank = rest == 0 ? 33 - index_bits_ : std::countl_zero(rest) + 1;
    registers_[index] = std::max(registers_[index], static_cast<uint8_t>(rank));
  }

  void NormalizeSparse() {
    std::sort(sparse_.begin(), sparse_.end());
    sparse_.erase(std::unique(sparse_.begin(), sparse_.end()), sparse_.end());
    if (sparse_.size() > SparseLimit()) ToDense();
  }

  void ToDense() {
    if (!registers_.empty()) return;
    registers_.assign(size_t{1} << index_bits_, 0);
    for (uint32_t h : sparse_) AddToRegisters(h);
    std::vector<uint32_t>().swap(sparse_);
  }

  int index_bits_;
  std::vector<uint32_t> sparse_;    // Top halves of hashes, while registers_ is empty.
  std::vector<uint8_t> registers_;  // Empty while sparse.
};

}  // namespace tarn::sql
