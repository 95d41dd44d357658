#include "delivery/metadata_extractor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TARN_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TARN_TEST_ASAN)
#define TARN_TEST_ASAN 1
#endif
#ifdef TARN_TEST_ASAN
#include <sanitizer/allocator_interface.h>
#else
#include <malloc.h>
#endif

namespace tarn::delivery {
namespace {

constexpr char kSeedQuery[] =
    R"({event_name:.name, event_date:.tstamp | split(".")[0] | strptime("%Y-%m-%d %H:%M:%S")
        | strftime("%Y-%m")})";

constexpr char kSeedRecord[] =
    R"({"name": "measurement_recorded", "tstamp": "2026-11-18 13:33:40.000000", "payload": )"
    R"("{\"account_id\": \"a@example.net\", \"session_id\": \"VUpboWwyzhsTsdlLwfOV\"}", )"
    R"("payload_md5": "0c6be712d2312af1a6691a59bc9236ad"})";

std::unique_ptr<MetadataExtractor> Make(std::string_view query) {
  auto e = MetadataExtractor::Compile(query);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : nullptr;
}

// The values, or "error: <message>".
std::string Join(const Status& s, const std::vector<std::string>& values) {
  if (!s.ok()) return "error: " + s.message();
  std::string out;
  for (size_t k = 0; k < values.size(); ++k) out += (k ? "|" : "") + values[k];
  return out;
}

std::string Eval(MetadataExtractor& e, std::string_view record) {
  std::vector<std::string> values;
  Status s = e.Extract(record, &values);
  return Join(s, values);
}

std::string Eval(std::string_view query, std::string_view record) {
  auto e = Make(query);
  return e ? Eval(*e, record) : "compile failed";
}

std::string CompileError(std::string_view query) {
  auto e = MetadataExtractor::Compile(query);
  EXPECT_FALSE(e.ok()) << query;
  EXPECT_EQ(e.ok() ? StatusCode::kOk : e.status().code(), StatusCode::kInvalidArgument);
  return e.ok() ? "" : e.status().message();
}

TEST(MetadataExtractorTest, TheSeedsQueryOnTheSeedsRecord) {
  auto e = Make(kSeedQuery);
  EXPECT_EQ(e->keys(), (std::vector<std::string>{"event_name", "event_date"}));
  EXPECT_TRUE(e->uses_fast_path());
  EXPECT_EQ(Eval(*e, kSeedRecord), "measurement_recorded|2026-11");
  EXPECT_EQ(e->fallback_count(), 0u);
}

TEST(MetadataExtractorTest, KeysInQueryOrderWithShorthandsAndStringKeys) {
  auto e = Make(R"({b: .x, "a b": .y, name, "q r", if: 1})");
  EXPECT_EQ(e->keys(), (std::vector<std::string>{"b", "a b", "name", "q r", "if"}));
  EXPECT_EQ(Eval(*e, R"({"x":"1","y":"2","name":"n","q r":"s"})"), "1|2|n|s|1");
}

