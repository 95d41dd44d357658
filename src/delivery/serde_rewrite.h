// SerDeRewrite: what record format conversion does to a record before the JSON reader sees it,
// for the SerDe options the reader has no switch for (docs/streams.md):
//   OpenX ConvertDotsInJsonKeysToUnderscores  "a.b" keys become "a_b", at every level;
//   Hive TimestampFormats                      a top-level value of a timestamp column that
//                                              matches one of the patterns (Joda letters yyyy MM
//                                              dd HH mm ss SSS and quoted literals) or, for
//                                              "millis", is epoch milliseconds, is rewritten as
//                                              "yyyy-MM-dd HH:mm:ss.SSSSSS" (UTC).
// A record is one or more JSON objects; the result is their minified forms separated by
// spaces. A record that is not JSON is returned as it is, for the reader to reject.
// Immutable after Make; Apply is thread-safe (it keeps a parser per thread).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/java_date_format.h"
#include "common/result.h"

namespace tarn::delivery {

class SerDeRewrite {
 public:
  // `timestamp_columns`: the names of the table's timestamp columns. kInvalidArgument naming a
  // pattern that is not supported.
  static Result<SerDeRewrite> Make(bool convert_dots, const std::vector<std::string>& formats,
                                   std::vector<std::string> timestamp_columns,
                                   bool case_insensitive);

  // Whether Apply changes anything at all (no option set: it need not run).
  bool active() const { return convert_dots_ || millis_ || !formats_.empty(); }

  std::string Apply(std::string_view record) const;

 private:
  bool convert_dots_ = false;
  bool millis_ = false;
  bool case_insensitive_ = true;
  std::vector<JavaDateFormat> formats_;
  std::vector<std::string> timestamp_columns_;  // Lower-cased when case-insensitive.
};

// Splits a record into the JSON values it concatenates ("{..}{..}", whitespace between them
// allowed). A record that does not split cleanly comes back whole.
std::vector<std::string_view> SplitJsonValues(std::string_view data);

}  // namespace tarn::delivery
