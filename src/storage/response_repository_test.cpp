#include "storage/response_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

class ResponseRepositoryTest : public ::testing::Test {
 protected:
  StoredResponse make(std::string id, Millis ttl = 24h) {
    const std::string body =
        R"({"id":")" + id + R"(","output":[{"type":"message"}],"text":"— тест"})";
    return StoredResponse{.id = std::move(id),
                          .token_id = 7,
                          .created_at = clock_.now(),
                          .expires_at = clock_.now() + ttl,
                          .model = "gemini-2.5-flash",
                          .input_items = R"([{"role":"user","content":"hi"}])",
                          .response_body = body,
                          .size_bytes = static_cast<std::int64_t>(body.size())};
  }

  TestDatabase t_;
  ManualClock clock_;
  ResponseRepository responses_{t_.db()};
};

TEST_F(ResponseRepositoryTest, SaveFindRemove) {
  ASSERT_TRUE(responses_.save(make("resp_a")));
  auto dup = responses_.save(make("resp_a"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);

  auto found = responses_.find("resp_a");
  ASSERT_TRUE(found && found->has_value()) << (found ? "" : found.error().message);
  const StoredResponse& r = **found;
  EXPECT_EQ(r.token_id, 7);
  EXPECT_EQ(r.created_at, clock_.now());
  EXPECT_EQ(r.expires_at, clock_.now() + 24h);
  EXPECT_EQ(r.model, "gemini-2.5-flash");
  EXPECT_EQ(r.input_items, R"([{"role":"user","content":"hi"}])");
  EXPECT_EQ(r.response_body, make("resp_a").response_body);
  EXPECT_EQ(r.size_bytes, static_cast<std::int64_t>(r.response_body.size()));

  auto missing = responses_.find("resp_b");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());

  auto removed = responses_.remove("resp_a");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  removed = responses_.remove("resp_a");
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
}

TEST_F(ResponseRepositoryTest, LargeBodiesRoundTrip) {
  StoredResponse big = make("resp_big");
  big.input_items = "[\"" + std::string(300'000, 'x') + "\"]";
  ASSERT_TRUE(responses_.save(big));
  auto found = responses_.find("resp_big");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->input_items.size(), big.input_items.size());
}

TEST_F(ResponseRepositoryTest, DeleteExpiredRemovesOnlyOldRows) {
  ASSERT_TRUE(responses_.save(make("resp_short", 1h)));
  ASSERT_TRUE(responses_.save(make("resp_long", 48h)));
  clock_.advance(2h);
  auto pruned = responses_.deleteExpired(clock_.now());
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 1);
  auto gone = responses_.find("resp_short");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto kept = responses_.find("resp_long");
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->has_value());
}

}  // namespace
}  // namespace poise::storage
