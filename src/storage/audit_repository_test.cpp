#include "storage/audit_repository.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

TEST(AuditRepository, AppendsListsNewestFirstAndPurges) {
  TestDatabase t;
  ManualClock clock;
  AuditRepository audit(t.db());
  for (int i = 0; i < 5; ++i) {
    auto id = audit.append(AuditEntry{.user_id = std::nullopt,
                                      .username = "admin",
                                      .action = "config.update",
                                      .target = "key_" + std::to_string(i),
                                      .detail = "détail ✓",
                                      .ip = "::1",
                                      .created_at = clock.now()});
    ASSERT_TRUE(id) << id.error().message;
    clock.advance(1min);
  }
  auto page1 = audit.list(1, 2);
  ASSERT_TRUE(page1);
  EXPECT_EQ(page1->total, 5);
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->items[0].target, "key_4");
  EXPECT_EQ(page1->items[1].target, "key_3");
  EXPECT_EQ(page1->items[0].detail, "détail ✓");
  auto page3 = audit.list(3, 2);
  ASSERT_TRUE(page3);
  ASSERT_EQ(page3->items.size(), 1u);
  EXPECT_EQ(page3->items[0].target, "key_0");
  EXPECT_FALSE(audit.list(0, 2));
  EXPECT_FALSE(audit.list(1, 0));
  EXPECT_FALSE(audit.list(1, kMaxPageSize + 1));

  auto purged = audit.purgeBefore(clock.now() - 2min);  // entries at t+0..t+2min are older
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 3);
  EXPECT_EQ(audit.list(1, 10)->total, 2);
}

TEST(AuditRepository, ScrubsSecretsFromTargetAndDetail) {
  TestDatabase t;
  AuditRepository audit(t.db());
  ASSERT_TRUE(
      audit.append(AuditEntry{.username = "admin",
                              .action = "key.reveal",
                              .target = "AIzaSyA1234567890abcdefghijklmnopqrstuv",
                              .detail = "revealed key=AIzaSyA1234567890abcdefghijklmnopqrstuv",
                              .created_at = TimePoint{}}));
  auto page = audit.list(1, 10);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].target.find("1234567890"), std::string::npos);
  EXPECT_EQ(page->items[0].detail.find("1234567890"), std::string::npos);
  EXPECT_FALSE(audit.append(AuditEntry{.action = ""}));
}

TEST(AuditRepository, QueryFiltersAndPagesByCursor) {
  TestDatabase t;
  ManualClock clock;
  AuditRepository audit(t.db());
  const TimePoint start = clock.now();
  // 12 entries, one a minute: alice and bob alternate; every third is a config.delete of
  // "api_token", the rest key.update of "7".
  for (int i = 0; i < 12; ++i) {
    const bool third = i % 3 == 0;
    ASSERT_TRUE(audit.append(AuditEntry{.username = i % 2 == 0 ? "alice" : "bob",
                                        .action = third ? "config.delete" : "key.update",
                                        .target = third ? "api_token" : "7",
                                        .created_at = clock.now()}));
    clock.advance(1min);
  }
  auto by_user = audit.query(AuditQuery{.username = "alice", .limit = 200});
  ASSERT_TRUE(by_user) << by_user.error().message;
  EXPECT_EQ(by_user->total, 6);
  EXPECT_EQ(by_user->items.size(), 6u);
  EXPECT_FALSE(by_user->next_cursor);
  for (const auto& e : by_user->items) EXPECT_EQ(e.username, "alice");

  auto deletes = audit.query(AuditQuery{.action = "config.delete", .target = "api_token"});
  ASSERT_TRUE(deletes);
  EXPECT_EQ(deletes->total, 4);

  // since inclusive, until exclusive: minutes 3, 4, 5.
  auto window = audit.query(AuditQuery{.since = start + 3min, .until = start + 6min});
  ASSERT_TRUE(window);
  ASSERT_EQ(window->items.size(), 3u);
  EXPECT_EQ(window->items[0].created_at, start + 5min);
  EXPECT_EQ(window->items[2].created_at, start + 3min);

  // Pages of 5 by cursor, newest first, each id once.
  std::vector<std::int64_t> seen;
  std::optional<std::int64_t> cursor;
  int pages = 0;
  do {
    auto page = audit.query(AuditQuery{.before_id = cursor, .limit = 5});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->total, 12);
    for (const auto& e : page->items) seen.push_back(e.id);
    cursor = page->next_cursor;
    ++pages;
  } while (cursor && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 12u);
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 12u);

  EXPECT_FALSE(audit.query(AuditQuery{.limit = 0}));
  EXPECT_FALSE(audit.query(AuditQuery{.offset = -1}));
}

}  // namespace
}  // namespace poise::storage
