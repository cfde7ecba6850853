// translateChatRequest on arbitrary JSON. A success must be a well-formed Gemini request:
// at least one content, each with a role and at least one part.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/json_fields.h"
#include "protocols/openai/chat_request.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto body = pp::parseJsonBody(input);
  if (!body) return 0;
  static const pp::ModelAliases aliases{{"gpt-4o", "gemini-2.5-flash"},
                                        {"o3", "gemini-3-pro-preview"}};
  auto out = pp::translateChatRequest(
      *body, {.model_aliases = &aliases, .include_reasoning = (size % 2) == 1});
  if (!out) {
    poise::fuzz::check(!out.error().message.empty(), "error without a message");
    return 0;
  }
  poise::fuzz::checkGeminiRequest(out->request);
  poise::fuzz::check(!out->model.empty(), "no model");
  return 0;
}
