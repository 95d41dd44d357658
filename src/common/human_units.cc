#include "common/human_units.h"

#include <fmt/format.h>

namespace tarn {

std::string WithThousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string HumanCount(double value) {
  static constexpr const char* kSuffixes[] = {"", "k", "M", "G", "T"};
  int i = 0;
  while (value >= 999.5 && i < 4) {
    value /= 1000;
    ++i;
  }
  if (i == 0) return fmt::format("{:.0f}", value);
  const int decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
  return fmt::format("{:.{}f}{}", value, decimals, kSuffixes[i]);
}

std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} Bytes", bytes);
  double value = static_cast<double>(bytes) / 1024;
  int i = 0;
  while (value >= 1024 && i < 4) {
    value /= 1024;
    ++i;
  }
  return fmt::format("{:.1f} {}", value, kUnits[i]);
}

}  // namespace tarn
