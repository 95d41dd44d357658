#include "formats/types.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace tarn::formats {

DataType DataType::Array(DataType element) {
  DataType t = Of(TypeKind::kArray);
  t.children.push_back(Field{"element", std::move(element)});
  return t;
}

DataType DataType::Map(DataType key, DataType value) {
  DataType t = Of(TypeKind::kMap);
  t.children.push_back(Field{"key", std::move(key)});
  t.children.push_back(Field{"value", std::move(value)});
  return t;
}

DataType DataType::Struct(std::vector<Field> fields) {
  DataType t = Of(TypeKind::kStruct);
  t.children = std::move(fields);
  return t;
}

bool operator==(const DataType& a, const DataType& b) {
  return a.kind == b.kind && a.precision == b.precision && a.scale == b.scale &&
         a.length == b.length && a.children == b.children;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A recursive-descent parser over the type syntax; positions in errors count from 1.
class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  Result<DataType> ParseWholeType() {
    TARN_ASSIGN_OR_RETURN(DataType type, Type());
    SkipSpace();
    if (pos_ != text_.size()) return Error("end of type");
    return type;
  }

  Result<Schema> ParseColumns() {
    Schema schema;
    std::set<std::string> seen;
    SkipSpace();
    if (pos_ == text_.size()) return InvalidArgument("empty schema: expected 'name type, ...'");
    for (;;) {
      TARN_ASSIGN_OR_RETURN(std::string name, Name());
      if (!seen.insert(Lower(name)).second) {
        return InvalidArgument(fmt::format("column '{}' appears twice in the schema", name));
      }
      SkipSpace();
      TARN_ASSIGN_OR_RETURN(DataType type, Type());
      schema.push_back(Field{std::move(name), std::move(type)});
      SkipSpace();
      if (pos_ == text_.size()) return schema;
      if (!Consume(',')) return Error("',' or end of schema");
    }
  }

 private:
  Result<DataType> Type() {
    SkipSpace();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    if (start == pos_) return Error("a type name");
    const std::string name = Lower(text_.substr(start, pos_ - start));
    static const std::pair<const char*, TypeKind> kSimple[] = {
        {"boolean", TypeKind::kBoolean},     {"tinyint", TypeKind::kTinyInt},
        {"smallint", TypeKind::kSmallInt},   {"int", TypeKind::kInt},
        {"integer", TypeKind::kInt},         {"bigint", TypeKind::kBigInt},
        {"float", TypeKind::kFloat},         {"real", TypeKind::kFloat},
        {"double", TypeKind::kDouble},       {"string", TypeKind::kString},
        {"binary", TypeKind::kBinary},       {"date", TypeKind::kDate},
        {"timestamp", TypeKind::kTimestamp},
    };
    for (const auto& [spelling, kind] : kSimple) {
      if (name == spelling) return DataType::Of(kind);
    }
    if (name == "decimal") {
      int precision = 10, scale = 0;  // Hive's default for a bare `decimal`.
      SkipSpace();
      if (Consume('(')) {
        TARN_ASSIGN_OR_RETURN(precision, Number());
        SkipSpace();
        scale = 0;
        if (Consume(',')) {
          TARN_ASSIGN_OR_RETURN(scale, Number());
        }
        SkipSpace();
        if (!Consume(')')) return Error("')'");
      }
      if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
        return InvalidArgument(
            fmt::format("invalid decimal({},{}): precision must be 1..38 and scale 0..precision",
                        precision, scale));
      }
      return DataType::Decimal(precision, scale);
    }
    if (name == "varchar" || name == "char") {
      SkipSpace();
      if (!Consume('(')) return Error("'(' and a length");
      TARN_ASSIGN_OR_RETURN(int length, Number());
      SkipSpace();
      if (!Consume(')')) return Error("')'");
      const int max = name == "char" ? 255 : 65535;
      if (length < 1 || length > max) {
        return InvalidArgument(
            fmt::format("invalid {}({}): length must be 1..{}", name, length, max));
      }
      DataType t = DataType::Of(name == "char" ? TypeKind::kChar : TypeKind::kVarchar);
      t.length = length;
      return t;
    }
    if (name == "array") {
      if (!Open()) return Error("'<'");
      TARN_ASSIGN_OR_RETURN(DataType element, Type());
      if (!Close()) return Error("'>'");
      return DataType::Array(std::move(element));
    }
    if (name == "map") {
      if (!Open()) return Error("'<'");
      TARN_ASSIGN_OR_RETURN(DataType key, Type());
      if (key.is_nested()) return InvalidArgument("map keys must be of a primitive type");
      SkipSpace();
      if (!Consume(',')) return Error("','");
      TARN_ASSIGN_OR_RETURN(DataType value, Type());
      if (!Close()) return Error("'>'");
      return DataType::Map(std::move(key), std::move(value));
    }
    if (name == "struct") {
      if (!Open()) return Error("'<'");
      std::vector<Field> fields;
      std::set<std::string> seen;
      for (;;) {
        SkipSpace();
        TARN_ASSIGN_OR_RETURN(std::string field, Name());
        if (!seen.insert(Lower(field)).second) {
          return InvalidArgument(fmt::format("struct field '{}' appears twice", field));
        }
        SkipSpace();
        if (!Consume(':')) return Error("':'");
        TARN_ASSIGN_OR_RETURN(DataType type, Type());
        fields.push_back(Field{std::move(field), std::move(type)});
        SkipSpace();
        if (Consume(',')) continue;
        if (!Close()) return Error("',' or '>'");
        return DataType::Struct(std::move(fields));
      }
    }
    return InvalidArgument(
        fmt::format("unknown type '{}' at character {} of '{}'", name, start + 1, text_));
  }

  Result<std::string> Name() {
    SkipSpace();
    if (Consume('`')) {
      const size_t end = text_.find('`', pos_);
      if (end == std::string_view::npos) return Error("closing '`'");
      std::string name(text_.substr(pos_, end - pos_));
      pos_ = end + 1;
      if (name.empty()) return Error("a column name");
      return name;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '_' || text_[pos_] == '$')) {
      ++pos_;
    }
    if (start == pos_) return Error("a name");
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<int> Number() {
    SkipSpace();
    const size_t start = pos_;
    int64_t v = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) &&
           v < 1'000'000) {
      v = v * 10 + (text_[pos_++] - '0');
    }
    if (start == pos_) return Error("a number");
    return static_cast<int>(v);
  }

  bool Open() {
    SkipSpace();
    return Consume('<');
  }
  bool Close() {
    SkipSpace();
    return Consume('>');
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  Status Error(std::string_view expected) const {
    return InvalidArgument(
        fmt::format("expected {} at character {} of '{}'", expected, pos_ + 1, text_));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<DataType> ParseType(std::string_view text) { return TypeParser(text).ParseWholeType(); }

Result<Schema> ParseSchema(std::string_view text) { return TypeParser(text).ParseColumns(); }

std::string TypeName(const DataType& type) {
  switch (type.kind) {
    case TypeKind::kBoolean:
      return "boolean";
    case TypeKind::kTinyInt:
      return "tinyint";
    case TypeKind::kSmallInt:
      return "smallint";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kBigInt:
      return "bigint";
    case TypeKind::kFloat:
      return "float";
    case TypeKind::kDouble:
      return "double";
    case TypeKind::kDecimal:
      return fmt::format("decimal({},{})", type.precision, type.scale);
    case TypeKind::kString:
      return "string";
    case TypeKind::kVarchar:
      return fmt::format("varchar({})", type.length);
    case TypeKind::kChar:
      return fmt::format("char({})", type.length);
    case TypeKind::kBinary:
      return "binary";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kTimestamp:
      return "timestamp";
    case TypeKind::kArray:
      return "array<" + TypeName(type.children[0].type) + ">";
    case TypeKind::kMap:
      return "map<" + TypeName(type.children[0].type) + "," + TypeName(type.children[1].type) + ">";
    case TypeKind::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < type.children.size(); ++i) {
        if (i > 0) out += ",";
        out += type.children[i].name + ":" + TypeName(type.children[i].type);
      }
      return out + ">";
    }
  }
  return "unknown";
}

std::string SchemaToString(const Schema& schema) {
  std::string out;
  for (size_t i = 0; i < schema.size(); ++i) {
    if (i > 0) out += ", ";
    out += schema[i].name + " " + TypeName(schema[i].type);
  }
  return out;
}

}  // namespace tarn::formats
