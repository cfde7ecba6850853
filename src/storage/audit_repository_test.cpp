#include "storage/audit_repository.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace poise::storage
