#include "auth/user_accounts.h"

#include <gtest/gtest.h>

#include "auth/password_hasher.h"
#include "storage/test_database.h"

namespace poise::auth {
namespace {

using storage::Role;

struct Fixture {
  Fixture() {
    EXPECT_TRUE(initCrypto());
    auto a = users.create("root", "h", false);
    EXPECT_TRUE(a);
    admin_id = a->id;
  }
  // A live session of `user_id`, named by its token hash.
  void addSession(std::int64_t user_id, const std::string& hash) {
    storage::Session s;
    s.token_hash = hash;
    s.user_id = user_id;
    s.created_at = s.last_seen_at = clock.now();
    s.expires_at = s.absolute_expires_at = clock.now() + std::chrono::hours(1);
    EXPECT_TRUE(sessions.create(s));
  }
  bool hasSession(const std::string& hash) {
    auto s = sessions.findByTokenHash(hash);
    return s && s->has_value();
  }
  storage::TestDatabase t;
  ManualClock clock;
  storage::UserRepository users{t.db(), clock};
  storage::SessionRepository sessions{t.db()};
  UserAccounts accounts{users, sessions};
  std::int64_t admin_id = 0;
};

TEST(UserAccounts, CreatesWithAGeneratedPasswordThatMustBeChanged) {
  Fixture f;
  auto made = f.accounts.create({.username = "watcher"});
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_TRUE(made->generated_password);
  EXPECT_GE(made->generated_password->size(), 20u);
  EXPECT_EQ(made->user.role, Role::Viewer) << "viewer unless asked otherwise";
  EXPECT_TRUE(made->user.must_change_password);
  EXPECT_TRUE(verifyPassword(made->user.password_hash, *made->generated_password));

  auto given = f.accounts.create(
      {.username = "second", .password = "a-long-chosen-passphrase", .role = Role::Admin});
  ASSERT_TRUE(given) << given.error().message;
  EXPECT_FALSE(given->generated_password);
  EXPECT_FALSE(given->user.must_change_password);
  EXPECT_EQ(given->user.role, Role::Admin);
}

TEST(UserAccounts, RefusesWeakPasswordsBadNamesAndDuplicates) {
  Fixture f;
  auto weak = f.accounts.create({.username = "x", .password = "short"});
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code, ErrorCode::WeakPassword);
  for (const char* bad : {"", " padded", "padded ", "tab\tname", "new\nline"}) {
    auto r = f.accounts.create({.username = bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::ValidationError) << bad;
  }
  auto dup = f.accounts.create({.username = "root"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  EXPECT_EQ(*f.users.count(), 1);
}

TEST(UserAccounts, DisablingRevokesSessionsAndNobodyDisablesOrDeletesThemself) {
  Fixture f;
  auto other = f.accounts.create({.username = "other", .role = Role::Admin});
  ASSERT_TRUE(other);
  f.addSession(other->user.id, "s-other");
  f.addSession(f.admin_id, "s-root");

  auto self_off = f.accounts.update(f.admin_id, f.admin_id, {.is_active = false});
  ASSERT_FALSE(self_off);
  EXPECT_EQ(self_off.error().code, ErrorCode::OwnAccount);
  auto self_delete = f.accounts.remove(f.admin_id, f.admin_id);
  ASSERT_FALSE(self_delete);
  EXPECT_EQ(self_delete.error().code, ErrorCode::OwnAccount);
  // Demoting oneself is allowed while another admin remains.
  auto self_demote = f.accounts.update(other->user.id, other->user.id, {.role = Role::Viewer});
  ASSERT_TRUE(self_demote) << self_demote.error().message;

  auto off = f.accounts.update(f.admin_id, other->user.id, {.is_active = false});
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_FALSE(off->is_active);
  EXPECT_FALSE(f.hasSession("s-other"));
  EXPECT_TRUE(f.hasSession("s-root"));

  auto last = f.accounts.update(other->user.id, f.admin_id, {.role = Role::Viewer});
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, ErrorCode::LastAdmin);

  ASSERT_TRUE(f.accounts.remove(f.admin_id, other->user.id));
  auto gone = f.accounts.find(other->user.id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
}

TEST(UserAccounts, AResetGeneratesAPasswordToChangeAndRevokesEverySession) {
  Fixture f;
  auto other = f.accounts.create({.username = "other", .password = "a-long-chosen-passphrase"});
  ASSERT_TRUE(other);
  f.addSession(other->user.id, "s1");
  f.addSession(other->user.id, "s2");
  f.addSession(f.admin_id, "s-root");
  auto reset = f.accounts.resetPassword(other->user.id);
  ASSERT_TRUE(reset) << reset.error().message;
  auto after = f.accounts.find(other->user.id);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->must_change_password);
  EXPECT_TRUE(verifyPassword(after->password_hash, *reset));
  EXPECT_FALSE(verifyPassword(after->password_hash, "a-long-chosen-passphrase"));
  EXPECT_FALSE(f.hasSession("s1"));
  EXPECT_FALSE(f.hasSession("s2"));
  EXPECT_TRUE(f.hasSession("s-root"));
  EXPECT_EQ(f.accounts.resetPassword(999).error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace poise::auth
