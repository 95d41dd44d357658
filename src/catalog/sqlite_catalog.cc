#include "catalog/sqlite_catalog.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>

#include "catalog/partition_path.h"

namespace tarn::catalog {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A prepared statement that finalizes itself. Binding is by 1-based position.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& Bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& BindOptional(int i, const std::optional<int64_t>& v) {
    if (v) {
      sqlite3_bind_int64(stmt_, i, *v);
    } else {
      sqlite3_bind_null(stmt_, i);
    }
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::optional<int64_t> OptionalInt(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return Int(column);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    begun_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (begun_ && !committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool begun() const { return begun_; }
  bool Commit() {
    committed_ = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    return committed_;
  }

 private:
  sqlite3* db_;
  bool begun_ = false;
  bool committed_ = false;
};

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE databases(name TEXT PRIMARY KEY, comment TEXT NOT NULL, location TEXT NOT NULL,
                       created_micros INTEGER NOT NULL);
CREATE TABLE tables(database TEXT NOT NULL REFERENCES databases(name), name TEXT NOT NULL,
                    table_type TEXT NOT NULL, location TEXT NOT NULL, input_format TEXT NOT NULL,
                    output_format TEXT NOT NULL, serde TEXT NOT NULL, comment TEXT NOT NULL,
                    created_micros INTEGER NOT NULL, PRIMARY KEY (database, name));
CREATE TABLE columns(database TEXT NOT NULL, table_name TEXT NOT NULL, position INTEGER NOT NULL,
                     is_partition_key INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
                     comment TEXT NOT NULL,
                     PRIMARY KEY (database, table_name, is_partition_key, position));
CREATE TABLE properties(database TEXT NOT NULL, table_name TEXT NOT NULL, kind TEXT NOT NULL,
                        key TEXT NOT NULL, value TEXT NOT NULL,
                        PRIMARY KEY (database, table_name, kind, key));
CREATE TABLE partitions(database TEXT NOT NULL, table_name TEXT NOT NULL, spec TEXT NOT NULL,
                        location TEXT NOT NULL, created_micros INTEGER NOT NULL,
                        file_count INTEGER, bytes INTEGER,
                        PRIMARY KEY (database, table_name, spec));
INSERT INTO databases VALUES ('default', 'Default database', '', 0);
)sql";

// Version 2: delivery stream definitions.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE streams(name TEXT PRIMARY KEY, definition TEXT NOT NULL, version INTEGER NOT NULL,
                     created_micros INTEGER NOT NULL);
)sql";

// kMigrations[v - 1] takes a catalog from version v - 1 to v.
constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2};
static_assert(std::size(kMigrations) == SqliteCatalog::kSchemaVersion);

std::string Qualified(const std::string& database, const std::string& name) {
  return database + "." + name;
}

}  // namespace

std::string EncodePartitionSpec(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
  }
  return out;
}

Result<std::vector<std::string>> DecodePartitionSpec(std::string_view spec) {
  std::vector<std::string> values;
  size_t pos = 0;
  while (pos < spec.size()) {
    const size_t colon = spec.find(':', pos);
    if (colon == std::string_view::npos || colon == pos || colon - pos > 10) {
      return Corruption(fmt::format("malformed partition spec '{}'", spec));
    }
    size_t length = 0;
    for (size_t i = pos; i < colon; ++i) {
      if (spec[i] < '0' || spec[i] > '9') {
        return Corruption(fmt::format("malformed partition spec '{}'", spec));
      }
      length = length * 10 + static_cast<size_t>(spec[i] - '0');
    }
    if (length > spec.size() - colon - 1) {
      return Corruption(fmt::format("malformed partition spec '{}'", spec));
    }
    values.emplace_back(spec.substr(colon + 1, length));
    pos = colon + 1 + length;
  }
  return values;
}

Result<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status(StatusCode::kUnavailable,
                  fmt::format("cannot open catalog '{}': {}", path, message));
  }
  std::unique_ptr<SqliteCatalog> catalog(new SqliteCatalog(db, path));
  sqlite3_busy_timeout(db, 5000);
  TARN_RETURN_IF_ERROR(catalog->Migrate());
  return catalog;
}

