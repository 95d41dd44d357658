#include "common/aws_prices.h"

#include <algorithm>
#include <cmath>

namespace tarn {

double AthenaQueryDollars(uint64_t bytes_scanned, const AwsUnitPrices& prices) {
  constexpr double kMb = 1024.0 * 1024.0;
  constexpr double kTbInMb = 1024.0 * 1024.0;
  const double megabytes =
      std::ceil(static_cast<double>(std::max(bytes_scanned, prices.athena_minimum_bytes)) / kMb);
  return megabytes / kTbInMb * prices.athena_per_tb;
}

}  // namespace tarn
