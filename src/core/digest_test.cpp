#include "core/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "core/encoding.h"

namespace poise {
namespace {

TEST(Digest, Sha256MatchesTheStandardVectors) {
  // FIPS 180-2 examples, and the empty string.
  EXPECT_EQ(toHex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(toHex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(toHex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(toHex(sha256(std::string(1'000'000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Digest, EqualityIsExact) {
  const Sha256 a = sha256("gp_one");
  Sha256 b = a;
  EXPECT_TRUE(digestEquals(a, b));
  b[31] ^= 1;
  EXPECT_FALSE(digestEquals(a, b));
  b = a;
  b[0] ^= 0x80;
  EXPECT_FALSE(digestEquals(a, b));
}

}  // namespace
}  // namespace poise
