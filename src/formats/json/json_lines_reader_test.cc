#include "formats/json/json_lines_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "common/chunked_source.h"

namespace tarn::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Gives 1, 2, ..., 7, 1, 2, ... bytes per Read, so that records cross read boundaries.
class TrickleSource : public tarn::fakes::ChunkedSource {
 public:
  explicit TrickleSource(std::string data)
      : ChunkedSource(std::move(data), {1, 2, 3, 4, 5, 6, 7}, "trickle.json") {}
};

JsonColumnSpec Spec(std::string name, std::string_view type, std::vector<std::string> path = {}) {
  return JsonColumnSpec{std::move(name), *ParseType(type), std::move(path)};
}

// Reads everything in batches of 3 and renders each row as its columns' JSON values joined by
// '|' (AppendJsonValue's canonical forms).
Result<std::vector<std::string>> ReadRows(std::unique_ptr<ByteSource> source,
                                          std::vector<JsonColumnSpec> specs,
                                          const JsonReaderOptions& options = {}) {
  TARN_ASSIGN_OR_RETURN(auto reader,
                        JsonLinesReader::Open(std::move(source), std::move(specs), options));
  std::vector<std::string> rows;
  std::vector<Column> columns;
  for (;;) {
    TARN_ASSIGN_OR_RETURN(const size_t n, reader->ReadBatch(3, &columns));
    if (n == 0) return rows;
    for (size_t r = 0; r < n; ++r) {
      std::string row;
      for (size_t c = 0; c < columns.size(); ++c) {
        if (c > 0) row += '|';
        AppendJsonValue(columns[c], r, &row);
      }
      rows.push_back(std::move(row));
    }
  }
}

Result<std::vector<std::string>> ReadRows(std::string_view input, std::vector<JsonColumnSpec> specs,
                                          const JsonReaderOptions& options = {}) {
  return ReadRows(std::make_unique<StringSource>(input, "events.json"), std::move(specs), options);
}

// Reads field "a" of every record as `type`.
Result<std::vector<std::string>> ReadA(std::string_view input, std::string_view type,
                                       const JsonReaderOptions& options = {}) {
  return ReadRows(input, {Spec("a", type)}, options);
}

std::string ErrorOf(const Result<std::vector<std::string>>& rows) {
  return rows.ok() ? "no error" : rows.status().ToString();
}

// ---- Conversions ----

TEST(JsonLinesReaderTest, StringTakesTheStringsValue) {
  EXPECT_THAT(*ReadA(R"({"a": "x\"y\u00e9"})", "string"), ElementsAre(R"("x\"y\u00e9")"));
}

TEST(JsonLinesReaderTest, StringTakesOtherValuesAsJsonText) {
  const auto rows =
      ReadA("{\"a\": 12}\n{\"a\": 1.5}\n{\"a\": true}\n{\"a\": {\"b\": [1, \"c\"]}}", "string");
  EXPECT_THAT(*rows, ElementsAre(R"("12")", R"("1.5")", R"("true")", R"("{\"b\":[1,\"c\"]}")"));
}

TEST(JsonLinesReaderTest, VarcharAndCharKeepTheirLengthInCodePoints) {
  EXPECT_THAT(*ReadA(R"({"a": "h\u00e9llo"})", "varchar(2)"), ElementsAre(R"("h\u00e9")"));
  EXPECT_THAT(*ReadA(R"({"a": 12345})", "char(3)"), ElementsAre(R"("123")"));
}

TEST(JsonLinesReaderTest, IntegerTypesTakeNumbersAndNumericStrings) {
  EXPECT_THAT(*ReadA(R"({"a": -128} {"a": "127"} {"a": 3.0} {"a": "+1e2"})", "tinyint"),
              ElementsAre("-128", "127", "3", "100"));
  EXPECT_THAT(*ReadA(R"({"a": 9223372036854775807})", "bigint"),
              ElementsAre("9223372036854775807"));
}

TEST(JsonLinesReaderTest, IntegerOutOfRangeIsBadDataNamingFieldAndLine) {
  const auto rows = ReadA("{\"a\": 1}\n{\"a\": 32768}", "smallint");
  EXPECT_EQ(ErrorOf(rows),
            "Corruption: events.json: line 2: field 'a': cannot convert 32768 to smallint: out of "
            "range");
}

TEST(JsonLinesReaderTest, IntegerRejectsTextAndFractions) {
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": "abc"})", "int")),
              HasSubstr("field 'a': cannot convert \"abc\" to int: not a number"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": 1.5})", "int")), HasSubstr("not an integer"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": [1]})", "int")), HasSubstr("expected a number"));
}

