#include "catalog/ddl.h"

namespace tarn::catalog {
namespace {

bool IsPlainWord(std::string_view name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// TypeName, but with struct field names quoted where they need it.
std::string DdlTypeName(const formats::DataType& type) {
  using formats::TypeKind;
  switch (type.kind) {
    case TypeKind::kArray:
      return "array<" + DdlTypeName(type.children[0].type) + ">";
    case TypeKind::kMap:
      return "map<" + DdlTypeName(type.children[0].type) + "," +
             DdlTypeName(type.children[1].type) + ">";
    case TypeKind::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < type.children.size(); ++i) {
        if (i > 0) out += ",";
        out += QuoteIdentifier(type.children[i].name) + ":" + DdlTypeName(type.children[i].type);
      }
      return out + ">";
    }
    default:
      return formats::TypeName(type);
  }
}

void AppendColumns(const std::vector<Column>& columns, std::string& out) {
  out += "(\n";
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& column = columns[i];
    out += "  " + QuoteIdentifier(column.name) + " " + DdlTypeName(column.type);
    if (!column.comment.empty()) out += " COMMENT " + QuoteString(column.comment);
    out += i + 1 < columns.size() ? ",\n" : ")\n";
  }
}

void AppendProperties(const Properties& properties, std::string& out) {
  out += "(\n";
  size_t i = 0;
  for (const auto& [key, value] : properties) {
    out += "  " + QuoteString(key) + "=" + QuoteString(value);
    out += ++i < properties.size() ? ",\n" : ")\n";
  }
}

}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  if (IsPlainWord(name)) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string ShowCreateTable(const TableDefinition& table) {
  std::string out = "CREATE EXTERNAL TABLE ";
  if (!table.database.empty()) out += QuoteIdentifier(table.database) + ".";
  out += QuoteIdentifier(table.name);
  if (!table.columns.empty()) {
    out += " ";
    AppendColumns(table.columns, out);
  } else {
    out += "\n";
  }
  if (!table.comment.empty()) out += "COMMENT " + QuoteString(table.comment) + "\n";
  if (!table.partition_keys.empty()) {
    out += "PARTITIONED BY ";
    AppendColumns(table.partition_keys, out);
  }
  if (!table.serde.empty()) out += "ROW FORMAT SERDE " + QuoteString(table.serde) + "\n";
  if (!table.serde_properties.empty()) {
    out += "WITH SERDEPROPERTIES ";
    AppendProperties(table.serde_properties, out);
  }
  if (!table.input_format.empty() && !table.output_format.empty()) {
    out += "STORED AS INPUTFORMAT " + QuoteString(table.input_format) + "\n";
    out += "OUTPUTFORMAT " + QuoteString(table.output_format) + "\n";
  }
  if (!table.location.empty()) out += "LOCATION " + QuoteString(table.location) + "\n";
  if (!table.table_properties.empty()) {
    out += "TBLPROPERTIES ";
    AppendProperties(table.table_properties, out);
  }
  return out;
}

}  // namespace tarn::catalog
