// ProgressBar: a one-line progress display on standard error for long work, redrawn at most ten
// times a second: label, bar, percent, count, rate and ETA. It draws only when enabled (by
// default: when standard error is a terminal), so piped and logged runs stay clean.
// Not thread-safe: one thread updates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tarn {

class ProgressBar {
 public:
  enum class Display { kAuto, kAlways, kNever };

  // `unit` names what is counted ("sessions", "records").
  ProgressBar(std::string label, uint64_t total, std::string unit,
              Display display = Display::kAuto);
  ~ProgressBar();

  // Sets the count done so far; cheap enough to call for every item.
  void Update(uint64_t done);
  // Draws the final state and ends the line. Called by the destructor if not called before.
  void Finish();

  bool enabled() const { return enabled_; }

 private:
  void Draw(bool final);

  std::string label_;
  uint64_t total_;
  std::string unit_;
  bool enabled_;
  bool finished_ = false;
  uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace tarn
