// Numbers for people: counts with thousands separators, short counts ("1.5k"), byte sizes in
// binary units as the AWS CLI's --human-readable prints them ("44.1 MiB"). Pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace tarn {

// "1,234,567".
std::string WithThousands(uint64_t value);
// "950", "1.50k", "23.4M": three significant figures.
std::string HumanCount(double value);
// "512 Bytes", "1.0 KiB", "44.1 MiB", "2.3 GiB".
std::string HumanBytes(uint64_t bytes);

}  // namespace tarn
