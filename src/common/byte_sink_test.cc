#include "common/byte_sink.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tarn {
namespace {

namespace fs = std::filesystem;

class FileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tarn_file_sink_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(FileSinkTest, FileAppearsOnlyOnClose) {
  const fs::path path = dir_ / "out.txt";
  auto sink = FileSink::Create(path.string());
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE((*sink)->Append("hello ").ok());
  ASSERT_TRUE((*sink)->Append("lake").ok());
  EXPECT_FALSE(fs::exists(path));
  ASSERT_TRUE((*sink)->Close().ok());
  EXPECT_EQ(Read(path), "hello lake");
}

TEST_F(FileSinkTest, DestroyedWithoutCloseLeavesNothing) {
  {
    auto sink = FileSink::Create((dir_ / "out.txt").string());
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Append("partial").ok());
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(FileSinkTest, MissingFolderIsNotFound) {
  auto sink = FileSink::Create((dir_ / "no" / "out.txt").string());
  EXPECT_EQ(sink.status().code(), StatusCode::kNotFound);
  EXPECT_NE(sink.status().message().find("no/out.txt"), std::string::npos);
}

TEST_F(FileSinkTest, DevicePathIsWrittenNotReplaced) {
  auto sink = FileSink::Create("/dev/null");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Append("discarded").ok());
  ASSERT_TRUE((*sink)->Close().ok());
  struct stat info;
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
}

TEST_F(FileSinkTest, FolderPathIsRejected) {
  EXPECT_EQ(FileSink::Create(dir_.string()).status().code(), StatusCode::kInvalidArgument);
}

TEST(FdSinkTest, ClosedPipeIsBrokenPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  signal(SIGPIPE, SIG_IGN);
  FdSink sink(fds[1]);
  const Status s = sink.Append("x");
  ::close(fds[1]);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "broken pipe");
}

}  // namespace
}  // namespace tarn
