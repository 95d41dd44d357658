// S3 prefixes of delivery streams, as Firehose evaluates them (docs/firehose-prefixes.md):
// literal text with expressions
//   !{timestamp:<Java DateTimeFormatter pattern>}  the object's time (every occurrence the same)
//   !{firehose:random-string}                       11 random characters, new each occurrence
//   !{firehose:error-output-type}                   ErrorOutputPrefix only
//   !{partitionKeyFromQuery:<key>}                  Prefix only: a key the jq query extracted
// and Firehose's validation rules, each broken rule an error naming it. Partition key values
// come from records, so values that could leave the prefix (/, ., .., control characters, or
// too long) are refused: the caller sends such records to the `partitioning-failed` output.
// Immutable once compiled; safe to share between threads (Evaluate takes its Random).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/java_date_format.h"
#include "common/random.h"
#include "common/result.h"

namespace tarn::delivery {

enum class PrefixKind { kPrefix, kErrorOutputPrefix };

inline constexpr size_t kMaxEvaluatedPrefix = 512;
// The longest folder name (one segment between slashes) a lake folder can hold (NAME_MAX).
inline constexpr size_t kMaxPathSegment = 255;

class PrefixTemplate {
 public:
  // Parses `text`. For kPrefix without a timestamp expression, `!{timestamp:yyyy/MM/dd/HH/}` is
  // appended, as Firehose does. kInvalidArgument names the rule broken and the position.
  static Result<PrefixTemplate> Compile(std::string_view text, PrefixKind kind);

  struct Context {
    int64_t time_micros = 0;             // Arrival of the object's oldest record, UTC.
    std::string_view error_output_type;  // For kErrorOutputPrefix.
    const std::map<std::string, std::string>* partition_keys = nullptr;
    Random* random = nullptr;  // For !{firehose:random-string}.
  };

  // The prefix for one object. Fails (kInvalidArgument) when a partition key is missing or
  // unsafe, or the result passes 512 characters.
  Result<std::string> Evaluate(const Context& context) const;

  bool has_expressions() const { return has_expressions_; }
  bool has_error_output_type() const { return has_error_output_type_; }
  // The keys of !{partitionKeyFromQuery:KEY} in order of first use.
  const std::vector<std::string>& partition_keys() const { return partition_keys_; }

 private:
  enum class PieceKind { kLiteral, kTimestamp, kRandom, kErrorOutputType, kPartitionKey };
  struct Piece {
    PieceKind kind;
    std::string text;  // Literal text, or the partition key name.
    int format = -1;   // Index into formats_ for kTimestamp.
  };
  std::vector<Piece> pieces_;
  std::vector<JavaDateFormat> formats_;
  std::vector<std::string> partition_keys_;
  bool has_expressions_ = false;
  bool has_error_output_type_ = false;
};

// Firehose's rules for a stream's two prefixes together: with expressions in the Prefix (or
// with dynamic partitioning) an ErrorOutputPrefix is required; an ErrorOutputPrefix with
// expressions must contain !{firehose:error-output-type}. `error_prefix` empty means unset.
Status ValidatePrefixPair(const PrefixTemplate& prefix, const std::string& error_prefix_text,
                          const PrefixTemplate* error_prefix, bool dynamic_partitioning);

// True for a partition key value that is safe as one folder name: 1..512 bytes, not "." or
// "..", no '/', no control characters.
bool IsSafePathSegment(std::string_view value);

}  // namespace tarn::delivery
