// `tarn query`: Athena SQL against the lake: queries through the query engine (docs/query.md)
// and DDL against the catalog, one statement per run, from the command line, a file, or an
// interactive prompt. Each statement ends with what Athena's console shows: run time, data
// scanned, and what Athena would charge for it.
#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "catalog/ddl_executor.h"
#include "catalog/sqlite_catalog.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "common/aws_prices.h"
#include "common/human_units.h"
#include "common/json_text.h"
#include "common/random.h"
#include "sql/engine.h"
#include "sql/parser/ddl_parser.h"
#include "sql/parser/query_parser.h"
#include "sql/parser/script.h"

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

enum class Format { kTable, kCsv, kTsv, kJson };

Result<Format> ParseFormat(const std::string& text) {
  if (text == "table") return Format::kTable;
  if (text == "csv") return Format::kCsv;
  if (text == "tsv") return Format::kTsv;
  if (text == "json") return Format::kJson;
  return InvalidArgument(fmt::format("--format: expected table, csv, tsv or json, got '{}'", text));
}

std::string CsvField(const std::optional<std::string>& value) {
  if (!value) return "";  // NULL: an empty unquoted field, as Athena writes it.
  std::string out = "\"";
  for (char c : *value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string TsvField(const std::optional<std::string>& value) {
  if (!value) return "NULL";
  std::string out;
  for (char c : *value) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void AppendJsonCell(const sql::Column& column, size_t row, std::string* out) {
  const std::optional<std::string> value = sql::FormatValue(column, row);
  if (!value) {
    out->append("null");
    return;
  }
  switch (column.type.kind) {
    case formats::TypeKind::kBoolean:
    case formats::TypeKind::kTinyInt:
    case formats::TypeKind::kSmallInt:
    case formats::TypeKind::kInt:
    case formats::TypeKind::kBigInt:
      out->append(*value);
      return;
    case formats::TypeKind::kFloat:
    case formats::TypeKind::kDouble:
      if (*value == "NaN" || *value == "Infinity" || *value == "-Infinity") break;
      out->append(*value);
      return;
    default:
      break;
  }
  AppendJsonString(out, *value);
}

void PrintResult(const sql::QueryResult& result, Format format, std::FILE* to) {
  std::string out;
  const size_t columns = result.names.size();
  if (format == Format::kTable) {
    catalog::DdlResult table;
    table.columns = result.names;
    for (const sql::Batch& batch : result.batches) {
      for (size_t r = 0; r < batch.rows; ++r) {
        std::vector<std::string> row;
        for (size_t c = 0; c < columns; ++c) {
          row.push_back(sql::FormatValue(batch.columns[c], r).value_or("NULL"));
        }
        table.rows.push_back(std::move(row));
      }
    }
    PrintTable(table);
    return;
  }
  if (format == Format::kCsv || format == Format::kTsv) {
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) out.push_back(format == Format::kCsv ? ',' : '\t');
      out += format == Format::kCsv ? CsvField(result.names[c]) : TsvField(result.names[c]);
    }
    out.push_back('\n');
  }
  for (const sql::Batch& batch : result.batches) {
    for (size_t r = 0; r < batch.rows; ++r) {
      if (format == Format::kJson) {
        out.push_back('{');
        for (size_t c = 0; c < columns; ++c) {
          if (c > 0) out.push_back(',');
          AppendJsonString(&out, result.names[c]);
          out.push_back(':');
          AppendJsonCell(batch.columns[c], r, &out);
        }
        out.append("}\n");
        continue;
      }
      for (size_t c = 0; c < columns; ++c) {
        if (c > 0) out.push_back(format == Format::kCsv ? ',' : '\t');
        const std::optional<std::string> value = sql::FormatValue(batch.columns[c], r);
        out += format == Format::kCsv ? CsvField(value) : TsvField(value);
      }
      out.push_back('\n');
    }
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), to);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), to);
}

std::string QueryId() {
  Random random(FreshSeed());
  const uint64_t a = random.Next(), b = random.Next();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffULL);
}

