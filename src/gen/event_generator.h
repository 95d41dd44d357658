// EventGenerator: the seed article's synthetic data set of app events, reproduced faithfully.
//
// Each session follows the Markov chain of session_model.h. Per session: a session_id of 20
// random ASCII letters, an account_id e-mail address, and a measurement distribution
// Normal(mu, mu/10) with mu = 10 + U(0,1)*170. The first event time is uniform over
// [2020-01-01 00:00:00, now] in whole seconds; each next one is uniform between the previous one
// and now. Each emitted event is followed by an exact copy with the duplicate probability. The
// output is sorted by payload_md5; each line is the JSON object
//   {"name": …, "tstamp": "YYYY-MM-DD HH:MM:SS.ffffff", "payload": "<payload JSON>",
//    "payload_md5": "<hex MD5 of the payload JSON>"}
// written as Python's json.dumps writes it (payload keys sorted, ", " and ": " separators).
// The same options and seed give the same bytes. docs/generator.md describes the data set.
//
// Memory: about 48 bytes per event plus the session strings; events are formatted as they are
// written. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_sink.h"
#include "common/md5.h"
#include "common/random.h"
#include "common/result.h"
#include "gen/session_model.h"

namespace tarn::gen {

struct GeneratorOptions {
  uint64_t sessions = 100'000;
  uint64_t seed = 0;
  int64_t now_micros = 0;  // The end of the time range; must be at or after kEpochStartMicros.
  double duplicate_probability = 0.01;
};

// 2020-01-01 00:00:00 UTC, the start of the generated time range.
inline constexpr int64_t kEpochStartMicros = 1'577'836'800LL * 1'000'000;
// The largest --sessions accepted: about 7 events and ~350 bytes of memory per session.
inline constexpr uint64_t kMaxSessions = 20'000'000;

struct GeneratorStats {
  uint64_t sessions = 0;
  uint64_t events = 0;      // Output lines, duplicates included.
  uint64_t duplicates = 0;  // Lines that repeat the line before them.
  std::array<uint64_t, kEventKindCount> events_by_kind{};  // Duplicates included.
  uint64_t bytes = 0;                                      // Uncompressed bytes written.
  int64_t first_event_micros = 0;
  int64_t last_event_micros = 0;
};

class EventGenerator {
 public:
  // Fails with kInvalidArgument naming the option when an option is out of range.
  static Result<EventGenerator> Make(const GeneratorOptions& options);

  // Runs the model for every session and sorts the events. `on_session(n)` is told the number of
  // sessions done so far, for progress displays.
  void Generate(const std::function<void(uint64_t)>& on_session = {});

  // Writes every line, in payload_md5 order, into `sink` (which it does not close).
  // `on_event(n)` is told the number of lines written so far.
  Status Write(ByteSink& sink, const std::function<void(uint64_t)>& on_event = {});

  const GeneratorStats& stats() const { return stats_; }

 private:
  struct Event {
    uint64_t md5_high;  // The payload's MD5 as two big-endian halves: the sort key.
    uint64_t md5_low;
    int64_t seconds;
    double measurement;
    uint32_t session;
    EventKind kind;
    uint8_t os_version;
  };
  struct Session {
    char id[20];
    uint32_t email_offset;
    uint32_t email_length;
  };

  explicit EventGenerator(const GeneratorOptions& options);
  void GenerateSession(uint32_t index);
  void AppendPayload(const Event& event, std::string* out) const;
  void AppendLine(const Event& event, std::string* out, std::string* scratch) const;

  GeneratorOptions options_;
  Random random_;
  std::unique_ptr<Md5> md5_;
  std::string scratch_;
  std::vector<Session> sessions_;
  std::string emails_;
  std::vector<Event> events_;
  GeneratorStats stats_;
};

}  // namespace tarn::gen
