#include "gen/event_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>

#include "common/civil_time.h"
#include "common/json_text.h"
#include "common/md5.h"

namespace tarn::gen {
namespace {

// Released Android versions up to KitKat, the range of the seed's sample records.
constexpr std::string_view kAndroidVersions[] = {
    "1.0",   "1.1",   "1.5",   "1.6",   "2.0",   "2.0.1", "2.1",   "2.2",   "2.2.1", "2.2.2",
    "2.2.3", "2.3",   "2.3.1", "2.3.2", "2.3.3", "2.3.4", "2.3.5", "2.3.6", "2.3.7", "3.0",
    "3.1",   "3.2",   "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.2.5", "3.2.6", "4.0",   "4.0.1",
    "4.0.2", "4.0.3", "4.0.4", "4.1",   "4.1.1", "4.1.2", "4.2",   "4.2.1", "4.2.2", "4.3",
    "4.3.1", "4.4",   "4.4.1", "4.4.2", "4.4.3", "4.4.4",
};
constexpr size_t kAndroidVersionCount = std::size(kAndroidVersions);

constexpr std::string_view kFirstNames[] = {
    "adam", "alice", "amir",  "anna",  "ben",   "carla", "chen",  "clara", "david", "elena",
    "emma", "eva",   "felix", "grace", "hana",  "igor",  "ines",  "jakub", "james", "julia",
    "kai",  "karol", "lena",  "liam",  "lucas", "maria", "marta", "mia",   "nina",  "noah",
    "olga", "omar",  "oscar", "paula", "piotr", "rosa",  "sara",  "tom",   "yuki",  "zoe",
};
constexpr std::string_view kLastNames[] = {
    "adams",    "baker",  "berg",   "brown",  "clark", "costa",  "davis",   "evans",
    "fischer",  "garcia", "green",  "hall",   "ito",   "jensen", "kim",     "king",
    "kowalski", "lee",    "lopez",  "martin", "meyer", "moore",  "nagy",    "novak",
    "nowak",    "olsen",  "park",   "patel",  "rossi", "santos", "schmidt", "silva",
    "smith",    "tanaka", "taylor", "walker", "wang",  "weber",  "white",   "young",
};
// Domains reserved for examples (RFC 2606), so generated addresses never reach a real person.
constexpr std::string_view kDomains[] = {"example.com", "example.org", "example.net"};

template <size_t N>
std::string_view Pick(const std::string_view (&values)[N], Random& random) {
  return values[random.UniformInt(N)];
}

uint64_t LoadBigEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void StoreBigEndian64(uint64_t v, uint8_t* p) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

}  // namespace

Result<EventGenerator> EventGenerator::Make(const GeneratorOptions& options) {
  if (options.sessions > kMaxSessions) {
    return InvalidArgument(
        fmt::format("sessions must be at most {}, got {}", kMaxSessions, options.sessions));
  }
  if (!(options.duplicate_probability >= 0 && options.duplicate_probability <= 1)) {
    return InvalidArgument(fmt::format("duplicate probability must be within [0, 1], got {}",
                                       options.duplicate_probability));
  }
  if (options.now_micros < kEpochStartMicros) {
    return InvalidArgument(fmt::format("now must be at or after {}, got {}",
                                       FormatTimestamp(kEpochStartMicros),
                                       FormatTimestamp(options.now_micros)));
  }
  return EventGenerator(options);
}

EventGenerator::EventGenerator(const GeneratorOptions& options)
    : options_(options), random_(options.seed), md5_(std::make_unique<Md5>()) {}

void EventGenerator::Generate(const std::function<void(uint64_t)>& on_session) {
  sessions_.clear();
  emails_.clear();
  events_.clear();
  stats_ = GeneratorStats{};
  stats_.first_event_micros = INT64_MAX;
  stats_.last_event_micros = INT64_MIN;
  sessions_.reserve(options_.sessions);
  // About 7.07 events a session; reserving a little more avoids regrowth in almost every run.
  events_.reserve(options_.sessions * 15 / 2);
  for (uint64_t i = 0; i < options_.sessions; ++i) {
    GenerateSession(static_cast<uint32_t>(i));
    if (on_session) on_session(i + 1);
  }
  std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
    return a.md5_high != b.md5_high ? a.md5_high < b.md5_high : a.md5_low < b.md5_low;
  });
  stats_.sessions = options_.sessions;
  stats_.events = events_.size();
  if (events_.empty()) stats_.first_event_micros = stats_.last_event_micros = 0;
}

