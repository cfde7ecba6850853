// An upstream SSE body through SseParser and ResponsesStreamTranslator (and each event through
// translateResponsesResponse). Whatever the upstream sends, the client gets well-formed named
// SSE events whose sequence numbers count up from 0, ending in exactly one terminal event.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/openai/responses_stream.h"

namespace pp = poise::protocols;

namespace {

// Each event's name is its data's type, sequence numbers are 0, 1, 2 …, and the last event is
// the only terminal one.
void checkEvents(std::string_view text, bool finished) {
  std::int64_t expected = 0;
  std::string_view last_type;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find("\n\n", at);
    poise::fuzz::check(end != std::string_view::npos, "incomplete event");
    const std::string_view block = text.substr(at, end - at);
    at = end + 2;
    poise::fuzz::check(block.starts_with("event: "), "event without a name");
    const auto nl = block.find('\n');
    poise::fuzz::check(nl != std::string_view::npos, "event without data");
    const std::string_view name = block.substr(7, nl - 7);
    const std::string_view data = block.substr(nl + 1);
    poise::fuzz::check(data.starts_with("data: "), "event without data");
    auto v = pp::parseJsonBody(data.substr(6));
    poise::fuzz::check(v && v->is_object(), "data is not a JSON object");
    const auto* type = v->get_object().if_contains("type");
    poise::fuzz::check(type && type->is_string() && type->get_string() == name, "type != event");
    const auto* seq = v->get_object().if_contains("sequence_number");
    poise::fuzz::check(seq && seq->is_int64() && seq->get_int64() == expected++,
                       "sequence numbers do not count up");
    poise::fuzz::check(last_type != "response.completed" && last_type != "response.failed" &&
                           last_type != "response.incomplete",
                       "an event after the terminal one");
    last_type = name;
  }
  if (finished) {
    poise::fuzz::check(last_type == "response.completed" || last_type == "response.incomplete",
                       "a finished stream without its terminal event");
  } else if (expected > 0) {
    poise::fuzz::check(last_type == "response.failed", "a failed stream without response.failed");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  pp::ResponsesContext context;
  context.client_model = "m";
  context.include_reasoning = (size % 2) == 1;
  pp::ResponsesStreamTranslator stream(context, {.id = "resp_f", .created = 1}, pp::IdMint(size));
  bool finished = false;
  auto out = poise::fuzz::translateStream(
      input, stream,
      [&](const boost::json::value& body) {
        (void)pp::translateResponsesResponse(body, context, {.id = "x", .created = 1},
                                             pp::IdMint(size));
      },
      finished);
  if (!out) return 0;
  checkEvents(*out, finished);
  return 0;
}
