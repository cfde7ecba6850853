// An upstream SSE body through SseParser and MessagesStreamTranslator (and each event through
// translateMessagesResponse). The client always gets well-formed Anthropic events: a stream
// that ends normally starts with message_start and ends with message_stop.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/anthropic/messages_response.h"
#include "protocols/anthropic/messages_stream.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const pp::MessagesResponseContext context{.client_model = "claude",
                                            .include_thinking = (size % 2) == 1};
  pp::MessagesStreamTranslator stream(context, "msg_f", pp::IdMint(size));
  pp::IdMint ids(size);
  bool finished = false;
  auto out = poise::fuzz::translateStream(
      input, stream,
      [&](const boost::json::value& body) {
        (void)pp::translateMessagesResponse(body, context, "msg_x", ids);
      },
      finished);
  if (!out) return 0;
  if (finished) {
    poise::fuzz::check(out->starts_with("event: message_start\n"), "no message_start first");
    poise::fuzz::check(out->ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
                       "no message_stop last");
  }
  poise::fuzz::checkSse(*out);
  return 0;
}