TEST(MetadataExtractorTest, JqSyntaxErrorsCarryJqsMessage) {
  std::string msg = CompileError("{a: .x | }");
  EXPECT_NE(msg.find("query: jq: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("syntax error"), std::string::npos) << msg;
  EXPECT_NE(CompileError("{a: nosuchfunction}").find("nosuchfunction/0 is not defined"),
            std::string::npos);
}

TEST(MetadataExtractorTest, OnlyObjectConstructionsWithStaticKeys) {
  EXPECT_NE(CompileError(".name").find("must be one object construction"), std::string::npos);
  EXPECT_NE(CompileError("{a: .x} | .").find("text follows the closing '}'"), std::string::npos);
  EXPECT_NE(CompileError("{}").find("no keys"), std::string::npos);
  EXPECT_NE(CompileError("{(.k): .v}").find("computed"), std::string::npos);
  EXPECT_NE(CompileError(R"q({"k\(.a)": .v})q").find("computed"), std::string::npos);
}

TEST(MetadataExtractorTest, DuplicateKeysAreRefused) {
  EXPECT_NE(CompileError(R"({a: .x, "a": .y})").find("duplicate key 'a'"), std::string::npos);
}

TEST(MetadataExtractorTest, AtMostFiftyKeys) {
  std::string q = "{";
  for (size_t i = 0; i <= kMaxPartitionKeys; ++i) q += (i ? ",k" : "k") + std::to_string(i) + ":1";
  EXPECT_NE(CompileError(q + "}").find("51 keys; at most 50"), std::string::npos);
  q.resize(q.rfind(','));
  EXPECT_EQ(Make(q + "}")->keys().size(), kMaxPartitionKeys);
}

TEST(MetadataExtractorTest, BuiltinsThatReachOutsideTheRecordAreRefused) {
  EXPECT_NE(CompileError("{a: env.HOME}").find("'env'"), std::string::npos);
  EXPECT_NE(CompileError("{a: $ENV.HOME}").find("'$ENV'"), std::string::npos);
  EXPECT_NE(CompileError("{a: (.x | debug)}").find("'debug'"), std::string::npos);
  EXPECT_EQ(Eval("{env: .env, input}", R"({"env":"e","input":"i"})"), "e|i");
}

TEST(MetadataExtractorTest, ValuesAsJqPrintsThem) {
  EXPECT_EQ(Eval("{a: .i, b: .f, c: .t, d: .s, e: .big}",
                 R"({"i": 1, "f": 2.5, "t": true, "s": "x/y", "big": 1e20})"),
            "1|2.5|true|x/y|1e+20");
}

TEST(MetadataExtractorTest, NullOrMissingIsAnError) {
  EXPECT_EQ(Eval("{a: .missing}", "{}"),
            "error: key 'a': the value is null (is the field missing?)");
  EXPECT_EQ(Eval("{a: .n}", R"({"n": null})"),
            "error: key 'a': the value is null (is the field missing?)");
}

TEST(MetadataExtractorTest, ArraysAndObjectsAreErrors) {
  EXPECT_EQ(Eval("{a: .o}", R"({"o": {}})"),
            "error: key 'a': the value is an object; a partition key must be a string, number or "
            "boolean");
  EXPECT_EQ(Eval("{a: .x | split(\"-\")}", R"({"x": "a-b"})"),
            "error: key 'a': the value is an array; a partition key must be a string, number or "
            "boolean");
}

TEST(MetadataExtractorTest, JqRuntimeErrorsNameTheKey) {
  EXPECT_EQ(Eval(kSeedQuery, R"({"name": "n", "tstamp": 5})"),
            "error: key 'event_date': jq error: split input and separator must be strings");
  EXPECT_EQ(Eval(R"({event_date: .t | strptime("%Y")})", R"({"t": 5})"),
            "error: key 'event_date': jq error: strptime/1 requires string inputs and arguments");
}

TEST(MetadataExtractorTest, OneValuePerKey) {
  EXPECT_EQ(Eval("{a: (.x, .y)}", R"({"x":1,"y":2})"),
            "error: key 'a': the expression gave 2 values; a partition key needs exactly one");
  EXPECT_EQ(Eval("{a: empty}", "{}"), "error: key 'a': the expression gave no value");
}

TEST(MetadataExtractorTest, RecordsThatAreNotOneJsonValue) {
  EXPECT_EQ(Eval(kSeedQuery, ""), "error: record is not valid JSON: Expected JSON value");
  EXPECT_EQ(Eval(kSeedQuery, "{} {}"),
            "error: record is not valid JSON: Unexpected extra JSON values");
  EXPECT_NE(Eval(kSeedQuery, R"({"name": )").find("record is not valid JSON: "), std::string::npos);
}

TEST(MetadataExtractorTest, QueriesOutsideTheSubsetRunOnJq) {
  auto e = Make(R"({a: (.x // "none"), b: .s | ascii_downcase})");
  EXPECT_FALSE(e->uses_fast_path());
  EXPECT_EQ(Eval(*e, R"({"s": "AbC"})"), "none|abc");
}

// What jq 1.6 does, checked on libjq itself (the fast path must match these).
TEST(MetadataExtractorTest, JqSplitAndIndexSemantics) {
  const char* r = R"({"s": "a.b.", "e": "", "n": "abc"})";
  EXPECT_EQ(Eval(R"({a: .s | split(".")[2] | tostring})", r), "");  // a trailing "" element
  EXPECT_EQ(Eval(R"({a: .s | split(".")[-2]})", r), "b");
  EXPECT_EQ(Eval(R"({a: .n | split(".")[0]})", r), "abc");
  EXPECT_NE(Eval(R"({a: .n | split(".")[1]})", r).find("is null"), std::string::npos);
  EXPECT_NE(Eval(R"({a: .e | split(".")[0]})", r).find("is null"), std::string::npos);  // [] here
}

TEST(MetadataExtractorTest, JqStrptimeIsTheCLibrarysOnAZeroedTm) {
  // The broken-down time: year, month 0-11, day, h, m, s, weekday, day of year.
  EXPECT_EQ(Eval(R"({a: .t | strptime("%Y-%m-%d %H:%M:%S") | tostring})",
                 R"({"t": "2023-06-18 14:27:52"})"),
            "[2023,5,18,14,27,52,0,168]");
  // Trailing white space is kept as a ninth element; other trailing text is an error.
  EXPECT_EQ(Eval(R"({a: .t | strptime("%Y-%m-%d") | tostring})", R"({"t": "2023-06-18 x"})"),
            "[2023,5,18,0,0,0,0,168,\" x\"]");
  EXPECT_EQ(Eval(R"({a: .t | strptime("%Y-%m-%d")})", R"({"t": "2023-06-18x"})"),
            "error: key 'a': jq error: date \"2023-06-18x\" does not match format \"%Y-%m-%d\"");
  // Day 30 of February passes strptime and strftime prints it unnormalised.
  EXPECT_EQ(
      Eval(R"({a: .t | strptime("%Y-%m-%d") | strftime("%Y-%m-%d %j")})", R"({"t": "2023-02-30"})"),
      "2023-02-30 061");
}

TEST(MetadataExtractorTest, JqStrftimeOfNumbersIsGmtime) {
  EXPECT_EQ(Eval(R"({a: .t | strftime("%Y-%m-%dT%H:%M:%S")})", R"({"t": 1700000000.9})"),
            "2023-11-14T22:13:20");
  EXPECT_EQ(Eval(R"({a: .t | strftime("%Y")})", R"({"t": -1.5})"), "1969");
  EXPECT_EQ(Eval(R"({a: .t | strftime("")})", R"({"t": 0})"),
            "error: key 'a': jq error: strftime/1: unknown system failure");
}

// jq 1.6 aborts the process for `1e18 | strftime(...)`; the extractor must not.
TEST(MetadataExtractorTest, HugeOrNanEpochsAreErrorsNotCrashes) {
  for (const char* q : {R"({a: .t | strftime("%Y")})", "{a: .t | todate}",
                        R"({a: .t | floor | strftime("%Y")})", "{a: .t | strflocaltime(\"%Y\")}"}) {
    EXPECT_NE(Eval(q, R"({"t": 1e18})").find("is out of range"), std::string::npos) << q;
    EXPECT_NE(Eval(q, R"({"t": -1e300})").find("is out of range"), std::string::npos) << q;
  }
  EXPECT_NE(Eval("{a: (.t | tonumber | todate)}", R"({"t": "nan"})").find("out of range"),
            std::string::npos);
}

TEST(MetadataExtractorTest, CloneGivesTheSameResults) {
  auto e = Make(kSeedQuery);
  auto c = e->Clone();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->keys(), e->keys());
  EXPECT_EQ(Eval(**c, kSeedRecord), Eval(*e, kSeedRecord));
}

// ---------------------------------------------------------------------------------------------
// The fast path against libjq.

// A record like the seed's events (`tarn generate`), `i` picking the values.
std::string SeedLikeRecord(std::mt19937& rng) {
  static const char* kNames[] = {"measurement_recorded", "anonymous_visited", "account_created",
                                 "session_started"};
  char tstamp[40];
  std::snprintf(tstamp, sizeof(tstamp), "%04d-%02d-%02d %02d:%02d:%02d.%06d",
                2020 + static_cast<int>(rng() % 7), 1 + static_cast<int>(rng() % 12),
                1 + static_cast<int>(rng() % 28), static_cast<int>(rng() % 24),
                static_cast<int>(rng() % 60), static_cast<int>(rng() % 60),
                static_cast<int>(rng() % 1000000));
  return std::string(R"({"name": ")") + kNames[rng() % 4] + R"(", "tstamp": ")" + tstamp +
         R"(", "payload": "{\"session_id\": \"VUpboWwyzhsTsdlLwfOV\", \"measurement\": 48.85}", )"
         R"("payload_md5": "0c6be712d2312af1a6691a59bc9236ad"})";
}

