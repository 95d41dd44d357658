// Feeds arbitrary bytes as a stored object to the three readers of encrypted objects
// (DecryptObject, OpenForReading, OpenSourceForReading). None may crash, leak or allocate more
// than the input's size; when the input is an encrypted object, all three must agree on whether
// it is valid and on its plaintext.
//
// The keyring is a fixed master key (version 1, the bytes 0..31) written into a temporary lake
// before Keyring::Open, so the valid objects in fuzz/corpus/encrypted/ (made under that key)
// decrypt in every run.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/byte_source.h"
#include "common/random_access_file.h"
#include "storage/encrypted_object.h"
#include "storage/keyring.h"

namespace {

using tarn::storage::Keyring;

std::string* lake = nullptr;

void RemoveLake() {
  std::error_code ignored;
  std::filesystem::remove_all(*lake, ignored);
}

// The plain master key file layout of docs/encryption.md: magic | version | created | key.
std::string FixedKeyFile() {
  std::string file = "TARNMK1P";
  file += std::string("\x01\x00\x00\x00", 4);
  file += std::string(8, '\0');
  for (int i = 0; i < 32; ++i) file.push_back(static_cast<char>(i));
  return file;
}

Keyring* MakeKeyring() {
  char folder[] = "/tmp/tarn_encrypted_fuzz_XXXXXX";
  if (::mkdtemp(folder) == nullptr) std::abort();
  lake = new std::string(folder);
  std::atexit(RemoveLake);
  const std::string keys = *lake + "/_tarn/keys";
  std::filesystem::create_directories(keys);
  const std::string key_file = FixedKeyFile();
  const int fd = ::open((keys + "/master-1.key").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 ||
      ::write(fd, key_file.data(), key_file.size()) != static_cast<ssize_t>(key_file.size())) {
    std::abort();
  }
  ::close(fd);
  auto keyring = Keyring::Open(*lake, {});
  if (!keyring.ok()) std::abort();
  // Kept for the whole run through a reachable global, so it is no leak.
  static auto* holder = new std::shared_ptr<Keyring>(*keyring);
  return holder->get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Keyring* keyring = MakeKeyring();
  const std::string input(reinterpret_cast<const char*>(data), size);

  auto whole = tarn::storage::DecryptObject(*keyring, input, "fuzz");
  if (whole.ok() && whole->size() > input.size()) __builtin_trap();

  std::string through_file;
  bool file_ok = false;
  auto file = tarn::storage::OpenForReading(
      std::make_unique<tarn::StringRandomAccessFile>(input, "fuzz"), keyring);
  if (file.ok()) {
    if ((*file)->size() > input.size()) __builtin_trap();
    through_file.resize((*file)->size());
    file_ok = (*file)->ReadAt(0, through_file.size(), through_file.data()).ok();
    // Every range of a readable object reads back the same bytes; past the end never does.
    if (file_ok && !through_file.empty()) {
      const uint64_t offset = data[0] % through_file.size();
      const size_t length = (through_file.size() - offset) / 2;
      std::string part(length, '\0');
      if (!(*file)->ReadAt(offset, length, part.data()).ok() ||
          part != through_file.substr(offset, length)) {
        __builtin_trap();
      }
    }
    char byte;
    if ((*file)->ReadAt((*file)->size(), 1, &byte).ok()) __builtin_trap();
  }

  std::string through_source;
  bool source_ok = false;
  auto source = tarn::storage::OpenSourceForReading(
      std::make_unique<tarn::StringSource>(input, "fuzz"), keyring);
  if (source.ok()) {
    auto all = tarn::ReadAll(**source);
    source_ok = all.ok();
    if (source_ok) through_source = std::move(*all);
  }

  if (tarn::storage::LooksEncrypted(input)) {
    if (whole.ok() != file_ok || whole.ok() != source_ok) __builtin_trap();
    if (whole.ok() && (*whole != through_file || *whole != through_source)) __builtin_trap();
  } else if (file_ok != source_ok || (file_ok && through_file != through_source)) {
    __builtin_trap();
  }
  return 0;
}
