// translateResponsesRequest on arbitrary JSON, with and without a history of stored items. A
// success must be a well-formed Gemini request: at least one content, each with a role and at
// least one part; the chain's items are this request's history plus its input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/json_fields.h"
#include "protocols/openai/responses_request.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto body = pp::parseJsonBody(input);
  if (!body) return 0;
  static const pp::ModelAliases aliases{{"gpt-5", "gemini-3-pro-preview"}};
  // Odd sizes read the body's own "input" array (when there is one) as the stored history too.
  const boost::json::array* history = nullptr;
  if (size % 2 == 1 && body->is_object()) {
    if (const auto* in = body->get_object().if_contains("input"); in && in->is_array()) {
      history = &in->get_array();
    }
  }
  auto out = pp::translateResponsesRequest(*body, {.model_aliases = &aliases, .history = history});
  (void)pp::previousResponseId(*body);
  if (!out) {
    poise::fuzz::check(!out.error().message.empty(), "error without a message");
    return 0;
  }
  poise::fuzz::checkGeminiRequest(out->request);
  poise::fuzz::check(!out->model.empty(), "no model");
  poise::fuzz::check(out->response.echo.contains("metadata"), "metadata not echoed");
  return 0;
}
