#include "auth/password_hasher.h"

#include <gtest/gtest.h>

namespace poise::auth {
namespace {

TEST(PasswordHasher, HashesWithArgon2idAndVerifies) {
  ASSERT_TRUE(initCrypto());
  auto h = hashPassword("correct horse");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verifyPassword(*h, "correct horse"));
  EXPECT_FALSE(verifyPassword(*h, "correct horsE"));
  EXPECT_FALSE(verifyPassword("garbage", "x"));
}

TEST(PasswordHasher, TokensAreRandomAndHashedStably) {
  ASSERT_TRUE(initCrypto());
  const auto a = generateToken();
  const auto b = generateToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(generatePassword().size(), 24u);
}

}  // namespace
}  // namespace poise::auth
