#include "formats/parquet/schema.h"

#include <fmt/format.h>

#include <optional>

namespace tarn::formats::parquet {

using format::ConvertedType;
using format::FieldRepetitionType;
using format::SchemaElement;
using format::Type;

namespace {

SchemaElement Group(const std::string& name, FieldRepetitionType::type repetition, int children) {
  SchemaElement e;
  e.__set_name(name);
  e.__set_repetition_type(repetition);
  e.__set_num_children(children);
  return e;
}

SchemaElement Leaf(const std::string& name, FieldRepetitionType::type repetition, Type::type type) {
  SchemaElement e;
  e.__set_name(name);
  e.__set_repetition_type(repetition);
  e.__set_type(type);
  return e;
}

// Bytes of two's complement needed for any `precision`-digit value: the smallest n with
// 2^(8n-1) > 10^precision.
int DecimalBytes(int precision) {
  unsigned __int128 limit = 1;
  for (int i = 0; i < precision; ++i) limit *= 10;
  int bytes = 1;
  while (bytes < 16 && (static_cast<unsigned __int128>(1) << (8 * bytes - 1)) < limit) ++bytes;
  return bytes;
}

class Builder {
 public:
  explicit Builder(ParquetSchema* out) : out_(out) {}

  Status Add(const std::string& name, const DataType& type, FieldRepetitionType::type repetition,
             int16_t def, int16_t rep, std::vector<std::string> path, SchemaNode* node) {
    node->name = name;
    node->repetition = repetition;
    node->type = type;
    if (repetition != FieldRepetitionType::REQUIRED) ++def;
    if (repetition == FieldRepetitionType::REPEATED) ++rep;
    node->def_level = def;
    node->rep_level = rep;
    path.push_back(name);
    switch (type.kind) {
      case TypeKind::kStruct: {
        out_->elements.push_back(Group(name, repetition, static_cast<int>(type.children.size())));
        for (const Field& field : type.children) {
          node->children.emplace_back();
          TARN_RETURN_IF_ERROR(Add(field.name, field.type, FieldRepetitionType::OPTIONAL, def, rep,
                                   path, &node->children.back()));
        }
        return Status::Ok();
      }
      case TypeKind::kArray: {
        SchemaElement list = Group(name, repetition, 1);
        list.__set_converted_type(ConvertedType::LIST);
        format::LogicalType logical;
        logical.__set_LIST(format::ListType());
        list.__set_logicalType(logical);
        out_->elements.push_back(list);
        out_->elements.push_back(Group("list", FieldRepetitionType::REPEATED, 1));
        SchemaNode repeated;
        repeated.name = "list";
        repeated.repetition = FieldRepetitionType::REPEATED;
        repeated.def_level = static_cast<int16_t>(def + 1);
        repeated.rep_level = static_cast<int16_t>(rep + 1);
        repeated.children.emplace_back();
        path.push_back("list");
        TARN_RETURN_IF_ERROR(Add("element", type.children[0].type, FieldRepetitionType::OPTIONAL,
                                 repeated.def_level, repeated.rep_level, path,
                                 &repeated.children.back()));
        node->children.push_back(std::move(repeated));
        node->three_level = true;
        return Status::Ok();
      }
      case TypeKind::kMap: {
        SchemaElement map = Group(name, repetition, 1);
        map.__set_converted_type(ConvertedType::MAP);
        format::LogicalType logical;
        logical.__set_MAP(format::MapType());
        map.__set_logicalType(logical);
        out_->elements.push_back(map);
        out_->elements.push_back(Group("key_value", FieldRepetitionType::REPEATED, 2));
        SchemaNode repeated;
        repeated.name = "key_value";
        repeated.repetition = FieldRepetitionType::REPEATED;
        repeated.def_level = static_cast<int16_t>(def + 1);
        repeated.rep_level = static_cast<int16_t>(rep + 1);
        path.push_back("key_value");
        repeated.children.resize(2);
        TARN_RETURN_IF_ERROR(Add("key", type.children[0].type, FieldRepetitionType::REQUIRED,
                                 repeated.def_level, repeated.rep_level, path,
                                 &repeated.children[0]));
        TARN_RETURN_IF_ERROR(Add("value", type.children[1].type, FieldRepetitionType::OPTIONAL,
                                 repeated.def_level, repeated.rep_level, path,
                                 &repeated.children[1]));
        node->children.push_back(std::move(repeated));
        return Status::Ok();
      }
      default:
        break;
    }
    node->is_leaf = true;
    node->leaf_index = static_cast<int>(out_->leaves.size());
    LeafColumn leaf;
    leaf.path = path;
    leaf.max_def = def;
    leaf.max_rep = rep;
    leaf.type = type;
    SchemaElement e = Leaf(name, repetition, Type::INT32);
    format::LogicalType logical;
    switch (type.kind) {
      case TypeKind::kBoolean:
        e.__set_type(Type::BOOLEAN);
        break;
      case TypeKind::kTinyInt:
      case TypeKind::kSmallInt: {
        const bool tiny = type.kind == TypeKind::kTinyInt;
        e.__set_converted_type(tiny ? ConvertedType::INT_8 : ConvertedType::INT_16);
        format::IntType int_type;
        int_type.__set_bitWidth(tiny ? 8 : 16);
        int_type.__set_isSigned(true);
        logical.__set_INTEGER(int_type);
        e.__set_logicalType(logical);
        break;
      }
      case TypeKind::kInt:
        break;
      case TypeKind::kBigInt:
        e.__set_type(Type::INT64);
        break;
      case TypeKind::kFloat:
        e.__set_type(Type::FLOAT);
        break;
      case TypeKind::kDouble:
        e.__set_type(Type::DOUBLE);
        break;
      case TypeKind::kDecimal: {
        // INT32 up to 9 digits, INT64 up to 18, then the fewest bytes of big-endian two's
        // complement that hold `precision` digits (16 for 38).
        if (type.precision <= 9) {
          e.__set_type(Type::INT32);
        } else if (type.precision <= 18) {
          e.__set_type(Type::INT64);
        } else {
          e.__set_type(Type::FIXED_LEN_BYTE_ARRAY);
          e.__set_type_length(DecimalBytes(type.precision));
          leaf.type_length = e.type_length;
        }
        e.__set_converted_type(ConvertedType::DECIMAL);
        e.__set_precision(type.precision);
        e.__set_scale(type.scale);
        format::DecimalType decimal;
        decimal.__set_precision(type.precision);
        decimal.__set_scale(type.scale);
        logical.__set_DECIMAL(decimal);
        e.__set_logicalType(logical);
        if (type.precision <= 9) leaf.conversion = LeafConversion::kInt32ToInt64;
        break;
      }
      case TypeKind::kString:
      case TypeKind::kVarchar:
      case TypeKind::kChar:
        e.__set_type(Type::BYTE_ARRAY);
        e.__set_converted_type(ConvertedType::UTF8);
        logical.__set_STRING(format::StringType());
        e.__set_logicalType(logical);
        break;
      case TypeKind::kBinary:
        e.__set_type(Type::BYTE_ARRAY);
        break;
      case TypeKind::kDate:
        e.__set_converted_type(ConvertedType::DATE);
        logical.__set_DATE(format::DateType());
        e.__set_logicalType(logical);
        break;
      case TypeKind::kTimestamp: {
        e.__set_type(Type::INT64);
        e.__set_converted_type(ConvertedType::TIMESTAMP_MICROS);
        format::TimestampType ts;
        // Hive timestamps have no time zone: local semantics, not adjusted to UTC.
        ts.__set_isAdjustedToUTC(false);
        format::TimeUnit unit;
        unit.__set_MICROS(format::MicroSeconds());
        ts.__set_unit(unit);
        logical.__set_TIMESTAMP(ts);
        e.__set_logicalType(logical);
        break;
      }
      default:
        break;
    }
    leaf.physical = static_cast<Type::type>(e.type);
    out_->elements.push_back(e);
    out_->leaves.push_back(std::move(leaf));
    return Status::Ok();
  }

