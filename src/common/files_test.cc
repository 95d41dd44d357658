#include "common/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace tarn {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("tarn_files_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

TEST(FileLockTest, ASecondHolderIsRefusedUntilTheFirstLetsGo) {
  const std::string path = TempPath("lock");
  auto first = FileLock::Acquire(path, FileLock::Wait::kTry);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = FileLock::Acquire(path, FileLock::Wait::kTry);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(path), std::string::npos);
  first->reset();
  EXPECT_TRUE(FileLock::Acquire(path, FileLock::Wait::kBlock).ok());
  std::filesystem::remove(path);
}

TEST(WriteFileAtomicallyTest, ReplacesOrNeverReplacesAndLeavesNoTemporaryFile) {
  const std::string folder = TempPath("atomic");
  std::filesystem::create_directories(folder);
  const std::string path = folder + "/f";
  ASSERT_TRUE(WriteFileAtomically(path, "one", Replace::kNever).ok());
  EXPECT_EQ(WriteFileAtomically(path, "two", Replace::kNever).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(WriteFileAtomically(path, "three", Replace::kYes).ok());
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "three");
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder), {}), 1);
  std::filesystem::remove_all(folder);
}

TEST(SyncFolderTest, NamesAFolderItCannotOpen) {
  const std::string missing = TempPath("no_such_folder");
  const Status status = SyncFolder(missing);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(missing), std::string::npos);
  EXPECT_TRUE(SyncFolder(std::filesystem::temp_directory_path().string()).ok());
}

}  // namespace
}  // namespace tarn