Result<std::unique_ptr<SqliteCatalog>> SqliteCatalog::OpenLake(const std::string& lake_root) {
  const std::filesystem::path state = std::filesystem::path(lake_root) / "_tarn";
  std::error_code ec;
  std::filesystem::create_directories(state, ec);
  if (ec) return ErrnoStatus(ec.value(), "creating '" + state.string() + "'");
  return Open((state / "catalog.db").string());
}

SqliteCatalog::~SqliteCatalog() { sqlite3_close(db_); }

Status SqliteCatalog::Error(const std::string& doing) const {
  const int code = sqlite3_errcode(db_);
  const StatusCode status = code == SQLITE_BUSY || code == SQLITE_LOCKED ? StatusCode::kUnavailable
                            : code == SQLITE_CORRUPT || code == SQLITE_NOTADB
                                ? StatusCode::kCorruption
                            : code == SQLITE_FULL ? StatusCode::kResourceExhausted
                                                  : StatusCode::kInternal;
  return Status(status, fmt::format("catalog '{}': {}: {}", path_, doing, sqlite3_errmsg(db_)));
}

Status SqliteCatalog::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
  return Status::Ok();
}

Status SqliteCatalog::Migrate() {
  // WAL lets readers in other processes go on while one writer commits.
  {
    Statement wal(db_, "PRAGMA journal_mode=WAL");
    if (!wal.ok() || wal.Step() != SQLITE_ROW) {
      if (sqlite3_errcode(db_) == SQLITE_NOTADB) {
        return Corruption(
            fmt::format("catalog '{}' is not a SQLite database (or is damaged)", path_));
      }
      return Error("enabling WAL");
    }
  }
  TARN_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON"));
  TARN_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting the migration");
  int64_t found = 0;
  {
    // Scoped: a statement still holding a row would keep the transaction from committing.
    Statement version(db_, "PRAGMA user_version");
    if (!version.ok() || version.Step() != SQLITE_ROW) return Error("reading the schema version");
    found = version.Int(0);
  }
  if (found > kSchemaVersion) {
    return InvalidArgument(fmt::format(
        "catalog '{}' has schema version {}, newer than this tarn knows ({}); use a newer tarn",
        path_, found, kSchemaVersion));
  }
  if (found == 0) {
    // A fresh file, unless it already holds tables of some other program.
    int64_t objects = 0;
    {
      Statement other(db_, "SELECT count(*) FROM sqlite_master");
      if (!other.ok() || other.Step() != SQLITE_ROW) return Error("inspecting the file");
      objects = other.Int(0);
    }
    if (objects != 0) {
      return InvalidArgument(
          fmt::format("'{}' is a SQLite database but not a tarn catalog", path_));
    }
  }
  for (int64_t version = found + 1; version <= kSchemaVersion; ++version) {
    if (sqlite3_exec(db_, kMigrations[version - 1], nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error(fmt::format("migrating the catalog to schema version {}", version));
    }
    TARN_RETURN_IF_ERROR(Exec(fmt::format("PRAGMA user_version={}", version).c_str()));
  }
  if (!transaction.Commit()) return Error("committing the migration");
  return Status::Ok();
}

Result<bool> SqliteCatalog::DatabaseExists(const std::string& name) {
  Statement s(db_, "SELECT 1 FROM databases WHERE name = ?");
  if (!s.ok()) return Error("looking up a database");
  s.Bind(1, name);
  const int rc = s.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("looking up a database");
  return rc == SQLITE_ROW;
}

Status SqliteCatalog::CreateDatabase(const std::string& name, const std::string& comment,
                                     const std::string& location, bool if_not_exists) {
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  TARN_ASSIGN_OR_RETURN(bool exists, DatabaseExists(name));
  if (exists) {
    if (if_not_exists) return Status::Ok();
    return Status(StatusCode::kAlreadyExists, fmt::format("database {} already exists", name));
  }
  Statement s(db_, "INSERT INTO databases VALUES (?, ?, ?, ?)");
  s.Bind(1, name).Bind(2, comment).Bind(3, location).Bind(4, NowMicros());
  if (!s.ok() || s.Step() != SQLITE_DONE) return Error("creating database " + name);
  if (!transaction.Commit()) return Error("committing");
  return Status::Ok();
}

Status SqliteCatalog::DropDatabase(const std::string& name, bool if_exists, bool cascade) {
  if (name == "default") return InvalidArgument("database default cannot be dropped");
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  TARN_ASSIGN_OR_RETURN(bool exists, DatabaseExists(name));
  if (!exists) {
    if (if_exists) return Status::Ok();
    return NotFound(fmt::format("database {} does not exist", name));
  }
  TARN_ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(name));
  if (!tables.empty() && !cascade) {
    return InvalidArgument(fmt::format("database {} is not empty: it has {} table(s), such as {}",
                                       name, tables.size(), tables[0]));
  }
  for (const char* sql :
       {"DELETE FROM partitions WHERE database = ?", "DELETE FROM properties WHERE database = ?",
        "DELETE FROM columns WHERE database = ?", "DELETE FROM tables WHERE database = ?",
        "DELETE FROM databases WHERE name = ?"}) {
    Statement s(db_, sql);
    s.Bind(1, name);
    if (!s.ok() || s.Step() != SQLITE_DONE) return Error("dropping database " + name);
  }
  if (!transaction.Commit()) return Error("committing");
  return Status::Ok();
}