// Records meant to find differences: odd values in every field the queries read, and text that
// is JSON only to one of the parsers, or to none.
std::vector<std::string> VariedRecords(std::mt19937& rng, size_t count) {
  static const std::vector<std::string> kTstamps = {R"("2023-06-18 14:27:52.123456")",
                                                    R"("2023-06-18 14:27:52")",
                                                    R"("2023-06-18")",
                                                    R"("2023-02-30 10:00:00.1")",
                                                    R"("2023-13-01 10:00:00")",
                                                    R"("2023-06-18 25:61:61.0")",
                                                    R"("2024-02-29 23:59:60.5")",
                                                    R"("1900-01-01 00:00:00.0")",
                                                    R"("0001-01-01 00:00:00")",
                                                    R"(" 2023-06-18 14:27:52")",
                                                    R"("2023-06-18 14:27:52 extra")",
                                                    R"("2023-06-18 14:27:52 ")",
                                                    R"("2023-06-18T14:27:52Z")",
                                                    R"("")",
                                                    R"(".")",
                                                    R"("..")",
                                                    R"("a.b.c")",
                                                    R"("2023-06-18 14:27:52\u0000.5")",
                                                    R"("\u00e9t\u00e9 2023")",
                                                    R"("😀.x")",
                                                    R"("\ud83d\ude00.y")",
                                                    "1700000000",
                                                    "1700000000.75",
                                                    "-1.5",
                                                    "0",
                                                    "-0",
                                                    "1e18",
                                                    "-1e300",
                                                    "1e400",
                                                    "12345678901234567890",
                                                    "123456789012345678901234567890",
                                                    "true",
                                                    "false",
                                                    "null",
                                                    "[]",
                                                    R"(["2023-06-18 14:27:52"])",
                                                    R"({"a": 1})",
                                                    R"([2023,5,18,1,2,3,0,168])"};
  static const std::vector<std::string> kNames = {R"("Anonymous_Visited")",
                                                  R"("a/b")",
                                                  R"("ÄÖÜ straße")",
                                                  R"("tab\tand\nnewline")",
                                                  R"("quote\"slash\\")",
                                                  R"("\u0041\u0062")",
                                                  "1",
                                                  "2.5",
                                                  "1e-7",
                                                  "100000000000000000000",
                                                  "-0",
                                                  "true",
                                                  "null",
                                                  "[1,2]",
                                                  R"({"x": "y"})",
                                                  R"("")"};
  static const std::vector<std::string> kNested = {
      R"({"arr": ["a", "b", "c"], "k": "v", "deep": {"x": 1}})",
      R"({"arr": [], "k": null})",
      R"({"arr": "notarray", "k": 5})",
      "null",
      "[1,2]",
      R"({"k": "first", "k": "second"})",
      R"({"arr": [null, true, 1.5], "k": {"a": []}})"};
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string r = "{";
    if (rng() % 8) r += R"("name": )" + kNames[rng() % kNames.size()] + ", ";
    if (rng() % 8) r += R"("tstamp": )" + kTstamps[rng() % kTstamps.size()] + ", ";
    if (rng() % 2) r += R"("ts": )" + kTstamps[rng() % kTstamps.size()] + ", ";
    r += R"("nested": )" + kNested[rng() % kNested.size()];
    if (rng() % 5 == 0) r += R"(, "name": "duplicate")";
    r += "}";
    out.push_back(r);
  }
  // Whole-record oddities.
  for (const std::string& r : std::vector<std::string>{"",
                                                       " ",
                                                       "null",
                                                       "1",
                                                       "\"x\"",
                                                       "[]",
                                                       "{}",
                                                       "{} {}",
                                                       "{}x",
                                                       "nan",
                                                       "NaN",
                                                       "{\"name\": nan}",
                                                       "\xEF\xBB\xBF{\"name\": \"bom\"}",
                                                       "{\"name\": \"a\xFF\"}",
                                                       "{\"name\": \"\\ud800\"}",
                                                       "{\"name\": \"raw\ncontrol\"}",
                                                       "{\"name\": 01}",
                                                       "{\"name\": .5}",
                                                       "{\"name\": 1.}",
                                                       "{\"name\": +1}",
                                                       "{'name': 'single'}",
                                                       "{\"name\": \"x\",}",
                                                       "[1,]",
                                                       "\x1e{\"name\": 1}",
                                                       "{\"name\":\f\"ff\"}",
                                                       "{\"name\": \"x\"}\n",
                                                       "\t{\"name\":\"x\"}\r\n",
                                                       std::string("{\"name\": \"nul\0byte\"}", 20),
                                                       "{\"name\": \"x\"}\0"}) {
    out.push_back(r);
  }
  std::string deep;
  for (int d = 0; d < 300; ++d) deep += "{\"name\":";
  deep += "\"deep\"" + std::string(300, '}');
  out.push_back(deep);
  out.push_back(R"({"nested": )" + std::string(100, '[') + "1" + std::string(100, ']') + "}");
  return out;
}

