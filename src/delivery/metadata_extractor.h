// MetadataExtractor: Firehose's MetadataExtraction processor, the jq query that turns one record
// into the partition keys of dynamic partitioning (docs/metadata-extraction.md).
//
// The query is a jq 1.6 object construction whose keys are known when it is compiled, e.g.
//   {event_name: .name, event_date: .tstamp | split(".")[0] | strptime("%Y-%m-%d %H:%M:%S")
//                                                          | strftime("%Y-%m")}
// Each key's value expression is evaluated on the record and must give exactly one string,
// number or boolean. Queries made only of paths, split, strptime, strftime, tostring and
// ascii_downcase/ascii_upcase run on a fast path (simdjson and the C library); every record the
// fast path is not certain about, including every failing one, runs on libjq, so both paths give
// the same values and the same errors.
//
// Thread-safety: one extractor is not thread-safe; use one per thread (Clone() makes another).
// Different extractors may run at the same time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace tarn::delivery {

inline constexpr size_t kMaxPartitionKeys = 50;

class MetadataExtractor {
 public:
  // Compiles `query` with libjq. kInvalidArgument naming the problem for: a jq syntax or compile
  // error (jq's message included), a query that is not one object construction `{...}`, no keys,
  // more than kMaxPartitionKeys keys, a duplicate key, a computed key (`(.a): ...`, `"\(.a)"`,
  // `$var: ...`), or a builtin that reaches outside the record (env, $ENV, input, debug, ...).
  static Result<std::unique_ptr<MetadataExtractor>> Compile(std::string_view query);

  ~MetadataExtractor();
  MetadataExtractor(const MetadataExtractor&) = delete;
  MetadataExtractor& operator=(const MetadataExtractor&) = delete;

  // Another extractor compiled from the same text, for another thread.
  Result<std::unique_ptr<MetadataExtractor>> Clone() const;

  // The keys the query builds, in query order.
  const std::vector<std::string>& keys() const;
  const std::string& query() const;

  // Runs the query on `record` (one JSON text). On success `*values` holds one string per key,
  // in keys() order: strings as they are, numbers and booleans as jq prints them (`1`, `2.5`,
  // `true`). kInvalidArgument, with a message for the error record, when the record is not one
  // JSON value ("record is not valid JSON: ..."), or for a key whose expression fails ("key
  // 'event_date': jq error: ..."), gives no value or more than one, or gives null, an array or an
  // object. `*values` is unspecified after a failure.
  Status Extract(std::string_view record, std::vector<std::string>* values);

  // True when the query is in the fast path's subset (records may still fall back to libjq).
  bool uses_fast_path() const;

  // Records that went to libjq although the query uses the fast path (failures included).
  size_t fallback_count() const;

  // Runs libjq only, never the fast path: the reference the fast path is tested against.
  Status ExtractWithJq(std::string_view record, std::vector<std::string>* values);

 private:
  struct Impl;
  explicit MetadataExtractor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::delivery
