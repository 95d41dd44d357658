#include "common/prefetching_source.h"

#include <gtest/gtest.h>

#include <string>

#include "common/chunked_source.h"
#include "common/random.h"

namespace tarn {
namespace {

// Gives `data` in reads of at most `step` bytes, then fails with `error` if it is not OK.
class ScriptedSource : public fakes::ChunkedSource {
 public:
  ScriptedSource(std::string data, size_t step, Status error = Status::Ok())
      : ChunkedSource(std::move(data), {step}, "scripted", std::move(error)) {}
};

std::string RandomText(size_t n) {
  Random random(5);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>('a' + random.UniformInt(26));
  return s;
}

TEST(PrefetchingSourceTest, GivesTheSameBytesInOrder) {
  const std::string text = RandomText(3'000'000);
  PrefetchingSource source(std::make_unique<ScriptedSource>(text, 7777), 65536, 3);
  EXPECT_EQ(source.name(), "scripted");
  auto all = ReadAll(source);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, text);
  EXPECT_EQ(*source.Read(nullptr, 0), 0u);
}

TEST(PrefetchingSourceTest, ErrorComesAfterTheBytesBeforeIt) {
  const std::string text = RandomText(100'000);
  PrefetchingSource source(
      std::make_unique<ScriptedSource>(text, 1000, Corruption("bad byte at 100000")), 4096, 2);
  std::string got(200'000, '\0');
  size_t total = 0;
  Status error;
  for (;;) {
    auto n = source.Read(got.data() + total, got.size() - total);
    if (!n.ok()) {
      error = n.status();
      break;
    }
    ASSERT_GT(*n, 0u);
    total += *n;
  }
  EXPECT_EQ(total, text.size());
  EXPECT_EQ(got.substr(0, total), text);
  EXPECT_EQ(error.message(), "bad byte at 100000");
  EXPECT_FALSE(source.Read(got.data(), 1).ok());  // The error stays.
}

TEST(PrefetchingSourceTest, DestroyedBeforeTheEndDoesNotHang) {
  PrefetchingSource source(std::make_unique<ScriptedSource>(RandomText(5'000'000), 100), 4096, 2);
  char buffer[10];
  ASSERT_TRUE(source.Read(buffer, sizeof(buffer)).ok());
}

}  // namespace
}  // namespace tarn
