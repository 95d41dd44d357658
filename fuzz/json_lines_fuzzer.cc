// libFuzzer target: any bytes as a JSON-lines object, read into columns of every type (nested
// ones included), strictly or skipping malformed records as the first byte chooses, through
// small reads so that records cross buffer boundaries. Must never crash, hang or leak.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_source.h"
#include "common/chunked_source.h"
#include "formats/json/json_lines_reader.h"

namespace {

// Hands out at most `step` bytes a read.
class TrickleSource : public tarn::fakes::ChunkedSource {
 public:
  TrickleSource(std::string data, size_t step)
      : ChunkedSource(std::move(data), {step}, "fuzz.json") {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tarn::formats;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* kSchema =
      "b boolean, t tinyint, i int, l bigint, f float, d double, m decimal(9,2), s string, "
      "v varchar(4), dt date, ts timestamp, a array<int>, mp map<string,double>, "
      "st struct<x:bigint,y:array<string>>";
  auto schema = ParseSchema(kSchema);
  std::vector<JsonColumnSpec> specs;
  for (const Field& field : *schema) specs.push_back({field.name, field.type, {}});
  specs.push_back({"nested", DataType::Of(TypeKind::kString), {"st", "y"}});
  JsonReaderOptions options;
  options.skip_malformed = (mode & 1) != 0;
  options.case_insensitive = (mode & 2) != 0;
  options.buffer_bytes = 16 + (mode >> 2);
  options.max_record_bytes = 1 << 16;
  auto reader = JsonLinesReader::Open(
      std::make_unique<TrickleSource>(std::move(text), 1 + (mode % 7)), specs, options);
  if (!reader.ok()) return 0;
  std::vector<Column> batch;
  for (int calls = 0; calls < 10000; ++calls) {
    auto rows = (*reader)->ReadBatch(64, &batch);
    if (rows.ok() && *rows == 0) break;
    if (!rows.ok() && rows.status().code() != tarn::StatusCode::kCorruption) break;
  }
  return 0;
}