const char* kDifferentialQueries[] = {
    kSeedQuery,
    R"({event_name: .name | ascii_downcase, d: .tstamp | split(" ")[0], h: .tstamp | split(" ")[1]
        | split(":")[0], up: .name | tostring | ascii_upcase})",
    R"({a: .nested.arr[1], b: .nested["k"], c: ."name", d: .nested.arr[-1], e: .nested.deep.x})",
    R"({a: .ts | strftime("%Y/%m/%d %H %a %j"), b: .name | tostring})",
    R"({a: .tstamp | strptime("%Y-%m-%d %H:%M:%S") | strftime("%A %U %s %Z"), b: .nested.arr[-3]})",
    R"({a: .tstamp | split(".")[-1], b: .tstamp | split("-")[1], c: .ts | tostring})",
    R"({a: .tstamp | strptime("%Y-%m-%d") | strftime("%F"), b: .nested[0]})",
    R"({name, "tstamp", x: (.nested.k)})",
    R"({a: .nested.arr[0], b: .nested.deep["x"] | tostring})",
};

TEST(MetadataExtractorTest, FastPathGivesExactlyLibjqsResults) {
  std::mt19937 rng(42);
  std::vector<std::string> records = VariedRecords(rng, 3000);
  for (int i = 0; i < 500; ++i) records.push_back(SeedLikeRecord(rng));
  for (const char* query : kDifferentialQueries) {
    auto e = Make(query);
    ASSERT_TRUE(e->uses_fast_path()) << query;
    size_t ok = 0;
    std::vector<std::string> fast, slow;
    for (const std::string& r : records) {
      Status f = e->Extract(r, &fast);
      Status s = e->ExtractWithJq(r, &slow);
      ASSERT_EQ(f.ok(), s.ok()) << query << "\nrecord: " << r << "\n"
                                << f.ToString() << "\n"
                                << s.ToString();
      if (f.ok()) {
        ++ok;
        ASSERT_EQ(fast, slow) << query << "\nrecord: " << r;
      } else {
        ASSERT_EQ(f.message(), s.message()) << query << "\nrecord: " << r;
      }
    }
    // Both outcomes occur, and the fast path answered most successes itself.
    EXPECT_GT(ok, 0u) << query;
    EXPECT_LT(ok, records.size()) << query;
    EXPECT_LE(e->fallback_count(), records.size() - ok / 2) << query;
  }
}