Result<std::vector<std::string>> SqliteCatalog::ListDatabases() {
  Statement s(db_, "SELECT name FROM databases ORDER BY name");
  if (!s.ok()) return Error("listing databases");
  std::vector<std::string> names;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) names.push_back(s.Text(0));
  if (rc != SQLITE_DONE) return Error("listing databases");
  return names;
}

Status SqliteCatalog::CreateTable(const TableDefinition& table, bool if_not_exists) {
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  TARN_ASSIGN_OR_RETURN(bool database, DatabaseExists(table.database));
  if (!database) return NotFound(fmt::format("database {} does not exist", table.database));
  Result<TableDefinition> existing = GetTable(table.database, table.name);
  if (existing.ok()) {
    if (if_not_exists) return Status::Ok();
    return Status(StatusCode::kAlreadyExists,
                  fmt::format("table {} already exists", Qualified(table.database, table.name)));
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  TableDefinition stored = table;
  stored.created_micros = NowMicros();
  TARN_RETURN_IF_ERROR(UpdateTableLocked(stored, /*insert=*/true));
  if (!transaction.Commit()) return Error("committing");
  return Status::Ok();
}

Status SqliteCatalog::UpdateTable(const TableDefinition& table) {
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  TARN_ASSIGN_OR_RETURN(TableDefinition existing, GetTable(table.database, table.name));
  TableDefinition stored = table;
  stored.created_micros = existing.created_micros;
  TARN_RETURN_IF_ERROR(UpdateTableLocked(stored, /*insert=*/false));
  if (!transaction.Commit()) return Error("committing");
  return Status::Ok();
}

Status SqliteCatalog::UpdateTableLocked(const TableDefinition& t, bool insert) {
  const std::string what = "storing table " + Qualified(t.database, t.name);
  if (!insert) {
    for (const char* sql : {"DELETE FROM columns WHERE database = ? AND table_name = ?",
                            "DELETE FROM properties WHERE database = ? AND table_name = ?",
                            "DELETE FROM tables WHERE database = ? AND name = ?"}) {
      Statement s(db_, sql);
      s.Bind(1, t.database).Bind(2, t.name);
      if (!s.ok() || s.Step() != SQLITE_DONE) return Error(what);
    }
  }
  Statement row(db_, "INSERT INTO tables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  row.Bind(1, t.database).Bind(2, t.name).Bind(3, t.table_type).Bind(4, t.location);
  row.Bind(5, t.input_format).Bind(6, t.output_format).Bind(7, t.serde).Bind(8, t.comment);
  row.Bind(9, t.created_micros);
  if (!row.ok() || row.Step() != SQLITE_DONE) return Error(what);
  for (int partition_key = 0; partition_key < 2; ++partition_key) {
    const std::vector<Column>& columns = partition_key ? t.partition_keys : t.columns;
    for (size_t i = 0; i < columns.size(); ++i) {
      Statement s(db_, "INSERT INTO columns VALUES (?, ?, ?, ?, ?, ?, ?)");
      s.Bind(1, t.database).Bind(2, t.name).Bind(3, static_cast<int64_t>(i));
      s.Bind(4, static_cast<int64_t>(partition_key)).Bind(5, columns[i].name);
      s.Bind(6, formats::TypeName(columns[i].type)).Bind(7, columns[i].comment);
      if (!s.ok() || s.Step() != SQLITE_DONE) return Error(what);
    }
  }
  for (const auto& [kind, properties] :
       {std::pair<std::string, const Properties*>{"serde", &t.serde_properties},
        std::pair<std::string, const Properties*>{"table", &t.table_properties}}) {
    for (const auto& [key, value] : *properties) {
      Statement s(db_, "INSERT INTO properties VALUES (?, ?, ?, ?, ?)");
      s.Bind(1, t.database).Bind(2, t.name).Bind(3, kind).Bind(4, key).Bind(5, value);
      if (!s.ok() || s.Step() != SQLITE_DONE) return Error(what);
    }
  }
  return Status::Ok();
}

Status SqliteCatalog::DropTable(const std::string& database, const std::string& name,
                                bool if_exists) {
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  Result<TableDefinition> existing = GetTable(database, name);
  if (!existing.ok()) {
    if (existing.status().code() == StatusCode::kNotFound && if_exists) return Status::Ok();
    return existing.status();
  }
  for (const char* sql : {"DELETE FROM partitions WHERE database = ? AND table_name = ?",
                          "DELETE FROM properties WHERE database = ? AND table_name = ?",
                          "DELETE FROM columns WHERE database = ? AND table_name = ?",
                          "DELETE FROM tables WHERE database = ? AND name = ?"}) {
    Statement s(db_, sql);
    s.Bind(1, database).Bind(2, name);
    if (!s.ok() || s.Step() != SQLITE_DONE) return Error("dropping " + Qualified(database, name));
  }
  if (!transaction.Commit()) return Error("committing");
  return Status::Ok();
}

Result<TableDefinition> SqliteCatalog::GetTable(const std::string& database,
                                                const std::string& name) {
  const std::string qualified = Qualified(database, name);
  Statement row(db_,
                "SELECT table_type, location, input_format, output_format, serde, comment, "
                "created_micros FROM tables WHERE database = ? AND name = ?");
  if (!row.ok()) return Error("reading table " + qualified);
  row.Bind(1, database).Bind(2, name);
  const int rc = row.Step();
  if (rc == SQLITE_DONE) return NotFound(fmt::format("table {} does not exist", qualified));
  if (rc != SQLITE_ROW) return Error("reading table " + qualified);
  TableDefinition t;
  t.database = database;
  t.name = name;
  t.table_type = row.Text(0);
  t.location = row.Text(1);
  t.input_format = row.Text(2);
  t.output_format = row.Text(3);
  t.serde = row.Text(4);
  t.comment = row.Text(5);
  t.created_micros = row.Int(6);
  Statement columns(db_,
                    "SELECT is_partition_key, name, type, comment FROM columns WHERE database = ? "
                    "AND table_name = ? ORDER BY is_partition_key, position");
  if (!columns.ok()) return Error("reading columns of " + qualified);
  columns.Bind(1, database).Bind(2, name);
  int step;
  while ((step = columns.Step()) == SQLITE_ROW) {
    Result<formats::DataType> type = formats::ParseType(columns.Text(2));
    if (!type.ok()) {
      return Corruption(fmt::format("catalog '{}': column {} of {} has an unreadable type: {}",
                                    path_, columns.Text(1), qualified, type.status().message()));
    }
    Column column{columns.Text(1), std::move(*type), columns.Text(3)};
    (columns.Int(0) ? t.partition_keys : t.columns).push_back(std::move(column));
  }
  if (step != SQLITE_DONE) return Error("reading columns of " + qualified);
  Statement properties(db_,
                       "SELECT kind, key, value FROM properties WHERE database = ? AND "
                       "table_name = ?");
  if (!properties.ok()) return Error("reading properties of " + qualified);
  properties.Bind(1, database).Bind(2, name);
  while ((step = properties.Step()) == SQLITE_ROW) {
    (properties.Text(0) == "serde" ? t.serde_properties : t.table_properties)[properties.Text(1)] =
        properties.Text(2);
  }
  if (step != SQLITE_DONE) return Error("reading properties of " + qualified);
  return t;
}

Result<std::vector<std::string>> SqliteCatalog::ListTables(const std::string& database) {
  Statement s(db_, "SELECT name FROM tables WHERE database = ? ORDER BY name");
  if (!s.ok()) return Error("listing tables");
  s.Bind(1, database);
  std::vector<std::string> names;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) names.push_back(s.Text(0));
  if (rc != SQLITE_DONE) return Error("listing tables");
  return names;
}

Status SqliteCatalog::RequireTable(const std::string& database, const std::string& name) {
  return GetTable(database, name).status();
}

Result<int> SqliteCatalog::AddPartitions(const std::string& database, const std::string& table,
                                         const std::vector<Partition>& partitions,
                                         bool if_not_exists) {
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  TARN_ASSIGN_OR_RETURN(TableDefinition t, GetTable(database, table));
  if (t.partition_keys.empty()) {
    return InvalidArgument(fmt::format("table {} is not partitioned", Qualified(database, table)));
  }
  int added = 0;
  const int64_t now = NowMicros();
  for (const Partition& p : partitions) {
    if (p.values.size() != t.partition_keys.size()) {
      return InvalidArgument(fmt::format("table {} has {} partition key(s); a partition gives {}",
                                         Qualified(database, table), t.partition_keys.size(),
                                         p.values.size()));
    }
    Statement s(db_, "INSERT INTO partitions VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    s.Bind(1, database).Bind(2, table).Bind(3, EncodePartitionSpec(p.values)).Bind(4, p.location);
    s.Bind(5, p.created_micros != 0 ? p.created_micros : now);
    s.BindOptional(6, p.file_count).BindOptional(7, p.bytes);
    if (s.Step() != SQLITE_DONE) return Error("adding partitions");
    if (sqlite3_changes(db_) == 1) {
      ++added;
    } else if (!if_not_exists) {
      const std::string spec = PartitionSpecText(t.partition_keys, p.values);
      return Status(
          StatusCode::kAlreadyExists,
          fmt::format("partition {} of table {} already exists", spec, Qualified(database, table)));
    }
  }
  if (!transaction.Commit()) return Error("committing");
  return added;
}

Result<int> SqliteCatalog::DropPartitions(const std::string& database, const std::string& table,
                                          const std::vector<std::vector<std::string>>& values,
                                          bool if_exists) {
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  TARN_ASSIGN_OR_RETURN(TableDefinition t, GetTable(database, table));
  int dropped = 0;
  for (const std::vector<std::string>& v : values) {
    Statement s(db_, "DELETE FROM partitions WHERE database = ? AND table_name = ? AND spec = ?");
    s.Bind(1, database).Bind(2, table).Bind(3, EncodePartitionSpec(v));
    if (!s.ok() || s.Step() != SQLITE_DONE) return Error("dropping partitions");
    if (sqlite3_changes(db_) == 1) {
      ++dropped;
    } else if (!if_exists) {
      const std::string spec = PartitionSpecText(t.partition_keys, v);
      return NotFound(
          fmt::format("partition {} of table {} does not exist", spec, Qualified(database, table)));
    }
  }
  if (!transaction.Commit()) return Error("committing");
  return dropped;
}

Result<std::vector<Partition>> SqliteCatalog::ListPartitions(const std::string& database,
                                                             const std::string& table) {
  TARN_RETURN_IF_ERROR(RequireTable(database, table));
  Statement s(db_,
              "SELECT spec, location, created_micros, file_count, bytes FROM partitions WHERE "
              "database = ? AND table_name = ?");
  if (!s.ok()) return Error("listing partitions");
  s.Bind(1, database).Bind(2, table);
  std::vector<Partition> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    TARN_ASSIGN_OR_RETURN(std::vector<std::string> values, DecodePartitionSpec(s.Text(0)));
    out.push_back(
        Partition{std::move(values), s.Text(1), s.Int(2), s.OptionalInt(3), s.OptionalInt(4)});
  }
  if (rc != SQLITE_DONE) return Error("listing partitions");
  std::sort(out.begin(), out.end(),
            [](const Partition& a, const Partition& b) { return a.values < b.values; });
  return out;
}

Result<std::vector<std::string>> SqliteCatalog::RegisterObject(const std::string& object_uri) {
  std::vector<std::pair<std::string, std::string>> tables;
  {
    Statement s(db_, "SELECT database, name, location FROM tables WHERE location != ''");
    if (!s.ok()) return Error("finding tables for " + object_uri);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      std::string location = s.Text(2);
      if (!location.empty() && location.back() != '/') location.push_back('/');
      if (object_uri.size() > location.size() && object_uri.rfind(location, 0) == 0) {
        tables.emplace_back(s.Text(0), s.Text(1));
      }
    }
    if (rc != SQLITE_DONE) return Error("finding tables for " + object_uri);
  }
  std::vector<std::string> added;
  for (const auto& [database, name] : tables) {
    TARN_ASSIGN_OR_RETURN(TableDefinition table, GetTable(database, name));
    if (table.partition_keys.empty()) continue;
    std::string location = table.location;
    if (location.back() != '/') location.push_back('/');
    const std::string_view relative = std::string_view(object_uri).substr(location.size());
    std::optional<std::vector<std::string>> values =
        PartitionValuesFromPath(table.partition_keys, relative);
    if (!values) continue;
    // The folders the values came from, with their escapes as written.
    size_t end = 0;
    for (size_t k = 0; k < table.partition_keys.size(); ++k) end = relative.find('/', end) + 1;
    Partition partition{*values, location + std::string(relative.substr(0, end)), 0, {}, {}};
    TARN_ASSIGN_OR_RETURN(int n, AddPartitions(database, name, {partition}, true));
    if (n > 0) {
      added.push_back(Qualified(database, name) + " " +
                      PartitionSpecText(table.partition_keys, *values));
    }
  }
  return added;
}

