#include "auth/session_service.h"

#include <gtest/gtest.h>

#include <vector>

#include "auth/password_hasher.h"
#include "storage/test_database.h"

namespace poise::auth {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  Fixture() {
    EXPECT_TRUE(initCrypto());
    auto hash = hashPassword("the-right-password-1");
    EXPECT_TRUE(hash);
    auto user = users.create("admin", *hash, false);
    EXPECT_TRUE(user);
    admin_id = user->id;
  }
  storage::TestDatabase t;
  ManualClock clock;
  storage::UserRepository users{t.db(), clock};
  storage::SessionRepository sessions{t.db()};
  SessionService service{users, sessions, clock, SessionOptions{}};
  std::int64_t admin_id = 0;
};

// The slot is taken before the password is checked: of 48 guesses that arrive together, only the
// six the throttle allows before its lock are ever checked, and the next is told when to return.
TEST(SessionService, ConcurrentGuessesAreAdmittedBeforeAnyPasswordIsChecked) {
  Fixture f;
  std::vector<LoginAttempt> admitted;
  int refused = 0;
  for (int i = 0; i < 48; ++i) {
    auto a = f.service.beginLogin("admin", "10.1.1.1");
    if (a.admitted()) {
      admitted.push_back(std::move(a));
    } else {
      EXPECT_FALSE(a.locked()) << "no failure is counted yet: the slots are only busy";
      EXPECT_EQ(a.retryAfter(), 1s);
      ++refused;
    }
  }
  EXPECT_EQ(admitted.size(), 6u);
  EXPECT_EQ(refused, 42);
  for (auto& a : admitted) {
    auto r = f.service.login(a, "guess", "test");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidCredentials);
    EXPECT_TRUE(a.knownUser());
  }
  EXPECT_TRUE(admitted.back().startedLock());
  auto locked = f.service.beginLogin("admin", "10.1.1.2");
  EXPECT_FALSE(locked.admitted()) << "the username is locked from every address";
  EXPECT_TRUE(locked.locked());
  EXPECT_EQ(locked.retryAfter(), 2s);
  f.clock.advance(2s);
  auto after = f.service.beginLogin("admin", "10.1.1.3");
  ASSERT_TRUE(after.admitted());
  auto ok = f.service.login(after, "the-right-password-1", "test");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->user.id, f.admin_id);
  EXPECT_FALSE(ok->token.empty());
}

TEST(SessionService, UnknownUsersAreMarkedAndDroppedAttemptsCountNothing) {
  Fixture f;
  {
    auto a = f.service.beginLogin("nobody", "10.2.2.2");
    ASSERT_TRUE(a.admitted());
    auto r = f.service.login(a, "x", "test");
    ASSERT_FALSE(r);
    EXPECT_FALSE(a.knownUser());
  }
  // Attempts refused by the hashing queue are dropped unchecked: they never lock anyone out.
  for (int i = 0; i < 20; ++i) {
    auto a = f.service.beginLogin("admin", "10.2.2.3");
    ASSERT_TRUE(a.admitted()) << i;
  }
  auto a = f.service.beginLogin("admin", "10.2.2.3");
  ASSERT_TRUE(a.admitted());
  EXPECT_TRUE(f.service.login(a, "the-right-password-1", "test"));
}

TEST(SessionService, ChangePasswordAppliesThePolicy) {
  Fixture f;
  auto weak = f.service.changePassword(f.admin_id, "tok", "the-right-password-1", "aaaaaaaa");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code, ErrorCode::WeakPassword);
  auto seq = f.service.changePassword(f.admin_id, "tok", "the-right-password-1", "123456789012");
  ASSERT_FALSE(seq);
  EXPECT_EQ(seq.error().code, ErrorCode::WeakPassword);
  auto wrong = f.service.changePassword(f.admin_id, "tok", "not-it", "a-much-better-secret");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::InvalidCredentials);
  EXPECT_TRUE(
      f.service.changePassword(f.admin_id, "tok", "the-right-password-1", "a-much-better-secret"));
}

// The login that changes the password keeps its session; every other session of that user goes,
// and the user is no longer asked to change it.
TEST(SessionService, ChangingThePasswordKeepsOnlyTheCurrentSession) {
  Fixture f;
  ASSERT_TRUE(f.users.updatePassword(f.admin_id, *hashPassword("the-right-password-1"), true));
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    auto a = f.service.beginLogin("admin", "10.3.3.3");
    auto ok = f.service.login(a, "the-right-password-1", "test");
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->user.must_change_password);
    tokens.push_back(ok->token);
  }
  ASSERT_TRUE(f.service.changePassword(f.admin_id, tokens[1], "the-right-password-1",
                                       "a-much-better-secret"));
  EXPECT_FALSE(f.service.authenticate(tokens[0]));
  auto kept = f.service.authenticate(tokens[1]);
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->must_change_password);
  EXPECT_FALSE(f.service.authenticate(tokens[2]));
}

// A disabled user's existing session stops working, and the right password does not log them in.
TEST(SessionService, DisabledUsersNeitherAuthenticateNorLogIn) {
  Fixture f;
  auto a = f.service.beginLogin("admin", "10.4.4.4");
  auto ok = f.service.login(a, "the-right-password-1", "test");
  ASSERT_TRUE(ok);
  ASSERT_TRUE(f.t.db().execute("UPDATE users SET is_active = 0 WHERE id = ?", {f.admin_id}));
  auto denied = f.service.authenticate(ok->token);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::Unauthorized);
  auto b = f.service.beginLogin("admin", "10.4.4.4");
  auto refused = f.service.login(b, "the-right-password-1", "test");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Inactive);
}

}  // namespace
}  // namespace poise::auth
