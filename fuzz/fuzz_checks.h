// Invariants the fuzz targets assert on translator output: translated SSE is a sequence of
// complete events whose data is JSON (or OpenAI's [DONE]). A violation aborts, which libFuzzer
// reports as a crash. Header-only; fuzz targets only.
#pragma once

#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "protocols/sse_parser.h"

namespace poise::fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

// Every event complete, every data JSON or "[DONE]".
inline void checkSse(std::string_view text) {
  if (text.empty()) return;
  check(text.ends_with("\n\n"), "SSE output does not end with a blank line");
  protocols::SseParser parser;
  std::vector<protocols::SseEvent> events;
  check(parser.feed(text, events).has_value(), "SSE output does not parse");
  check(!events.empty(), "SSE output without events");
  for (const auto& e : events) {
    if (e.data == "[DONE]") continue;
    boost::system::error_code ec;
    (void)boost::json::parse(e.data, ec);
    check(!ec, "SSE event data is not JSON");
  }
}

}  // namespace poise::fuzz
