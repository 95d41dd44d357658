// `tarn generate`: the seed article's synthetic app events as JSON lines.
#include "cli/generate.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/civil_time.h"
#include "common/human_units.h"
#include "formats/compression/gzip_sink.h"

namespace tarn::cli {
namespace {

Result<std::unique_ptr<ByteSink>> OpenOutput(const std::string& output) {
  if (output.empty() || output == "-") return std::unique_ptr<ByteSink>(new FdSink(1));
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSink> file, FileSink::Create(output));
  if (output.size() > 3 && output.ends_with(".gz")) {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSink> gzip, formats::GzipSink::Make(std::move(file)));
    return gzip;
  }
  return file;
}

}  // namespace

Result<gen::GeneratorStats> GenerateDataSet(const gen::GeneratorOptions& options,
                                            const std::string& output,
                                            ProgressBar::Display display) {
  TARN_ASSIGN_OR_RETURN(gen::EventGenerator generator, gen::EventGenerator::Make(options));
  // Open the output first, so that a bad path fails before any work is done.
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSink> sink, OpenOutput(output));
  {
    ProgressBar bar("generating", options.sessions, "sessions", display);
    generator.Generate([&bar](uint64_t done) { bar.Update(done); });
  }
  {
    ProgressBar bar("writing   ", generator.stats().events, "events", display);
    TARN_RETURN_IF_ERROR(generator.Write(*sink, [&bar](uint64_t done) { bar.Update(done); }));
  }
  TARN_RETURN_IF_ERROR(sink->Close());
  return generator.stats();
}

Command AddGenerateCommand(CLI::App& app) {
  struct Flags {
    gen::GeneratorOptions options;
    std::optional<uint64_t> seed;
    std::string now;
    std::string output;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Generate the seed article's synthetic app events as JSON lines");
  cmd->footer(
      "Each session is a Markov chain of anonymous_visited, account_created and\n"
      "measurement_recorded events; about 1% of events are duplicated and the output is sorted\n"
      "by payload_md5, as in the seed article. 100,000 sessions make about 707,000 events\n"
      "(~165 MiB). The same --seed and --now give the same bytes.\n\n"
      "Examples:\n"
      "  tarn generate --sessions 1000 | head -3\n"
      "  tarn generate -o events.ndjson.gz --seed 7 --now '2023-08-01 00:00:00'");
  cmd->add_option("--sessions", flags->options.sessions, "Number of user sessions to simulate")
      ->check(CLI::Range(uint64_t{0}, gen::kMaxSessions))
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed,
                  "Random seed (default: a fresh one, printed in the summary)");
  cmd->add_option("--now", flags->now,
                  "End of the time range: 'YYYY-MM-DD HH:MM:SS', ISO-8601 or epoch seconds "
                  "(default: the current time)");
  cmd->add_option("--duplicate-probability", flags->options.duplicate_probability,
                  "Probability that an event is followed by an exact copy")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option(
      "-o,--output", flags->output,
      "Output file; a name ending in .gz is gzip-compressed (default: standard output)");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar and no summary");

  return {
      cmd, [flags]() -> int {
        Result<int64_t> now = ParseNowFlag(flags->now);
        if (!now.ok()) {
          PrintError("generate", now.status().message());
          return kExitUsage;
        }
        if (*now < gen::kEpochStartMicros) {
          PrintError("generate", fmt::format("--now: must be at or after {}, got '{}'",
                                             FormatTimestamp(gen::kEpochStartMicros).substr(0, 19),
                                             flags->now));
          return kExitUsage;
        }
        gen::GeneratorOptions options = flags->options;
        options.now_micros = *now;
        options.seed = flags->seed.value_or(FreshSeed());
        const auto start = std::chrono::steady_clock::now();
        Result<gen::GeneratorStats> stats = GenerateDataSet(
            options, flags->output,
            flags->quiet ? ProgressBar::Display::kNever : ProgressBar::Display::kAuto);
        if (!stats.ok()) return ReportFailure("generate", stats.status());
        if (!flags->quiet) {
          const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          const std::string where =
              flags->output.empty() || flags->output == "-" ? "standard output" : flags->output;
          std::fputs(fmt::format("tarn generate: {} events ({}) for {} sessions to {} in {:.2f} s "
                                 "(seed {}, now {})\n",
                                 WithThousands(stats->events), HumanBytes(stats->bytes),
                                 WithThousands(stats->sessions), where, seconds, options.seed,
                                 FormatTimestamp(options.now_micros).substr(0, 19))
                         .c_str(),
                     stderr);
        }
        return kExitOk;
      }};
}

}  // namespace tarn::cli
