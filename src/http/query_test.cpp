#include "http/query.h"

#include <gtest/gtest.h>

namespace poise::http {
namespace {

TEST(QueryParam, FindsAndDecodesTheFirstValue) {
  EXPECT_EQ(queryParam("alt=sse&key=a%2Bb&key=c", "key"), "a+b");
  EXPECT_EQ(queryParam("q=hello+world", "q"), "hello world");
  EXPECT_EQ(queryParam("monkey=1", "key"), "");
  EXPECT_EQ(queryParam("key", "key"), "");
  EXPECT_EQ(queryParam("", "key"), "");
  EXPECT_EQ(queryParam("k=%zz", "k"), "%zz");
}

}  // namespace
}  // namespace poise::http
