// JSON functions over JSON text held in varchar: json_extract_scalar, json_extract,
// json_array_length, json_size, json_parse, json_format. Paths are Trino's simple JSONPath:
// `$`, `.key`, `["key"]`, `['key']`, `[index]`, compiled once when the path is a constant.
// Text that is not JSON gives NULL (json_parse: an error), as in Trino. Parsing is simdjson's
// On-Demand API with one parser per thread; values are read as written (json_extract_scalar
// returns a number's own text, json_extract the value's text without insignificant whitespace).
#include <simdjson.h>

#include "sql/functions/functions_internal.h"

namespace tarn::sql::functions_internal {

namespace {

namespace od = simdjson::ondemand;

FunctionDef Def(std::vector<std::string> names, std::vector<std::string> signatures, BindFn bind) {
  return FunctionDef{std::move(names), std::move(signatures), std::move(bind)};
}

struct PathStep {
  bool is_index = false;
  std::string key;
  uint64_t index = 0;
};
using JsonPath = std::vector<PathStep>;

Status BadPath(std::string_view path) {
  return InvalidArgument("Invalid JSON path: '" + std::string(path) + "'");
}

Result<JsonPath> ParsePath(std::string_view path) {
  JsonPath steps;
  size_t i = 0;
  while (i < path.size() && path[i] == ' ') ++i;
  if (i >= path.size() || path[i] != '$') return BadPath(path);
  ++i;
  while (i < path.size()) {
    PathStep step;
    if (path[i] == '.') {
      ++i;
      const size_t start = i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
      if (i == start) return BadPath(path);
      step.key = std::string(path.substr(start, i - start));
    } else if (path[i] == '[') {
      ++i;
      if (i < path.size() && (path[i] == '"' || path[i] == '\'')) {
        const char quote = path[i++];
        while (i < path.size() && path[i] != quote) {
          if (path[i] == '\\' && i + 1 < path.size()) ++i;
          step.key.push_back(path[i++]);
        }
        if (i >= path.size()) return BadPath(path);
        ++i;
      } else {
        const size_t start = i;
        while (i < path.size() && path[i] >= '0' && path[i] <= '9') {
          step.index = step.index * 10 + static_cast<uint64_t>(path[i] - '0');
          ++i;
        }
        if (i == start || i - start > 18) return BadPath(path);
        step.is_index = true;
      }
      if (i >= path.size() || path[i] != ']') return BadPath(path);
      ++i;
    } else {
      return BadPath(path);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

enum class Extract { kScalar, kJson, kLength, kSize };

thread_local od::parser tls_parser;
thread_local std::string tls_padded;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Appends the minified text of raw JSON.
void AppendMinified(std::string_view raw, Column* out) {
  std::string buffer(raw.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(raw.data(), raw.size(), buffer.data(), length) != simdjson::SUCCESS) {
    out->AppendNull();
    return;
  }
  out->AppendBytes(std::string_view(buffer.data(), length));
}

// Emits what `what` asks of the value `v` (an od::value or an od::document).
template <typename V>
void Emit(V& v, Extract what, Column* out) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) {
    out->AppendNull();
    return;
  }
  switch (what) {
    case Extract::kScalar: {
      std::string_view text;
      if (type == od::json_type::string) {
        if (v.get_string().get(text) != simdjson::SUCCESS) return out->AppendNull();
        return out->AppendBytes(text);
      }
      if (type == od::json_type::number || type == od::json_type::boolean) {
        return out->AppendBytes(TrimRight(v.raw_json_token()));
      }
      return out->AppendNull();
    }
    case Extract::kJson: {
      if (type == od::json_type::object || type == od::json_type::array) {
        std::string_view raw;
        if (type == od::json_type::object) {
          od::object object;
          if (v.get_object().get(object) != simdjson::SUCCESS ||
              object.raw_json().get(raw) != simdjson::SUCCESS) {
            return out->AppendNull();
          }
        } else {
          od::array array;
          if (v.get_array().get(array) != simdjson::SUCCESS ||
              array.raw_json().get(raw) != simdjson::SUCCESS) {
            return out->AppendNull();
          }
        }
        return AppendMinified(raw, out);
      }
      return out->AppendBytes(TrimRight(v.raw_json_token()));
    }
    case Extract::kLength:
    case Extract::kSize: {
      size_t count = 0;
      if (type == od::json_type::array) {
        od::array array;
        if (v.get_array().get(array) != simdjson::SUCCESS ||
            array.count_elements().get(count) != simdjson::SUCCESS) {
          return out->AppendNull();
        }
      } else if (type == od::json_type::object && what == Extract::kSize) {
        od::object object;
        if (v.get_object().get(object) != simdjson::SUCCESS ||
            object.count_fields().get(count) != simdjson::SUCCESS) {
          return out->AppendNull();
        }
      } else if (what == Extract::kLength) {
        return out->AppendNull();
      }
      return out->AppendInt64(static_cast<int64_t>(count));
    }
  }
}

// Follows steps[i..] from `v` and emits the value found, or NULL.
template <typename V>
void Follow(V& v, const JsonPath& steps, size_t i, Extract what, Column* out) {
  if (i == steps.size()) return Emit(v, what, out);
  const PathStep& step = steps[i];
  od::value next;
  if (step.is_index) {
    od::array array;
    if (v.get_array().get(array) != simdjson::SUCCESS) return out->AppendNull();
    uint64_t k = 0;
    for (auto element : array) {
      if (element.error() != simdjson::SUCCESS) return out->AppendNull();
      if (k++ == step.index) {
        next = element.value_unsafe();
        return Follow(next, steps, i + 1, what, out);
      }
    }
    return out->AppendNull();
  }
  od::object object;
  if (v.get_object().get(object) != simdjson::SUCCESS ||
      object.find_field_unordered(step.key).get(next) != simdjson::SUCCESS) {
    return out->AppendNull();
  }
  return Follow(next, steps, i + 1, what, out);
}

void ExtractRow(std::string_view json, const JsonPath& steps, Extract what, Column* out) {
  tls_padded.assign(json);
  tls_padded.append(simdjson::SIMDJSON_PADDING, ' ');
  od::document doc;
  if (tls_parser.iterate(tls_padded.data(), json.size(), tls_padded.size()).get(doc) !=
      simdjson::SUCCESS) {
    return out->AppendNull();
  }
  bool scalar = false;
  if (doc.is_scalar().get(scalar) != simdjson::SUCCESS) return out->AppendNull();
  if (scalar) {
    if (!steps.empty()) return out->AppendNull();
    return Emit(doc, what, out);
  }
  od::value root;
  if (doc.get_value().get(root) != simdjson::SUCCESS) return out->AppendNull();
  Follow(root, steps, 0, what, out);
}

Result<BoundPtr> BindExtract(Extract what, const ScalarBinding& b) {
  const size_t n = what == Extract::kLength ? 1 : 2;
  if (b.arg_types.size() != n) return BoundPtr();
  for (const DataType& t : b.arg_types) {
    if (!IsText(t)) return BoundPtr();
  }
  std::shared_ptr<const JsonPath> constant;
  if (n == 1) {
    constant = std::make_shared<const JsonPath>();
  } else if (const std::optional<std::string> path = ConstantText(b, 1)) {
    TARN_ASSIGN_OR_RETURN(JsonPath steps, ParsePath(*path));
    constant = std::make_shared<const JsonPath>(std::move(steps));
  }
  const DataType type =
      what == Extract::kLength || what == Extract::kSize ? BigintType() : VarcharType();
  return MakeScalar(type, [what, constant](Args args, size_t rows, Column* out) {
    JsonPath row_path;
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      const JsonPath* path = constant.get();
      if (path == nullptr) {
        TARN_ASSIGN_OR_RETURN(row_path, ParsePath(args[1]->string_at(r)));
        path = &row_path;
      }
      ExtractRow(args[0]->string_at(r), *path, what, out);
      return Status::Ok();
    });
  });
}

Result<BoundPtr> BindJsonParse(const ScalarBinding& b) {
  if (b.arg_types.size() != 1 || !IsText(b.arg_types[0])) return BoundPtr();
  return MakeScalar(VarcharType(), [](Args args, size_t rows, Column* out) {
    thread_local simdjson::dom::parser parser;
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      const std::string_view text = args[0]->string_at(r);
      simdjson::dom::element element;
      if (parser.parse(text.data(), text.size()).get(element) != simdjson::SUCCESS) {
        return InvalidArgument("Cannot convert value to JSON: '" + std::string(text) + "'");
      }
      AppendMinified(text, out);
      return Status::Ok();
    });
  });
}

}  // namespace

