// translateMessagesRequest on arbitrary JSON. A success must be a well-formed Gemini request.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/anthropic/messages_request.h"
#include "protocols/json_fields.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto body = pp::parseJsonBody(input);
  if (!body) return 0;
  static const pp::ModelAliases aliases{{"claude-sonnet-4-5", "gemini-3-flash-preview"}};
  auto out = pp::translateMessagesRequest(*body, {.model_aliases = &aliases});
  if (!out) {
    poise::fuzz::check(!out.error().message.empty(), "error without a message");
    return 0;
  }
  poise::fuzz::checkGeminiRequest(out->request);
  poise::fuzz::check(out->request.contains("generationConfig"), "no maxOutputTokens");
  return 0;
}
