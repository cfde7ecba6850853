#include "auth/password_policy.h"

#include <gtest/gtest.h>

#include "auth/password_hasher.h"

namespace poise::auth {
namespace {

TEST(PasswordPolicy, RefusesShortAndTrivialPasswords) {
  const char* weak[] = {
      "aaaaaaaa",          // short (accepted before the policy)
      "Xk3!q9#Lm2",        // short, however random
      "aaaaaaaaaaaa",      // one character
      "abcabcabcabc",      // a short pattern repeated
      "121212121212",      //
      "123456789012",      // digits in a row, wrapping
      "210987654321",      // backwards
      "abcdefghijkl",      // the alphabet
      "ABCDEFGHIJKLMNOP",  // any case
      "qwertyuiop[]",      // a keyboard row
      "Password2024!",     // a common word with digits and symbols around it
      "passwordpassword",  // common words run together
      "adminadmin123",     //
      "!!letmein!!!!",     //
      "1qaz2wsx3edc",      // from the breach lists
      "Qwerty123456",      //
  };
  for (const char* p : weak) {
    auto st = checkNewPassword(p, "admin");
    ASSERT_FALSE(st) << p;
    EXPECT_EQ(st.error().code, ErrorCode::WeakPassword) << p;
    EXPECT_EQ(st.error().message.find(p), std::string::npos) << "the message never echoes it";
  }
}

TEST(PasswordPolicy, RefusesTheUsernameAndTheUsernameWithDigits) {
  EXPECT_FALSE(checkNewPassword("operator-alice", "operator-alice"));
  EXPECT_FALSE(checkNewPassword("OPERATOR-ALICE", "operator-alice"));
  EXPECT_FALSE(checkNewPassword("margaret2024!!", "margaret"));
}

TEST(PasswordPolicy, AcceptsReasonablePasswordsAndEveryGeneratedOne) {
  ASSERT_TRUE(initCrypto());
  for (const char* p : {"correct horse battery staple", "tr0ub4dor&3-x", "Зелёный-слон-42",
                        "gateway-ops-7f3k", "839201746512"}) {
    EXPECT_TRUE(checkNewPassword(p, "admin")) << p;
  }
  for (int i = 0; i < 2000; ++i) {
    const std::string p = generatePassword();
    auto st = checkNewPassword(p, "admin");
    EXPECT_TRUE(st) << st.error().message;
  }
}

TEST(PasswordPolicy, CountsCharactersNotBytesAndCapsBytes) {
  EXPECT_TRUE(checkNewPassword("ёжик-в-туман", "admin")) << "12 characters in 22 bytes";
  EXPECT_FALSE(checkNewPassword("ёжикёж", "admin")) << "6 characters in 12 bytes";
  EXPECT_FALSE(checkNewPassword(std::string(257, 'x') + "y", "admin"));
}

}  // namespace
}  // namespace poise::auth