void AddJsonFunctions(std::vector<FunctionDef>* defs) {
  defs->push_back(
      Def({"json_extract_scalar"},
          {"json_extract_scalar(varchar(x), JsonPath)", "json_extract_scalar(json, JsonPath)"},
          [](const ScalarBinding& b) { return BindExtract(Extract::kScalar, b); }));
  defs->push_back(Def({"json_extract"},
                      {"json_extract(varchar(x), JsonPath)", "json_extract(json, JsonPath)"},
                      [](const ScalarBinding& b) { return BindExtract(Extract::kJson, b); }));
  defs->push_back(Def({"json_array_length"},
                      {"json_array_length(varchar(x))", "json_array_length(json)"},
                      [](const ScalarBinding& b) { return BindExtract(Extract::kLength, b); }));
  defs->push_back(Def({"json_size"},
                      {"json_size(varchar(x), JsonPath)", "json_size(json, JsonPath)"},
                      [](const ScalarBinding& b) { return BindExtract(Extract::kSize, b); }));
  defs->push_back(Def({"json_parse"}, {"json_parse(varchar(x))"}, BindJsonParse));
  defs->push_back(
      Def({"json_format"}, {"json_format(json)"}, [](const ScalarBinding& b) -> Result<BoundPtr> {
        if (b.arg_types.size() != 1 || !IsText(b.arg_types[0])) {
          return BoundPtr();
        }
        return BindCast(b.arg_types[0], VarcharType());
      }));
}

}  // namespace tarn::sql::functions_internal
