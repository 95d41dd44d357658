// libFuzzer target: any bytes as a Parquet file. Opening, statistics and reading every column of
// every row group must fail cleanly or succeed, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/random_access_file.h"
#include "formats/parquet/file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tarn;
  auto file = std::make_unique<StringRandomAccessFile>(
      std::string(reinterpret_cast<const char*>(data), size), "fuzz.parquet");
  auto reader = formats::parquet::ParquetReader::Open(std::move(file));
  if (!reader.ok()) return 0;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    for (size_t f = 0; f < (*reader)->schema().size(); ++f) {
      (void)(*reader)->Statistics(g, static_cast<int>(f));
      (void)(*reader)->ReadColumn(g, static_cast<int>(f));
    }
  }
  return 0;
}
