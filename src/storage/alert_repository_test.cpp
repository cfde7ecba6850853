#include "storage/alert_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

class AlertRepositoryTest : public ::testing::Test {
 protected:
  AlertWebhook make(std::string name) {
    AlertWebhook w;
    w.name = std::move(name);
    w.url = "https://hooks.example.com/poise?team=ops";
    w.headers = {{"Authorization", "Bearer s3cr3t-value"}, {"X-Team", "ops — ünï"}};
    w.events = {"key.error", "pool.active_low"};
    w.active_keys_below = 3;
    w.active_percent_below = 25;
    w.error_rate_min_requests = 50;
    w.created_at = w.updated_at = clock_.now();
    return w;
  }
  AlertDelivery delivery(std::int64_t webhook, std::string event) {
    return AlertDelivery{.webhook_id = webhook,
                         .event = std::move(event),
                         .created_at = clock_.now(),
                         .attempts = 3,
                         .delivered = false,
                         .last_status = 500,
                         .last_error = "the receiver answered 500",
                         .summary = "key 7 (AIzaSy...wxyz) became error"};
  }

  static MasterKey masterKey(std::uint8_t seed) {
    MasterKey k{};
    k.fill(seed);
    return k;
  }

  TestDatabase t_;
  ManualClock clock_;
  KeyCipher cipher_{masterKey(3)};
  AlertRepository repo_{t_.db(), cipher_};
};

TEST_F(AlertRepositoryTest, CreateReadsBackEveryField) {
  auto created = repo_.create(make("ops"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id, 0);
  auto got = repo_.get(created->id);
  ASSERT_TRUE(got && got->has_value());
  const AlertWebhook& w = **got;
  EXPECT_EQ(w.name, "ops");
  EXPECT_EQ(w.url, "https://hooks.example.com/poise?team=ops");
  ASSERT_EQ(w.headers.size(), 2u);
  EXPECT_EQ(w.headers[0].first, "Authorization");
  EXPECT_EQ(w.headers[0].second, "Bearer s3cr3t-value");
  EXPECT_EQ(w.headers[1].second, "ops — ünï");
  EXPECT_EQ(w.events, (std::vector<std::string>{"key.error", "pool.active_low"}));
  EXPECT_TRUE(w.enabled);
  EXPECT_EQ(w.active_keys_below, 3);
  EXPECT_EQ(w.active_percent_below, 25);
  EXPECT_FALSE(w.error_rate_percent_above);
  EXPECT_EQ(w.error_rate_min_requests, 50);
  EXPECT_EQ(w.created_at, clock_.now());
}

TEST_F(AlertRepositoryTest, HeadersAreSealedAtRestAndOpenOnlyUnderTheirMasterKey) {
  auto created = repo_.create(make("ops"));
  ASSERT_TRUE(created) << created.error().message;
  auto stored = t_.db().query("SELECT headers FROM alert_webhooks WHERE id = ?", {created->id});
  ASSERT_TRUE(stored && stored->size() == 1);
  const std::string column = stored->front().text(0);
  EXPECT_TRUE(column.starts_with("sealed:v1:")) << column;
  EXPECT_EQ(column.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(column.find("Authorization"), std::string::npos);

  const KeyCipher other(masterKey(4));
  AlertRepository wrong(t_.db(), other);
  auto got = wrong.get(created->id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::DecryptFailed);
  EXPECT_EQ(got.error().message.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(wrong.loadAll().error().code, ErrorCode::DecryptFailed);

  // No headers: nothing sealed, an empty column.
  AlertWebhook bare = make("bare");
  bare.headers.clear();
  auto plain = repo_.create(bare);
  ASSERT_TRUE(plain) << plain.error().message;
  auto col = t_.db().query("SELECT headers FROM alert_webhooks WHERE id = ?", {plain->id});
  ASSERT_TRUE(col);
  EXPECT_EQ(col->front().text(0), "");
  EXPECT_TRUE((*wrong.get(plain->id))->headers.empty());
}

TEST_F(AlertRepositoryTest, RefusesHeadersBeyondTheirTotalSize) {
  AlertWebhook w = make("big");
  w.headers = {{"X-A", std::string(4096, 'a')}, {"X-B", std::string(4096, 'b')}};
  auto created = repo_.create(w);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::InvalidArgument);
  w.headers.pop_back();
  EXPECT_TRUE(repo_.create(w));
}

TEST_F(AlertRepositoryTest, UpdateListAndRemove) {
  auto a = repo_.create(make("a"));
  auto b = repo_.create(make("b"));
  ASSERT_TRUE(a && b);
  AlertWebhook changed = *a;
  changed.enabled = false;
  changed.headers.clear();
  changed.events = {"error_rate.high"};
  changed.error_rate_percent_above = 10;
  changed.active_keys_below.reset();
  clock_.advance(5s);
  changed.updated_at = clock_.now();
  ASSERT_TRUE(repo_.update(changed));
  auto all = repo_.loadAll();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, a->id);
  EXPECT_FALSE((*all)[0].enabled);
  EXPECT_TRUE((*all)[0].headers.empty());
  EXPECT_EQ((*all)[0].events, std::vector<std::string>{"error_rate.high"});
  EXPECT_EQ((*all)[0].error_rate_percent_above, 10);
  EXPECT_FALSE((*all)[0].active_keys_below);
  EXPECT_EQ((*all)[0].updated_at, clock_.now());
  // The same values again still finds the row (MySQL reports 0 changed rows).
  EXPECT_TRUE(repo_.update(changed));

  ASSERT_TRUE(repo_.appendDelivery(delivery(a->id, "key.error")));
  auto removed = repo_.remove(a->id);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  auto again = repo_.remove(a->id);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  AlertWebhook gone = changed;
  auto st = repo_.update(gone);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::NotFound);
  auto left = repo_.deliveries({});
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->items.empty());  // the webhook's deliveries went with it
}

