#include "storage/token_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"
#include "storage/user_repository.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

class TokenRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto u = users_.create("owner", "h", false);
    ASSERT_TRUE(u);
    owner_ = u->id;
  }
  StoredToken make(std::string name, char hash) {
    StoredToken t;
    t.name = std::move(name);
    t.note = "for the — ünïcode app";
    t.owner_user_id = owner_;
    t.token_hash = std::string(64, hash);
    t.prefix = "gp_abcd";
    t.allowed_models = {"gemini-2.5-*", "text-embedding-004"};
    t.allowed_protocols = {"openai"};
    t.allowed_cidrs = {"10.0.0.0/8", "::1"};
    t.rpm_limit = 60;
    t.daily_token_quota = 100000;
    t.expires_at = clock_.now() + 24h;
    t.created_at = clock_.now();
    t.updated_at = clock_.now();
    return t;
  }

  TestDatabase t_;
  ManualClock clock_;
  UserRepository users_{t_.db(), clock_};
  TokenRepository tokens_{t_.db()};
  std::int64_t owner_ = 0;
};

TEST_F(TokenRepositoryTest, CreateReadsBackEveryField) {
  auto created = tokens_.create(make("app", 'a'));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id, 0);
  auto got = tokens_.get(created->id);
  ASSERT_TRUE(got && got->has_value());
  const StoredToken& t = **got;
  EXPECT_EQ(t.name, "app");
  EXPECT_EQ(t.note, "for the — ünïcode app");
  EXPECT_EQ(t.owner_user_id, owner_);
  EXPECT_EQ(t.owner_username, "owner");
  EXPECT_EQ(t.token_hash, std::string(64, 'a'));
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.expires_at, clock_.now() + 24h);
  EXPECT_EQ(t.allowed_models, (std::vector<std::string>{"gemini-2.5-*", "text-embedding-004"}));
  EXPECT_EQ(t.allowed_protocols, std::vector<std::string>{"openai"});
  EXPECT_EQ(t.allowed_cidrs, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  EXPECT_EQ(t.rpm_limit, 60);
  EXPECT_FALSE(t.daily_request_quota);
  EXPECT_EQ(t.daily_token_quota, 100000);
  EXPECT_FALSE(t.last_used_at);

  auto dup = tokens_.create(make("again", 'a'));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  auto nameless = tokens_.create(make("", 'b'));
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().code, ErrorCode::InvalidArgument);
}

TEST_F(TokenRepositoryTest, UpdateRotateRemove) {
  auto t = tokens_.create(make("app", 'a'));
  ASSERT_TRUE(t);
  StoredToken changed = *t;
  changed.name = "renamed";
  changed.enabled = false;
  changed.allowed_models.clear();
  changed.rpm_limit.reset();
  changed.expires_at.reset();
  changed.owner_user_id.reset();
  ASSERT_TRUE(tokens_.update(changed));
  ASSERT_TRUE(tokens_.update(changed));  // no change at all is still a success
  auto got = tokens_.get(t->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->name, "renamed");
  EXPECT_FALSE((*got)->enabled);
  EXPECT_TRUE((*got)->allowed_models.empty());
  EXPECT_FALSE((*got)->rpm_limit);
  EXPECT_FALSE((*got)->expires_at);
  EXPECT_EQ((*got)->owner_username, "");

  ASSERT_TRUE(tokens_.rotate(t->id, std::string(64, 'c'), "gp_new1", clock_.now()));
  got = tokens_.get(t->id);
  EXPECT_EQ((*got)->token_hash, std::string(64, 'c'));
  EXPECT_EQ((*got)->prefix, "gp_new1");

  StoredToken ghost = changed;
  ghost.id = 9999;
  EXPECT_EQ(tokens_.update(ghost).error().code, ErrorCode::NotFound);
  EXPECT_EQ(tokens_.rotate(9999, std::string(64, 'd'), "x", clock_.now()).error().code,
            ErrorCode::NotFound);

  ASSERT_TRUE(tokens_.applyUsage(std::vector<TokenUsageRow>{
      {.token_id = t->id, .day = "2026-12-02", .requests = 1, .last_used = clock_.now()}}));
  auto removed = tokens_.remove(t->id);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(*tokens_.remove(t->id));
  EXPECT_TRUE(tokens_.loadDay("2026-12-02")->empty());
}

TEST_F(TokenRepositoryTest, ListPagesAndSearches) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(tokens_.create(
        make(i % 2 ? "Mobile app " + std::to_string(i) : "batch job", static_cast<char>('a' + i))));
  }
  auto page = tokens_.list({.page = 1, .page_size = 2});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_LT(page->items[0].id, page->items[1].id);
  auto found = tokens_.list({.page = 1, .page_size = 50, .search = "MOBILE"});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->total, 2);
  auto literal = tokens_.list({.page = 1, .page_size = 50, .search = "%"});
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->total, 0);
  EXPECT_EQ(tokens_.loadAll()->size(), 5u);
}

TEST_F(TokenRepositoryTest, UsageAddsUpAndDailyRowsSurvive) {
  auto t = tokens_.create(make("app", 'a'));
  ASSERT_TRUE(t);
  const TimePoint first = clock_.now();
  const std::vector<TokenUsageRow> rows{
      {.token_id = t->id,
       .day = "2026-12-02",
       .requests = 3,
       .charged_requests = 2,
       .errors = 1,
       .prompt_tokens = 100,
       .completion_tokens = 50,
       .last_used = first},
      {.token_id = 424242, .day = "2026-12-02", .requests = 1, .last_used = first},  // deleted
  };
  ASSERT_TRUE(tokens_.applyUsage(rows));
  clock_.advance(1min);
  ASSERT_TRUE(tokens_.applyUsage(std::vector<TokenUsageRow>{{.token_id = t->id,
                                                             .day = "2026-12-02",
                                                             .requests = 1,
                                                             .charged_requests = 1,
                                                             .prompt_tokens = 10,
                                                             .last_used = first - 1h}}));
  auto got = tokens_.get(t->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->request_count, 4);
  EXPECT_EQ((*got)->error_count, 1);
  EXPECT_EQ((*got)->prompt_tokens, 110);
  EXPECT_EQ((*got)->completion_tokens, 50);
  EXPECT_EQ((*got)->last_used_at, first);  // an older sample does not move it back
  auto day = tokens_.loadDay("2026-12-02");
  ASSERT_TRUE(day);
  ASSERT_EQ(day->size(), 1u);
  EXPECT_EQ((*day)[0].requests, 3);
  EXPECT_EQ((*day)[0].tokens, 160);
  EXPECT_EQ((*day)[0].errors, 1);
  EXPECT_TRUE(tokens_.loadDay("2026-12-01")->empty());
}

TEST(UtcDayString, IsTheCalendarDateInUtc) {
  const TimePoint t = TimePoint{} + std::chrono::days(20'424) + 23h + 59min;
  EXPECT_EQ(utcDayString(t), "2025-12-02");
}

}  // namespace
}  // namespace poise::storage
