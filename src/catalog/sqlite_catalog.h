// SqliteCatalog: the catalog in one SQLite file (docs/catalog.md), the embedded default.
//
// Thread-safety: one SqliteCatalog per thread (SQLite connections are not shared); several
// processes may open the same file. Every mutating call is one transaction. Errors name the
// object: "table default.events_json does not exist", "database lake already exists".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"

struct sqlite3;

namespace tarn::catalog {

class SqliteCatalog {
 public:
  // Opens or creates the catalog at `path` (its folder must exist), migrating an older schema.
  // A newer schema version or a file that is not a catalog is an error that says so.
  static Result<std::unique_ptr<SqliteCatalog>> Open(const std::string& path);
  // Opens the lake's own catalog, LAKE_ROOT/_tarn/catalog.db, creating the _tarn folder.
  static Result<std::unique_ptr<SqliteCatalog>> OpenLake(const std::string& lake_root);
  ~SqliteCatalog();
  SqliteCatalog(const SqliteCatalog&) = delete;
  SqliteCatalog& operator=(const SqliteCatalog&) = delete;

  static constexpr int kSchemaVersion = 2;

  Status CreateDatabase(const std::string& name, const std::string& comment,
                        const std::string& location, bool if_not_exists);
  // Refuses a database that still has tables unless `cascade` (which drops their metadata).
  Status DropDatabase(const std::string& name, bool if_exists, bool cascade);
  Result<std::vector<std::string>> ListDatabases();
  Result<bool> DatabaseExists(const std::string& name);

  Status CreateTable(const TableDefinition& table, bool if_not_exists);
  // Replaces a table's definition (ALTER TABLE ... SET TBLPROPERTIES / ADD COLUMNS); its
  // partitions stay.
  Status UpdateTable(const TableDefinition& table);
  // Metadata only: the data in the lake stays.
  Status DropTable(const std::string& database, const std::string& name, bool if_exists);
  Result<TableDefinition> GetTable(const std::string& database, const std::string& name);
  Result<std::vector<std::string>> ListTables(const std::string& database);

  // Adds partitions in one transaction; returns how many were new. An existing partition is an
  // error naming it unless `if_not_exists`. Each partition needs one value per partition key.
  Result<int> AddPartitions(const std::string& database, const std::string& table,
                            const std::vector<Partition>& partitions, bool if_not_exists);
  // Drops the partitions with these values; returns how many existed. A missing one is an error
  // unless `if_exists`.
  Result<int> DropPartitions(const std::string& database, const std::string& table,
                             const std::vector<std::vector<std::string>>& values, bool if_exists);
  // In the order of their values.
  Result<std::vector<Partition>> ListPartitions(const std::string& database,
                                                const std::string& table);

  // Automatic registration, for delivery streams: for every partitioned table whose location
  // holds the object `object_uri` (s3://bucket/key) under key=value/ folders that follow the
  // table's keys, registers that partition when it is new, in one transaction. Returns
  // "db.table name=a/d=b" for each partition added.
  Result<std::vector<std::string>> RegisterObject(const std::string& object_uri);

  // Delivery stream definitions: the CreateDeliveryStream request as JSON text, with a version
  // that starts at 1 and grows by one with every update.
  struct Stream {
    std::string name;
    std::string definition;
    int64_t version = 0;
    int64_t created_micros = 0;
  };
  Status CreateStream(const std::string& name, const std::string& definition);
  // Fails with kAlreadyExists naming both versions when the stream is no longer at
  // `expected_version` (someone else updated it first).
  Status UpdateStream(const std::string& name, const std::string& definition,
                      int64_t expected_version);
  Result<Stream> GetStream(const std::string& name);
  Result<std::vector<Stream>> ListStreams();  // By name.
  Status DeleteStream(const std::string& name);

 private:
  explicit SqliteCatalog(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Migrate();
  Status Exec(const char* sql);
  Status Error(const std::string& doing) const;
  Status RequireTable(const std::string& database, const std::string& name);
  // Writes a table's rows; the caller holds the transaction.
  Status UpdateTableLocked(const TableDefinition& table, bool insert);

  sqlite3* db_;
  std::string path_;
};

// The `<length>:<bytes>` encoding of partition values (docs/catalog.md).
std::string EncodePartitionSpec(const std::vector<std::string>& values);
Result<std::vector<std::string>> DecodePartitionSpec(std::string_view spec);

}  // namespace tarn::catalog
