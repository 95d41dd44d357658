#include "sql/parser/ddl_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sql/parser/lexer.h"
#include "sql/parser/token_cursor.h"

namespace tarn::sql {
namespace {

using catalog::Column;
using catalog::DdlStatement;
using catalog::PartitionSpec;
using catalog::Properties;
using catalog::QualifiedName;

constexpr char kLazySimpleSerDe[] = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";

// The classes Glue records for each `STORED AS` name.
struct StorageFormat {
  const char* name;
  const char* input_format;
  const char* output_format;
  const char* serde;
};
constexpr StorageFormat kTextFile = {"TEXTFILE", "org.apache.hadoop.mapred.TextInputFormat",
                                     "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                                     kLazySimpleSerDe};
constexpr StorageFormat kStorageFormats[] = {
    {"PARQUET", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
     "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
     "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
    kTextFile,
    {"ORC", "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
     "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
     "org.apache.hadoop.hive.ql.io.orc.OrcSerde"},
    {"AVRO", "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
     "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
     "org.apache.hadoop.hive.serde2.avro.AvroSerDe"},
    {"SEQUENCEFILE", "org.apache.hadoop.mapred.SequenceFileInputFormat",
     "org.apache.hadoop.hive.ql.io.HiveSequenceFileOutputFormat", kLazySimpleSerDe},
    {"RCFILE", "org.apache.hadoop.hive.ql.io.RCFileInputFormat",
     "org.apache.hadoop.hive.ql.io.RCFileOutputFormat",
     "org.apache.hadoop.hive.serde2.columnar.LazyBinaryColumnarSerDe"},
    {"ION", "com.amazon.ionhiveserde.formats.IonInputFormat",
     "com.amazon.ionhiveserde.formats.IonOutputFormat", "com.amazon.ionhiveserde.IonHiveSerDe"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A recursive-descent parser over the tokens of one statement.
class DdlParser : private TokenCursor {
 public:
  explicit DdlParser(std::vector<Token> tokens) : TokenCursor(std::move(tokens)) {}

  Result<DdlStatement> Parse() {
    TARN_ASSIGN_OR_RETURN(DdlStatement statement, Statement());
    AcceptPunctuation(";");
    if (Peek().kind != TokenKind::kEnd) return Expected("end of statement");
    return statement;
  }

 private:
  // ---- Token helpers.

  Status ExpectKeyword(std::string_view keyword) {
    return AcceptKeyword(keyword) ? Status::Ok() : Expected(keyword);
  }
  Status ExpectPunctuation(std::string_view symbol) {
    return AcceptPunctuation(symbol) ? Status::Ok() : Expected(fmt::format("'{}'", symbol));
  }
  Status Expected(std::string_view what) const {
    const Token& found = Peek();
    return InvalidArgument(fmt::format("syntax error at line {}, column {}: expected {}, found {}",
                                       found.line, found.column, what, DescribeToken(found)));
  }
  static Status ErrorAt(const Token& token, std::string_view message) {
    return InvalidArgument(
        fmt::format("line {}, column {}: {}", token.line, token.column, message));
  }

  // ---- Pieces shared by several statements.

  Result<std::string> Identifier(std::string_view what) {
    if (!Peek().IsIdentifier()) return Expected(what);
    return Lower(Next().text);
  }
  Result<QualifiedName> TableName() {
    QualifiedName name;
    TARN_ASSIGN_OR_RETURN(name.name, Identifier("a table name"));
    if (AcceptPunctuation(".")) {
      name.database = std::move(name.name);
      TARN_ASSIGN_OR_RETURN(name.name, Identifier("a table name"));
    }
    return name;
  }
  Result<std::string> String(std::string_view what) {
    if (Peek().kind != TokenKind::kString) return Expected(what);
    return Next().text;
  }
  Result<bool> IfNotExists() {
    if (!AcceptKeyword("IF")) return false;
    TARN_RETURN_IF_ERROR(ExpectKeyword("NOT"));
    TARN_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
    return true;
  }
  Result<bool> IfExists() {
    if (!AcceptKeyword("IF")) return false;
    TARN_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
    return true;
  }
  // ('k'='v', ...), added to `properties` (a repeated key keeps its last value).
  Status PropertyList(Properties& properties) {
    TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
    do {
      TARN_ASSIGN_OR_RETURN(std::string key, String("a property key string"));
      TARN_RETURN_IF_ERROR(ExpectPunctuation("="));
      TARN_ASSIGN_OR_RETURN(properties[key], String("a property value string"));
    } while (AcceptPunctuation(","));
    return ExpectPunctuation(")");
  }
  // (name type [COMMENT 'c'], ...); a name given twice is an error.
  Result<std::vector<Column>> ColumnList() {
    TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
    std::vector<Column> columns;
    do {
      const Token& at = Peek();
      Column column;
      TARN_ASSIGN_OR_RETURN(column.name, Identifier("a column name"));
      for (const Column& other : columns) {
        if (other.name == column.name) {
          return ErrorAt(at, fmt::format("column '{}' appears twice", column.name));
        }
      }
      TARN_ASSIGN_OR_RETURN(column.type, Type());
      if (AcceptKeyword("COMMENT")) {
        TARN_ASSIGN_OR_RETURN(column.comment, String("a comment string"));
      }
      columns.push_back(std::move(column));
    } while (AcceptPunctuation(","));
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    return columns;
  }
  // A Hive type: the tokens up to a ',' or ')' or COMMENT outside brackets are put back
  // together as type text for formats::ParseType, the one type grammar. Struct field comments are
  // dropped (DataType keeps none); quoted field names become backticked.
  Result<formats::DataType> Type() {
    const Token& start = Peek();
    std::string text;
    bool last_was_word = false;
    int depth = 0;
    for (;;) {
      const Token& token = Peek();
      if (token.kind == TokenKind::kEnd) break;
      if (depth == 0 && (token.IsPunctuation(",") || token.IsPunctuation(")") ||
                         token.IsPunctuation(">") || token.IsKeyword("COMMENT"))) {
        break;
      }
      if (token.IsKeyword("COMMENT") && Peek(1).kind == TokenKind::kString) {
        Next();
        Next();
        continue;
      }
      if (token.IsPunctuation("<") || token.IsPunctuation("(")) ++depth;
      if (token.IsPunctuation(">") || token.IsPunctuation(")")) --depth;
      const bool is_word = token.kind != TokenKind::kPunctuation;
      if (is_word && last_was_word) text += ' ';
      last_was_word = is_word;
      switch (token.kind) {
        case TokenKind::kQuotedIdentifier:
          text += "`" + token.text + "`";
          break;
        case TokenKind::kString:
          text += catalog::QuoteString(token.text);
          break;
        default:
          text += token.text;
      }
      Next();
    }
    if (text.empty()) return Expected("a column type");
    auto type = formats::ParseType(text);
    if (!type.ok()) return ErrorAt(start, "invalid type: " + type.status().message());
    return std::move(type).value();
  }
  // (key = value, ...): values are strings or numbers, kept as their text.
  Result<PartitionSpec> PartitionSpecList() {
    TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
    PartitionSpec spec;
    do {
      TARN_ASSIGN_OR_RETURN(std::string key, Identifier("a partition column name"));
      TARN_RETURN_IF_ERROR(ExpectPunctuation("="));
      std::string value = AcceptPunctuation("-") ? "-" : "";
      const Token& token = Peek();
      if (token.kind == TokenKind::kNumber || (value.empty() && token.kind == TokenKind::kString)) {
        value += Next().text;
      } else {
        return Expected("a partition value (a string or a number)");
      }
      spec.values.emplace_back(std::move(key), std::move(value));
    } while (AcceptPunctuation(","));
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    return spec;
  }

  // ---- Statements.

  Result<DdlStatement> Statement() {
    const Token& first = Peek();
    if (AcceptKeyword("CREATE")) return Create();
    if (AcceptKeyword("DROP")) return Drop();
    if (AcceptKeyword("SHOW")) return Show();
    if (AcceptKeyword("DESCRIBE") || AcceptKeyword("DESC")) return Describe();
    if (AcceptKeyword("ALTER")) return Alter();
    if (AcceptKeyword("MSCK")) return Repair();
    if (first.kind == TokenKind::kWord) {
      // Queries (SELECT, WITH, VALUES, TABLE, EXPLAIN) go to the query parser before this one.
      return ErrorAt(first, fmt::format("unknown statement '{}': expected SELECT, WITH, VALUES, "
                                        "EXPLAIN, CREATE, DROP, SHOW, DESCRIBE, ALTER or MSCK",
                                        first.text));
    }
    return Expected("a statement");
  }

  Result<DdlStatement> Create() {
    if (AcceptKeyword("DATABASE") || AcceptKeyword("SCHEMA")) return CreateDatabase();
    if (AcceptKeyword("EXTERNAL")) {
      TARN_RETURN_IF_ERROR(ExpectKeyword("TABLE"));
      return CreateTable();
    }
    if (Peek().IsKeyword("TABLE")) {
      return ErrorAt(Peek(),
                     "CREATE TABLE needs EXTERNAL: Athena creates Hive tables only with CREATE "
                     "EXTERNAL TABLE");
    }
    return Expected("DATABASE, SCHEMA or EXTERNAL TABLE");
  }

  Result<DdlStatement> CreateDatabase() {
    catalog::CreateDatabaseStatement statement;
    TARN_ASSIGN_OR_RETURN(statement.if_not_exists, IfNotExists());
    TARN_ASSIGN_OR_RETURN(statement.name, Identifier("a database name"));
    for (;;) {
      if (AcceptKeyword("COMMENT")) {
        TARN_ASSIGN_OR_RETURN(statement.comment, String("a comment string"));
      } else if (AcceptKeyword("LOCATION")) {
        TARN_ASSIGN_OR_RETURN(statement.location, String("a location string"));
      } else if (AcceptKeyword("WITH")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("DBPROPERTIES"));
        TARN_RETURN_IF_ERROR(PropertyList(statement.properties));
      } else {
        return DdlStatement(std::move(statement));
      }
    }
  }

  Result<DdlStatement> CreateTable() {
    catalog::CreateTableStatement statement;
    catalog::TableDefinition& table = statement.table;
    TARN_ASSIGN_OR_RETURN(statement.if_not_exists, IfNotExists());
    TARN_ASSIGN_OR_RETURN(QualifiedName name, TableName());
    table.database = std::move(name.database);
    table.name = std::move(name.name);
    if (Peek().IsPunctuation("(")) {
      TARN_ASSIGN_OR_RETURN(table.columns, ColumnList());
    }
    const StorageFormat* format = &kTextFile;
    bool has_serde = false, has_input_format = false;
    std::set<std::string> seen;
    for (;;) {
      const Token& clause = Peek();
      if (clause.kind != TokenKind::kWord) break;
      if (!seen.insert(Lower(clause.text)).second) {
        return ErrorAt(clause, fmt::format("{} given twice", clause.text));
      }
      if (AcceptKeyword("COMMENT")) {
        TARN_ASSIGN_OR_RETURN(table.comment, String("a comment string"));
      } else if (AcceptKeyword("PARTITIONED")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("BY"));
        TARN_ASSIGN_OR_RETURN(table.partition_keys, ColumnList());
      } else if (AcceptKeyword("ROW")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("FORMAT"));
        if (AcceptKeyword("SERDE")) {
          TARN_ASSIGN_OR_RETURN(table.serde, String("a SerDe class name string"));
          has_serde = true;
        } else if (AcceptKeyword("DELIMITED")) {
          TARN_RETURN_IF_ERROR(Delimited(table.serde_properties));
        } else {
          return Expected("SERDE or DELIMITED");
        }
      } else if (AcceptKeyword("WITH")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("SERDEPROPERTIES"));
        TARN_RETURN_IF_ERROR(PropertyList(table.serde_properties));
      } else if (AcceptKeyword("STORED")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("AS"));
        if (AcceptKeyword("INPUTFORMAT")) {
          TARN_ASSIGN_OR_RETURN(table.input_format, String("an input format class name string"));
          TARN_RETURN_IF_ERROR(ExpectKeyword("OUTPUTFORMAT"));
          TARN_ASSIGN_OR_RETURN(table.output_format, String("an output format class name string"));
          has_input_format = true;
        } else {
          format = nullptr;
          for (const StorageFormat& candidate : kStorageFormats) {
            if (Peek().IsKeyword(candidate.name)) format = &candidate;
          }
          if (format == nullptr) {
            return Expected(
                "PARQUET, TEXTFILE, ORC, AVRO, SEQUENCEFILE, RCFILE, ION or INPUTFORMAT");
          }
          Next();
        }
      } else if (AcceptKeyword("LOCATION")) {
        TARN_ASSIGN_OR_RETURN(table.location, String("a location string"));
      } else if (AcceptKeyword("TBLPROPERTIES")) {
        TARN_RETURN_IF_ERROR(PropertyList(table.table_properties));
      } else {
        break;
      }
    }
    if (Peek().kind != TokenKind::kEnd && !Peek().IsPunctuation(";")) {
      return Expected(
          "COMMENT, PARTITIONED BY, ROW FORMAT, WITH SERDEPROPERTIES, STORED AS, LOCATION, "
          "TBLPROPERTIES or end of statement");
    }
    for (const Column& key : table.partition_keys) {
      for (const Column& column : table.columns) {
        if (key.name == column.name) {
          return InvalidArgument(
              fmt::format("partition column name repeats a data column: '{}' in table '{}'",
                          key.name, table.name));
        }
      }
    }
    if (has_input_format) {
      if (!has_serde) table.serde = kLazySimpleSerDe;
    } else {
      table.input_format = format->input_format;
      table.output_format = format->output_format;
      if (!has_serde) table.serde = format->serde;
    }
    return DdlStatement(std::move(statement));
  }