TEST_F(AlertRepositoryTest, RefusesEmptyName) {
  auto w = make("");
  auto created = repo_.create(w);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::InvalidArgument);
}

TEST_F(AlertRepositoryTest, DeliveriesPageNewestFirstByWebhook) {
  auto a = repo_.create(make("a"));
  auto b = repo_.create(make("b"));
  ASSERT_TRUE(a && b);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(repo_.appendDelivery(delivery(a->id, "key.error")));
    ASSERT_TRUE(repo_.appendDelivery(delivery(b->id, "test")));
  }
  auto page = repo_.deliveries({.webhook_id = a->id, .limit = 3});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_GT(page->items[0].id, page->items[1].id);
  for (const auto& d : page->items) EXPECT_EQ(d.webhook_id, a->id);
  ASSERT_TRUE(page->next_cursor);
  EXPECT_EQ(page->items[0].attempts, 3);
  EXPECT_EQ(page->items[0].last_status, 500);
  EXPECT_FALSE(page->items[0].delivered);
  EXPECT_EQ(page->items[0].last_error, "the receiver answered 500");
  auto rest = repo_.deliveries({.webhook_id = a->id, .before_id = page->next_cursor, .limit = 3});
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->items.size(), 2u);
  EXPECT_FALSE(rest->next_cursor);
  auto all = repo_.deliveries({.limit = 100});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 10u);
}

TEST_F(AlertRepositoryTest, TheLogIsBounded) {
  auto a = repo_.create(make("a"));
  ASSERT_TRUE(a);
  std::int64_t last = 0;
  for (int i = 0; i < 12; ++i) {
    auto id = repo_.appendDelivery(delivery(a->id, "key.error"), 4);
    ASSERT_TRUE(id) << id.error().message;
    last = *id;
  }
  auto all = repo_.deliveries({.limit = 100});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), 4u);
  EXPECT_EQ(all->items.front().id, last);
}

}  // namespace
}  // namespace poise::storage
