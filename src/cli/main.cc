// The `tarn` binary: parses the command line and runs one subcommand.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"

namespace {

// CLI11's messages can span lines; a usage error is one line.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tarn::cli;
  // A closed pipe is reported by write() as EPIPE and handled where it happens.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app(
      "tarn: a budget-friendly data lake in one binary (Firehose -> S3 -> Glue -> Athena, "
      "self-hosted)",
      "tarn");
  app.set_version_flag("--version", std::string("tarn ") + TARN_VERSION);
  app.footer("Run 'tarn COMMAND --help' for the flags of a command.");
  app.require_subcommand(0, 1);

  const std::vector<Command> commands = {
      AddGenerateCommand(app), AddConvertCommand(app), AddQueryCommand(app),
      AddCatalogCommand(app),  AddDemoCommand(app), AddServeCommand(app), AddSendCommand(app),
      AddLsCommand(app),       AddCatCommand(app),  AddTlsCommand(app),   AddCredentialsCommand(app),
      AddKeysCommand(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::string where;
    for (const Command& command : commands) {
      if (command.parser->parsed()) where = command.parser->get_name();
    }
    PrintError(where, OneLine(e.what()) + "; run 'tarn " + (where.empty() ? "" : where + " ") +
                          "--help' for usage");
    return kExitUsage;
  }
  for (const Command& command : commands) {
    if (command.parser->parsed()) return command.run();
  }
  std::fputs(app.help().c_str(), stderr);
  return kExitUsage;
}