TEST(JsonLinesReaderTest, FloatingPointTakesNumbersAndStrings) {
  EXPECT_THAT(
      *ReadA(R"({"a": 1} {"a": -2.5e3} {"a": "0.25"} {"a": "NaN"} {"a": "-Infinity"})", "double"),
      ElementsAre("1.0", "-2500.0", "0.25", "\"NaN\"", "\"-Infinity\""));
  EXPECT_THAT(*ReadA(R"({"a": 0.5})", "float"), ElementsAre("0.5"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": 1e300})", "float")), HasSubstr("out of range"));
}

TEST(JsonLinesReaderTest, BooleanForms) {
  EXPECT_THAT(*ReadA(R"({"a": true} {"a": "FALSE"} {"a": 1} {"a": 0})", "boolean"),
              ElementsAre("true", "false", "true", "false"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": "yes"})", "boolean")), HasSubstr("expected true or false"));
}

TEST(JsonLinesReaderTest, DecimalIsExactFromNumbersAndStrings) {
  EXPECT_THAT(*ReadA(R"({"a": 0.1} {"a": "-12.345"} {"a": 7} {"a": "1.005"} {"a": 2.5e-1})",
                     "decimal(5,2)"),
              ElementsAre("\"0.10\"", "\"-12.35\"", "\"7.00\"", "\"1.01\"", "\"0.25\""));
  EXPECT_THAT(*ReadA(R"({"a": "999999999999999999"})", "decimal(18,0)"),
              ElementsAre("\"999999999999999999\""));
}

TEST(JsonLinesReaderTest, DecimalBeyondPrecisionIsBadData) {
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": 1000})", "decimal(5,2)")),
              HasSubstr("cannot convert 1000 to decimal(5,2): out of range"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": "9.999"})", "decimal(3,2)")), HasSubstr("out of range"));
}

TEST(JsonLinesReaderTest, DateFromStringsAndDayNumbers) {
  EXPECT_THAT(*ReadA(R"({"a": "2023-06-18"} {"a": "2023-06-18T23:00:00-02:00"} {"a": -1})", "date"),
              ElementsAre("\"2023-06-18\"", "\"2023-06-19\"", "\"1969-12-31\""));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": "2023-02-30"})", "date")), HasSubstr("no such date"));
}

TEST(JsonLinesReaderTest, TimestampHiveForm) {
  EXPECT_THAT(
      *ReadA(R"({"a": "2023-06-18 14:27:52"} {"a": "2023-06-18 14:27:52.123456789"})", "timestamp"),
      ElementsAre("\"2023-06-18 14:27:52.000000\"", "\"2023-06-18 14:27:52.123456\""));
}

TEST(JsonLinesReaderTest, TimestampIsoForms) {
  EXPECT_THAT(
      *ReadA(R"({"a": "2023-06-18T14:27:52Z"} {"a": "2023-06-18T14:27"} {"a": "2023-06-18"})",
             "timestamp"),
      ElementsAre("\"2023-06-18 14:27:52.000000\"", "\"2023-06-18 14:27:00.000000\"",
                  "\"2023-06-18 00:00:00.000000\""));
}

TEST(JsonLinesReaderTest, TimestampOffsetsGiveUtc) {
  EXPECT_THAT(
      *ReadA(
          R"({"a": "2023-06-18T14:27:52.5+02:00"} {"a": "2023-06-18 14:27:52-0530"} {"a": "2023-06-18T00:00:00+01"})",
          "timestamp"),
      ElementsAre("\"2023-06-18 12:27:52.500000\"", "\"2023-06-18 19:57:52.000000\"",
                  "\"2023-06-17 23:00:00.000000\""));
}

TEST(JsonLinesReaderTest, TimestampEpochSecondsAndMilliseconds) {
  EXPECT_THAT(*ReadA(R"({"a": 1687098472} {"a": 1687098472123} {"a": 1687098472.25} {"a": -1})",
                     "timestamp"),
              ElementsAre("\"2023-06-18 14:27:52.000000\"", "\"2023-06-18 14:27:52.123000\"",
                          "\"2023-06-18 14:27:52.250000\"", "\"1969-12-31 23:59:59.000000\""));
}

