// The Glue-style catalog: databases, external tables over the lake, their partitions (docs/
// catalog.md). These are the values the catalog stores and returns; SqliteCatalog (the embedded
// default) keeps them in LAKE/_tarn/catalog.db. Names of databases, tables and columns are
// case-insensitive and stored lower-case, as Glue does.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "formats/types.h"

namespace tarn::catalog {

struct Column {
  std::string name;
  formats::DataType type;
  std::string comment;
  friend bool operator==(const Column&, const Column&) = default;
};

// An ordered map, so that SHOW TBLPROPERTIES and SHOW CREATE TABLE print in a stable order.
using Properties = std::map<std::string, std::string>;

struct TableDefinition {
  std::string database;
  std::string name;
  std::vector<Column> columns;
  std::vector<Column> partition_keys;
  std::string comment;
  std::string location;  // "s3://bucket/prefix/", as written in the DDL.
  std::string table_type = "EXTERNAL_TABLE";
  std::string input_format;  // e.g. org.apache.hadoop.mapred.TextInputFormat
  std::string output_format;
  std::string serde;  // Serialization library class name.
  Properties serde_properties;
  Properties table_properties;
  int64_t created_micros = 0;  // Set by the catalog.
  friend bool operator==(const TableDefinition&, const TableDefinition&) = default;
};

struct Partition {
  std::vector<std::string> values;  // In partition-key order.
  std::string location;
  int64_t created_micros = 0;
  std::optional<int64_t> file_count;
  std::optional<int64_t> bytes;
  friend bool operator==(const Partition&, const Partition&) = default;
};

}  // namespace tarn::catalog