 private:
  ParquetSchema* out_;
};

// Reads the footer's depth-first element list back into trees.
class Reader {
 public:
  Reader(const std::vector<SchemaElement>& elements, ParquetSchema* out)
      : elements_(elements), out_(out) {}

  Status Read() {
    if (elements_.empty()) return Corruption("Parquet schema is empty");
    const SchemaElement& root = elements_[0];
    if (!root.__isset.num_children || root.num_children < 0) {
      return Corruption("Parquet schema root has no children count");
    }
    pos_ = 1;
    for (int i = 0; i < root.num_children; ++i) {
      SchemaNode node;
      TARN_RETURN_IF_ERROR(ReadNode(0, 0, {}, &node));
      out_->schema.push_back(Field{node.name, node.type});
      out_->fields.push_back(std::move(node));
    }
    if (pos_ != elements_.size()) {
      return Corruption(fmt::format("Parquet schema has {} elements but the tree uses {}",
                                    elements_.size(), pos_));
    }
    return Status::Ok();
  }

 private:
  Status ReadNode(int16_t def, int16_t rep, std::vector<std::string> path, SchemaNode* node) {
    if (pos_ >= elements_.size()) return Corruption("Parquet schema ends inside a group");
    if (++depth_ > 64) return Corruption("Parquet schema nested more than 64 levels");
    const SchemaElement& e = elements_[pos_++];
    node->name = e.name;
    const int32_t repetition =
        e.__isset.repetition_type ? e.repetition_type : FieldRepetitionType::OPTIONAL;
    if (repetition < FieldRepetitionType::REQUIRED || repetition > FieldRepetitionType::REPEATED) {
      return Corruption(
          fmt::format("Parquet column '{}' has unknown repetition {}", e.name, repetition));
    }
    node->repetition = static_cast<FieldRepetitionType::type>(repetition);
    if (node->repetition != FieldRepetitionType::REQUIRED) ++def;
    if (node->repetition == FieldRepetitionType::REPEATED) ++rep;
    node->def_level = def;
    node->rep_level = rep;
    path.push_back(e.name);
    const bool group = e.__isset.num_children && e.num_children > 0;
    if (group) {
      if (static_cast<size_t>(e.num_children) > elements_.size() - pos_) {
        return Corruption(
            fmt::format("Parquet schema group '{}' claims {} children", e.name, e.num_children));
      }
      for (int i = 0; i < e.num_children; ++i) {
        node->children.emplace_back();
        TARN_RETURN_IF_ERROR(ReadNode(def, rep, path, &node->children.back()));
      }
      TARN_RETURN_IF_ERROR(TypeGroup(e, node));
    } else {
      TARN_RETURN_IF_ERROR(TypeLeaf(e, def, rep, path, node));
    }
    --depth_;
    return Status::Ok();
  }

