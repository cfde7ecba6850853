// An upstream SSE body through SseParser and MessagesStreamTranslator (and each event through
// translateMessagesResponse). The client always gets well-formed Anthropic events: a stream
// that ends normally starts with message_start and ends with message_stop.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_checks.h"
#include "protocols/anthropic/messages_response.h"
#include "protocols/anthropic/messages_stream.h"
#include "protocols/json_fields.h"
#include "protocols/sse_parser.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  pp::SseParser parser;
  std::vector<pp::SseEvent> events;
  if (!parser.feed(input, events) || !parser.finish(events)) return 0;
  const pp::MessagesResponseContext context{.client_model = "claude",
                                            .include_thinking = (size % 2) == 1};
  pp::MessagesStreamTranslator stream(context, "msg_f", pp::IdMint(size));
  pp::IdMint ids(size);
  std::string out;
  bool failed = false;
  for (const pp::SseEvent& e : events) {
    if (auto body = pp::parseJsonBody(e.data)) {
      (void)pp::translateMessagesResponse(*body, context, "msg_x", ids);
    }
    auto r = stream.feed(e.data);
    if (!r) {
      out += stream.error(r.error().message, stream.lastUpstreamStatus());
      failed = true;
      break;
    }
    out += *r;
  }
  if (!failed) {
    out += stream.finish();
    poise::fuzz::check(out.starts_with("event: message_start\n"), "no message_start first");
    poise::fuzz::check(out.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
                       "no message_stop last");
  }
  poise::fuzz::checkSse(out);
  return 0;
}
