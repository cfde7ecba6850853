#include "storage/session_repository.h"

#include <gtest/gtest.h>

#include "storage/limits.h"
#include "storage/test_database.h"
#include "storage/user_repository.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

class SessionRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto u = users_.create("admin", "h", false);
    ASSERT_TRUE(u);
    user_id_ = u->id;
  }
  Session make(std::string hash, Millis sliding = 30min, Millis absolute = 12h) {
    const TimePoint now = clock_.now();
    return Session{.id = 0,
                   .token_hash = std::move(hash),
                   .user_id = user_id_,
                   .created_at = now,
                   .last_seen_at = now,
                   .expires_at = now + sliding,
                   .absolute_expires_at = now + absolute,
                   .ip = "203.0.113.7",
                   .user_agent = "Mozilla/5.0 (X11) — тест"};
  }

  TestDatabase t_;
  ManualClock clock_;
  UserRepository users_{t_.db(), clock_};
  SessionRepository sessions_{t_.db()};
  std::int64_t user_id_ = 0;
};

TEST_F(SessionRepositoryTest, CreateFindTouchRevoke) {
  auto s = sessions_.create(make(std::string(64, 'a')));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_GT(s->id, 0);
  auto dup = sessions_.create(make(std::string(64, 'a')));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);

  auto found = sessions_.findByTokenHash(std::string(64, 'a'));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->user_id, user_id_);
  EXPECT_EQ((*found)->expires_at, clock_.now() + 30min);
  EXPECT_EQ((*found)->user_agent, "Mozilla/5.0 (X11) — тест");

  clock_.advance(10min);
  ASSERT_TRUE(sessions_.touch(std::string(64, 'a'), clock_.now(), clock_.now() + 30min));
  found = sessions_.findByTokenHash(std::string(64, 'a'));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->last_seen_at, clock_.now());
  EXPECT_EQ((*found)->expires_at, clock_.now() + 30min);

  auto revoked = sessions_.revoke(std::string(64, 'a'));
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(*revoked);
  auto again = sessions_.revoke(std::string(64, 'a'));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto touch_gone = sessions_.touch(std::string(64, 'a'), clock_.now(), clock_.now());
  ASSERT_FALSE(touch_gone);
  EXPECT_EQ(touch_gone.error().code, ErrorCode::NotFound);
  auto gone = sessions_.findByTokenHash(std::string(64, 'a'));
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
}

TEST_F(SessionRepositoryTest, OverlongClientDetailsAreCutAtACharacterBoundary) {
  Session s = make(std::string(64, 'u'));
  s.user_agent = std::string(1, 'x');
  for (int i = 0; i < 400; ++i) s.user_agent += "ж";  // 801 bytes
  s.ip = std::string(100, '9');
  ASSERT_TRUE(sessions_.create(s));
  auto found = sessions_.findByTokenHash(std::string(64, 'u'));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->user_agent, s.user_agent.substr(0, kMaxUserAgentBytes - 1));
  EXPECT_EQ((*found)->ip, std::string(kMaxIpBytes, '9'));
}

TEST_F(SessionRepositoryTest, RevokeAllKeepsTheCallersSession) {
  for (char c : {'a', 'b', 'c'}) ASSERT_TRUE(sessions_.create(make(std::string(64, c))));
  auto n = sessions_.revokeAllForUser(user_id_, std::string(64, 'b'));
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_TRUE(sessions_.findByTokenHash(std::string(64, 'b'))->has_value());
  auto all = sessions_.revokeAllForUser(user_id_);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, 1);
}

TEST_F(SessionRepositoryTest, DeletesBySlidingOrAbsoluteExpiry) {
  ASSERT_TRUE(sessions_.create(make(std::string(64, 'a'), 10min, 12h)));  // slides out first
  ASSERT_TRUE(sessions_.create(make(std::string(64, 'b'), 2h, 1h)));      // capped first
  ASSERT_TRUE(sessions_.create(make(std::string(64, 'c'), 2h, 12h)));
  clock_.advance(61min);
  auto n = sessions_.deleteExpired(clock_.now());
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_TRUE(sessions_.findByTokenHash(std::string(64, 'c'))->has_value());
}

TEST_F(SessionRepositoryTest, DeletingTheUserCascades) {
  ASSERT_TRUE(sessions_.create(make(std::string(64, 'a'))));
  ASSERT_TRUE(t_.db().execute("DELETE FROM users WHERE id = ?", {user_id_}));
  EXPECT_FALSE(sessions_.findByTokenHash(std::string(64, 'a'))->has_value());
}

}  // namespace
}  // namespace poise::storage