// Athena's result files: QUERYID.csv and QUERYID.csv.metadata.
Status WriteOutput(const std::string& folder, const sql::QueryResult& result,
                   const std::string& sql, std::string* written) {
  const std::string id = QueryId();
  const std::string path = fmt::format("{}/{}.csv", folder, id);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return NotFound(fmt::format("--output: cannot write {}", path));
  PrintResult(result, Format::kCsv, file);
  const bool ok = std::fclose(file) == 0;
  if (!ok) return Internal(fmt::format("--output: cannot write {}", path));
  std::string meta = "{\"QueryExecutionId\":";
  AppendJsonString(&meta, id);
  meta += ",\"Query\":";
  AppendJsonString(&meta, sql);
  meta += fmt::format(
      ",\"DataScannedInBytes\":{},\"EngineExecutionTimeInMillis\":{},\"Rows\":{},\"Columns\":[",
      result.bytes_scanned, static_cast<int64_t>(result.seconds * 1000), result.rows);
  for (size_t c = 0; c < result.names.size(); ++c) {
    if (c > 0) meta.push_back(',');
    meta += "{\"Name\":";
    AppendJsonString(&meta, result.names[c]);
    meta += ",\"Type\":";
    AppendJsonString(&meta, sql::SqlTypeName(result.types[c]));
    meta.push_back('}');
  }
  meta += "]}\n";
  std::FILE* meta_file = std::fopen((path + ".metadata").c_str(), "wb");
  if (meta_file == nullptr)
    return NotFound(fmt::format("--output: cannot write {}.metadata", path));
  std::fwrite(meta.data(), 1, meta.size(), meta_file);
  std::fclose(meta_file);
  *written = path;
  return Status::Ok();
}

struct QueryFlags {
  std::string sql;
  std::string file;
  std::string lake = "lake";
  std::string database = "default";
  std::string format = "table";
  std::string output;
  double memory_limit_gib = 4;
  int threads = 0;
  std::string master_key_file;
};

// Runs one statement; returns the exit code. Errors are printed.
int RunStatement(const std::string& sql, const QueryFlags& flags, Format format) {
  const auto start = std::chrono::steady_clock::now();
  Result<bool> is_query = sql::IsQuery(sql);
  // A statement that does not parse is a wrong command line (exit 2), as for any argument.
  if (!is_query.ok()) {
    PrintError("query", "SYNTAX_ERROR: " + is_query.status().message());
    return kExitUsage;
  }
  auto catalog = catalog::SqliteCatalog::OpenLake(flags.lake);
  if (!catalog.ok()) return ReportFailure("query", catalog.status());
  if (*is_query) {
    Result<sql::Statement> statement = sql::ParseStatement(sql);
    if (!statement.ok()) {
      PrintError("query", "SYNTAX_ERROR: " + statement.status().message());
      return kExitUsage;
    }
    const sql::QueryStatement& query = std::get<sql::QueryStatement>(*statement);
    sql::QueryOptions options;
    options.lake_root = flags.lake;
    options.database = flags.database;
    options.memory_limit = static_cast<uint64_t>(flags.memory_limit_gib * (1ULL << 30));
    options.threads = flags.threads;
    options.explain = query.explain != sql::ExplainMode::kNone;
    // Encrypted objects are read with the lake's keyring; a lake without one has none.
    Result<std::shared_ptr<storage::Keyring>> keyring =
        OpenLakeKeyring(flags.lake, flags.master_key_file, KeyringUse::kIfPresent);
    if (!keyring.ok()) return ReportFailure("query", keyring.status());
    options.keyring = keyring->get();
    Result<sql::QueryResult> result = sql::RunQuery(query.query, **catalog, options);
    if (!result.ok()) {
      PrintError("query", result.status().message());
      return kExitFailure;
    }
    PrintResult(*result, format, stdout);
    std::fflush(stdout);
    if (!flags.output.empty()) {
      std::string written;
      Status status = WriteOutput(flags.output, *result, sql, &written);
      if (!status.ok()) return ReportFailure("query", status);
      std::fputs(fmt::format("Results: {}\n", written).c_str(), stderr);
    }
    std::fputs(fmt::format("Run time: {:.3f} sec, Data scanned: {} ({} bytes), Rows: {}, "
                           "Cost: ${:.6f}\n",
                           result->seconds, HumanBytes(result->bytes_scanned),
                           WithThousands(result->bytes_scanned), result->rows,
                           AthenaQueryDollars(result->bytes_scanned))
                   .c_str(),
               stderr);
    return kExitOk;
  }
  auto statement = sql::ParseDdl(sql);
  if (!statement.ok()) {
    PrintError("query", "SYNTAX_ERROR: " + statement.status().message());
    return kExitUsage;
  }
  catalog::DdlExecutor executor(catalog->get(), flags.lake);
  auto result = executor.Execute(*statement, flags.database);
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
  fmt::print("({} row{}, {:.3f} s)\n", result->rows.size(), result->rows.size() == 1 ? "" : "s",
             seconds);
  std::fflush(stdout);
  return kExitOk;
}

