// `tarn demo`: the seed article's story, end to end, on the embedded default (a local lake
// folder). Today it covers the first step of that story, the synthetic data set, and summarises
// it; each later part of the pipeline joins the demo as it lands.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/generate.h"
#include "common/civil_time.h"
#include "common/human_units.h"

namespace tarn::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kMarker[] = ".tarn-demo";

// Makes `dir` a fresh, empty demo folder, or keeps it with `keep`. Only a folder that a demo
// made (it holds the marker file) is ever removed.
Status PrepareFolder(const fs::path& dir, bool keep) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return InvalidArgument(fmt::format("--dir '{}' exists and is not a folder", dir.string()));
    }
    const bool ours = fs::exists(dir / kMarker, ec);
    const bool empty = fs::is_empty(dir, ec);
    if (!ours && !empty) {
      return InvalidArgument(fmt::format(
          "refusing to use '{}': it was not made by tarn demo (no {} file in it); choose another "
          "--dir or remove it",
          dir.string(), kMarker));
    }
    if (ours && !keep) {
      fs::remove_all(dir, ec);
      if (ec) return ErrnoStatus(ec.value(), fmt::format("removing '{}'", dir.string()));
    }
  }
  fs::create_directories(dir / "source", ec);
  if (ec) return ErrnoStatus(ec.value(), fmt::format("creating '{}'", dir.string()));
  FILE* marker = std::fopen((dir / kMarker).c_str(), "w");
  if (marker == nullptr)
    return ErrnoStatus(errno, fmt::format("writing '{}'", (dir / kMarker).string()));
  std::fputs("This folder was made by `tarn demo`; the next run replaces it.\n", marker);
  std::fclose(marker);
  return Status::Ok();
}

void PrintSummary(const gen::GeneratorStats& stats) {
  fmt::print("\n  {:<22} {:>12} {:>8}\n", "event name", "events", "share");
  for (int k = 0; k < gen::kEventKindCount; ++k) {
    const uint64_t n = stats.events_by_kind[k];
    fmt::print("  {:<22} {:>12} {:>7.1f}%\n", gen::EventName(static_cast<gen::EventKind>(k)),
               WithThousands(n), stats.events ? 100.0 * n / stats.events : 0.0);
  }
  fmt::print("  {:<22} {:>12} {:>7.1f}%\n", "(exact duplicates)", WithThousands(stats.duplicates),
             stats.events ? 100.0 * stats.duplicates / stats.events : 0.0);
  fmt::print("  {:<22} {:>12}\n\n", "total", WithThousands(stats.events));
  fmt::print("  events per session   {:.2f}\n",
             stats.sessions ? double(stats.events) / stats.sessions : 0.0);
  if (stats.events > 0) {
    fmt::print("  event times          {} .. {}\n",
               FormatTimestamp(stats.first_event_micros).substr(0, 19),
               FormatTimestamp(stats.last_event_micros).substr(0, 19));
  }
  fmt::print("  size                 {} ({:.0f} bytes an event)\n", HumanBytes(stats.bytes),
             stats.events ? double(stats.bytes) / stats.events : 0.0);
}

}  // namespace

Command AddDemoCommand(CLI::App& app) {
  struct Flags {
    uint64_t sessions = 100'000;
    uint64_t seed = 2023;
    std::string dir = "demo-lake";
    bool keep = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd =
      app.add_subcommand("demo", "Run the seed article's story end to end in ./demo-lake");
  cmd->footer(
      "Generates the seed article's data set into a fresh demo folder and summarises it.\n"
      "A folder made by an earlier demo is replaced unless --keep is given; any other existing,\n"
      "non-empty folder is left alone and the demo stops.");
  cmd->add_option("--sessions", flags->sessions, "Number of user sessions to simulate")
      ->check(CLI::Range(uint64_t{1}, gen::kMaxSessions))
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "Random seed of the data set")->capture_default_str();
  cmd->add_option("--dir", flags->dir, "Demo folder")->capture_default_str();
  cmd->add_flag("--keep", flags->keep, "Reuse the demo folder instead of starting afresh");

  return {cmd, [flags]() -> int {
            const fs::path dir(flags->dir);
            if (Status s = PrepareFolder(dir, flags->keep); !s.ok())
              return ReportFailure("demo", s);
            fmt::print("tarn demo: the seed article's data lake, on this machine, in '{}'\n\n",
                       dir.string());
            fmt::print("Step 1. Generate the seed's synthetic app events ({} sessions, seed {})\n",
                       WithThousands(flags->sessions), flags->seed);
            std::fflush(stdout);

            gen::GeneratorOptions options;
            options.sessions = flags->sessions;
            options.seed = flags->seed;
            options.now_micros = *ParseNowFlag("");
            const std::string output = (dir / "source" / "events.ndjson").string();
            const auto start = std::chrono::steady_clock::now();
            Result<gen::GeneratorStats> stats =
                GenerateDataSet(options, output, ProgressBar::Display::kAuto);
            if (!stats.ok()) {
              PrintError("demo", stats.status().message());
              return kExitFailure;
            }
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            fmt::print("  wrote {} events ({}) to {} in {:.2f} s\n", WithThousands(stats->events),
                       HumanBytes(stats->bytes), output, seconds);
            PrintSummary(*stats);

            fmt::print("\nExplore further:\n");
            fmt::print("  head -3 {}\n", output);
            fmt::print("  tarn generate --help\n");
            return kExitOk;
          }};
}

}  // namespace tarn::cli
