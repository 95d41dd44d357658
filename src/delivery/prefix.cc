#include "delivery/prefix.h"

#include <fmt/format.h>

#include <algorithm>

namespace tarn::delivery {
namespace {

constexpr std::string_view kTimestamp = "timestamp:";
constexpr std::string_view kRandom = "firehose:random-string";
constexpr std::string_view kErrorType = "firehose:error-output-type";
constexpr std::string_view kFromQuery = "partitionKeyFromQuery:";
constexpr std::string_view kFromLambda = "partitionKeyFromLambda:";

std::string_view Name(PrefixKind kind) {
  return kind == PrefixKind::kPrefix ? "Prefix" : "ErrorOutputPrefix";
}

}  // namespace

bool IsSafePathSegment(std::string_view value) {
  if (value.empty() || value.size() > kMaxPathSegment || value == "." || value == "..") {
    return false;
  }
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

Result<PrefixTemplate> PrefixTemplate::Compile(std::string_view text, PrefixKind kind) {
  PrefixTemplate t;
  bool has_timestamp = false;
  size_t pos = 0;
  auto literal = [&](std::string_view s) {
    if (s.empty()) return;
    if (!t.pieces_.empty() && t.pieces_.back().kind == PieceKind::kLiteral) {
      t.pieces_.back().text.append(s);
    } else {
      t.pieces_.push_back({PieceKind::kLiteral, std::string(s), -1});
    }
  };
  while (pos < text.size()) {
    const size_t open = text.find("!{", pos);
    if (open == std::string_view::npos) {
      literal(text.substr(pos));
      break;
    }
    literal(text.substr(pos, open - pos));
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      return InvalidArgument(
          fmt::format("{}: '!{{' at character {} starts no expression: "
                      "expected '!{{namespace:value}}'",
                      Name(kind), open + 1));
    }
    const std::string_view expression = text.substr(open + 2, close - open - 2);
    t.has_expressions_ = true;
    if (expression.rfind(kTimestamp, 0) == 0) {
      Result<JavaDateFormat> format = JavaDateFormat::Compile(expression.substr(kTimestamp.size()));
      if (!format.ok()) {
        return InvalidArgument(
            fmt::format("{}: !{{{}}}: {}", Name(kind), expression, format.status().message()));
      }
      t.formats_.push_back(std::move(*format));
      t.pieces_.push_back({PieceKind::kTimestamp, "", static_cast<int>(t.formats_.size() - 1)});
      has_timestamp = true;
    } else if (expression == kRandom) {
      t.pieces_.push_back({PieceKind::kRandom, "", -1});
    } else if (expression == kErrorType) {
      if (kind == PrefixKind::kPrefix) {
        return InvalidArgument(
            "Prefix: !{firehose:error-output-type} is only allowed in ErrorOutputPrefix");
      }
      t.pieces_.push_back({PieceKind::kErrorOutputType, "", -1});
      t.has_error_output_type_ = true;
    } else if (expression.rfind(kFromQuery, 0) == 0) {
      if (kind == PrefixKind::kErrorOutputPrefix) {
        return InvalidArgument(
            "ErrorOutputPrefix: !{partitionKeyFromQuery:...} is not allowed in ErrorOutputPrefix");
      }
      const std::string key(expression.substr(kFromQuery.size()));
      if (key.empty()) return InvalidArgument("Prefix: !{partitionKeyFromQuery:} names no key");
      t.pieces_.push_back({PieceKind::kPartitionKey, key, -1});
      if (std::find(t.partition_keys_.begin(), t.partition_keys_.end(), key) ==
          t.partition_keys_.end()) {
        t.partition_keys_.push_back(key);
      }
    } else if (expression.rfind(kFromLambda, 0) == 0) {
      return InvalidArgument(fmt::format(
          "{}: !{{{}}}: partitionKeyFromLambda needs a Lambda processor, which tarn does not run",
          Name(kind), expression));
    } else {
      return InvalidArgument(fmt::format(
          "{}: unknown expression !{{{}}} at character {}: expected timestamp:, "
          "firehose:random-string, firehose:error-output-type or partitionKeyFromQuery:",
          Name(kind), expression, open + 1));
    }
    pos = close + 1;
  }
  if (kind == PrefixKind::kPrefix && !has_timestamp) {
    t.formats_.push_back(*JavaDateFormat::Compile("yyyy/MM/dd/HH/"));
    t.pieces_.push_back({PieceKind::kTimestamp, "", static_cast<int>(t.formats_.size() - 1)});
  }
  return t;
}

Result<std::string> PrefixTemplate::Evaluate(const Context& context) const {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (const Piece& piece : pieces_) {
    switch (piece.kind) {
      case PieceKind::kLiteral:
        out += piece.text;
        break;
      case PieceKind::kTimestamp:
        out += formats_[piece.format].Format(context.time_micros);
        break;
      case PieceKind::kRandom:
        for (int i = 0; i < 11; ++i) {
          out.push_back(context.random != nullptr ? kAlphabet[context.random->UniformInt(36)]
                                                  : '0');
        }
        break;
      case PieceKind::kErrorOutputType:
        out += context.error_output_type;
        break;
      case PieceKind::kPartitionKey: {
        const auto* keys = context.partition_keys;
        const auto it = keys != nullptr ? keys->find(piece.text) : decltype(keys->end()){};
        if (keys == nullptr || it == keys->end()) {
          return InvalidArgument(fmt::format("partition key '{}' is missing", piece.text));
        }
        if (!IsSafePathSegment(it->second)) {
          return InvalidArgument(fmt::format(
              "partition key '{}' has a value that is not a safe folder name (empty, '.', '..', "
              "'/', control characters or over {} bytes)",
              piece.text, kMaxPathSegment));
        }
        out += it->second;
        break;
      }
    }
  }
  if (out.size() > kMaxEvaluatedPrefix) {
    return InvalidArgument(fmt::format("the evaluated prefix has {} characters, more than {}",
                                       out.size(), kMaxEvaluatedPrefix));
  }
  // A value that fits on its own can still make a folder name too long with the literal text
  // around it ("name=" + value); the file system would refuse it at delivery time.
  for (size_t begin = 0; begin < out.size();) {
    const size_t end = std::min(out.find('/', begin), out.size());
    if (end - begin > kMaxPathSegment) {
      return InvalidArgument(fmt::format(
          "the evaluated prefix has a folder name of {} bytes, more than {}: '{}…'", end - begin,
          kMaxPathSegment, out.substr(begin, 40)));
    }
    begin = end + 1;
  }
  return out;
}

Status ValidatePrefixPair(const PrefixTemplate& prefix, const std::string& error_prefix_text,
                          const PrefixTemplate* error_prefix, bool dynamic_partitioning) {
  const bool prefix_has_expressions = prefix.has_expressions() || dynamic_partitioning;
  if (prefix_has_expressions && error_prefix_text.empty()) {
    return InvalidArgument(
        "ErrorOutputPrefix is required when Prefix uses expressions or dynamic partitioning");
  }
  if (error_prefix != nullptr && error_prefix->has_expressions() &&
      !error_prefix->has_error_output_type()) {
    return InvalidArgument(
        "ErrorOutputPrefix uses expressions, so it must contain !{firehose:error-output-type}");
  }
  if (dynamic_partitioning && prefix.partition_keys().empty()) {
    return InvalidArgument(
        "Prefix: dynamic partitioning needs at least one !{partitionKeyFromQuery:...}");
  }
  return Status::Ok();
}

}  // namespace tarn::delivery