TEST(JsonLinesReaderTest, TimestampEpochInStrings) {
  EXPECT_THAT(
      *ReadA(R"({"a": "1687098472"} {"a": "1687098472123"} {"a": "1687098472.5"})", "timestamp"),
      ElementsAre("\"2023-06-18 14:27:52.000000\"", "\"2023-06-18 14:27:52.123000\"",
                  "\"2023-06-18 14:27:52.500000\""));
}

TEST(JsonLinesReaderTest, TimestampRejectsOtherText) {
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": "18/06/2023"})", "timestamp")),
              HasSubstr("cannot convert \"18/06/2023\" to timestamp: expected YYYY-MM-DD"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": "2023-06-18 25:00:00"})", "timestamp")),
              HasSubstr("time of day out of range"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": true})", "timestamp")), HasSubstr("to timestamp"));
}

// ---- Fields, paths and nested types ----

TEST(JsonLinesReaderTest, MissingAndNullFieldsAreNull) {
  EXPECT_THAT(*ReadA(R"({"b": 1} {"a": null} {})", "int"), ElementsAre("null", "null", "null"));
}

TEST(JsonLinesReaderTest, NestedPathReadsInsideObjects) {
  const auto rows = ReadRows(R"({"a": {"b": {"c": 5}}} {"a": {"b": 1}} {"a": null})",
                             {Spec("x", "int", {"a", "b", "c"})});
  EXPECT_THAT(*rows, ElementsAre("5", "null", "null"));
}