  Status TypeGroup(const SchemaElement& e, SchemaNode* node) {
    const bool is_list = (e.__isset.converted_type && e.converted_type == ConvertedType::LIST) ||
                         (e.__isset.logicalType && e.logicalType.__isset.LIST);
    const bool is_map =
        (e.__isset.converted_type && (e.converted_type == ConvertedType::MAP ||
                                      e.converted_type == ConvertedType::MAP_KEY_VALUE)) ||
        (e.__isset.logicalType && e.logicalType.__isset.MAP);
    if (is_list && node->children.size() == 1 &&
        node->children[0].repetition == FieldRepetitionType::REPEATED) {
      const SchemaNode& repeated = node->children[0];
      // Three-level form: the repeated group holds exactly one element field; otherwise the
      // repeated field itself is the element (two-level form).
      if (!repeated.is_leaf && repeated.children.size() == 1 && repeated.name != "array" &&
          repeated.name != node->name + "_tuple") {
        node->type = DataType::Array(repeated.children[0].type);
        node->three_level = true;
      } else {
        // The repeated node's own type is already wrapped as an array of its element.
        node->type = repeated.type;
      }
      return Status::Ok();
    }
    if (is_map && node->children.size() == 1 && node->children[0].children.size() == 2 &&
        node->children[0].repetition == FieldRepetitionType::REPEATED) {
      node->type =
          DataType::Map(node->children[0].children[0].type, node->children[0].children[1].type);
      return Status::Ok();
    }
    if (is_list || is_map) {
      return InvalidArgument(fmt::format("Parquet column '{}': unsupported {} layout", e.name,
                                         is_list ? "LIST" : "MAP"));
    }
    std::vector<Field> fields;
    for (const SchemaNode& child : node->children) fields.push_back(Field{child.name, child.type});
    node->type = DataType::Struct(std::move(fields));
    if (node->repetition == FieldRepetitionType::REPEATED) node->type = DataType::Array(node->type);
    return Status::Ok();
  }