// The interactive prompt: statements end with ';'; history is kept in ~/.tarn_history.
int RunPrompt(const QueryFlags& flags, Format format) {
  const char* home = std::getenv("HOME");
  const std::string history = home != nullptr ? std::string(home) + "/.tarn_history" : "";
  std::fputs(fmt::format("tarn query on lake {} (database {}). End statements with ';', "
                         "quit with Ctrl-D.\n",
                         flags.lake, flags.database)
                 .c_str(),
             stderr);
  std::string pending;
  std::string line;
  while (true) {
    std::fputs(pending.empty() ? "tarn> " : "   -> ", stderr);
    if (!std::getline(std::cin, line)) break;
    pending += line + "\n";
    if (line.find(';') == std::string::npos) continue;
    Result<std::vector<sql::ScriptStatement>> statements = sql::SplitStatements(pending);
    pending.clear();
    if (!statements.ok()) {
      PrintError("query", statements.status().message());
      continue;
    }
    for (const sql::ScriptStatement& statement : *statements) {
      if (!history.empty()) {
        std::ofstream(history, std::ios::app) << statement.text << ";\n";
      }
      RunStatement(statement.text, flags, format);
    }
  }
  std::fputs("\n", stderr);
  return kExitOk;
}

}  // namespace

Command AddQueryCommand(CLI::App& app) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand("query", "Run Athena SQL against the lake");
  cmd->footer(
      "Runs one statement: a query (SELECT, WITH, VALUES; Athena engine v3 / Trino dialect, see\n"
      "docs/query.md) through the query engine, or DDL against the catalog in\n"
      "LAKE/_tarn/catalog.db (CREATE/DROP DATABASE and TABLE, SHOW, DESCRIBE, ALTER TABLE\n"
      "ADD/DROP PARTITION, MSCK REPAIR TABLE). With no statement and a terminal, an interactive\n"
      "prompt. After each query: run time, data scanned, rows, and Athena's cost for it\n"
      "($5 per TB, rounded up to the MB, 10 MB minimum) on standard error.\n\n"
      "Examples:\n"
      "  tarn query --lake demo-lake \"SELECT name, count(*) FROM kozlovski.events_json GROUP BY "
      "1\"\n"
      "  tarn query --lake demo-lake --format csv -f june.sql --output results/\n"
      "  tarn query --lake demo-lake \"SHOW TABLES IN kozlovski\"");
  cmd->add_option("SQL", flags->sql, "The statement to run");
  cmd->add_option("-f,--file", flags->file, "Read the statement from a file ('-': standard input)");
  cmd->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();
  cmd->add_option("-d,--database", flags->database, "Database for unqualified names")
      ->capture_default_str();
  cmd->add_option("--format", flags->format, "Result format: table, csv, tsv or json")
      ->capture_default_str();
  cmd->add_option("--output", flags->output,
                  "Also write Athena-style results (QUERYID.csv and .metadata) into this folder");
  cmd->add_option("--memory-limit-gib", flags->memory_limit_gib,
                  "Fail a query that would hold more memory than this")
      ->check(CLI::Range(0.0001, 1024.0))
      ->capture_default_str();
  cmd->add_option("--master-key-file", flags->master_key_file, kMasterKeyFileHelp);
  cmd->add_option("--threads", flags->threads, "Worker threads (default: every core)")
      ->check(CLI::Range(0, 256));

  return {cmd, [flags]() -> int {
            // A query allocates and frees large column buffers all the time; by default glibc
            // hands blocks over 32 MiB (and freed heap tops) back to the kernel and pays page
            // faults to get them again. Keeping them in the heap made GROUP BY over the seed's
            // Parquet table 20% faster; the query's memory limit bounds what stays.
            mallopt(M_MMAP_THRESHOLD, 256 << 20);
            mallopt(M_TRIM_THRESHOLD, 1 << 30);
            mallopt(M_TOP_PAD, 64 << 20);
            Result<Format> format = ParseFormat(flags->format);
            if (!format.ok()) return ReportFailure("query", format.status());
            std::string sql = flags->sql;
            if (!flags->file.empty()) {
              std::stringstream text;
              if (flags->file == "-") {
                text << std::cin.rdbuf();
              } else {
                std::ifstream in(flags->file);
                if (!in) {
                  return ReportFailure("query", NotFound("cannot read '" + flags->file + "'"));
                }
                text << in.rdbuf();
              }
              sql = text.str();
            }
            if (sql.empty()) {
              if (flags->file.empty() && ::isatty(0)) return RunPrompt(*flags, *format);
              return ReportFailure("query", InvalidArgument("give a statement or -f FILE"));
            }
            return RunStatement(sql, *flags, *format);
          }};
}

}  // namespace tarn::cli