void EventGenerator::GenerateSession(uint32_t index) {
  Session session;
  for (char& c : session.id) {
    const uint64_t letter = random_.UniformInt(52);
    c = static_cast<char>(letter < 26 ? 'A' + letter : 'a' + (letter - 26));
  }
  const size_t email_start = emails_.size();
  emails_.append(Pick(kFirstNames, random_));
  emails_.push_back(random_.Bernoulli(0.5) ? '.' : '_');
  emails_.append(Pick(kLastNames, random_));
  emails_.append(std::to_string(random_.UniformInt(1000)));
  emails_.push_back('@');
  emails_.append(Pick(kDomains, random_));
  session.email_offset = static_cast<uint32_t>(email_start);
  session.email_length = static_cast<uint32_t>(emails_.size() - email_start);
  sessions_.push_back(session);

  const double mu = 10 + random_.Uniform01() * 170;
  const double sigma = mu / 10;
  const int64_t now = options_.now_micros / kMicrosPerSecond;
  int64_t time = kEpochStartMicros / kMicrosPerSecond;

  std::string& payload = scratch_;
  SessionState state = SessionState::kAnonymousVisited;
  while (state != SessionState::kLost) {
    Event event{};
    event.session = index;
    event.kind = static_cast<EventKind>(state);
    time += static_cast<int64_t>(random_.UniformInt(static_cast<uint64_t>(now - time) + 1));
    event.seconds = time;
    stats_.first_event_micros = std::min(stats_.first_event_micros, time * kMicrosPerSecond);
    stats_.last_event_micros = std::max(stats_.last_event_micros, time * kMicrosPerSecond);
    if (event.kind == EventKind::kAnonymousVisited) {
      event.os_version = static_cast<uint8_t>(random_.UniformInt(kAndroidVersionCount));
    } else if (event.kind == EventKind::kMeasurementRecorded) {
      event.measurement = random_.Normal(mu, sigma);
    }
    payload.clear();
    AppendPayload(event, &payload);
    const Md5Digest digest = md5_->Digest(payload);
    event.md5_high = LoadBigEndian64(digest.data());
    event.md5_low = LoadBigEndian64(digest.data() + 8);

    const int copies = random_.Bernoulli(options_.duplicate_probability) ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      events_.push_back(event);
      ++stats_.events_by_kind[static_cast<int>(event.kind)];
    }
    stats_.duplicates += copies - 1;
    state = NextState(state, random_);
  }
}

void EventGenerator::AppendPayload(const Event& event, std::string* out) const {
  const Session& session = sessions_[event.session];
  const std::string_view session_id(session.id, sizeof(session.id));
  const std::string_view email(emails_.data() + session.email_offset, session.email_length);
  // Keys in sorted order, so this one text serves as the payload and as what its MD5 covers.
  if (event.kind == EventKind::kAnonymousVisited) {
    // Version numbers are digits and dots: nothing in them needs escaping.
    out->append("{\"dvce_os\": \"Android ");
    out->append(kAndroidVersions[event.os_version]);
    out->push_back('"');
  } else {
    out->append("{\"account_id\": ");
    AppendJsonString(out, email);
    if (event.kind == EventKind::kMeasurementRecorded) {
      out->append(", \"measurement\": ");
      AppendPythonFloat(out, event.measurement);
    }
  }
  out->append(", \"session_id\": ");
  AppendJsonString(out, session_id);
  out->push_back('}');
}

void EventGenerator::AppendLine(const Event& event, std::string* out, std::string* scratch) const {
  out->append("{\"name\": \"");
  out->append(EventName(event.kind));
  out->append("\", \"tstamp\": \"");
  char buf[32];
  out->append(buf, AppendTimestamp(buf, event.seconds * kMicrosPerSecond));
  out->append("\", \"payload\": ");
  scratch->clear();
  AppendPayload(event, scratch);
  AppendJsonString(out, *scratch);
  out->append(", \"payload_md5\": \"");
  Md5Digest digest;
  StoreBigEndian64(event.md5_high, digest.data());
  StoreBigEndian64(event.md5_low, digest.data() + 8);
  out->append(buf, AppendHex(buf, digest));
  out->append("\"}\n");
}

Status EventGenerator::Write(ByteSink& sink, const std::function<void(uint64_t)>& on_event) {
  constexpr size_t kFlushBytes = 1 << 20;
  std::string buffer;
  buffer.reserve(kFlushBytes + 4096);
  std::string scratch;
  stats_.bytes = 0;
  for (size_t i = 0; i < events_.size(); ++i) {
    const Event& event = events_[i];
    AppendLine(event, &buffer, &scratch);
    if (buffer.size() >= kFlushBytes) {
      TARN_RETURN_IF_ERROR(sink.Append(buffer));
      stats_.bytes += buffer.size();
      buffer.clear();
      if (on_event) on_event(i + 1);
    }
  }
  TARN_RETURN_IF_ERROR(sink.Append(buffer));
  stats_.bytes += buffer.size();
  if (on_event) on_event(events_.size());
  return Status::Ok();
}

}  // namespace tarn::gen
