// An upstream SSE body through SseParser and ChatStreamTranslator (and each event through
// translateChatResponse). Whatever the upstream sends, the client gets well-formed SSE that
// ends in [DONE] or in one error event.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/openai/chat_response.h"
#include "protocols/openai/chat_stream.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const pp::ChatResponseContext context{
      .client_model = "m", .include_reasoning = (size % 2) == 1, .include_usage = (size % 3) == 0};
  pp::ChatStreamTranslator stream(context, {.id = "chatcmpl-f", .created = 1}, pp::IdMint(size));
  pp::IdMint ids(size);
  bool finished = false;
  auto out = poise::fuzz::translateStream(
      input, stream,
      [&](const boost::json::value& body) {
        (void)pp::translateChatResponse(body, context, {.id = "x", .created = 1}, ids);
      },
      finished);
  if (!out) return 0;
  if (finished) {
    poise::fuzz::check(out->ends_with("data: [DONE]\n\n"), "stream does not end with [DONE]");
  }
  poise::fuzz::checkSse(*out);
  return 0;
}
