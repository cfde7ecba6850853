// Invariants the fuzz targets assert on translator output: translated SSE is a sequence of
// complete events whose data is JSON (or OpenAI's [DONE]). A violation aborts, which libFuzzer
// reports as a crash. Header-only; fuzz targets only.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/json_fields.h"
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

// A translated generateContent body: at least one content, each with at least one part.
inline void checkGeminiRequest(const boost::json::object& request) {
  const auto* contents = request.if_contains("contents");
  check(contents != nullptr && contents->is_array() && !contents->as_array().empty(),
        "no contents");
  for (const auto& c : contents->as_array()) {
    check(!c.as_object().at("parts").as_array().empty(), "a content without parts");
  }
}

// Runs an upstream SSE body through SseParser and `stream` (a ChatStreamTranslator or
// MessagesStreamTranslator), calling `each` with every event that is JSON. Returns what the
// client would get: the translated events, then finish() or, after a failed feed, error().
// nullopt when the input is not SSE the parser accepts. `finished` tells which way it ended.
template <class Translator, class EachEvent>
std::optional<std::string> translateStream(std::string_view input, Translator& stream,
                                           EachEvent each, bool& finished) {
  protocols::SseParser parser;
  std::vector<protocols::SseEvent> events;
  if (!parser.feed(input, events) || !parser.finish(events)) return std::nullopt;
  std::string out;
  for (const protocols::SseEvent& e : events) {
    if (auto body = protocols::parseJsonBody(e.data)) each(*body);
    auto r = stream.feed(e.data);
    if (!r) {
      finished = false;
      return out + stream.error(r.error().message, stream.lastUpstreamStatus());
    }
    out += *r;
  }
  finished = true;
  return out + stream.finish();
}

}  // namespace poise::fuzz
