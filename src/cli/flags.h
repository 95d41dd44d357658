// Flag values shared by several subcommands, and the one way they print errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/keyring.h"

namespace tarn::cli {

// The instant a --now flag names: empty means the current time; all digits are epoch seconds;
// otherwise a timestamp ParseTimestamp() accepts ("2023-08-01 00:00:00", "2023-08-01T00:00:00Z").
Result<int64_t> ParseNowFlag(const std::string& text);

// A seed for runs that were not given one, printed so that the run can be repeated.
uint64_t FreshSeed();

// Prints "tarn <command>: error: <message>" on standard error.
void PrintError(std::string_view command, std::string_view message);

// Reports a failed command and returns its exit code: kExitUsage for kInvalidArgument (a bad
// flag value, named in the message), kExitFailure otherwise. A reader that closed our standard
// output ("broken pipe") ends the command silently with 141, as SIGPIPE would.
int ReportFailure(std::string_view command, const Status& status);

enum class KeyringUse {
  kCreate,     // Open the lake's keyring, creating it (and master key version 1) when absent.
  kIfPresent,  // Open it only when LAKE/_tarn/keys/ exists; null otherwise (readers).
};

// The lake's keyring (docs/encryption.md), with the operator key from `key_file` when not
// empty, else from TARN_MASTER_KEY when set. Errors name the file or variable.
Result<std::shared_ptr<storage::Keyring>> OpenLakeKeyring(const std::string& lake,
                                                          const std::string& key_file,
                                                          KeyringUse use);

// The --master-key-file flag's help text, shared by every command that reads or writes keys.
inline constexpr char kMasterKeyFileHelp[] =
    "File holding the operator's master key (64 hex digits or base64 of 32 bytes) that seals "
    "the lake's keyring; default: $TARN_MASTER_KEY when set, else the keyring is not sealed";

}  // namespace tarn::cli
