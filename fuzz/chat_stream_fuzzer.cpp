// An upstream SSE body through SseParser and ChatStreamTranslator (and each event through
// translateChatResponse). Whatever the upstream sends, the client gets well-formed SSE that
// ends in [DONE] or in one error event.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_checks.h"
#include "protocols/json_fields.h"
#include "protocols/openai/chat_response.h"
#include "protocols/openai/chat_stream.h"
#include "protocols/sse_parser.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  pp::SseParser parser;
  std::vector<pp::SseEvent> events;
  if (!parser.feed(input, events) || !parser.finish(events)) return 0;
  const pp::ChatResponseContext context{
      .client_model = "m", .include_reasoning = (size % 2) == 1, .include_usage = (size % 3) == 0};
  pp::ChatStreamTranslator stream(context, {.id = "chatcmpl-f", .created = 1}, pp::IdMint(size));
  pp::IdMint ids(size);
  std::string out;
  bool failed = false;
  for (const pp::SseEvent& e : events) {
    if (auto body = pp::parseJsonBody(e.data)) {
      (void)pp::translateChatResponse(*body, context, {.id = "x", .created = 1}, ids);
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
    poise::fuzz::check(out.ends_with("data: [DONE]\n\n"), "stream does not end with [DONE]");
  }
  poise::fuzz::checkSse(out);
  return 0;
}
