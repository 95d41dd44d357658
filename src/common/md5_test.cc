#include "common/md5.h"

#include <gtest/gtest.h>

namespace tarn {
namespace {

// Test vectors from RFC 1321, appendix A.5.
TEST(Md5Test, Rfc1321Vectors) {
  Md5 md5;
  EXPECT_EQ(ToHex(md5.Digest("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(ToHex(md5.Digest("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(ToHex(md5.Digest("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(Md5Test, ReusedContextGivesSameDigest) {
  Md5 md5;
  const Md5Digest first = md5.Digest("abc");
  md5.Digest("something else");
  EXPECT_EQ(md5.Digest("abc"), first);
}

}  // namespace
}  // namespace tarn
