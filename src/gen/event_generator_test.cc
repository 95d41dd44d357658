#include "gen/event_generator.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "common/civil_time.h"
#include "common/md5.h"

namespace tarn::gen {
namespace {

const int64_t kNow = *ParseTimestamp("2023-08-01 00:00:00");

GeneratorOptions Options(uint64_t sessions, uint64_t seed, double duplicates = 0.01) {
  GeneratorOptions options;
  options.sessions = sessions;
  options.seed = seed;
  options.now_micros = kNow;
  options.duplicate_probability = duplicates;
  return options;
}

struct Output {
  std::vector<std::string> lines;
  GeneratorStats stats;
};

Output RunGenerator(const GeneratorOptions& options) {
  auto generator = EventGenerator::Make(options);
  EXPECT_TRUE(generator.ok()) << generator.status().ToString();
  generator->Generate();
  StringSink sink;
  EXPECT_TRUE(generator->Write(sink).ok());
  Output out{{}, generator->stats()};
  std::istringstream in(sink.data());
  for (std::string line; std::getline(in, line);) out.lines.push_back(line);
  return out;
}

// The value of a top-level string field in one of our lines (no escaped quotes in these values).
std::string Field(const std::string& line, const std::string& key) {
  const std::string start = "\"" + key + "\": \"";
  const size_t begin = line.find(start) + start.size();
  return line.substr(begin, line.find('"', begin) - begin);
}

// The payload text, unescaped (our payloads escape only their quotes).
std::string Payload(const std::string& line) {
  const std::string start = "\"payload\": \"";
  const size_t begin = line.find(start) + start.size();
  const size_t end = line.find("\", \"payload_md5\"");
  std::string escaped = line.substr(begin, end - begin);
  return std::regex_replace(escaped, std::regex(R"(\\")"), "\"");
}

TEST(EventGeneratorTest, SameSeedSameBytesOtherSeedOtherBytes) {
  EXPECT_EQ(RunGenerator(Options(500, 9)).lines, RunGenerator(Options(500, 9)).lines);
  EXPECT_NE(RunGenerator(Options(500, 9)).lines, RunGenerator(Options(500, 10)).lines);
}

TEST(EventGeneratorTest, LinesHaveTheSeedsShapeAndKeyOrder) {
  const std::regex shape(
      R"re(\{"name": "(anonymous_visited|account_created|measurement_recorded)", )re"
      R"re("tstamp": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000", "payload": "\{.*\}", )re"
      R"re("payload_md5": "[0-9a-f]{32}"\})re");
  for (const std::string& line : RunGenerator(Options(300, 1)).lines) {
    ASSERT_TRUE(std::regex_match(line, shape)) << line;
  }
}

TEST(EventGeneratorTest, PayloadsPerEventName) {
  const std::regex visited(
      R"re(\{"dvce_os": "Android \d\.\d(\.\d)?", "session_id": "[A-Za-z]{20}"\})re");
  const std::regex created(
      R"re(\{"account_id": "[a-z._0-9]+@example\.(com|org|net)", "session_id": "[A-Za-z]{20}"\})re");
  const std::regex measured(R"re(\{"account_id": "[^"]+", "measurement": -?\d+\.\d+(e[+-]\d+)?, )re"
                            R"re("session_id": "[A-Za-z]{20}"\})re");
  for (const std::string& line : RunGenerator(Options(300, 2)).lines) {
    const std::string name = Field(line, "name");
    const std::regex& expected = name == "anonymous_visited" ? visited
                                 : name == "account_created" ? created
                                                             : measured;
    ASSERT_TRUE(std::regex_match(Payload(line), expected)) << line;
  }
}

TEST(EventGeneratorTest, Md5CoversThePayloadAndSortsTheOutput) {
  Md5 md5;
  std::string previous;
  for (const std::string& line : RunGenerator(Options(1000, 3)).lines) {
    const std::string digest = Field(line, "payload_md5");
    ASSERT_EQ(digest, ToHex(md5.Digest(Payload(line))));
    ASSERT_LE(previous, digest);
    previous = digest;
  }
}

TEST(EventGeneratorTest, SeedsStatisticalShape) {
  const Output out = RunGenerator(Options(20000, 4));
  const double n = static_cast<double>(out.lines.size());
  // Expected: 7.0 events a session before duplicates (5/3 + 2/3 + 14/3), times 1.01.
  EXPECT_NEAR(n / 20000, 7.07, 0.25);
  EXPECT_NEAR(out.stats.events_by_kind[0] / n, 0.238, 0.012);
  EXPECT_NEAR(out.stats.events_by_kind[1] / n, 0.095, 0.006);
  EXPECT_NEAR(out.stats.events_by_kind[2] / n, 0.667, 0.015);
  EXPECT_NEAR(out.stats.duplicates / n, 0.0099, 0.0015);
  EXPECT_EQ(out.stats.events, out.lines.size());
}

TEST(EventGeneratorTest, DuplicatesAreExactAdjacentCopies) {
  const Output out = RunGenerator(Options(2000, 5, /*duplicates=*/0.5));
  uint64_t adjacent_equal = 0;
  for (size_t i = 1; i < out.lines.size(); ++i) adjacent_equal += out.lines[i] == out.lines[i - 1];
  EXPECT_EQ(adjacent_equal, out.stats.duplicates);
  EXPECT_NEAR(double(out.stats.duplicates) / (out.lines.size() - out.stats.duplicates), 0.5, 0.03);
}

TEST(EventGeneratorTest, NoDuplicatesWhenProbabilityIsZero) {
  const Output out = RunGenerator(Options(2000, 6, 0.0));
  EXPECT_EQ(out.stats.duplicates, 0u);
  for (size_t i = 1; i < out.lines.size(); ++i) ASSERT_NE(out.lines[i], out.lines[i - 1]);
}

TEST(EventGeneratorTest, SessionEventsFollowTheChainInTime) {
  // Per session: every visit before the account creation, which comes before every measurement,
  // all within [2020-01-01, now].
  struct Times {
    std::string last_visit, created, first_measurement = "9999";
  };
  std::map<std::string, Times> sessions;
  for (const std::string& line : RunGenerator(Options(2000, 7)).lines) {
    const std::string payload = Payload(line);
    const std::string session = payload.substr(payload.find("\"session_id\": \"") + 15, 20);
    const std::string time = Field(line, "tstamp");
    ASSERT_GE(time, "2020-01-01 00:00:00.000000");
    ASSERT_LE(time, "2023-08-01 00:00:00.000000");
    Times& t = sessions[session];
    const std::string name = Field(line, "name");
    if (name == "anonymous_visited") t.last_visit = std::max(t.last_visit, time);
    if (name == "account_created") t.created = time;
    if (name == "measurement_recorded") t.first_measurement = std::min(t.first_measurement, time);
  }
  EXPECT_EQ(sessions.size(), 2000u);
  for (const auto& [id, t] : sessions) {
    if (!t.created.empty()) {
      EXPECT_LE(t.last_visit, t.created) << id;
      EXPECT_LE(t.created, t.first_measurement) << id;
    }
  }
}

TEST(EventGeneratorTest, ZeroSessionsWriteNothing) {
  const Output out = RunGenerator(Options(0, 1));
  EXPECT_TRUE(out.lines.empty());
  EXPECT_EQ(out.stats.bytes, 0u);
}

TEST(EventGeneratorTest, RejectsOutOfRangeOptions) {
  GeneratorOptions early = Options(1, 1);
  early.now_micros = *ParseTimestamp("2019-12-31 23:59:59");
  EXPECT_EQ(EventGenerator::Make(early).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(EventGenerator::Make(Options(1, 1, 1.5)).ok());
  EXPECT_FALSE(EventGenerator::Make(Options(kMaxSessions + 1, 1)).ok());
}

}  // namespace
}  // namespace tarn::gen
