#include "storage/user_repository.h"

#include <gtest/gtest.h>

#include <array>
#include <latch>
#include <thread>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

TEST(UserRepository, CreatesFindsAndRejectsDuplicates) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto count0 = users.count();
  ASSERT_TRUE(count0);
  EXPECT_EQ(*count0, 0);

  auto admin = users.create("admin", "$argon2id$v=19$hash", true);
  ASSERT_TRUE(admin) << admin.error().message;
  EXPECT_GT(admin->id, 0);
  EXPECT_TRUE(admin->must_change_password);
  EXPECT_TRUE(admin->is_active);
  EXPECT_EQ(admin->created_at, clock.now());

  auto dup = users.create("admin", "x", false);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  EXPECT_FALSE(users.create("", "x", false));

  auto found = users.findByUsername("admin");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, admin->id);
  EXPECT_EQ((*found)->password_hash, "$argon2id$v=19$hash");
  EXPECT_EQ((*found)->created_at, clock.now());
  auto by_id = users.findById(admin->id);
  ASSERT_TRUE(by_id && by_id->has_value());
  EXPECT_EQ((*by_id)->username, "admin");
  auto missing = users.findByUsername("nobody");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(users.create("Öperator 運用", "h2", false));
  auto all = users.list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].username, "Öperator 運用");
  EXPECT_EQ(*users.count(), 2);
}

TEST(UserRepository, UpdatesPassword) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto u = users.create("admin", "old", true);
  ASSERT_TRUE(u);
  clock.advance(5s);
  ASSERT_TRUE(users.updatePassword(u->id, "new"));
  auto after = users.findById(u->id);
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->password_hash, "new");
  EXPECT_FALSE((*after)->must_change_password);
  EXPECT_EQ((*after)->updated_at, clock.now());
  EXPECT_EQ((*after)->created_at, clock.now() - 5s);

  auto missing = users.updatePassword(999, "x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST(UserRepository, RolesRoundTripAndDefaultToAdmin) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto admin = users.create("admin", "h", false);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->role, Role::Admin);
  auto viewer = users.create("viewer", "h", true, Role::Viewer);
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->role, Role::Viewer);
  auto found = users.findById(viewer->id);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->role, Role::Viewer);
  EXPECT_TRUE((*found)->must_change_password);
  EXPECT_EQ(*users.countActiveAdmins(), 1);

  // The column refuses any other name, whatever writes it.
  EXPECT_FALSE(t.db().execute("UPDATE users SET role = 'root' WHERE id = ?", {admin->id}));
  EXPECT_EQ(parseRole("admin"), Role::Admin);
  EXPECT_EQ(parseRole("viewer"), Role::Viewer);
  EXPECT_EQ(parseRole("Admin"), std::nullopt);
  EXPECT_EQ(toString(Role::Viewer), "viewer");
}

TEST(UserRepository, UpdatesRoleAndActiveFlag) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto first = users.create("first", "h", false);
  auto second = users.create("second", "h", false, Role::Viewer);
  ASSERT_TRUE(first && second);
  clock.advance(3s);
  auto promoted = users.update(second->id, {.role = Role::Admin});
  ASSERT_TRUE(promoted) << promoted.error().message;
  EXPECT_EQ(promoted->role, Role::Admin);
  EXPECT_TRUE(promoted->is_active);
  EXPECT_EQ(promoted->updated_at, clock.now());
  EXPECT_EQ(*users.countActiveAdmins(), 2);

  auto disabled = users.update(first->id, {.is_active = false});
  ASSERT_TRUE(disabled) << disabled.error().message;
  EXPECT_FALSE(disabled->is_active);
  EXPECT_EQ(disabled->role, Role::Admin);
  auto stored = users.findById(first->id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_FALSE((*stored)->is_active);
  EXPECT_EQ(*users.countActiveAdmins(), 1);

  auto missing = users.update(999, {.is_active = true});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(users.remove(999).error().code, ErrorCode::NotFound);
}

TEST(UserRepository, TheLastActiveAdminCannotBeDemotedDisabledOrDeleted) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto admin = users.create("admin", "h", false);
  auto viewer = users.create("viewer", "h", false, Role::Viewer);
  auto idle = users.create("idle", "h", false);
  ASSERT_TRUE(admin && viewer && idle);
  // A disabled admin does not count as one that remains.
  ASSERT_TRUE(users.update(idle->id, {.is_active = false}));

  for (const UserChange& change : {UserChange{.role = Role::Viewer}, UserChange{.is_active = false},
                                   UserChange{.role = Role::Viewer, .is_active = false}}) {
    auto r = users.update(admin->id, change);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LastAdmin);
  }
  auto removed = users.remove(admin->id);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ErrorCode::LastAdmin);
  auto kept = users.findById(admin->id);
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_TRUE((*kept)->isActiveAdmin()) << "a refused change writes nothing";

  // Changes that keep it an active admin pass, and so do changes to the others.
  EXPECT_TRUE(users.update(admin->id, {.role = Role::Admin, .is_active = true}));
  EXPECT_TRUE(users.update(viewer->id, {.is_active = false}));
  EXPECT_TRUE(users.remove(idle->id));

  // With a second active admin, the first may go.
  ASSERT_TRUE(users.update(viewer->id, {.role = Role::Admin, .is_active = true}));
  EXPECT_TRUE(users.update(admin->id, {.role = Role::Viewer}));
  auto last = users.remove(viewer->id);
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, ErrorCode::LastAdmin);
}

// Two admins demoting each other at the same moment: write transactions are serialised, so the
// second sees the first's outcome; exactly one demotion passes and one admin remains.
TEST(UserRepository, ConcurrentDemotionsLeaveOneAdmin) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  for (int round = 0; round < 5; ++round) {
    auto a = users.create("a" + std::to_string(round), "h", false);
    auto b = users.create("b" + std::to_string(round), "h", false);
    ASSERT_TRUE(a && b);
    // Every other admin is demoted first, so these two are the only ones.
    for (const auto& u : *users.list()) {
      if (u.id != a->id && u.id != b->id && u.role == Role::Admin) {
        ASSERT_TRUE(users.update(u.id, {.role = Role::Viewer}));
      }
    }
    std::latch start(2);
    std::array<bool, 2> passed{};
    std::array<std::thread, 2> threads;
    const std::array<std::int64_t, 2> ids{a->id, b->id};
    for (std::size_t i = 0; i < 2; ++i) {
      threads[i] = std::thread([&, i] {
        start.arrive_and_wait();
        passed[i] = users.update(ids[i], {.role = Role::Viewer}).has_value();
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_NE(passed[0], passed[1]) << "round " << round;
    EXPECT_EQ(*users.countActiveAdmins(), 1) << "round " << round;
  }
}

TEST(UserRepository, RemovingAUserTakesTheirSessions) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto admin = users.create("admin", "h", false);
  auto viewer = users.create("viewer", "h", false, Role::Viewer);
  ASSERT_TRUE(admin && viewer);
  const Value now = timestampValue(clock.now());
  ASSERT_TRUE(t.db().execute(
      "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, "
      "absolute_expires_at) VALUES ('abc', ?, ?, ?, ?, ?)",
      {viewer->id, now, now, now, now}));
  ASSERT_TRUE(users.remove(viewer->id));
  EXPECT_FALSE(users.findById(viewer->id)->has_value());
  auto left = t.db().query("SELECT COUNT(*) FROM sessions");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->front().int64(0), 0);
  EXPECT_EQ(*users.count(), 1);
}

}  // namespace
}  // namespace poise::storage
