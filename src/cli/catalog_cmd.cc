// `tarn catalog`: the catalog as a whole. `export` prints Athena DDL that recreates it
// elsewhere (Athena, Trino's Hive connector, Spark SQL) over the same s3:// locations;
// `import` runs such a file.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "catalog/ddl_executor.h"
#include "catalog/export.h"
#include "catalog/sqlite_catalog.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "sql/parser/ddl_parser.h"
#include "sql/parser/script.h"

namespace tarn::cli {

Command AddCatalogCommand(CLI::App& app) {
  struct Flags {
    std::string lake = "lake";
    std::string format = "athena";
    size_t batch = 100;
    std::string file;
    std::string database = "default";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("catalog", "Export the catalog as Athena DDL, or import DDL");
  cmd->require_subcommand(1);
  cmd->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();
  CLI::App* exporter = cmd->add_subcommand(
      "export", "Print DDL (tables, then ALTER TABLE ... ADD PARTITION batches) for Athena");
  exporter->add_option("--format", flags->format, "DDL dialect")
      ->check(CLI::IsMember({"athena"}))
      ->capture_default_str();
  exporter->add_option("--batch", flags->batch, "Partitions per ALTER TABLE statement")
      ->check(CLI::Range(size_t{1}, size_t{10000}))
      ->capture_default_str();
  CLI::App* importer =
      cmd->add_subcommand("import", "Run a file of DDL statements (as export writes them)");
  importer->add_option("FILE", flags->file, "The .sql file")->required();
  importer->add_option("-d,--database", flags->database, "Database for unqualified names")
      ->capture_default_str();

  return {cmd, [flags, exporter]() -> int {
            auto catalog = catalog::SqliteCatalog::OpenLake(flags->lake);
            if (!catalog.ok()) return ReportFailure("catalog", catalog.status());
            if (exporter->parsed()) {
              auto ddl = catalog::ExportAthenaDdl(**catalog, flags->batch);
              if (!ddl.ok()) return ReportFailure("catalog export", ddl.status());
              std::fputs(ddl->c_str(), stdout);
              return kExitOk;
            }
            std::ifstream in(flags->file);
            if (!in) {
              return ReportFailure("catalog import", NotFound("cannot read '" + flags->file + "'"));
            }
            std::stringstream text;
            text << in.rdbuf();
            auto statements = sql::SplitStatements(text.str());
            if (!statements.ok()) return ReportFailure("catalog import", statements.status());
            catalog::DdlExecutor executor(catalog->get(), flags->lake);
            size_t done = 0;
            for (const sql::ScriptStatement& s : *statements) {
              auto parsed = sql::ParseDdl(s.text);
              Result<catalog::DdlResult> result = parsed.ok()
                                                      ? executor.Execute(*parsed, flags->database)
                                                      : Result<catalog::DdlResult>(parsed.status());
              if (!result.ok()) {
                PrintError(
                    "catalog import",
                    fmt::format("{}: statement {} (line {}): {}; {} statement(s) before it "
                                "were applied",
                                flags->file, done + 1, s.line, result.status().message(), done));
                return kExitFailure;
              }
              ++done;
            }
            fmt::print("tarn catalog import: {} statement(s) from {} applied\n", done, flags->file);
            return kExitOk;
          }};
}

}  // namespace tarn::cli
