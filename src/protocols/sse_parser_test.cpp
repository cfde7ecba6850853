#include "protocols/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace poise::protocols {
namespace {

std::vector<SseEvent> parseAll(std::string_view text, std::size_t chunk) {
  SseParser parser;
  std::vector<SseEvent> out;
  for (std::size_t i = 0; i < text.size(); i += chunk) {
    EXPECT_TRUE(parser.feed(text.substr(i, chunk), out).has_value());
  }
  EXPECT_TRUE(parser.finish(out).has_value());
  return out;
}

struct SseCase {
  const char* name;
  std::string input;
  std::vector<SseEvent> expected;
};

TEST(SseParser, GoldenStreamsAtEverySplit) {
  const std::vector<SseCase> cases = {
      {"lf", "data: {\"a\":1}\n\ndata: {\"b\":2}\n\n", {{"", "{\"a\":1}"}, {"", "{\"b\":2}"}}},
      {"crlf", "data: {\"a\":1}\r\n\r\ndata: x\r\n\r\n", {{"", "{\"a\":1}"}, {"", "x"}}},
      {"cr only", "data: a\r\rdata: b\r\r", {{"", "a"}, {"", "b"}}},
      {"multi-line data joined by LF",
       "data: one\ndata: two\ndata:three\n\n",
       {{"", "one\ntwo\nthree"}}},
      {"event names",
       "event: message_start\ndata: {}\n\nevent: ping\ndata: p\n\n",
       {{"message_start", "{}"}, {"ping", "p"}}},
      {"comments, id and retry ignored",
       ": keep-alive\nid: 7\nretry: 100\ndata: x\n\n",
       {{"", "x"}}},
      {"only one leading space is stripped", "data:  two spaces\n\n", {{"", " two spaces"}}},
      {"field without colon", "data\n\n", {{"", ""}}},
      {"blank lines without data dispatch nothing", "\n\n\r\n: c\n\nevent: x\n\n", {}},
      {"event name reset after an empty event", "event: x\n\ndata: y\n\n", {{"", "y"}}},
      {"last event without blank line at EOF", "data: a\n\ndata: tail", {{"", "a"}, {"", "tail"}}},
      {"utf-8 bom skipped",
       "\xEF\xBB\xBF"
       "data: a\n\n",
       {{"", "a"}}},
      {"mixed terminators",
       "data: a\r\n\ndata: b\n\r\ndata: c\r\r\n",
       {{"", "a"}, {"", "b"}, {"", "c"}}},
  };
  for (const SseCase& c : cases) {
    for (std::size_t chunk = 1; chunk <= c.input.size(); ++chunk) {
      EXPECT_EQ(parseAll(c.input, chunk), c.expected) << c.name << " (chunks of " << chunk << ")";
    }
  }
}

TEST(SseParser, CrLfSplitBetweenChunksIsOneLineEnd) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: a\r", out));
  ASSERT_TRUE(parser.feed("\n\r", out));
  EXPECT_EQ(out, (std::vector<SseEvent>{{"", "a"}}));
  ASSERT_TRUE(parser.feed("\ndata: b\r\n\r\n", out));
  EXPECT_EQ(out, (std::vector<SseEvent>{{"", "a"}, {"", "b"}}));
}

TEST(SseParser, EventsArriveAsSoonAsTheyAreComplete) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: {\"x\":", out));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(parser.feed("1}\n", out));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(parser.feed("\n", out));
  EXPECT_EQ(out, (std::vector<SseEvent>{{"", "{\"x\":1}"}}));
}

TEST(SseParser, AnEventOverTheLimitIsAnError) {
  SseParser parser({.max_event_bytes = 32});
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: small\n\n", out));
  ASSERT_EQ(out.size(), 1u);
  // Many short lines grow one event past the limit.
  Status st;
  for (int i = 0; i < 10 && st; ++i) st = parser.feed("data: 0123456789\n", out);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::SseEventTooLarge);
  // The parser stays failed.
  EXPECT_FALSE(parser.feed("\n\n", out));
  EXPECT_FALSE(parser.finish(out));
  EXPECT_EQ(out.size(), 1u);
}

TEST(SseParser, AnUnterminatedLineOverTheLimitIsAnError) {
  SseParser parser({.max_event_bytes = 64});
  std::vector<SseEvent> out;
  Status st;
  for (int i = 0; i < 100 && st; ++i) st = parser.feed("xxxxxxxx", out);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::SseEventTooLarge);
}

TEST(SseParser, EventsUpToTheLimitPass) {
  SseParser parser({.max_event_bytes = 64});
  std::vector<SseEvent> out;
  const std::string data(50, 'a');
  ASSERT_TRUE(parser.feed("data: " + data + "\n\n", out));
  ASSERT_TRUE(parser.feed("data: " + data + "\n\n", out));
  EXPECT_EQ(out, (std::vector<SseEvent>{{"", data}, {"", data}}));
}

}  // namespace
}  // namespace poise::protocols