  // The clauses after ROW FORMAT DELIMITED, as LazySimpleSerDe properties.
  Status Delimited(Properties& properties) {
    auto terminated_by = [&](const char* property) -> Status {
      TARN_RETURN_IF_ERROR(ExpectKeyword("TERMINATED"));
      TARN_RETURN_IF_ERROR(ExpectKeyword("BY"));
      TARN_ASSIGN_OR_RETURN(properties[property], String("a delimiter string"));
      return Status::Ok();
    };
    for (;;) {
      if (AcceptKeyword("FIELDS")) {
        TARN_RETURN_IF_ERROR(terminated_by("field.delim"));
        if (AcceptKeyword("ESCAPED")) {
          TARN_RETURN_IF_ERROR(ExpectKeyword("BY"));
          TARN_ASSIGN_OR_RETURN(properties["escape.delim"], String("an escape string"));
        }
      } else if (AcceptKeyword("COLLECTION")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("ITEMS"));
        TARN_RETURN_IF_ERROR(terminated_by("collection.delim"));
      } else if (AcceptKeyword("MAP")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("KEYS"));
        TARN_RETURN_IF_ERROR(terminated_by("mapkey.delim"));
      } else if (AcceptKeyword("LINES")) {
        TARN_RETURN_IF_ERROR(terminated_by("line.delim"));
      } else if (AcceptKeyword("NULL")) {
        TARN_RETURN_IF_ERROR(ExpectKeyword("DEFINED"));
        TARN_RETURN_IF_ERROR(ExpectKeyword("AS"));
        TARN_ASSIGN_OR_RETURN(properties["serialization.null.format"], String("a null string"));
      } else {
        return Status::Ok();
      }
    }
  }

  Result<DdlStatement> Drop() {
    if (AcceptKeyword("DATABASE") || AcceptKeyword("SCHEMA")) {
      catalog::DropDatabaseStatement statement;
      TARN_ASSIGN_OR_RETURN(statement.if_exists, IfExists());
      TARN_ASSIGN_OR_RETURN(statement.name, Identifier("a database name"));
      if (AcceptKeyword("CASCADE")) {
        statement.mode = catalog::DropMode::kCascade;
      } else {
        AcceptKeyword("RESTRICT");
      }
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("TABLE")) {
      catalog::DropTableStatement statement;
      TARN_ASSIGN_OR_RETURN(statement.if_exists, IfExists());
      TARN_ASSIGN_OR_RETURN(statement.table, TableName());
      return DdlStatement(std::move(statement));
    }
    return Expected("DATABASE, SCHEMA or TABLE");
  }

  Result<DdlStatement> Show() {
    if (AcceptKeyword("DATABASES") || AcceptKeyword("SCHEMAS")) {
      catalog::ShowDatabasesStatement statement;
      if (AcceptKeyword("LIKE")) {
        TARN_ASSIGN_OR_RETURN(statement.pattern, String("a pattern string"));
      }
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("TABLES")) {
      catalog::ShowTablesStatement statement;
      if (AcceptKeyword("IN") || AcceptKeyword("FROM")) {
        TARN_ASSIGN_OR_RETURN(statement.database, Identifier("a database name"));
      }
      const bool like = AcceptKeyword("LIKE");
      if (like || Peek().kind == TokenKind::kString) {
        TARN_ASSIGN_OR_RETURN(statement.pattern, String("a pattern string"));
      }
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("CREATE")) {
      TARN_RETURN_IF_ERROR(ExpectKeyword("TABLE"));
      catalog::ShowCreateTableStatement statement;
      TARN_ASSIGN_OR_RETURN(statement.table, TableName());
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("PARTITIONS")) {
      catalog::ShowPartitionsStatement statement;
      TARN_ASSIGN_OR_RETURN(statement.table, TableName());
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("TBLPROPERTIES")) {
      catalog::ShowTablePropertiesStatement statement;
      TARN_ASSIGN_OR_RETURN(statement.table, TableName());
      if (AcceptPunctuation("(")) {
        TARN_ASSIGN_OR_RETURN(statement.key, String("a property key string"));
        TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
      }
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("COLUMNS")) {
      if (!AcceptKeyword("FROM") && !AcceptKeyword("IN")) return Expected("FROM or IN");
      catalog::ShowColumnsStatement statement;
      TARN_ASSIGN_OR_RETURN(statement.table, TableName());
      return DdlStatement(std::move(statement));
    }
    return Expected(
        "DATABASES, SCHEMAS, TABLES, CREATE TABLE, PARTITIONS, TBLPROPERTIES or COLUMNS");
  }

  Result<DdlStatement> Describe() {
    catalog::DescribeTableStatement statement;
    // FORMATTED and EXTENDED are modes only when a table name follows them.
    if (Peek(1).IsIdentifier()) {
      if (AcceptKeyword("FORMATTED")) {
        statement.mode = catalog::DescribeMode::kFormatted;
      } else if (AcceptKeyword("EXTENDED")) {
        statement.mode = catalog::DescribeMode::kExtended;
      }
    }
    TARN_ASSIGN_OR_RETURN(statement.table, TableName());
    return DdlStatement(std::move(statement));
  }

  Result<DdlStatement> Alter() {
    TARN_RETURN_IF_ERROR(ExpectKeyword("TABLE"));
    TARN_ASSIGN_OR_RETURN(QualifiedName table, TableName());
    if (AcceptKeyword("ADD")) {
      if (AcceptKeyword("COLUMNS")) {
        catalog::AddColumnsStatement statement{std::move(table), {}};
        TARN_ASSIGN_OR_RETURN(statement.columns, ColumnList());
        return DdlStatement(std::move(statement));
      }
      catalog::AddPartitionsStatement statement{std::move(table), false, {}};
      TARN_ASSIGN_OR_RETURN(statement.if_not_exists, IfNotExists());
      if (!statement.if_not_exists && !Peek().IsKeyword("PARTITION")) {
        return Expected("PARTITION, IF NOT EXISTS or COLUMNS");
      }
      TARN_RETURN_IF_ERROR(ExpectKeyword("PARTITION"));
      do {
        catalog::PartitionToAdd partition;
        TARN_ASSIGN_OR_RETURN(partition.spec, PartitionSpecList());
        if (AcceptKeyword("LOCATION")) {
          TARN_ASSIGN_OR_RETURN(partition.location, String("a location string"));
        }
        statement.partitions.push_back(std::move(partition));
      } while (AcceptKeyword("PARTITION"));
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("DROP")) {
      catalog::DropPartitionsStatement statement{std::move(table), false, {}};
      TARN_ASSIGN_OR_RETURN(statement.if_exists, IfExists());
      do {
        TARN_RETURN_IF_ERROR(ExpectKeyword("PARTITION"));
        TARN_ASSIGN_OR_RETURN(PartitionSpec spec, PartitionSpecList());
        statement.partitions.push_back(std::move(spec));
      } while (AcceptPunctuation(","));
      return DdlStatement(std::move(statement));
    }
    if (AcceptKeyword("SET")) {
      TARN_RETURN_IF_ERROR(ExpectKeyword("TBLPROPERTIES"));
      catalog::SetTablePropertiesStatement statement{std::move(table), {}};
      TARN_RETURN_IF_ERROR(PropertyList(statement.properties));
      return DdlStatement(std::move(statement));
    }
    return Expected("ADD, DROP or SET");
  }

  Result<DdlStatement> Repair() {
    TARN_RETURN_IF_ERROR(ExpectKeyword("REPAIR"));
    TARN_RETURN_IF_ERROR(ExpectKeyword("TABLE"));
    catalog::RepairTableStatement statement;
    TARN_ASSIGN_OR_RETURN(statement.table, TableName());
    return DdlStatement(std::move(statement));
  }
};

}  // namespace

Result<catalog::DdlStatement> ParseDdl(std::string_view sql) {
  TARN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  return DdlParser(std::move(tokens)).Parse();
}

}  // namespace tarn::sql
