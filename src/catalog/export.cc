#include "catalog/export.h"

#include "catalog/ddl.h"

namespace tarn::catalog {

Result<std::string> ExportAthenaDdl(SqliteCatalog& catalog, size_t batch) {
  std::string out;
  TARN_ASSIGN_OR_RETURN(std::vector<std::string> databases, catalog.ListDatabases());
  for (const std::string& database : databases) {
    if (database != "default") {
      out += "CREATE DATABASE IF NOT EXISTS " + QuoteIdentifier(database) + ";\n\n";
    }
  }
  for (const std::string& database : databases) {
    TARN_ASSIGN_OR_RETURN(std::vector<std::string> tables, catalog.ListTables(database));
    for (const std::string& name : tables) {
      TARN_ASSIGN_OR_RETURN(TableDefinition table, catalog.GetTable(database, name));
      std::string create = ShowCreateTable(table);
      const std::string prefix = "CREATE EXTERNAL TABLE ";
      if (create.rfind(prefix, 0) == 0) create.insert(prefix.size(), "IF NOT EXISTS ");
      while (!create.empty() && (create.back() == '\n' || create.back() == ';')) create.pop_back();
      out += create + ";\n\n";
      TARN_ASSIGN_OR_RETURN(std::vector<Partition> partitions,
                            catalog.ListPartitions(database, name));
      for (size_t begin = 0; begin < partitions.size(); begin += batch) {
        out += "ALTER TABLE " + QuoteIdentifier(database) + "." + QuoteIdentifier(name) +
               " ADD IF NOT EXISTS";
        for (size_t i = begin; i < partitions.size() && i < begin + batch; ++i) {
          out += "\n  PARTITION (";
          for (size_t k = 0; k < table.partition_keys.size(); ++k) {
            if (k > 0) out += ", ";
            out += QuoteIdentifier(table.partition_keys[k].name) + " = " +
                   QuoteString(partitions[i].values[k]);
          }
          out += ") LOCATION " + QuoteString(partitions[i].location);
        }
        out += ";\n\n";
      }
    }
  }
  return out;
}

}  // namespace tarn::catalog