TEST(MetadataExtractorTest, TruncatedAndCorruptedRecordsNeverCrash) {
  std::mt19937 rng(7);
  auto e = Make(kSeedQuery);
  std::vector<std::string> fast, slow;
  for (int n = 0; n < 40; ++n) {
    std::string record = SeedLikeRecord(rng);
    for (size_t len = 0; len <= record.size(); ++len) {
      std::string cut = record.substr(0, len);
      if (n % 2 == 1 && !cut.empty())
        cut[rng() % cut.size()] ^= static_cast<char>(1 << (rng() % 8));
      Status f = e->Extract(cut, &fast);
      Status s = e->ExtractWithJq(cut, &slow);
      ASSERT_EQ(f.ok(), s.ok()) << cut;
      ASSERT_EQ(f.message(), s.message()) << cut;
      if (len < record.size() && n % 2 == 0) {
        EXPECT_FALSE(f.ok()) << cut;  // Every proper prefix of an object is incomplete.
      }
    }
  }
}

TEST(MetadataExtractorTest, OneExtractorPerThreadRunsConcurrently) {
  std::mt19937 rng(3);
  std::vector<std::string> records = VariedRecords(rng, 2000);
  auto reference = Make(kDifferentialQueries[1]);
  std::vector<std::string> expected;
  std::vector<std::string> values;
  for (const auto& r : records) expected.push_back(Eval(*reference, r));
  auto worker = [&](bool jq_only, int* mismatches) {
    auto e = reference->Clone();
    if (!e.ok()) {
      ++*mismatches;
      return;
    }
    for (int round = 0; round < 3; ++round) {
      for (size_t i = 0; i < records.size(); ++i) {
        std::vector<std::string> v;
        Status s = jq_only ? (*e)->ExtractWithJq(records[i], &v) : (*e)->Extract(records[i], &v);
        if (Join(s, v) != expected[i]) ++*mismatches;
      }
    }
  };
  int m1 = 0, m2 = 0;
  std::thread t1(worker, true, &m1), t2(worker, true, &m2);
  t1.join();
  t2.join();
  EXPECT_EQ(m1 + m2, 0);
  std::thread t3(worker, false, &m1), t4(worker, true, &m2);
  t3.join();
  t4.join();
  EXPECT_EQ(m1 + m2, 0);
}

