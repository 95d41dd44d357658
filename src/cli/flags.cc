#include "cli/flags.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "cli/commands.h"
#include "common/civil_time.h"

namespace tarn::cli {

Result<int64_t> ParseNowFlag(const std::string& text) {
  if (text.empty()) {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() ||
        seconds > INT64_MAX / kMicrosPerSecond) {
      return InvalidArgument(fmt::format("--now: epoch seconds '{}' out of range", text));
    }
    return seconds * kMicrosPerSecond;
  }
  Result<int64_t> parsed = ParseTimestamp(text);
  if (!parsed.ok()) return parsed.status().WithContext("--now");
  return parsed;
}

uint64_t FreshSeed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

void PrintError(std::string_view command, std::string_view message) {
  std::string line = command.empty() ? std::string("tarn") : fmt::format("tarn {}", command);
  line += fmt::format(": error: {}\n", message);
  std::fputs(line.c_str(), stderr);
}

int ReportFailure(std::string_view command, const Status& status) {
  if (status.code() == StatusCode::kUnavailable && status.message() == "broken pipe") {
    return 128 + 13;
  }
  PrintError(command, status.message());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

Result<std::shared_ptr<storage::Keyring>> OpenLakeKeyring(const std::string& lake,
                                                          const std::string& key_file,
                                                          KeyringUse use) {
  if (use == KeyringUse::kIfPresent) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(lake) / "_tarn" / "keys", ec)) {
      return std::shared_ptr<storage::Keyring>();
    }
  }
  TARN_ASSIGN_OR_RETURN(storage::KeyringOptions options, storage::KeyringOptionsFrom(key_file));
  return storage::Keyring::Open(lake, options);
}

}  // namespace tarn::cli
