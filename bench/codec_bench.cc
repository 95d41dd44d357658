// GZIP on whole buffers: zlib against libdeflate, compressing at level 6 and decompressing about
// 20 MB of the generator's JSON lines, plus tarn's GZIP Codec (which uses the winner) for the
// record. Prints Google Benchmark's table, then each direction's figures and ratio last.
//
// usage: tarn_codec_bench [--benchmark_filter=...] [--benchmark_min_time=...]
#include <benchmark/benchmark.h>
#include <libdeflate.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/byte_sink.h"
#include "formats/compression/codec.h"
#include "gen/event_generator.h"

namespace {

constexpr size_t kTargetBytes = 20 << 20;
constexpr int kLevel = 6;
// 2023-08-01 00:00:00 UTC, the end of the generated time range, as bench/generate.py uses.
constexpr int64_t kNowMicros = 1'690'848'000LL * 1'000'000;

std::string GenerateLines(uint64_t sessions) {
  tarn::gen::GeneratorOptions options;
  options.sessions = sessions;
  options.seed = 42;
  options.now_micros = kNowMicros;
  auto generator = tarn::gen::EventGenerator::Make(options);
  if (!generator.ok()) {
    std::fprintf(stderr, "%s\n", generator.status().ToString().c_str());
    std::exit(1);
  }
  generator->Generate();
  tarn::StringSink sink;
  if (!generator->Write(sink).ok()) std::exit(1);
  return sink.data();
}

// About kTargetBytes of JSON lines: a small run measures the bytes per session.
const std::string& Input() {
  static const std::string input = [] {
    const uint64_t probe = 1000;
    const size_t per_session = GenerateLines(probe).size() / probe;
    return GenerateLines(kTargetBytes / per_session);
  }();
  return input;
}

std::string ZlibCompress(z_stream& stream, const std::string& input) {
  deflateReset(&stream);
  std::string out(deflateBound(&stream, input.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::exit(1);
  out.resize(stream.total_out);
  return out;
}

std::string LibdeflateCompress(libdeflate_compressor* compressor, const std::string& input) {
  std::string out(libdeflate_gzip_compress_bound(compressor, input.size()), '\0');
  out.resize(
      libdeflate_gzip_compress(compressor, input.data(), input.size(), out.data(), out.size()));
  return out;
}

void Report(benchmark::State& state, size_t compressed_size) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Input().size()));
  state.counters["ratio"] = static_cast<double>(Input().size()) / compressed_size;
}

void BM_ZlibCompress(benchmark::State& state) {
  z_stream stream{};
  deflateInit2(&stream, kLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  size_t size = 0;
  for (auto _ : state) size = ZlibCompress(stream, Input()).size();
  deflateEnd(&stream);
  Report(state, size);
}

void BM_LibdeflateCompress(benchmark::State& state) {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(kLevel);
  size_t size = 0;
  for (auto _ : state) size = LibdeflateCompress(compressor, Input()).size();
  libdeflate_free_compressor(compressor);
  Report(state, size);
}

// Both decompressors read the same zlib-written stream into a buffer of the known size.
void BM_ZlibDecompress(benchmark::State& state) {
  z_stream deflater{};
  deflateInit2(&deflater, kLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  const std::string compressed = ZlibCompress(deflater, Input());
  deflateEnd(&deflater);
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(Input().size(), '\0');
  for (auto _ : state) {
    inflateReset(&stream);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    if (inflate(&stream, Z_FINISH) != Z_STREAM_END) state.SkipWithError("inflate failed");
  }
  inflateEnd(&stream);
  if (out != Input()) state.SkipWithError("zlib gave different bytes");
  Report(state, compressed.size());
}

void BM_LibdeflateDecompress(benchmark::State& state) {
  z_stream deflater{};
  deflateInit2(&deflater, kLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  const std::string compressed = ZlibCompress(deflater, Input());
  deflateEnd(&deflater);
  libdeflate_decompressor* decompressor = libdeflate_alloc_decompressor();
  std::string out(Input().size(), '\0');
  for (auto _ : state) {
    if (libdeflate_gzip_decompress(decompressor, compressed.data(), compressed.size(), out.data(),
                                   out.size(), nullptr) != LIBDEFLATE_SUCCESS) {
      state.SkipWithError("libdeflate failed");
    }
  }
  libdeflate_free_decompressor(decompressor);
  if (out != Input()) state.SkipWithError("libdeflate gave different bytes");
  Report(state, compressed.size());
}

// tarn's GZIP Codec as shipped, through its public interface.
void BM_TarnCodecCompress(benchmark::State& state) {
  auto codec = tarn::formats::MakeCodec(tarn::formats::CompressionCodec::kGzip, {.level = kLevel});
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!(*codec)->Compress(Input(), &out).ok()) state.SkipWithError("Compress failed");
  }
  Report(state, out.size());
}

void BM_TarnCodecDecompress(benchmark::State& state) {
  auto codec = tarn::formats::MakeCodec(tarn::formats::CompressionCodec::kGzip, {.level = kLevel});
  std::string compressed;
  if (!(*codec)->Compress(Input(), &compressed).ok()) std::exit(1);
  std::string out(Input().size(), '\0');
  for (auto _ : state) {
    if (!(*codec)->Decompress(compressed, out.size(), out.data()).ok()) {
      state.SkipWithError("Decompress failed");
    }
  }
  Report(state, compressed.size());
}

BENCHMARK(BM_ZlibCompress)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LibdeflateCompress)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZlibDecompress)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LibdeflateDecompress)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TarnCodecCompress)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TarnCodecDecompress)->Unit(benchmark::kMillisecond);

// The console table, keeping each benchmark's throughput (per CPU second) for the summary: the
// median when --benchmark_repetitions asks for several runs, else the single run.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      auto it = run.counters.find("bytes_per_second");
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.error_occurred || it == run.counters.end()) continue;
      if (median || (run.run_type == Run::RT_Iteration && !has_median_.contains(Name(run)))) {
        mb_per_second_[Name(run)] = it->second.value / 1e6;
      }
      if (median) has_median_.insert(Name(run));
    }
  }

  void PrintSummary() const {
    std::printf("\ninput: %zu bytes of JSON lines, gzip level %d; MB/s of uncompressed data\n",
                Input().size(), kLevel);
    for (const char* direction : {"Compress", "Decompress"}) {
      const double zlib = Get(std::string("BM_Zlib") + direction);
      const double libdeflate = Get(std::string("BM_Libdeflate") + direction);
      const double tarn = Get(std::string("BM_TarnCodec") + direction);
      if (zlib <= 0 || libdeflate <= 0) continue;
      std::printf("%-10s zlib %7.1f  libdeflate %7.1f  tarn Codec %7.1f  libdeflate/zlib %.2fx\n",
                  direction, zlib, libdeflate, tarn, libdeflate / zlib);
    }
  }

 private:
  double Get(const std::string& name) const {
    auto it = mb_per_second_.find(name);
    return it == mb_per_second_.end() ? 0 : it->second;
  }

  static const std::string& Name(const Run& run) { return run.run_name.function_name; }

  std::map<std::string, double> mb_per_second_;
  std::set<std::string> has_median_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Input();  // Generate before timing starts.
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
