// Athena's Hive DDL as parsed statements: plain values that sql::ParseDdl produces and the catalog
// executes, one struct per statement and the variant DdlStatement over them; plus
// ShowCreateTable, which prints a table back as DDL.
//
// Names of databases, tables, columns and partition keys are stored lower-case. A database part
// of a qualified name that the statement leaves out is the empty string: the caller supplies its
// current database. Pure values and functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "catalog/catalog.h"

namespace tarn::catalog {

// `[db.]name`; `database` is empty when the statement did not name one.
struct QualifiedName {
  std::string database;
  std::string name;
  friend bool operator==(const QualifiedName&, const QualifiedName&) = default;
};

// `PARTITION (key = value, ...)`: keys lower-case, values as written (a number stays its text).
struct PartitionSpec {
  std::vector<std::pair<std::string, std::string>> values;
  friend bool operator==(const PartitionSpec&, const PartitionSpec&) = default;
};

// CREATE DATABASE|SCHEMA [IF NOT EXISTS] name [COMMENT c] [LOCATION l] [WITH DBPROPERTIES (...)]
struct CreateDatabaseStatement {
  std::string name;
  bool if_not_exists = false;
  std::string comment;
  std::string location;
  Properties properties;
  friend bool operator==(const CreateDatabaseStatement&, const CreateDatabaseStatement&) = default;
};

enum class DropMode { kRestrict, kCascade };

// DROP DATABASE|SCHEMA [IF EXISTS] name [CASCADE|RESTRICT]; RESTRICT is the default.
struct DropDatabaseStatement {
  std::string name;
  bool if_exists = false;
  DropMode mode = DropMode::kRestrict;
  friend bool operator==(const DropDatabaseStatement&, const DropDatabaseStatement&) = default;
};

// SHOW DATABASES|SCHEMAS [LIKE 'pattern']
struct ShowDatabasesStatement {
  std::optional<std::string> pattern;
  friend bool operator==(const ShowDatabasesStatement&, const ShowDatabasesStatement&) = default;
};

// CREATE EXTERNAL TABLE [IF NOT EXISTS] ...; `table` is filled as Glue fills it (formats and SerDe
// from STORED AS / ROW FORMAT, DELIMITED clauses as SerDe properties), created_micros stays 0.
struct CreateTableStatement {
  TableDefinition table;
  bool if_not_exists = false;
  friend bool operator==(const CreateTableStatement&, const CreateTableStatement&) = default;
};

// DROP TABLE [IF EXISTS] [db.]t
struct DropTableStatement {
  QualifiedName table;
  bool if_exists = false;
  friend bool operator==(const DropTableStatement&, const DropTableStatement&) = default;
};

// SHOW TABLES [IN db] ['pattern']
struct ShowTablesStatement {
  std::string database;
  std::optional<std::string> pattern;
  friend bool operator==(const ShowTablesStatement&, const ShowTablesStatement&) = default;
};

// SHOW CREATE TABLE [db.]t
struct ShowCreateTableStatement {
  QualifiedName table;
  friend bool operator==(const ShowCreateTableStatement&,
                         const ShowCreateTableStatement&) = default;
};

enum class DescribeMode { kPlain, kFormatted, kExtended };

// DESCRIBE [FORMATTED|EXTENDED] [db.]t
struct DescribeTableStatement {
  QualifiedName table;
  DescribeMode mode = DescribeMode::kPlain;
  friend bool operator==(const DescribeTableStatement&, const DescribeTableStatement&) = default;
};

// SHOW PARTITIONS [db.]t
struct ShowPartitionsStatement {
  QualifiedName table;
  friend bool operator==(const ShowPartitionsStatement&, const ShowPartitionsStatement&) = default;
};

// SHOW TBLPROPERTIES [db.]t [('key')]
struct ShowTablePropertiesStatement {
  QualifiedName table;
  std::optional<std::string> key;
  friend bool operator==(const ShowTablePropertiesStatement&,
                         const ShowTablePropertiesStatement&) = default;
};

// SHOW COLUMNS {FROM|IN} [db.]t
struct ShowColumnsStatement {
  QualifiedName table;
  friend bool operator==(const ShowColumnsStatement&, const ShowColumnsStatement&) = default;
};

// One `PARTITION (spec) [LOCATION 'l']` of ALTER TABLE ADD PARTITION; location empty if absent.
struct PartitionToAdd {
  PartitionSpec spec;
  std::string location;
  friend bool operator==(const PartitionToAdd&, const PartitionToAdd&) = default;
};

// ALTER TABLE [db.]t ADD [IF NOT EXISTS] PARTITION (...) [LOCATION '...'] [PARTITION ...]
struct AddPartitionsStatement {
  QualifiedName table;
  bool if_not_exists = false;
  std::vector<PartitionToAdd> partitions;
  friend bool operator==(const AddPartitionsStatement&, const AddPartitionsStatement&) = default;
};

// ALTER TABLE [db.]t DROP [IF EXISTS] PARTITION (...) [, PARTITION (...)]
struct DropPartitionsStatement {
  QualifiedName table;
  bool if_exists = false;
  std::vector<PartitionSpec> partitions;
  friend bool operator==(const DropPartitionsStatement&, const DropPartitionsStatement&) = default;
};

// ALTER TABLE [db.]t SET TBLPROPERTIES ('k'='v', ...)
struct SetTablePropertiesStatement {
  QualifiedName table;
  Properties properties;
  friend bool operator==(const SetTablePropertiesStatement&,
                         const SetTablePropertiesStatement&) = default;
};

// ALTER TABLE [db.]t ADD COLUMNS (col type [COMMENT c], ...)
struct AddColumnsStatement {
  QualifiedName table;
  std::vector<Column> columns;
  friend bool operator==(const AddColumnsStatement&, const AddColumnsStatement&) = default;
};

// MSCK REPAIR TABLE [db.]t
struct RepairTableStatement {
  QualifiedName table;
  friend bool operator==(const RepairTableStatement&, const RepairTableStatement&) = default;
};

using DdlStatement =
    std::variant<CreateDatabaseStatement, DropDatabaseStatement, ShowDatabasesStatement,
                 CreateTableStatement, DropTableStatement, ShowTablesStatement,
                 ShowCreateTableStatement, DescribeTableStatement, ShowPartitionsStatement,
                 ShowTablePropertiesStatement, ShowColumnsStatement, AddPartitionsStatement,
                 DropPartitionsStatement, SetTablePropertiesStatement, AddColumnsStatement,
                 RepairTableStatement>;

// Athena DDL for `table`: CREATE EXTERNAL TABLE with its columns, comment, partition keys, SerDe
// and its properties, input/output formats, location and table properties, one clause a line.
// Identifiers that are not plain lower-case words are backticked, strings single-quoted with ''
// escapes. sql::ParseDdl reads the text back to an equal definition (created_micros aside) when
// serde, input_format and output_format are set, as they are for every parsed table.
std::string ShowCreateTable(const TableDefinition& table);

// `name` as DDL writes it: as is when it is a plain lower-case word ([a-z][a-z0-9_]*), otherwise
// in backticks with a backtick doubled.
std::string QuoteIdentifier(std::string_view name);

// `text` as a single-quoted SQL string literal, a quote doubled.
std::string QuoteString(std::string_view text);

}  // namespace tarn::catalog
