// Quantile sketches for approx_percentile.
//
// TDigest is the merging t-digest of Dunning and Ertl ("Computing extremely accurate quantiles
// using t-digests", 2019): values are buffered, and a compression pass merges the buffer with
// the sorted centroids, letting a centroid grow while the k1 scale function
// k(q) = delta / (2 pi) * asin(2q - 1) advances by at most 1 across it. Centroids are small
// near the tails and at most about delta in number; rank error is far below 1% at delta = 100.
//
// QuantileSketch<T> keeps its first kExactLimit values as they are, so small inputs get exact
// answers (the nearest-rank value: the smallest v with at least ceil(q * n) values <= v), and
// switches to a TDigest when it holds more.
//
// Thread-safety: plain values; one thread at a time.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>
#include <type_traits>
#include <vector>

namespace tarn::sql {

class TDigest {
 public:
  explicit TDigest(double compression = 100) : compression_(compression) {}

  void Add(double value, double weight = 1) {
    if (std::isnan(value)) return;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    buffer_.push_back({value, weight});
    if (buffer_.size() >= BufferLimit()) Compress();
  }

  void Merge(const TDigest& other) {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    for (const Centroid& c : other.centroids_) buffer_.push_back(c);
    for (const Centroid& c : other.buffer_) buffer_.push_back(c);
    if (buffer_.size() >= BufferLimit()) Compress();
  }

  double total_weight() const {
    double w = 0;
    for (const Centroid& c : centroids_) w += c.weight;
    for (const Centroid& c : buffer_) w += c.weight;
    return w;
  }

  // The value at quantile q in [0, 1]; NaN when empty. Interpolates linearly between centroid
  // centres, with the minimum and maximum at the ends.
  double Quantile(double q) {
    Compress();
    if (centroids_.empty()) return std::nan("");
    const double total = total_weight();
    const double rank = q * total;
    const Centroid& first = centroids_.front();
    if (rank <= first.weight / 2) {
      if (first.weight == 1) return first.mean;
      return min_ + (first.mean - min_) * rank / (first.weight / 2);
    }
    double cumulative = 0;  // Weight before centroid i.
    for (size_t i = 0; i + 1 < centroids_.size(); ++i) {
      const Centroid& a = centroids_[i];
      const Centroid& b = centroids_[i + 1];
      const double centre_a = cumulative + a.weight / 2;
      const double centre_b = cumulative + a.weight + b.weight / 2;
      if (rank <= centre_b) {
        // Singletons stand for exactly one value: no interpolation into them.
        if (a.weight == 1 && rank <= cumulative + a.weight) return a.mean;
        if (b.weight == 1 && rank > cumulative + a.weight) return b.mean;
        const double t = (rank - centre_a) / (centre_b - centre_a);
        return a.mean + t * (b.mean - a.mean);
      }
      cumulative += a.weight;
    }
    const Centroid& last = centroids_.back();
    if (last.weight == 1) return last.mean;
    const double into_last = rank - (total - last.weight / 2);
    return last.mean + (max_ - last.mean) * std::min(1.0, into_last / (last.weight / 2));
  }

  size_t centroid_count() {
    Compress();
    return centroids_.size();
  }
  size_t MemoryBytes() const {
    return sizeof(*this) + (centroids_.capacity() + buffer_.capacity()) * sizeof(Centroid);
  }

 private:
  struct Centroid {
    double mean;
    double weight;
  };

  size_t BufferLimit() const { return static_cast<size_t>(5 * compression_); }

  double K(double q) const { return compression_ / (2 * std::numbers::pi) * std::asin(2 * q - 1); }
  double KInverse(double k) const {
    return (std::sin(k * 2 * std::numbers::pi / compression_) + 1) / 2;
  }

  void Compress() {
    if (buffer_.empty()) return;
    buffer_.insert(buffer_.end(), centroids_.begin(), centroids_.end());
    std::sort(buffer_.begin(), buffer_.end(),
              [](const Centroid& a, const Centroid& b) { return a.mean < b.mean; });
    double total = 0;
    for (const Centroid& c : buffer_) total += c.weight;
    centroids_.clear();
    Centroid current = buffer_.front();
    double weight_before = 0;  // Of the centroids already emitted.
    double limit = KInverse(K(0) + 1) * total;
    for (size_t i = 1; i < buffer_.size(); ++i) {
      const Centroid& next = buffer_[i];
      if (weight_before + current.weight + next.weight <= limit) {
        current.weight += next.weight;
        current.mean += (next.mean - current.mean) * next.weight / current.weight;
      } else {
        centroids_.push_back(current);
        weight_before += current.weight;
        limit = KInverse(K(weight_before / total) + 1) * total;
        current = next;
      }
    }
    centroids_.push_back(current);
    buffer_.clear();
  }

  double compression_;
  double min_ = std::numeric_limits<double>::infinity();  // Of every value added.
  double max_ = -std::numeric_limits<double>::infinity();
  std::vector<Centroid> centroids_;  // Sorted by mean.
  std::vector<Centroid> buffer_;     // Not yet merged.
};

template <typename T>
class QuantileSketch {
 public:
  static constexpr size_t kExactLimit = 1024;

  // NaN is skipped: it has no rank.
  void Add(T value) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(value)) return;
    }
    if (digest_) {
      digest_->Add(static_cast<double>(value));
      return;
    }
    exact_.push_back(value);
    if (exact_.size() > kExactLimit) ToDigest();
  }

  void Merge(const QuantileSketch& other) {
    if (other.digest_) {
      ToDigest();
      digest_->Merge(*other.digest_);
      return;
    }
    for (T v : other.exact_) Add(v);
  }

  bool empty() const { return !digest_ && exact_.empty(); }
  bool is_exact() const { return !digest_; }

  // The value at quantile q in [0, 1]; the sketch must not be empty.
  double Quantile(double q) {
    if (digest_) return digest_->Quantile(q);
    return static_cast<double>(ExactQuantile(q));
  }
  // The exact value at quantile q, for types a double cannot carry; is_exact() must hold.
  T ExactQuantile(double q) {
    const size_t n = exact_.size();
    const double wanted = std::ceil(q * static_cast<double>(n));
    const size_t index = wanted < 1 ? 0 : std::min(n - 1, static_cast<size_t>(wanted) - 1);
    std::nth_element(exact_.begin(), exact_.begin() + static_cast<ptrdiff_t>(index), exact_.end());
    return exact_[index];
  }

  size_t MemoryBytes() const {
    return sizeof(*this) + exact_.capacity() * sizeof(T) + (digest_ ? digest_->MemoryBytes() : 0);
  }

 private:
  void ToDigest() {
    if (digest_) return;
    digest_ = std::make_unique<TDigest>();
    for (T v : exact_) digest_->Add(static_cast<double>(v));
    std::vector<T>().swap(exact_);
  }

  std::vector<T> exact_;
  std::unique_ptr<TDigest> digest_;
};

}  // namespace tarn::sql
