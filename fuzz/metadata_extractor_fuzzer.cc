// libFuzzer target: the jq metadata path (MetadataExtraction) on hostile records. The first
// byte picks one of a few stream queries (the seed's among them, and ones that leave the fast
// path for libjq); the rest is the record. Extract must answer every record — values or a
// clear error — without crashing, hanging or leaking, and a value it gives must be a string.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/metadata_extractor.h"

namespace {

using tarn::delivery::MetadataExtractor;

// Compiled once; destroyed at exit, so that the leak check at exit sees libjq's state freed.
const std::vector<std::unique_ptr<MetadataExtractor>>& Extractors() {
  static const std::vector<std::unique_ptr<MetadataExtractor>> extractors = [] {
    const char* queries[] = {
        // The seed article's query.
        R"({event_name:.name, event_date:.tstamp | split(".")[0] | strptime("%Y-%m-%dT%H:%M:%S") | strftime("%Y-%m-%d")})",
        R"({user:.user_id | tostring, kind:.payload.kind | ascii_downcase})",
        R"({first:.items[0].name, n:(.items | length | tostring)})",
        R"({day:.ts | todate | .[0:10]})",
        R"({k:(.a // "none") | tostring, z:.b | ltrimstr("x")})",
    };
    std::vector<std::unique_ptr<MetadataExtractor>> out;
    for (const char* query : queries) {
      auto compiled = MetadataExtractor::Compile(query);
      if (compiled.ok()) out.push_back(std::move(*compiled));
    }
    return out;
  }();
  return extractors;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& extractors = Extractors();
  if (size == 0 || extractors.empty()) return 0;
  MetadataExtractor& extractor = *extractors[data[0] % extractors.size()];
  const std::string_view record(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string> values;
  tarn::Status status = extractor.Extract(record, &values);
  if (status.ok() && values.size() != extractor.keys().size()) __builtin_trap();
  if (!status.ok() && status.message().empty()) __builtin_trap();
  return 0;
}
