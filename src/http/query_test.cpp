#include "http/query.h"

#include <gtest/gtest.h>

#include <string>

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

TEST(QueryParam, DecodesEscapesAndKeepsMalformedValuesAsWritten) {
  EXPECT_EQ(queryParam("k=a%41b%2f%2B", "k"), "aAb/+");
  EXPECT_EQ(queryParam("k=%E2%82%AC+x", "k"), "\xE2\x82\xAC x");
  EXPECT_EQ(queryParam("k=a%00b", "k"), std::string("a\0b", 3));
  EXPECT_EQ(queryParam("k=%4", "k"), "%4");
  EXPECT_EQ(queryParam("k=50%", "k"), "50%");
  EXPECT_EQ(queryParam("k=", "k"), "");
}

}  // namespace
}  // namespace poise::http