// Prints records/s of both paths for the seed's query (no timing assertion).
TEST(MetadataExtractorTest, Throughput) {
  std::mt19937 rng(1);
  std::vector<std::string> records;
  for (int i = 0; i < 20000; ++i) records.push_back(SeedLikeRecord(rng));
  auto e = Make(kSeedQuery);
  std::vector<std::string> values;
  auto rate = [&](bool fast, int rounds) {
    auto start = std::chrono::steady_clock::now();
    size_t ok = 0;
    for (int round = 0; round < rounds; ++round) {
      for (const auto& r : records) {
        ok += (fast ? e->Extract(r, &values) : e->ExtractWithJq(r, &values)).ok();
      }
    }
    EXPECT_EQ(ok, records.size() * rounds);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return static_cast<double>(records.size() * rounds) / took.count();
  };
  double fast = rate(true, 35), jq = rate(false, 1);  // 700,000 records on the fast path.
  std::printf("metadata extraction, seed query: fast path %.0f records/s, libjq %.0f records/s\n",
              fast, jq);
  EXPECT_EQ(e->fallback_count(), 0u);
}

// jq 1.6 leaks on some failures, once per record: the extractor must not reach those paths
// (LeakSanitizer reports them in the sanitizer build; the heap check below counts in any build).
TEST(MetadataExtractorTest, StringAfterAValueIsJqsErrorWithoutItsParserLeak) {
  auto e = Make("{a: .a}");
  for (const auto& [record, message] : std::vector<std::pair<std::string, std::string>>{
           {R"(["a" "b"])", "Expected separator between values at line 1, column 8"},
           {R"({"a" "b"})", "Expected separator between values at line 1, column 8"},
           {"{\"a\": 1\n \"b\": 2}", "Expected separator between values at line 2, column 4"},
           {"\xEF\xBB\xBF[1 \"x\"]", "Expected separator between values at line 1, column 6"},
           {R"({"a": 1} [[] "x"])", "Expected separator between values at line 1, column 16"},
           {R"([1 "\q"])", "Invalid escape at line 1, column 7"},
           {R"([} "x"])", "Unmatched '}' at line 1, column 2"},
           {R"({"a": 1} {"b": 2} ["x" "y"])", "Unexpected extra JSON values"}}) {
    EXPECT_EQ(Eval(*e, record), "error: record is not valid JSON: " + message) << record;
  }
  EXPECT_EQ(Eval(*e, "[1 \x1e\"x\"]"), "error: record is not valid JSON: Expected JSON value");
}