Status SqliteCatalog::CreateStream(const std::string& name, const std::string& definition) {
  Statement s(db_, "INSERT INTO streams VALUES (?, ?, 1, ?) ON CONFLICT DO NOTHING");
  s.Bind(1, name).Bind(2, definition).Bind(3, NowMicros());
  if (!s.ok() || s.Step() != SQLITE_DONE) return Error("creating stream " + name);
  if (sqlite3_changes(db_) == 0) {
    return Status(StatusCode::kAlreadyExists, fmt::format("stream {} already exists", name));
  }
  return Status::Ok();
}

Status SqliteCatalog::UpdateStream(const std::string& name, const std::string& definition,
                                   int64_t expected_version) {
  Transaction transaction(db_);
  if (!transaction.begun()) return Error("starting a transaction");
  TARN_ASSIGN_OR_RETURN(Stream current, GetStream(name));
  if (current.version != expected_version) {
    return Status(StatusCode::kAlreadyExists, fmt::format("stream {} is at version {}, not {}",
                                                          name, current.version, expected_version));
  }
  Statement s(db_, "UPDATE streams SET definition = ?, version = version + 1 WHERE name = ?");
  s.Bind(1, definition).Bind(2, name);
  if (!s.ok() || s.Step() != SQLITE_DONE) return Error("updating stream " + name);
  if (!transaction.Commit()) return Error("committing");
  return Status::Ok();
}