  Status TypeLeaf(const SchemaElement& e, int16_t def, int16_t rep,
                  const std::vector<std::string>& path, SchemaNode* node) {
    if (!e.__isset.type) return Corruption(fmt::format("Parquet column '{}' has no type", e.name));
    if (e.type < Type::BOOLEAN || e.type > Type::FIXED_LEN_BYTE_ARRAY) {
      return Corruption(
          fmt::format("Parquet column '{}' has unknown physical type {}", e.name, e.type));
    }
    LeafColumn leaf;
    leaf.path = path;
    leaf.physical = static_cast<Type::type>(e.type);
    leaf.type_length = e.__isset.type_length ? e.type_length : 0;
    leaf.max_def = def;
    leaf.max_rep = rep;
    const bool has_logical = e.__isset.logicalType;
    const format::LogicalType& logical = e.logicalType;
    const bool has_converted = e.__isset.converted_type;
    const auto converted = e.converted_type;
    auto decimal = [&]() -> std::optional<DataType> {
      int precision = 0, scale = 0;
      if (has_logical && logical.__isset.DECIMAL) {
        precision = logical.DECIMAL.precision;
        scale = logical.DECIMAL.scale;
      } else if (has_converted && converted == ConvertedType::DECIMAL) {
        precision = e.precision;
        scale = e.scale;
      } else {
        return std::nullopt;
      }
      return DataType::Decimal(precision, scale);
    };
    DataType type;
    switch (e.type) {
      case Type::BOOLEAN:
        type = DataType::Of(TypeKind::kBoolean);
        break;
      case Type::INT32: {
        if (auto d = decimal()) {
          type = *d;
          leaf.conversion = LeafConversion::kInt32ToInt64;
        } else if ((has_logical && logical.__isset.DATE) ||
                   (has_converted && converted == ConvertedType::DATE)) {
          type = DataType::Of(TypeKind::kDate);
        } else if (has_logical && logical.__isset.INTEGER) {
          const auto& i = logical.INTEGER;
          if (!i.isSigned && i.bitWidth == 32) {
            type = DataType::Of(TypeKind::kBigInt);
            leaf.conversion = LeafConversion::kUInt32ToInt64;
          } else if (i.bitWidth == 8 && i.isSigned) {
            type = DataType::Of(TypeKind::kTinyInt);
          } else if (i.bitWidth <= 16) {
            type = DataType::Of(i.isSigned ? TypeKind::kSmallInt : TypeKind::kInt);
          } else {
            type = DataType::Of(TypeKind::kInt);
          }
        } else if (has_converted && converted == ConvertedType::INT_8) {
          type = DataType::Of(TypeKind::kTinyInt);
        } else if (has_converted && converted == ConvertedType::INT_16) {
          type = DataType::Of(TypeKind::kSmallInt);
        } else if (has_converted && converted == ConvertedType::UINT_32) {
          type = DataType::Of(TypeKind::kBigInt);
          leaf.conversion = LeafConversion::kUInt32ToInt64;
        } else {
          type = DataType::Of(TypeKind::kInt);
        }
        break;
      }
      case Type::INT64: {
        if (auto d = decimal()) {
          type = *d;
        } else if (has_logical && logical.__isset.TIMESTAMP) {
          type = DataType::Of(TypeKind::kTimestamp);
          const auto& unit = logical.TIMESTAMP.unit;
          if (unit.__isset.MILLIS) leaf.conversion = LeafConversion::kMillisToMicros;
          if (unit.__isset.NANOS) leaf.conversion = LeafConversion::kNanosToMicros;
        } else if (has_converted && converted == ConvertedType::TIMESTAMP_MILLIS) {
          type = DataType::Of(TypeKind::kTimestamp);
          leaf.conversion = LeafConversion::kMillisToMicros;
        } else if (has_converted && converted == ConvertedType::TIMESTAMP_MICROS) {
          type = DataType::Of(TypeKind::kTimestamp);
        } else {
          type = DataType::Of(TypeKind::kBigInt);
        }
        break;
      }
      case Type::INT96:
        type = DataType::Of(TypeKind::kTimestamp);
        leaf.conversion = LeafConversion::kInt96Timestamp;
        break;
      case Type::FLOAT:
        type = DataType::Of(TypeKind::kFloat);
        break;
      case Type::DOUBLE:
        type = DataType::Of(TypeKind::kDouble);
        break;
      case Type::BYTE_ARRAY:
      case Type::FIXED_LEN_BYTE_ARRAY: {
        if (auto d = decimal()) {
          type = *d;
          leaf.conversion = LeafConversion::kDecimalBytes;
        } else if ((has_logical &&
                    (logical.__isset.STRING || logical.__isset.JSON || logical.__isset.ENUM)) ||
                   (has_converted &&
                    (converted == ConvertedType::UTF8 || converted == ConvertedType::JSON ||
                     converted == ConvertedType::ENUM))) {
          type = DataType::Of(TypeKind::kString);
        } else {
          type = DataType::Of(TypeKind::kBinary);
        }
        break;
      }
    }
    if (type.kind == TypeKind::kDecimal) {
      const int most = e.type == Type::INT32 ? 9 : e.type == Type::INT64 ? 18 : 38;
      if (type.precision < 1 || type.precision > most || type.scale < 0 ||
          type.scale > type.precision) {
        return InvalidArgument(fmt::format(
            "Parquet column '{}': decimal({},{}) is not valid for its physical type (at most {} "
            "digits)",
            e.name, type.precision, type.scale, most));
      }
    }
    leaf.type = type;
    node->is_leaf = true;
    node->leaf_index = static_cast<int>(out_->leaves.size());
    node->type = node->repetition == FieldRepetitionType::REPEATED ? DataType::Array(type) : type;
    out_->leaves.push_back(std::move(leaf));
    return Status::Ok();
  }

  const std::vector<SchemaElement>& elements_;
  ParquetSchema* out_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<ParquetSchema> MakeParquetSchema(const Schema& schema) {
  ParquetSchema out;
  out.schema = schema;
  SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(static_cast<int>(schema.size()));
  out.elements.push_back(root);
  Builder builder(&out);
  for (const Field& field : schema) {
    out.fields.emplace_back();
    TARN_RETURN_IF_ERROR(builder.Add(field.name, field.type, FieldRepetitionType::OPTIONAL, 0, 0,
                                     {}, &out.fields.back()));
  }
  return out;
}

Result<ParquetSchema> ReadParquetSchema(const std::vector<SchemaElement>& elements) {
  ParquetSchema out;
  out.elements = elements;
  Reader reader(elements, &out);
  TARN_RETURN_IF_ERROR(reader.Read());
  return out;
}

}  // namespace tarn::formats::parquet