TEST(MetadataExtractorTest, DateAndTrimBuiltinsFailOrAnswerAsJqWithoutItsLeaks) {
  auto e = Make(R"({a: .t | strftime("%Y"), b: .t | mktime, c: .t | ltrimstr("x"),
                   d: .t | rtrimstr(1), e: .t | strflocaltime("%Y")})");
  EXPECT_EQ(Eval(*e, R"({"t": ["2023-06-18"]})"),
            "error: key 'a': jq error: strftime/1 requires parsed datetime inputs");
  auto m = Make(R"({b: .t | mktime, c: .t | ltrimstr("x"), d: .t | rtrimstr(1)})");
  EXPECT_EQ(Eval(*m, R"({"t": [2023, 5, 18, 0, 0, 0, 0, "x"]})"),
            "error: key 'b': jq error: mktime requires parsed datetime inputs");
  auto t = Make(R"({c: .t | ltrimstr("x"), d: .t | rtrimstr(1), e: .u | strflocaltime("%Y")})");
  EXPECT_EQ(Eval(*t, R"({"t": 5, "u": [{"k": 1}]})"),
            "error: key 'e': jq error: strflocaltime/1 requires parsed datetime inputs");
  auto ok = Make(R"({c: .t | ltrimstr("x"), d: .t | rtrimstr("z"), e: .u | mktime})");
  EXPECT_EQ(Eval(*ok, R"({"t": "xyz", "u": [2023, 5, 18, 0, 0, 0, 0, 168]})"), "yz|xy|1687046400");
  EXPECT_EQ(Eval(*ok, R"({"t": 7, "u": [2023, 5, 18, 0, 0, 0, 0, 168]})"), "7|7|1687046400");
}

size_t HeapInUse() {
#ifdef TARN_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

// A hostile producer sends the same failing records over and over: memory must not grow.
TEST(MetadataExtractorTest, FailingRecordsDoNotGrowTheHeap) {
  auto e = Make(R"({a: .t | strftime("%Y"), b: .t | ltrimstr("x"), c: .t | mktime})");
  std::string big(4096, 'x');
  std::vector<std::string> records = {"[1 \"" + big + "\"]", "{\"t\": [\"" + big + "\"]}",
                                      "{\"t\": [[\"" + big + "\"]]}"};
  std::vector<std::string> values;
  auto run = [&](int rounds) {
    for (int i = 0; i < rounds; ++i) {
      for (const std::string& r : records) EXPECT_FALSE(e->ExtractWithJq(r, &values).ok());
    }
  };
  run(10);  // Warm up libjq's own buffers.
  size_t before = HeapInUse();
  run(200);
  EXPECT_LT(HeapInUse(), before + 64 * 1024) << "600 failing records of 4 KiB grew the heap";
}

}  // namespace
}  // namespace tarn::delivery