Result<SqliteCatalog::Stream> SqliteCatalog::GetStream(const std::string& name) {
  Statement s(db_, "SELECT definition, version, created_micros FROM streams WHERE name = ?");
  if (!s.ok()) return Error("reading stream " + name);
  s.Bind(1, name);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound(fmt::format("stream {} does not exist", name));
  if (rc != SQLITE_ROW) return Error("reading stream " + name);
  return Stream{name, s.Text(0), s.Int(1), s.Int(2)};
}

Result<std::vector<SqliteCatalog::Stream>> SqliteCatalog::ListStreams() {
  Statement s(db_, "SELECT name, definition, version, created_micros FROM streams ORDER BY name");
  if (!s.ok()) return Error("listing streams");
  std::vector<Stream> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back(Stream{s.Text(0), s.Text(1), s.Int(2), s.Int(3)});
  if (rc != SQLITE_DONE) return Error("listing streams");
  return out;
}

Status SqliteCatalog::DeleteStream(const std::string& name) {
  Statement s(db_, "DELETE FROM streams WHERE name = ?");
  s.Bind(1, name);
  if (!s.ok() || s.Step() != SQLITE_DONE) return Error("deleting stream " + name);
  if (sqlite3_changes(db_) == 0) return NotFound(fmt::format("stream {} does not exist", name));
  return Status::Ok();
}

}  // namespace tarn::catalog
