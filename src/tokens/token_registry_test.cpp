#include "tokens/token_registry.h"

#include <gtest/gtest.h>

namespace poise::tokens {
namespace {

RegisteredToken token(std::int64_t id, std::string_view value) {
  RegisteredToken t;
  t.digest = sha256(value);
  t.token.id = id;
  t.token.name = "t" + std::to_string(id);
  return t;
}

TEST(TokenRegistry, FindsTokensByTheDigestOfTheirValueAndById) {
  TokenRegistry r;
  EXPECT_EQ(r.find(sha256("gp_one")), nullptr);
  std::vector<RegisteredToken> all;
  all.push_back(token(1, "gp_one"));
  all.push_back(token(2, "gp_two"));
  r.publish(std::move(all));
  ASSERT_NE(r.find(sha256("gp_two")), nullptr);
  EXPECT_EQ(r.find(sha256("gp_two"))->id, 2);
  EXPECT_EQ(r.find(sha256("gp_three")), nullptr);
  EXPECT_EQ(r.byId(1)->name, "t1");
  EXPECT_EQ(r.size(), 2u);
}

TEST(TokenRegistry, PublishReplacesEverythingAndOldSnapshotsStayValid) {
  TokenRegistry r;
  std::vector<RegisteredToken> first;
  first.push_back(token(1, "gp_one"));
  r.publish(std::move(first));
  const auto held = r.byId(1);
  r.publish({});
  EXPECT_EQ(r.byId(1), nullptr);
  EXPECT_EQ(r.find(sha256("gp_one")), nullptr);
  ASSERT_NE(held, nullptr);  // a request that holds it keeps a valid policy
  EXPECT_EQ(held->name, "t1");
}

}  // namespace
}  // namespace poise::tokens
