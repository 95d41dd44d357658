// The subcommands of the `tarn` binary. Each Add…Command() registers a subcommand and its flags
// on the application and returns it with the function that runs it once the command line is
// parsed. Runners return the process exit code (kExitOk, kExitFailure, kExitUsage).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace tarn::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // The work failed; the error was printed.
inline constexpr int kExitUsage = 2;    // The command line was wrong; the error was printed.

struct Command {
  CLI::App* parser;
  std::function<int()> run;
};

Command AddGenerateCommand(CLI::App& app);
Command AddConvertCommand(CLI::App& app);
Command AddQueryCommand(CLI::App& app);
Command AddCatalogCommand(CLI::App& app);
Command AddDemoCommand(CLI::App& app);
Command AddServeCommand(CLI::App& app);
Command AddSendCommand(CLI::App& app);
Command AddTlsCommand(CLI::App& app);          // tls_cmd.cc: `tarn tls self-signed`
Command AddCredentialsCommand(CLI::App& app);  // credentials_cmd.cc
Command AddKeysCommand(CLI::App& app);         // keys_cmd.cc: `tarn keys list|rotate|retire`
Command AddLsCommand(CLI::App& app);           // ls_cat.cc
Command AddCatCommand(CLI::App& app);          // ls_cat.cc

}  // namespace tarn::cli
