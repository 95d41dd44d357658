// Athena's partition projection: a table whose properties say `projection.enabled`='true' has
// its partitions computed from `projection.<col>.*` properties instead of read from the catalog
// (reference: /work/shared/reference/athena-glue.md, section 2). The query planner hands over
// what the WHERE clause says about each partition column and receives the partitions (values
// and locations) that can hold matching rows, without listing storage.
//
// Supported per column (`projection.<col>.type`, case-insensitive):
//   enum      `.values`: a comma list; whitespace is part of the values.
//   integer   `.range` "min,max" (inclusive, may be negative), `.interval` (default 1),
//             `.digits` (zero padding; the width counts a minus sign, as Java's %0Nd does).
//   date      `.format`: a Java DateTimeFormatter subset: yyyy MM dd HH mm ss SSS, 'quoted'
//             literals ('' is a quote) and any other non-letter as itself.
//             `.range` "start,end" in the format or NOW[+-N UNIT]; both bounds are truncated to
//             the format's precision. `.interval` (default 1) of `.interval.unit` (YEARS MONTHS
//             WEEKS DAYS HOURS MINUTES SECONDS MILLISECONDS; default: the format's finest field).
//             Values are generated in UTC as start + k * interval; month steps clamp the day to
//             the month's length without drifting.
//   injected  values come only from equality predicates in the query.
// Location: `storage.location.template` with each ${col} replaced by the value (placeholders may
// repeat; unknown ${...} stay as written), else `<table location>/col1=v1/col2=v2/` with Hive's
// %XX escapes in values.
//
// Thread-safety: a PartitionProjection is immutable after FromTable and may be shared and used
// from any thread; copies are cheap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"

namespace tarn::catalog {

// What the query's WHERE clause says about one partition column, as text literals.
// Unset members say nothing. For integer columns the texts compare as numbers and for date
// columns as instants (parsed with the column's format); a bound that does not parse that way
// compares as a string with the formatted value. Enum and injected columns compare as strings.
struct ProjectionConstraint {
  // col = 'v' / col IN ('v', 'w'): the column equals one of these. Empty means no value can
  // match (e.g. contradictory equalities), which yields no partitions.
  std::optional<std::vector<std::string>> equals;
  std::optional<std::string> min;  // col > min, or col >= min when min_inclusive.
  std::optional<std::string> max;  // col < max, or col <= max when max_inclusive.
  bool min_inclusive = true;
  bool max_inclusive = true;
};

class PartitionProjection {
 public:
  // Athena's cap on the partitions one query may project.
  static constexpr size_t kDefaultLimit = 1'000'000;

  // Reads `table`'s projection properties; `now_micros` (UTC) resolves NOW in date ranges.
  // Returns std::nullopt when projection is off: `projection.enabled` is absent or not 'true'
  // (case-insensitive), or the table has no partition columns. Property names are matched
  // case-insensitively. Fails with kInvalidArgument naming the property when a partition column
  // has no `projection.<col>.type`, a type is unknown, a required property (.values, .range,
  // .format) is missing or malformed, .interval/.interval.unit/.digits are malformed, or
  // `storage.location.template` lacks ${col} for some partition column.
  static Result<std::optional<PartitionProjection>> FromTable(const TableDefinition& table,
                                                              int64_t now_micros);

  // The partitions (values in partition-key order, location) whose values satisfy
  // `constraints` (keyed by partition column name as stored, lower-case; other keys are
  // ignored). Order: the first key varies slowest; within a column, enum values as listed,
  // integers and dates ascending, injected values as given. Predicates outside the projected
  // range yield no partitions, not an error. Fails with kInvalidArgument when an injected column
  // has no equality values, and with kResourceExhausted when more than `limit` partitions match
  // or more than `limit` candidate values of one column would have to be generated.
  Result<std::vector<Partition>> Enumerate(
      const std::map<std::string, ProjectionConstraint>& constraints,
      size_t limit = kDefaultLimit) const;

  struct State;  // The parsed configuration; defined in projection.cc.

 private:
  explicit PartitionProjection(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

}  // namespace tarn::catalog
