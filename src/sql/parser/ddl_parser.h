// The DDL part of tarn's SQL parser: Athena's Hive DDL (CREATE/DROP/SHOW DATABASE, CREATE
// EXTERNAL TABLE, DROP TABLE, SHOW TABLES/CREATE TABLE/PARTITIONS/TBLPROPERTIES/COLUMNS,
// DESCRIBE, ALTER TABLE ADD/DROP PARTITION, SET TBLPROPERTIES, ADD COLUMNS, MSCK REPAIR TABLE)
// into the catalog's statement values (catalog/ddl.h). Pure functions; safe from any thread.
#pragma once

#include <string_view>

#include "catalog/ddl.h"
#include "common/result.h"

namespace tarn::sql {

// Parses one DDL statement, optionally followed by ';'. Names come back lower-case; an omitted
// database is the empty string. Fails with kInvalidArgument: "syntax error at line L, column C:
// expected X, found Y" for text that does not fit the grammar, "unknown statement 'WORD' ..." when
// the first word starts no DDL statement, and messages naming the column or type for a bad
// column type, a duplicate column, a partition column that repeats a data column, and a
// CREATE TABLE without EXTERNAL.
Result<catalog::DdlStatement> ParseDdl(std::string_view sql);

}  // namespace tarn::sql
