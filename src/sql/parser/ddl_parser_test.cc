#include "sql/parser/ddl_parser.h"

#include <gtest/gtest.h>

namespace tarn::sql {
namespace {

using catalog::Column;
using catalog::TableDefinition;
using formats::DataType;
using formats::TypeKind;

// Parses `sql` and returns its statement as a T (default-constructed after a test failure).
template <typename T>
T Parse(std::string_view sql) {
  auto statement = ParseDdl(sql);
  EXPECT_TRUE(statement.ok()) << sql << ": " << statement.status().ToString();
  if (!statement.ok() || !std::holds_alternative<T>(*statement)) {
    ADD_FAILURE() << sql << ": not the expected statement";
    return T{};
  }
  return std::get<T>(*statement);
}

TableDefinition ParseTable(std::string_view sql) {
  return Parse<catalog::CreateTableStatement>(sql).table;
}

std::string ErrorOf(std::string_view sql) {
  auto statement = ParseDdl(sql);
  EXPECT_FALSE(statement.ok()) << sql;
  EXPECT_EQ(statement.status().code(), StatusCode::kInvalidArgument);
  return statement.status().message();
}

constexpr char kEventsJson[] =
    "CREATE EXTERNAL TABLE IF NOT EXISTS events_json (tstamp timestamp, payload string, "
    "payload_md5 string) PARTITIONED BY (name string, d string) ROW FORMAT SERDE "
    "'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/events_raw/json/' TBLPROPERTIES "
    "('EXTERNAL'='true', 'classification'='json');";
constexpr char kEventsParquet[] =
    "CREATE EXTERNAL TABLE IF NOT EXISTS events_parquet (tstamp timestamp, payload string, "
    "payload_md5 string) PARTITIONED BY (name string, d string) ROW FORMAT SERDE "
    "'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' WITH SERDEPROPERTIES "
    "('serialization.format' = '1') STORED AS INPUTFORMAT "
    "'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat' OUTPUTFORMAT "
    "'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat' LOCATION "
    "'s3://lake/events_raw/parquet/' TBLPROPERTIES ('EXTERNAL'='TRUE', "
    "'classification'='parquet');";

// ---- CREATE EXTERNAL TABLE.

TEST(DdlParserTest, SeedJsonTable) {
  auto statement = Parse<catalog::CreateTableStatement>(kEventsJson);
  EXPECT_TRUE(statement.if_not_exists);
  const TableDefinition& t = statement.table;
  EXPECT_EQ(t.database, "");
  EXPECT_EQ(t.name, "events_json");
  EXPECT_EQ(t.columns, (std::vector<Column>{{"tstamp", DataType::Of(TypeKind::kTimestamp), ""},
                                            {"payload", DataType::Of(TypeKind::kString), ""},
                                            {"payload_md5", DataType::Of(TypeKind::kString), ""}}));
  EXPECT_EQ(t.partition_keys, (std::vector<Column>{{"name", DataType::Of(TypeKind::kString), ""},
                                                   {"d", DataType::Of(TypeKind::kString), ""}}));
  EXPECT_EQ(t.serde, "org.openx.data.jsonserde.JsonSerDe");
  EXPECT_EQ(t.input_format, "org.apache.hadoop.mapred.TextInputFormat");
  EXPECT_EQ(t.output_format, "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat");
  EXPECT_EQ(t.location, "s3://lake/events_raw/json/");
  EXPECT_EQ(t.table_properties,
            (catalog::Properties{{"EXTERNAL", "true"}, {"classification", "json"}}));
}

TEST(DdlParserTest, SeedParquetTable) {
  TableDefinition t = ParseTable(kEventsParquet);
  EXPECT_EQ(t.name, "events_parquet");
  EXPECT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.serde, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
  EXPECT_EQ(t.serde_properties, (catalog::Properties{{"serialization.format", "1"}}));
  EXPECT_EQ(t.input_format, "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
  EXPECT_EQ(t.output_format, "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
  EXPECT_EQ(t.location, "s3://lake/events_raw/parquet/");
  EXPECT_EQ(t.table_properties.at("EXTERNAL"), "TRUE");
}

TEST(DdlParserTest, HiveJsonSerDe) {
  TableDefinition t = ParseTable(
      "CREATE EXTERNAL TABLE events_json (tstamp timestamp, payload string) PARTITIONED BY "
      "(name string, d string) ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe' "
      "LOCATION 's3://lake/events_raw/json/'");
  EXPECT_EQ(t.serde, "org.apache.hive.hcatalog.data.JsonSerDe");
  EXPECT_EQ(t.input_format, "org.apache.hadoop.mapred.TextInputFormat");
}

TEST(DdlParserTest, StoredAsParquetSetsFormatsAndSerDe) {
  TableDefinition t = ParseTable(
      "create external table lake.events_parquet (tstamp timestamp) partitioned by (d string) "
      "stored as parquet location 's3://lake/events_raw/parquet/'");
  EXPECT_EQ(t.database, "lake");
  EXPECT_EQ(t.input_format, "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
  EXPECT_EQ(t.output_format, "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
  EXPECT_EQ(t.serde, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
}

TEST(DdlParserTest, TextFileIsTheDefault) {
  TableDefinition t = ParseTable("CREATE EXTERNAL TABLE t (a int)");
  EXPECT_EQ(t.input_format, "org.apache.hadoop.mapred.TextInputFormat");
  EXPECT_EQ(t.output_format, "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat");
  EXPECT_EQ(t.serde, "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
}

TEST(DdlParserTest, NestedTypesCloseWithDoubleAngleBracket) {
  TableDefinition t = ParseTable(
      "CREATE EXTERNAL TABLE t (a array<struct<x:int,y:map<string,array<decimal(10,2)>>>>, "
      "b varchar(10), c char(2))");
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(formats::TypeName(t.columns[0].type),
            "array<struct<x:int,y:map<string,array<decimal(10,2)>>>>");
  EXPECT_EQ(formats::TypeName(t.columns[1].type), "varchar(10)");
  EXPECT_EQ(formats::TypeName(t.columns[2].type), "char(2)");
}

TEST(DdlParserTest, StructFieldCommentsAndQuotedNames) {
  TableDefinition t =
      ParseTable("CREATE EXTERNAL TABLE t (s struct<`Odd Name`:int COMMENT 'why', b:string>)");
  ASSERT_EQ(t.columns.size(), 1u);
  EXPECT_EQ(formats::TypeName(t.columns[0].type), "struct<Odd Name:int,b:string>");
}

TEST(DdlParserTest, ColumnAndTableComments) {
  TableDefinition t =
      ParseTable("CREATE EXTERNAL TABLE t (a int COMMENT 'the a', b string) COMMENT 'a ''table'''");
  EXPECT_EQ(t.columns[0].comment, "the a");
  EXPECT_EQ(t.columns[1].comment, "");
  EXPECT_EQ(t.comment, "a 'table'");
}

TEST(DdlParserTest, NamesAreStoredLowerCase) {
  TableDefinition t = ParseTable("CREATE EXTERNAL TABLE Lake.`Events` (TStamp TIMESTAMP)");
  EXPECT_EQ(t.database, "lake");
  EXPECT_EQ(t.name, "events");
  EXPECT_EQ(t.columns[0].name, "tstamp");
}

TEST(DdlParserTest, DelimitedClausesBecomeSerDeProperties) {
  TableDefinition t = ParseTable(
      "CREATE EXTERNAL TABLE t (a int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' ESCAPED BY "
      "'\\' COLLECTION ITEMS TERMINATED BY '|' MAP KEYS TERMINATED BY ':' LINES TERMINATED BY "
      "'\n' NULL DEFINED AS 'NULL' STORED AS TEXTFILE");
  EXPECT_EQ(t.serde_properties, (catalog::Properties{{"field.delim", ","},
                                                     {"escape.delim", "\\"},
                                                     {"collection.delim", "|"},
                                                     {"mapkey.delim", ":"},
                                                     {"line.delim", "\n"},
                                                     {"serialization.null.format", "NULL"}}));
  EXPECT_EQ(t.serde, "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
}

TEST(DdlParserTest, CreateTableWithoutExternalIsAnError) {
  EXPECT_NE(ErrorOf("CREATE TABLE t (a int)").find("CREATE TABLE needs EXTERNAL"),
            std::string::npos);
}

TEST(DdlParserTest, PartitionColumnRepeatingADataColumnIsAnError) {
  EXPECT_NE(ErrorOf("CREATE EXTERNAL TABLE t (d string) PARTITIONED BY (d string)")
                .find("partition column name repeats a data column: 'd'"),
            std::string::npos);
}

TEST(DdlParserTest, DuplicateColumnIsAnError) {
  EXPECT_NE(ErrorOf("CREATE EXTERNAL TABLE t (a int, A string)").find("column 'a' appears twice"),
            std::string::npos);
}

TEST(DdlParserTest, UnknownTypeNamesItsPlace) {
  EXPECT_NE(ErrorOf("CREATE EXTERNAL TABLE t (a integr)").find("line 1, column 28: invalid type"),
            std::string::npos);
}

TEST(DdlParserTest, SyntaxErrorNamesPlaceExpectationAndToken) {
  EXPECT_EQ(ErrorOf("CREATE EXTERNAL TABLE t\n(a int) STORED AS JSONFILE"),
            "syntax error at line 2, column 19: expected PARQUET, TEXTFILE, ORC, AVRO, "
            "SEQUENCEFILE, RCFILE, ION or INPUTFORMAT, found 'JSONFILE'");
}

TEST(DdlParserTest, UnsupportedTableClauseIsNamed) {
  EXPECT_NE(ErrorOf("CREATE EXTERNAL TABLE t (a int) CLUSTERED BY (a) INTO 4 BUCKETS")
                .find("found 'CLUSTERED'"),
            std::string::npos);
}

TEST(DdlParserTest, ShowCreateTableRoundTrips) {
  for (const char* sql : {kEventsJson, kEventsParquet}) {
    TableDefinition table = ParseTable(sql);
    EXPECT_EQ(ParseTable(catalog::ShowCreateTable(table)), table) << sql;
  }
}

TEST(DdlParserTest, ShowCreateTableQuotesWhatNeedsIt) {
  TableDefinition table = ParseTable(
      "CREATE EXTERNAL TABLE `My Db`.`_t` (`a b` struct<`X y`:int> COMMENT 'it''s', c int) "
      "COMMENT 'c' PARTITIONED BY (`1d` string) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t' "
      "STORED AS ORC TBLPROPERTIES ('k''q'='v')");
  const std::string ddl = catalog::ShowCreateTable(table);
  EXPECT_NE(ddl.find("`my db`.`_t`"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("`a b` struct<`X y`:int> COMMENT 'it''s'"), std::string::npos) << ddl;
  EXPECT_EQ(ParseTable(ddl), table) << ddl;
}

// ---- Databases.

TEST(DdlParserTest, CreateDatabase) {
  auto s = Parse<catalog::CreateDatabaseStatement>(
      "CREATE SCHEMA IF NOT EXISTS Lake COMMENT 'c' LOCATION 's3://lake/' WITH DBPROPERTIES "
      "('creator'='me')");
  EXPECT_EQ(
      s, (catalog::CreateDatabaseStatement{"lake", true, "c", "s3://lake/", {{"creator", "me"}}}));
}

TEST(DdlParserTest, DropDatabase) {
  EXPECT_EQ(Parse<catalog::DropDatabaseStatement>("DROP DATABASE IF EXISTS lake CASCADE;"),
            (catalog::DropDatabaseStatement{"lake", true, catalog::DropMode::kCascade}));
  EXPECT_EQ(Parse<catalog::DropDatabaseStatement>("DROP SCHEMA lake RESTRICT").mode,
            catalog::DropMode::kRestrict);
}

TEST(DdlParserTest, ShowDatabases) {
  EXPECT_FALSE(Parse<catalog::ShowDatabasesStatement>("SHOW DATABASES").pattern.has_value());
  EXPECT_EQ(Parse<catalog::ShowDatabasesStatement>("show schemas like 'la*'").pattern, "la*");
}

// ---- Other table statements.

TEST(DdlParserTest, DropTable) {
  EXPECT_EQ(Parse<catalog::DropTableStatement>("DROP TABLE IF EXISTS lake.events_json"),
            (catalog::DropTableStatement{{"lake", "events_json"}, true}));
}

TEST(DdlParserTest, ShowTables) {
  EXPECT_EQ(Parse<catalog::ShowTablesStatement>("SHOW TABLES IN lake 'events*'"),
            (catalog::ShowTablesStatement{"lake", "events*"}));
  EXPECT_EQ(Parse<catalog::ShowTablesStatement>("SHOW TABLES"), catalog::ShowTablesStatement{});
}

TEST(DdlParserTest, ShowCreateTableStatement) {
  EXPECT_EQ(Parse<catalog::ShowCreateTableStatement>("SHOW CREATE TABLE events_json").table,
            (catalog::QualifiedName{"", "events_json"}));
}

TEST(DdlParserTest, Describe) {
  EXPECT_EQ(Parse<catalog::DescribeTableStatement>("DESCRIBE FORMATTED lake.t"),
            (catalog::DescribeTableStatement{{"lake", "t"}, catalog::DescribeMode::kFormatted}));
  EXPECT_EQ(Parse<catalog::DescribeTableStatement>("DESCRIBE formatted").table.name, "formatted");
}

TEST(DdlParserTest, ShowPartitions) {
  EXPECT_EQ(Parse<catalog::ShowPartitionsStatement>("SHOW PARTITIONS t").table.name, "t");
}

TEST(DdlParserTest, ShowTableProperties) {
  EXPECT_EQ(Parse<catalog::ShowTablePropertiesStatement>("SHOW TBLPROPERTIES t ('classification')"),
            (catalog::ShowTablePropertiesStatement{{"", "t"}, "classification"}));
}

TEST(DdlParserTest, ShowColumns) {
  EXPECT_EQ(Parse<catalog::ShowColumnsStatement>("SHOW COLUMNS IN lake.t").table,
            (catalog::QualifiedName{"lake", "t"}));
  EXPECT_NE(ErrorOf("SHOW COLUMNS t").find("expected FROM or IN, found 't'"), std::string::npos);
}

TEST(DdlParserTest, AddPartitions) {
  auto s = Parse<catalog::AddPartitionsStatement>(
      "ALTER TABLE events_json ADD IF NOT EXISTS PARTITION (name = 'a', d = '2024-01-01') "
      "LOCATION 's3://lake/x/' PARTITION (Name='b', d=-7)");
  EXPECT_TRUE(s.if_not_exists);
  ASSERT_EQ(s.partitions.size(), 2u);
  EXPECT_EQ(s.partitions[0].spec.values,
            (std::vector<std::pair<std::string, std::string>>{{"name", "a"}, {"d", "2024-01-01"}}));
  EXPECT_EQ(s.partitions[0].location, "s3://lake/x/");
  EXPECT_EQ(s.partitions[1].spec.values,
            (std::vector<std::pair<std::string, std::string>>{{"name", "b"}, {"d", "-7"}}));
  EXPECT_EQ(s.partitions[1].location, "");
}

TEST(DdlParserTest, DropPartitions) {
  auto s = Parse<catalog::DropPartitionsStatement>(
      "ALTER TABLE t DROP IF EXISTS PARTITION (d = 1), PARTITION (d = 2)");
  EXPECT_TRUE(s.if_exists);
  ASSERT_EQ(s.partitions.size(), 2u);
  EXPECT_EQ(s.partitions[1].values[0].second, "2");
}

TEST(DdlParserTest, SetTableProperties) {
  EXPECT_EQ(Parse<catalog::SetTablePropertiesStatement>(
                "ALTER TABLE t SET TBLPROPERTIES ('projection.enabled'='true')")
                .properties,
            (catalog::Properties{{"projection.enabled", "true"}}));
}

TEST(DdlParserTest, AddColumns) {
  auto s = Parse<catalog::AddColumnsStatement>(
      "ALTER TABLE t ADD COLUMNS (x bigint COMMENT 'new', y map<string,int>)");
  ASSERT_EQ(s.columns.size(), 2u);
  EXPECT_EQ(s.columns[0], (Column{"x", DataType::Of(TypeKind::kBigInt), "new"}));
  EXPECT_EQ(formats::TypeName(s.columns[1].type), "map<string,int>");
}

TEST(DdlParserTest, MsckRepairTable) {
  EXPECT_EQ(Parse<catalog::RepairTableStatement>("MSCK REPAIR TABLE lake.events_json").table,
            (catalog::QualifiedName{"lake", "events_json"}));
}

// ---- Errors shared by all statements.

TEST(DdlParserTest, UnknownStatementNamesFirstWord) {
  EXPECT_NE(ErrorOf("VACUUM t").find("unknown statement 'VACUUM'"), std::string::npos);
}

TEST(DdlParserTest, TrailingTokensAreAnError) {
  EXPECT_EQ(ErrorOf("SHOW PARTITIONS t; x"),
            "syntax error at line 1, column 20: expected end of statement, found 'x'");
}

TEST(DdlParserTest, EmptyInputIsAnError) {
  EXPECT_EQ(ErrorOf("  -- nothing"),
            "syntax error at line 1, column 13: expected a statement, found end of input");
}

}  // namespace
}  // namespace tarn::sql
