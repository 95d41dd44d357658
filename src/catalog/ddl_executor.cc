#include "catalog/ddl_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "catalog/partition_path.h"
#include "common/civil_time.h"

namespace tarn::catalog {
namespace {

namespace fs = std::filesystem;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

QualifiedName Resolve(QualifiedName name, const std::string& current) {
  if (name.database.empty()) name.database = current;
  return name;
}

// Hive's LIKE-style patterns for SHOW: '*' any run, '|' alternatives; case-insensitive.
bool MatchesPattern(const std::string& name, const std::string& pattern) {
  size_t start = 0;
  for (;;) {
    const size_t bar = pattern.find('|', start);
    const std::string alternative = Lower(pattern.substr(start, bar - start));
    // Glob match with '*'.
    size_t n = 0, p = 0, star = std::string::npos, mark = 0;
    while (n < name.size()) {
      if (p < alternative.size() && (alternative[p] == name[n] || alternative[p] == '.')) {
        ++n, ++p;
      } else if (p < alternative.size() && alternative[p] == '*') {
        star = p++, mark = n;
      } else if (star != std::string::npos) {
        p = star + 1, n = ++mark;
      } else {
        break;
      }
    }
    while (p < alternative.size() && alternative[p] == '*') ++p;
    if (n == name.size() && p == alternative.size()) return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

// A PARTITION (k = v, ...) spec's values in the table's key order; keys may come in any
// order, and every key needs a value.
Result<std::vector<std::string>> ValuesInKeyOrder(const TableDefinition& table,
                                                  const PartitionSpec& spec) {
  std::vector<std::string> values;
  for (const Column& key : table.partition_keys) {
    auto it = std::find_if(spec.values.begin(), spec.values.end(),
                           [&](const auto& kv) { return Lower(kv.first) == key.name; });
    if (it == spec.values.end()) {
      return InvalidArgument(fmt::format("partition spec lacks key '{}' of table {}.{}", key.name,
                                         table.database, table.name));
    }
    values.push_back(it->second);
  }
  return values;
}

std::string WithSlash(std::string location) {
  if (!location.empty() && location.back() != '/') location.push_back('/');
  return location;
}

}  // namespace

Result<std::string> LocalPath(const std::string& lake_root, const std::string& location) {
  constexpr std::string_view kScheme = "s3://";
  if (location.rfind(kScheme, 0) != 0) {
    return InvalidArgument(fmt::format("location '{}' is not an s3:// URI", location));
  }
  const fs::path relative(location.substr(kScheme.size()));
  for (const fs::path& part : relative) {
    if (part == "..") {
      return InvalidArgument(fmt::format("location '{}' leaves the lake", location));
    }
  }
  return (fs::path(lake_root) / relative).string();
}

Result<DdlResult> DdlExecutor::RepairTable(const std::string& database, const std::string& name) {
  TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(database, name));
  if (table.partition_keys.empty()) {
    return InvalidArgument(fmt::format("table {}.{} is not partitioned", database, name));
  }
  TARN_ASSIGN_OR_RETURN(std::string root, LocalPath(lake_root_, WithSlash(table.location)));
  std::vector<Partition> found;
  std::vector<std::string> skipped;
  // Breadth by depth: at depth d only folders named key_d=value go further.
  struct Pending {
    fs::path path;
    std::string relative;
    std::vector<std::string> values;
  };
  std::vector<Pending> level = {{root, "", {}}};
  std::error_code ec;
  for (size_t depth = 0; depth < table.partition_keys.size(); ++depth) {
    std::vector<Pending> next;
    const std::string prefix = table.partition_keys[depth].name + "=";
    for (const Pending& dir : level) {
      for (fs::directory_iterator it(dir.path, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string entry = it->path().filename().string();
        if (entry.empty() || entry[0] == '_' || entry[0] == '.') continue;
        if (!it->is_directory(ec)) {
          // Objects directly at a partition level belong to no partition.
          skipped.push_back(dir.relative + entry);
          continue;
        }
        if (entry.rfind(prefix, 0) != 0) {
          skipped.push_back(dir.relative + entry + "/");
          continue;
        }
        Pending child{it->path(), dir.relative + entry + "/", dir.values};
        child.values.push_back(UnescapePathValue(entry.substr(prefix.size())));
        next.push_back(std::move(child));
      }
      ec.clear();  // A folder that vanished or cannot be read is passed over.
    }
    level = std::move(next);
  }
  for (const Pending& p : level) {
    found.push_back(Partition{p.values, WithSlash(table.location) + p.relative, 0, {}, {}});
  }
  std::sort(found.begin(), found.end(),
            [](const Partition& a, const Partition& b) { return a.values < b.values; });
  TARN_ASSIGN_OR_RETURN(std::vector<Partition> registered,
                        catalog_->ListPartitions(database, name));
  std::set<std::vector<std::string>> known;
  for (const Partition& p : registered) known.insert(p.values);
  std::vector<Partition> missing;
  for (const Partition& p : found) {
    if (!known.count(p.values)) missing.push_back(p);
  }
  TARN_ASSIGN_OR_RETURN(int added, catalog_->AddPartitions(database, name, missing, true));
  std::set<std::vector<std::string>> on_storage;
  for (const Partition& p : found) on_storage.insert(p.values);

  DdlResult result;
  result.columns = {"outcome", "partition"};
  for (const Partition& p : missing) {
    result.rows.push_back({"added", PartitionSpecText(table.partition_keys, p.values)});
  }
  for (const Partition& p : registered) {
    if (!on_storage.count(p.values)) {
      result.rows.push_back(
          {"missing from storage", PartitionSpecText(table.partition_keys, p.values)});
    }
  }
  for (const std::string& path : skipped) result.rows.push_back({"skipped path", path});
  result.message = fmt::format(
      "MSCK REPAIR TABLE {}.{}: {} partition(s) added, {} registered partition(s) missing from "
      "storage, {} path(s) skipped",
      database, name, added,
      std::count_if(result.rows.begin(), result.rows.end(),
                    [](const auto& r) { return r[0] == "missing from storage"; }),
      skipped.size());
  return result;
}

Result<DdlResult> DdlExecutor::Execute(const DdlStatement& statement, const std::string& current) {
  DdlResult result;
  if (auto* s = std::get_if<CreateDatabaseStatement>(&statement)) {
    TARN_RETURN_IF_ERROR(
        catalog_->CreateDatabase(s->name, s->comment, s->location, s->if_not_exists));
    result.message = fmt::format("database {} created", s->name);
  } else if (auto* s = std::get_if<DropDatabaseStatement>(&statement)) {
    TARN_RETURN_IF_ERROR(
        catalog_->DropDatabase(s->name, s->if_exists, s->mode == DropMode::kCascade));
    result.message = fmt::format("database {} dropped", s->name);
  } else if (auto* s = std::get_if<ShowDatabasesStatement>(&statement)) {
    TARN_ASSIGN_OR_RETURN(std::vector<std::string> names, catalog_->ListDatabases());
    result.columns = {"database_name"};
    for (const std::string& n : names) {
      if (!s->pattern || MatchesPattern(n, *s->pattern)) result.rows.push_back({n});
    }
  } else if (auto* s = std::get_if<CreateTableStatement>(&statement)) {
    TableDefinition table = s->table;
    if (table.database.empty()) table.database = current;
    if (!table.location.empty())
      TARN_RETURN_IF_ERROR(LocalPath(lake_root_, table.location).status());
    TARN_RETURN_IF_ERROR(catalog_->CreateTable(table, s->if_not_exists));
    result.message = fmt::format("table {}.{} created", table.database, table.name);
  } else if (auto* s = std::get_if<DropTableStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_RETURN_IF_ERROR(catalog_->DropTable(t.database, t.name, s->if_exists));
    result.message =
        fmt::format("table {}.{} dropped (its data stays in the lake)", t.database, t.name);
  } else if (auto* s = std::get_if<ShowTablesStatement>(&statement)) {
    const std::string db = s->database.empty() ? current : s->database;
    TARN_ASSIGN_OR_RETURN(bool exists, catalog_->DatabaseExists(db));
    if (!exists) return NotFound(fmt::format("database {} does not exist", db));
    TARN_ASSIGN_OR_RETURN(std::vector<std::string> names, catalog_->ListTables(db));
    result.columns = {"tab_name"};
    for (const std::string& n : names) {
      if (!s->pattern || MatchesPattern(n, *s->pattern)) result.rows.push_back({n});
    }
  } else if (auto* s = std::get_if<ShowCreateTableStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    result.columns = {"createtab_stmt"};
    result.rows.push_back({ShowCreateTable(table)});
  } else if (auto* s = std::get_if<DescribeTableStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    result.columns = {"col_name", "data_type", "comment"};
    for (const Column& c : table.columns) {
      result.rows.push_back({c.name, formats::TypeName(c.type), c.comment});
    }
    for (const Column& c : table.partition_keys) {
      result.rows.push_back({c.name, formats::TypeName(c.type), c.comment});
    }
    if (!table.partition_keys.empty()) {
      result.rows.push_back({"", "", ""});
      result.rows.push_back({"# Partition Information", "", ""});
      result.rows.push_back({"# col_name", "data_type", "comment"});
      for (const Column& c : table.partition_keys) {
        result.rows.push_back({c.name, formats::TypeName(c.type), c.comment});
      }
    }
    if (s->mode != DescribeMode::kPlain) {
      result.rows.push_back({"", "", ""});
      result.rows.push_back({"# Detailed Table Information", "", ""});
      result.rows.push_back({"Database:", table.database, ""});
      result.rows.push_back(
          {"CreateTime:", FormatTimestamp(table.created_micros).substr(0, 19), ""});
      result.rows.push_back({"Location:", table.location, ""});
      result.rows.push_back({"Table Type:", table.table_type, ""});
      result.rows.push_back({"Table Parameters:", "", ""});
      for (const auto& [k, v] : table.table_properties) result.rows.push_back({"", k, v});
      result.rows.push_back({"", "", ""});
      result.rows.push_back({"# Storage Information", "", ""});
      result.rows.push_back({"SerDe Library:", table.serde, ""});
      result.rows.push_back({"InputFormat:", table.input_format, ""});
      result.rows.push_back({"OutputFormat:", table.output_format, ""});
      result.rows.push_back({"Storage Desc Params:", "", ""});
      for (const auto& [k, v] : table.serde_properties) result.rows.push_back({"", k, v});
    }
  } else if (auto* s = std::get_if<ShowPartitionsStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    if (table.partition_keys.empty()) {
      return InvalidArgument(fmt::format("table {}.{} is not partitioned", t.database, t.name));
    }
    TARN_ASSIGN_OR_RETURN(std::vector<Partition> parts,
                          catalog_->ListPartitions(t.database, t.name));
    result.columns = {"partition"};
    for (const Partition& p : parts)
      result.rows.push_back({PartitionSpecText(table.partition_keys, p.values)});
  } else if (auto* s = std::get_if<ShowTablePropertiesStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    result.columns = {"prpt_name", "prpt_value"};
    for (const auto& [k, v] : table.table_properties) {
      if (!s->key || *s->key == k) result.rows.push_back({k, v});
    }
  } else if (auto* s = std::get_if<ShowColumnsStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    result.columns = {"field"};
    for (const Column& c : table.columns) result.rows.push_back({c.name});
    for (const Column& c : table.partition_keys) result.rows.push_back({c.name});
  } else if (auto* s = std::get_if<AddPartitionsStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    std::vector<Partition> parts;
    for (const PartitionToAdd& add : s->partitions) {
      TARN_ASSIGN_OR_RETURN(std::vector<std::string> values, ValuesInKeyOrder(table, add.spec));
      if (add.spec.values.size() != table.partition_keys.size()) {
        return InvalidArgument(fmt::format("partition spec names {} keys; table {}.{} has {}",
                                           add.spec.values.size(), t.database, t.name,
                                           table.partition_keys.size()));
      }
      std::string location = add.location;
      if (location.empty())
        location =
            WithSlash(table.location) + PartitionSpecText(table.partition_keys, values) + "/";
      TARN_RETURN_IF_ERROR(LocalPath(lake_root_, location).status());
      parts.push_back(Partition{std::move(values), location, 0, {}, {}});
    }
    TARN_ASSIGN_OR_RETURN(int added,
                          catalog_->AddPartitions(t.database, t.name, parts, s->if_not_exists));
    result.message = fmt::format("{} partition(s) added to {}.{}", added, t.database, t.name);
  } else if (auto* s = std::get_if<DropPartitionsStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    std::vector<std::vector<std::string>> all;
    for (const PartitionSpec& spec : s->partitions) {
      TARN_ASSIGN_OR_RETURN(std::vector<std::string> values, ValuesInKeyOrder(table, spec));
      all.push_back(std::move(values));
    }
    TARN_ASSIGN_OR_RETURN(int dropped,
                          catalog_->DropPartitions(t.database, t.name, all, s->if_exists));
    result.message = fmt::format("{} partition(s) dropped from {}.{}", dropped, t.database, t.name);
  } else if (auto* s = std::get_if<SetTablePropertiesStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    for (const auto& [k, v] : s->properties) table.table_properties[k] = v;
    TARN_RETURN_IF_ERROR(catalog_->UpdateTable(table));
    result.message = fmt::format("table {}.{} properties set", t.database, t.name);
  } else if (auto* s = std::get_if<AddColumnsStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog_->GetTable(t.database, t.name));
    for (const Column& c : s->columns) {
      for (const Column& existing : table.columns) {
        if (existing.name == c.name) {
          return InvalidArgument(
              fmt::format("column {} already exists in table {}.{}", c.name, t.database, t.name));
        }
      }
      for (const Column& key : table.partition_keys) {
        if (key.name == c.name) {
          return InvalidArgument(fmt::format("column {} repeats a partition column of {}.{}",
                                             c.name, t.database, t.name));
        }
      }
      table.columns.push_back(c);
    }
    TARN_RETURN_IF_ERROR(catalog_->UpdateTable(table));
    result.message =
        fmt::format("{} column(s) added to {}.{}", s->columns.size(), t.database, t.name);
  } else if (auto* s = std::get_if<RepairTableStatement>(&statement)) {
    const QualifiedName t = Resolve(s->table, current);
    return RepairTable(t.database, t.name);
  }
  return result;
}

}  // namespace tarn::catalog