TEST(JsonLinesReaderTest, ColumnsMayShareFieldsAndPrefixes) {
  const auto rows = ReadRows(R"({"a": {"b": 1, "c": "x"}})",
                             {Spec("b", "int", {"a", "b"}), Spec("a", "string"),
                              Spec("c", "string", {"a", "c"}), Spec("b2", "bigint", {"a", "b"})});
  EXPECT_THAT(*rows, ElementsAre(R"(1|"{\"b\":1,\"c\":\"x\"}"|"x"|1)"));
}

TEST(JsonLinesReaderTest, ArrayElementsAreConverted) {
  EXPECT_THAT(*ReadA(R"({"a": [1, "2", null]} {"a": []})", "array<int>"),
              ElementsAre("[1, 2, null]", "[]"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": {"b": 1}})", "array<int>")),
              HasSubstr("expected a JSON array"));
}

TEST(JsonLinesReaderTest, MapKeysAreConvertedToTheKeyType) {
  EXPECT_THAT(*ReadA(R"({"a": {"1": "x", "20": null}})", "map<int,string>"),
              ElementsAre(R"({"1": "x", "20": null})"));
  EXPECT_THAT(ErrorOf(ReadA(R"({"a": {"one": "x"}})", "map<int,string>")),
              HasSubstr("cannot convert \"one\" to int"));
}

TEST(JsonLinesReaderTest, StructFieldsMatchByName) {
  EXPECT_THAT(*ReadA(R"({"a": {"Y": "2", "x": 1, "z": 3}} {"a": {}})", "struct<x:int,y:bigint>"),
              ElementsAre(R"({"x": 1, "y": 2})", R"({"x": null, "y": null})"));
}

TEST(JsonLinesReaderTest, NestedTypesCompose) {
  EXPECT_THAT(
      *ReadA(R"({"a": [{"k": {"u": [true]}}]})", "array<struct<k:map<string,array<boolean>>>>"),
      ElementsAre(R"([{"k": {"u": [true]}}])"));
}

TEST(JsonLinesReaderTest, KeysMatchCaseInsensitivelyByDefault) {
  EXPECT_THAT(*ReadRows(R"({"UserId": 1, "Info": {"City": "x"}})",
                        {Spec("userid", "int"), Spec("c", "string", {"INFO", "city"})}),
              ElementsAre(R"(1|"x")"));
}

TEST(JsonLinesReaderTest, CaseSensitiveOption) {
  JsonReaderOptions options;
  options.case_insensitive = false;
  EXPECT_THAT(*ReadA(R"({"A": 1} {"a": 2})", "int", options), ElementsAre("null", "2"));
}

TEST(JsonLinesReaderTest, FirstOfRepeatedKeysWins) {
  EXPECT_THAT(*ReadA(R"({"a": 1, "A": 2, "a": 3})", "int"), ElementsAre("1"));
}

TEST(JsonLinesReaderTest, FieldOrderMayChangeBetweenRecords) {
  EXPECT_THAT(*ReadRows(R"({"a": 1, "b": 2} {"b": 4, "a": 3} {"c": 0, "a": 5})",
                        {Spec("a", "int"), Spec("b", "int")}),
              ElementsAre("1|2", "3|4", "5|null"));
}

// ---- Framing ----

TEST(JsonLinesReaderTest, NewlineDelimitedRecords) {
  EXPECT_THAT(*ReadA("{\"a\": 1}\n{\"a\": 2}\n", "int"), ElementsAre("1", "2"));
}

TEST(JsonLinesReaderTest, ConcatenatedRecords) {
  EXPECT_THAT(*ReadA(R"({"a": 1}{"a": "}{"}{"a": 3})", "string"),
              ElementsAre("\"1\"", "\"}{\"", "\"3\""));
}

TEST(JsonLinesReaderTest, MixedSeparatorsCrlfAndBlankLines) {
  EXPECT_THAT(*ReadA("\r\n{\"a\": 1}{\"a\": 2}\r\n\r\n  \t\n{\"a\": 3} {\"a\": 4}\r\n\n", "int"),
              ElementsAre("1", "2", "3", "4"));
}

TEST(JsonLinesReaderTest, EmptyInputHasNoRows) {
  EXPECT_THAT(*ReadA("", "int"), ElementsAre());
  EXPECT_THAT(*ReadA(" \n\r\n\n", "int"), ElementsAre());
}

TEST(JsonLinesReaderTest, ByteOrderMarkIsSkipped) {
  JsonReaderOptions tiny_buffer;
  tiny_buffer.buffer_bytes = 1;
  EXPECT_THAT(*ReadA("\xEF\xBB\xBF{\"a\": 1}", "int"), ElementsAre("1"));
  EXPECT_THAT(*ReadA("\xEF\xBB\xBF{\"a\": 1}", "int", tiny_buffer), ElementsAre("1"));
}

TEST(JsonLinesReaderTest, RecordsSpanReadAndBufferBoundaries) {
  std::string input, big(5000, 'x');
  std::vector<std::string> expected;
  for (int i = 0; i < 60; ++i) {
    input += "{\"s\": \"\\\"" + (i % 9 == 0 ? big : std::to_string(i)) +
             "\", \"a\": " + std::to_string(i) + "}" + (i % 3 == 0 ? "\r\n" : "");
    expected.push_back(std::to_string(i));
  }
  JsonReaderOptions options;
  options.buffer_bytes = 16;
  const auto rows = ReadRows(std::make_unique<TrickleSource>(input), {Spec("a", "int")}, options);
  EXPECT_EQ(*rows, expected);
}

TEST(JsonLinesReaderTest, CountsRecordsAndBytes) {
  const std::string input = "{\"a\": 1}{\"a\": 2}\n\n{\"a\": 3}\n";
  auto reader = *JsonLinesReader::Open(std::make_unique<StringSource>(input), {});
  std::vector<Column> columns;
  EXPECT_EQ(*reader->ReadBatch(10, &columns), 3u);
  EXPECT_EQ(*reader->ReadBatch(10, &columns), 0u);
  EXPECT_EQ(reader->records(), 3u);
  EXPECT_EQ(reader->bytes_read(), input.size());
}

// ---- Bad records ----

TEST(JsonLinesReaderTest, MalformedRecordNamesObjectAndLine) {
  const auto rows = ReadA("{\"a\": 1}\n{\"a\": }\n", "int");
  EXPECT_EQ(rows.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(ErrorOf(rows), HasSubstr("events.json: line 2: malformed JSON record: "));
}

TEST(JsonLinesReaderTest, MalformedRecordOnASharedLineNamesItsPosition) {
  EXPECT_THAT(ErrorOf(ReadA("\n{\"a\": 1}{\"a\": 2}{\"a\" 3}", "int")),
              HasSubstr("events.json: line 2, record 3: malformed JSON record"));
}

TEST(JsonLinesReaderTest, TopLevelMustBeAnObject) {
  EXPECT_THAT(ErrorOf(ReadA("[1, 2]", "int")),
              HasSubstr("line 1: malformed JSON record: the top level is an array, not an object"));
  EXPECT_THAT(ErrorOf(ReadA("{\"a\": 1}\n\"text\"", "int")),
              HasSubstr("line 2: malformed JSON record: the top level is a string"));
}

TEST(JsonLinesReaderTest, UnclosedRecordAtEndOfLineOrInput) {
  EXPECT_THAT(ErrorOf(ReadA("{\"a\": [1,\n2]}", "int")),
              HasSubstr("line 1: malformed JSON record: the record is not closed at the end of "
                        "its line"));
  EXPECT_THAT(ErrorOf(ReadA("{\"a\": \"x", "int")), HasSubstr("the input ends inside the record"));
}

TEST(JsonLinesReaderTest, SkipMalformedYieldsNullRowsAndCounts) {
  JsonReaderOptions options;
  options.skip_malformed = true;
  auto reader = *JsonLinesReader::Open(
      std::make_unique<StringSource>("{\"a\": 1}\nnot json\n{\"a\": \"x\"}\n{\"a\": 4"),
      {Spec("a", "int")}, options);
  std::vector<Column> columns;
  EXPECT_EQ(*reader->ReadBatch(10, &columns), 4u);
  EXPECT_EQ(columns[0].i32[0], 1);
  EXPECT_TRUE(columns[0].is_null(1) && columns[0].is_null(2) && columns[0].is_null(3));
  EXPECT_EQ(reader->malformed_records(), 3u);
  EXPECT_THAT(reader->first_malformed().message(), HasSubstr("memory: line 2: malformed JSON"));
}

TEST(JsonLinesReaderTest, MalformedRecordResynchronisesAtTheNextLine) {
  JsonReaderOptions options;
  options.skip_malformed = true;
  EXPECT_THAT(
      *ReadA("{\"a\": 1]}} {\"a\": 9}\n{\"a\": 2}{\"a\": 3]{\"a\": 4}\n{\"a\": 5}", "int", options),
      ElementsAre("null", "2", "null", "4", "5"));
}

TEST(JsonLinesReaderTest, SkippingTheRestOfALineOutlastsBufferRefills) {
  JsonReaderOptions options;
  options.skip_malformed = true;
  for (options.buffer_bytes = 4; options.buffer_bytes < 24; ++options.buffer_bytes) {
    EXPECT_THAT(*ReadA("{\"a\": ]garbage{\"a\": 1}\n{\"a\": 2}", "int", options),
                ElementsAre("null", "2"))
        << options.buffer_bytes;
  }
}

TEST(JsonLinesReaderTest, SkipMalformedRollsBackAHalfWrittenRow) {
  JsonReaderOptions options;
  options.skip_malformed = true;
  const auto rows = ReadRows(R"({"a": [1, 2, "x"], "b": "k"} {"a": [3], "b": "m"})",
                             {Spec("b", "string"), Spec("a", "array<int>")}, options);
  EXPECT_THAT(*rows, ElementsAre("null|null", R"("m"|[3])"));
}

TEST(JsonLinesReaderTest, BadRecordAfterRowsIsReportedByTheNextCallAndReadingGoesOn) {
  auto reader = *JsonLinesReader::Open(
      std::make_unique<StringSource>("{\"a\": 1}\n{\"a\": \"x\"}\n{\"a\": 3}"), {Spec("a", "int")});
  std::vector<Column> columns;
  EXPECT_EQ(*reader->ReadBatch(10, &columns), 1u);
  EXPECT_THAT(reader->ReadBatch(10, &columns).status().message(), HasSubstr("line 2: field 'a'"));
  EXPECT_EQ(*reader->ReadBatch(10, &columns), 1u);
  EXPECT_EQ(columns[0].i32[0], 3);
}

TEST(JsonLinesReaderTest, RecordLargerThanTheCapIsAnError) {
  JsonReaderOptions options;
  options.max_record_bytes = 100;
  options.buffer_bytes = 32;
  options.skip_malformed = true;
  const std::string input = "{\"a\": 1}\n{\"a\": \"" + std::string(200, 'x') + "\"}\n";
  const auto rows = ReadA(input, "int", options);
  EXPECT_EQ(rows.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(ErrorOf(rows), HasSubstr("events.json: line 2: JSON record larger than the limit"));
}

TEST(JsonLinesReaderTest, OpenRejectsUnsupportedTypes) {
  const auto open = [](std::string_view type) {
    return JsonLinesReader::Open(std::make_unique<StringSource>(""), {Spec("a", type)}).status();
  };
  EXPECT_EQ(open("binary").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(open("array<decimal(38,2)>").ok());
}

}  // namespace
}  // namespace tarn::formats
