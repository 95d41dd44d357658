#include "delivery/serde_rewrite.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/civil_time.h"
#include "common/json_text.h"

namespace tarn::delivery {
namespace {

// Epoch milliseconds taken as a "millis" timestamp: years 1..9999 stay within this.
constexpr int64_t kMaxMillis = 253'402'300'800'000;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void AppendKey(std::string* out, std::string_view key, bool convert_dots) {
  if (!convert_dots || key.find('.') == std::string_view::npos) {
    AppendJsonString(out, key);
    return;
  }
  std::string renamed(key);
  std::replace(renamed.begin(), renamed.end(), '.', '_');
  AppendJsonString(out, renamed);
}

void AppendValue(std::string* out, simdjson::dom::element value, bool convert_dots) {
  if (value.is_object()) {
    out->push_back('{');
    bool first = true;
    for (auto [key, child] : simdjson::dom::object(value)) {
      if (!first) out->push_back(',');
      first = false;
      AppendKey(out, key, convert_dots);
      out->push_back(':');
      AppendValue(out, child, convert_dots);
    }
    out->push_back('}');
  } else if (value.is_array()) {
    out->push_back('[');
    bool first = true;
    for (simdjson::dom::element child : simdjson::dom::array(value)) {
      if (!first) out->push_back(',');
      first = false;
      AppendValue(out, child, convert_dots);
    }
    out->push_back(']');
  } else {
    out->append(simdjson::minify(value));
  }
}

}  // namespace

std::vector<std::string_view> SplitJsonValues(std::string_view data) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (i < data.size()) {
    while (i < data.size() && is_space(data[i])) ++i;
    if (i >= data.size()) break;
    if (data[i] != '{' && data[i] != '[') return {data};
    const size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < data.size(); ++i) {
      const char c = data[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          ++i;
          break;
        }
      }
    }
    if (depth != 0 || in_string) return {data};
    parts.push_back(data.substr(start, i - start));
  }
  return parts;
}

Result<SerDeRewrite> SerDeRewrite::Make(bool convert_dots, const std::vector<std::string>& formats,
                                        std::vector<std::string> timestamp_columns,
                                        bool case_insensitive) {
  SerDeRewrite rewrite;
  rewrite.convert_dots_ = convert_dots;
  rewrite.case_insensitive_ = case_insensitive;
  for (const std::string& format : formats) {
    if (format == "millis") {
      rewrite.millis_ = true;
      continue;
    }
    Result<JavaDateFormat> compiled = JavaDateFormat::Compile(format);
    if (!compiled.ok()) {
      return InvalidArgument(fmt::format(
          "TimestampFormats: '{}': {} (tarn takes yyyy MM dd HH mm ss SSS, quoted literals and "
          "\"millis\")",
          format, compiled.status().message()));
    }
    rewrite.formats_.push_back(std::move(*compiled));
  }
  for (std::string& column : timestamp_columns) {
    if (case_insensitive) column = Lower(column);
  }
  rewrite.timestamp_columns_ = std::move(timestamp_columns);
  return rewrite;
}

std::string SerDeRewrite::Apply(std::string_view record) const {
  thread_local simdjson::dom::parser parser;
  std::string out;
  out.reserve(record.size() + 16);
  for (std::string_view part : SplitJsonValues(record)) {
    simdjson::dom::element root;
    if (parser.parse(part.data(), part.size()).get(root) != simdjson::SUCCESS ||
        !root.is_object()) {
      return std::string(record);
    }
    if (!out.empty()) out.push_back(' ');
    out.push_back('{');
    bool first = true;
    for (auto [key, value] : simdjson::dom::object(root)) {
      if (!first) out.push_back(',');
      first = false;
      AppendKey(&out, key, convert_dots_);
      out.push_back(':');
      const std::string name = case_insensitive_ ? Lower(key) : std::string(key);
      std::optional<int64_t> micros;
      if (std::find(timestamp_columns_.begin(), timestamp_columns_.end(), name) !=
          timestamp_columns_.end()) {
        std::string_view text;
        int64_t number = 0;
        if (value.get(text) == simdjson::SUCCESS) {
          for (const JavaDateFormat& format : formats_) {
            if ((micros = format.Parse(text))) break;
          }
          if (!micros && millis_ && !text.empty() &&
              text.find_first_not_of("-0123456789") == std::string_view::npos) {
            int64_t ms = 0;
            if (std::from_chars(text.data(), text.data() + text.size(), ms).ec == std::errc() &&
                ms > -kMaxMillis && ms < kMaxMillis) {
              micros = ms * 1000;
            }
          }
        } else if (millis_ && value.get(number) == simdjson::SUCCESS && number > -kMaxMillis &&
                   number < kMaxMillis) {
          micros = number * 1000;
        }
      }
      if (micros) {
        AppendJsonString(&out, FormatTimestamp(*micros));
      } else {
        AppendValue(&out, value, convert_dots_);
      }
    }
    out.push_back('}');
  }
  return out;
}

}  // namespace tarn::delivery
