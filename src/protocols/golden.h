// Test support for the protocol golden tests (not part of the library): JSON literals, and
// translated SSE output split back into events with SseParser. Header-only; test code only.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/id_mint.h"
#include "protocols/json_fields.h"
#include "protocols/sse_parser.h"

namespace poise::protocols::golden {

// Parses a JSON literal; a broken literal fails the test and gives null.
inline boost::json::value J(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "bad JSON literal in test: " << text;
  return v;
}

// `text` with each placeholder (e.g. "$CALL0") replaced by its value.
inline std::string Sub(std::string text,
                       const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [from, to] : values) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

// The ids an IdMint seeded with `seed` makes for next(prefix), in order, as "$CALL0", "$CALL1"….
inline std::vector<std::pair<std::string, std::string>> MintedIds(std::uint64_t seed,
                                                                  std::string_view prefix,
                                                                  int count) {
  IdMint mint(seed);
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) out.emplace_back("$CALL" + std::to_string(i), mint.next(prefix));
  return out;
}

struct Event {
  std::string event;        // "" for OpenAI's data-only events
  boost::json::value data;  // parsed data; the string "[DONE]" for OpenAI's sentinel
};

// Splits translated SSE text into events. Every event must be complete (end in a blank line).
inline std::vector<Event> Events(std::string_view text) {
  if (!text.empty()) {
    EXPECT_TRUE(text.ends_with("\n\n")) << "SSE output must end with a blank line: " << text;
  }
  SseParser parser;
  std::vector<SseEvent> raw;
  EXPECT_TRUE(parser.feed(text, raw).has_value());
  std::vector<Event> out;
  for (SseEvent& e : raw) {
    if (e.data == "[DONE]") {
      out.push_back({e.event, boost::json::value("[DONE]")});
    } else {
      out.push_back({e.event, J(e.data)});
    }
  }
  return out;
}

// Only the data of each event.
inline std::vector<boost::json::value> Data(std::string_view text) {
  std::vector<boost::json::value> out;
  for (Event& e : Events(text)) out.push_back(std::move(e.data));
  return out;
}

// Feeds every chunk to a stream translator (ChatStreamTranslator, MessagesStreamTranslator),
// then finish(); returns all the output. Each chunk must be accepted.
template <class Translator>
std::string FeedAll(Translator& t, const std::vector<std::string>& chunks) {
  std::string out;
  for (const std::string& c : chunks) {
    auto r = t.feed(c);
    EXPECT_TRUE(r) << c << ": " << r.error().message;
    if (r) out += *r;
  }
  return out + t.finish();
}

// Compares SSE output with `expected`, a JSON array of the events' data, or (`named`) of
// [event name, data] pairs.
inline void ExpectEvents(std::string_view out, const std::string& expected, bool named = false) {
  const std::vector<Event> got = Events(out);
  const boost::json::value want = J(expected);
  ASSERT_TRUE(want.is_array());
  ASSERT_EQ(got.size(), want.as_array().size()) << out;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const boost::json::value& w = want.as_array()[i];
    const boost::json::value& data = named ? w.as_array()[1] : w;
    if (named) {
      EXPECT_EQ(got[i].event, w.as_array()[0].as_string()) << "event " << i;
    }
    EXPECT_EQ(got[i].data, data) << "event " << i
                                 << "\n got: " << boost::json::serialize(got[i].data);
  }
}

// `result` is an invalid_request Error whose message contains `mentions`.
template <class T>
void ExpectInvalid(const Result<T>& result, std::string_view input, std::string_view mentions) {
  ASSERT_FALSE(result) << input;
  EXPECT_EQ(result.error().code, ErrorCode::InvalidRequest) << input;
  EXPECT_NE(result.error().message.find(mentions), std::string::npos)
      << input << "\n message: " << result.error().message;
}

}  // namespace poise::protocols::golden
