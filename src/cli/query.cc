// `tarn query`: SQL against the lake's catalog. Today it runs Athena's DDL (databases, tables,
// partitions, MSCK REPAIR TABLE, SHOW and DESCRIBE); SELECT arrives with the query engine.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "catalog/ddl_executor.h"
#include "catalog/sqlite_catalog.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "sql/parser/ddl_parser.h"

namespace tarn::cli {
namespace {

// Prints rows as an aligned table with a header, the way a terminal client does.
void PrintTable(const catalog::DdlResult& result) {
  if (result.columns.empty()) return;
  std::vector<size_t> widths;
  for (const std::string& c : result.columns) widths.push_back(c.size());
  for (const auto& row : result.rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      // Multi-line cells (SHOW CREATE TABLE) do not widen the table.
      const size_t line = row[i].find('\n');
      widths[i] = std::max(widths[i], line == std::string::npos ? row[i].size() : line);
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      line += (i == 0 ? " " : " | ") + cell;
      if (i + 1 < widths.size() && cell.find('\n') == std::string::npos) {
        line += std::string(widths[i] - std::min(widths[i], cell.size()), ' ');
      }
    }
    fmt::print("{}\n", line);
  };
  print_row(result.columns);
  std::string rule;
  for (size_t i = 0; i < widths.size(); ++i)
    rule += (i == 0 ? "-" : "-+-") + std::string(widths[i], '-');
  fmt::print("{}-\n", rule);
  for (const auto& row : result.rows) print_row(row);
}

}  // namespace

Command AddQueryCommand(CLI::App& app) {
  struct Flags {
    std::string sql;
    std::string file;
    std::string lake = "lake";
    std::string database = "default";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("query", "Run Athena SQL against the lake's catalog");
  cmd->footer(
      "Runs one statement against the catalog in LAKE/_tarn/catalog.db (created on first use).\n"
      "Supported today: CREATE/DROP DATABASE, SHOW DATABASES, CREATE EXTERNAL TABLE, DROP TABLE,\n"
      "SHOW TABLES, SHOW CREATE TABLE, DESCRIBE [FORMATTED], SHOW PARTITIONS, SHOW TBLPROPERTIES,\n"
      "SHOW COLUMNS, ALTER TABLE ADD/DROP PARTITION, SET TBLPROPERTIES, ADD COLUMNS and\n"
      "MSCK REPAIR TABLE. s3://BUCKET/KEY locations are LAKE/BUCKET/KEY.\n\n"
      "Examples:\n"
      "  tarn query --lake demo-lake \"SHOW TABLES\"\n"
      "  tarn query -f examples/seed/tables.sql");
  cmd->add_option("SQL", flags->sql, "The statement to run");
  cmd->add_option("-f,--file", flags->file, "Read the statement from a file");
  cmd->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();
  cmd->add_option("-d,--database", flags->database, "Database for unqualified names")
      ->capture_default_str();

  return {cmd, [flags]() -> int {
            std::string sql = flags->sql;
            if (!flags->file.empty()) {
              std::ifstream in(flags->file);
              if (!in) return ReportFailure("query", NotFound("cannot read '" + flags->file + "'"));
              std::stringstream text;
              text << in.rdbuf();
              sql = text.str();
            }
            if (sql.empty()) {
              return ReportFailure("query", InvalidArgument("give a statement or -f FILE"));
            }
            const auto start = std::chrono::steady_clock::now();
            auto statement = sql::ParseDdl(sql);
            if (!statement.ok()) return ReportFailure("query", statement.status());
            auto catalog = catalog::SqliteCatalog::OpenLake(flags->lake);
            if (!catalog.ok()) return ReportFailure("query", catalog.status());
            catalog::DdlExecutor executor(catalog->get(), flags->lake);
            auto result = executor.Execute(*statement, flags->database);
            if (!result.ok()) {
              // A statement that names a missing object is a failure of the work, not usage.
              if (result.status().code() == StatusCode::kInvalidArgument) {
                PrintError("query", result.status().message());
                return kExitFailure;
              }
              return ReportFailure("query", result.status());
            }
            PrintTable(*result);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (!result->message.empty()) fmt::print("{}\n", result->message);
            fmt::print("({} row{}, {:.3f} s)\n", result->rows.size(),
                       result->rows.size() == 1 ? "" : "s", seconds);
            return kExitOk;
          }};
}

}  // namespace tarn::cli
