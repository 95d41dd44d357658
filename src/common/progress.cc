#include "common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "common/human_units.h"

namespace tarn {

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, Display display)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      enabled_(display == Display::kAlways || (display == Display::kAuto && ::isatty(2) == 1)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  Draw(true);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

void ProgressBar::Draw(bool final) {
  constexpr int kWidth = 30;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_ == 0 ? 1.0 : std::min(1.0, double(done_) / double(total_));
  const int filled = static_cast<int>(fraction * kWidth);
  const double rate = seconds > 0 ? double(done_) / seconds : 0;
  std::string eta;
  if (final) {
    eta = fmt::format("in {:.1f}s", seconds);
  } else if (rate > 0 && done_ < total_) {
    eta = fmt::format("ETA {:.0f}s", double(total_ - done_) / rate);
  }
  std::fprintf(stderr, "\r%s [%s%s] %3.0f%% %s/%s %s %s/s %s\033[K", label_.c_str(),
               std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(),
               fraction * 100, HumanCount(double(done_)).c_str(),
               HumanCount(double(total_)).c_str(), unit_.c_str(), HumanCount(rate).c_str(),
               eta.c_str());
  std::fflush(stderr);
}

}  // namespace tarn
