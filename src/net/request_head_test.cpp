#include "net/request_head.h"

#include <gtest/gtest.h>

#include <string>

namespace poise::net {
namespace {

TEST(RequestHead, WritesOneRequestLineAndTheHeadersGiven) {
  auto head = RequestHead::start("POST", "/v1beta/models/gemini-2.5-flash:generateContent?alt=sse");
  ASSERT_TRUE(head);
  ASSERT_TRUE(head->add("Host", "example.test"));
  ASSERT_TRUE(head->addLines("Content-Type: application/json\r\nX-Trace:  a b\t\r\n"));
  EXPECT_EQ(head->finish(),
            "POST /v1beta/models/gemini-2.5-flash:generateContent?alt=sse HTTP/1.1\r\n"
            "Host: example.test\r\nContent-Type: application/json\r\nX-Trace: a b\t\r\n\r\n");
}

TEST(RequestHead, RefusesTargetsThatCouldSplitTheRequestLine) {
  for (const std::string& target :
       {std::string("/v1beta/models/x:generateContent HTTP/1.1\r\nx-goog-api-key: bad"),
        std::string("/v1beta/x\ry"), std::string("/v1beta/x\ny"), std::string("/v1beta/x y"),
        std::string("/v1beta/x\0y", 11), std::string("/v1beta/x\x7fy"), std::string("/v1beta/x#y"),
        std::string("v1beta/x"), std::string(""), std::string("http://evil.test/v1beta/x"),
        std::string("/v1beta/../__mock/requests"), std::string("/v1beta/models/x/../../.."),
        std::string("/v1beta/./x"), std::string("/.."), std::string("/v1beta/gémini")}) {
    EXPECT_FALSE(RequestHead::start("POST", target)) << target;
  }
  // A dot segment inside the query is data, not a path.
  EXPECT_TRUE(RequestHead::start("GET", "/v1beta/models?pageToken=../x"));
}

TEST(RequestHead, RefusesBadMethodsAndHeaders) {
  EXPECT_FALSE(RequestHead::start("PO ST", "/x"));
  EXPECT_FALSE(RequestHead::start("", "/x"));
  auto head = RequestHead::start("GET", "/x");
  ASSERT_TRUE(head);
  EXPECT_FALSE(head->add("X-A\r\nX-B", "v"));
  EXPECT_FALSE(head->add("X A", "v"));
  EXPECT_FALSE(head->add("", "v"));
  EXPECT_FALSE(head->add("X-A", "v\r\nX-Injected: 1"));
  EXPECT_FALSE(head->add("X-A", "v\n"));
  EXPECT_FALSE(head->add("X-A", std::string("v\0w", 3)));
  EXPECT_FALSE(head->addLines("X-A: v\nX-B: w\r\n"));
  EXPECT_FALSE(head->addLines("X-A v\r\n"));
  EXPECT_FALSE(head->addLines("X-A: v"));
  // Nothing refused was written.
  EXPECT_EQ(head->finish(), "GET /x HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(head->add("X-Utf8", "caf\xc3\xa9"));
}

TEST(EncodePathSegment, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(encodePathSegment("gemini-2.5-flash"), "gemini-2.5-flash");
  EXPECT_EQ(encodePathSegment("a/b:c d\r\n%"), "a%2Fb%3Ac%20d%0D%0A%25");
  EXPECT_EQ(encodePathSegment(".."), "%2E%2E");
  EXPECT_EQ(encodePathSegment("."), "%2E");
  EXPECT_EQ(encodePathSegment("a..b"), "a..b");
}

}  // namespace
}  // namespace poise::net
