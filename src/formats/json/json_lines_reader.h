// JsonLinesReader: reads JSON records from a ByteSource (a file, an object, a decompressor over
// either) and decodes the requested fields of each record straight into Columns of a table
// schema's types, as Hive's and OpenX's JSON SerDes read such files. Built on simdjson (DOM
// parser, reused across records). docs/json-lines.md defines the accepted input and every
// conversion rule; this header states the contract.
//
// Input: JSON objects one a line, or several on a line separated by whitespace or nothing at all
// (`{..}{..}`, as Firehose writes them without a delimiter), or both. Blank lines are skipped; a
// leading UTF-8 byte order mark is skipped; LF and CRLF both end lines. A record must not contain
// a line break (as in Hive and OpenX, which read one record per line): a record left open at the
// end of its line is malformed, and reading resumes on the next line. Text that does not start
// with '{' is, to the end of its line, one malformed record. After a malformed record the rest of
// its line is skipped unless another record ('{') follows directly. Records may be larger than
// the read buffer; memory is bounded by the largest record, capped by `max_record_bytes`.
//
// Values (a missing field and JSON null are NULL for every type):
//   string, varchar(n), char(n)  a JSON string's value; any other JSON value's minified JSON text
//                      (as OpenX does). varchar(n) and char(n) keep the first n code points.
//   tinyint .. bigint  an integer, a number with a zero fraction (3.0, 1e3), or a string holding
//                      one; out of range for the type is an error.
//   float, double      a number, or a string holding one (also "NaN", "Infinity", "-Infinity").
//   boolean            true/false, the strings "true"/"false" in any case, the numbers 0 and 1.
//   decimal(p,s)       stored unscaled (Column::i64 up to 18 digits, Column::i128 beyond): a
//                      number or a string holding one,
//                      rounded half away from zero to s digits; more than p digits is an error.
//   date               "YYYY-MM-DD", or a timestamp string (its UTC date); an integer is days
//                      since 1970-01-01.
//   timestamp          microseconds UTC in Column::i64, from a string
//                      "YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,9}]]][Z|(+|-)hh[[:]mm]]" (digits beyond
//                      microseconds are truncated; an offset is subtracted to give UTC), or an
//                      epoch number, bare or in a string: an integer with absolute value < 1e11 is
//                      epoch seconds, any other integer epoch milliseconds; a number with a
//                      fraction or exponent (1687098472.5) is epoch seconds with a fraction.
//   array<T>           a JSON array, elements converted to T.
//   map<K,V>           a JSON object; its keys converted to K as strings are, values to V.
//   struct<...>        a JSON object; fields matched by name (as top-level fields are).
// A value that cannot be converted ("abc" for an int, a string for an array) is bad data.
//
// Errors: bad data is kCorruption naming the object, the line (1-based) and, when it is not the
// first record of its line, the record's position on the line:
//   "events.json.gz: line 12: malformed JSON record: <reason>"
//   "events.json.gz: line 1, record 3: field 'a.b': cannot convert \"abc\" to int"
// With `skip_malformed`, a bad record (malformed or not convertible) becomes a row of NULLs and is
// counted in malformed_records() instead. A record beyond `max_record_bytes` is always an error
// (kResourceExhausted, naming the line), as are the source's own read errors.
//
// Limitations: integers beyond 64 bits make a record malformed (simdjson rejects them), so wide
// decimals must be written as JSON strings. Numbers reach decimal columns as doubles, so a
// decimal with more than 15 significant digits is exact only when written as a JSON string. Field
// names compare case-insensitively in ASCII only. When a record repeats a field name, the first
// occurrence is read. binary columns are not supported. OpenX's ColumnToJsonKeyMappings is
// expressed by JsonColumnSpec::path.
//
// Thread-safety: none; use one reader per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_source.h"
#include "common/result.h"
#include "formats/column.h"
#include "formats/types.h"

namespace tarn::formats {

// One output column: its name, its type, and where its value is in a record.
struct JsonColumnSpec {
  std::string name;
  DataType type;
  // The JSON keys leading to the value: empty means {name}; {"a", "b"} reads record.a.b (NULL
  // when record.a is missing, null or not an object). OpenX's ColumnToJsonKeyMappings (column
  // -> JSON key) is path = {key}.
  std::vector<std::string> path;
};

struct JsonReaderOptions {
  // Field names (top level, nested paths, struct fields) match regardless of ASCII case, as in
  // OpenX's default `case.insensitive = true`.
  bool case_insensitive = true;
  // OpenX's `ignore.malformed.json`: a bad record becomes a row of NULLs, counted in
  // malformed_records(), instead of failing the read.
  bool skip_malformed = false;
  // The largest record accepted, in bytes.
  size_t max_record_bytes = size_t{64} << 20;
  // The initial read buffer (at least 4 bytes); it grows (to max_record_bytes + 1) only for
  // larger records.
  size_t buffer_bytes = size_t{1} << 20;
};

class JsonLinesReader {
 public:
  // Takes the source and the columns to extract. kInvalidArgument for an unsupported column type
  // (binary, a map key that is not a primitive type), a column with
  // neither name nor path, or a zero buffer or record size. Reads nothing yet.
  static Result<std::unique_ptr<JsonLinesReader>> Open(std::unique_ptr<ByteSource> source,
                                                       std::vector<JsonColumnSpec> columns,
                                                       const JsonReaderOptions& options = {});
  ~JsonLinesReader();
  JsonLinesReader(const JsonLinesReader&) = delete;
  JsonLinesReader& operator=(const JsonLinesReader&) = delete;

  // Reads up to `max_rows` (> 0) records into `out`, which is made one Column per spec, in spec
  // order, and cleared first (its memory is reused when its types already match). Returns the
  // rows read, 0 at the end of the input. A bad record after some rows ends the batch early with
  // those rows, and the next call returns its error; after a bad-data error the reader is
  // positioned after the bad record, so a caller may log it and read on. Read errors and the
  // record size cap end the reading: every later call returns the same error.
  Result<size_t> ReadBatch(size_t max_rows, std::vector<Column>* out);

  // Records seen so far (blank lines are not records), malformed ones included.
  uint64_t records() const;
  // Records turned into NULL rows by skip_malformed.
  uint64_t malformed_records() const;
  // The error the first of those would have raised; OK when there was none.
  const Status& first_malformed() const;
  // Bytes taken from the source so far.
  uint64_t bytes_read() const;
  // The line (1-based) of the last bad record met (malformed or not convertible), 0 if none.
  uint64_t last_bad_line() const;

 private:
  class Impl;
  explicit JsonLinesReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::formats
