// Running the seed's event generator into a file or standard output; shared by `tarn generate`
// and `tarn demo`.
#pragma once

#include <string>

#include "common/progress.h"
#include "common/result.h"
#include "gen/event_generator.h"

namespace tarn::cli {

// Generates the data set and writes it to `output` ("" or "-" is standard output; a name ending
// in ".gz" is gzip-compressed), showing progress bars as `display` says. The file appears
// whole or not at all. Returns the generator's statistics; stats.bytes counts uncompressed bytes.
Result<gen::GeneratorStats> GenerateDataSet(const gen::GeneratorOptions& options,
                                            const std::string& output,
                                            ProgressBar::Display display);

}  // namespace tarn::cli
