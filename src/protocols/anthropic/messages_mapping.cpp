#include "protocols/anthropic/messages_mapping.h"

#include <algorithm>

#include "protocols/gemini/thought_signature.h"

namespace poise::protocols {

namespace json = boost::json;

std::string_view anthropicStopReason(std::string_view gemini_reason, bool has_tool_use,
                                     bool prompt_blocked) {
  if (has_tool_use) return "tool_use";
  if (prompt_blocked) return "refusal";
  switch (classifyFinishReason(gemini_reason)) {
    case FinishKind::kLength:
      return "max_tokens";
    case FinishKind::kFiltered:
      return "refusal";
    case FinishKind::kStop:
      break;
  }
  return "end_turn";
}

json::object anthropicUsage(const GeminiUsage& u) {
  json::object usage;
  usage["input_tokens"] = std::max<std::int64_t>(0, u.prompt + u.tool_use_prompt - u.cached);
  usage["cache_creation_input_tokens"] = 0;
  usage["cache_read_input_tokens"] = u.cached;
  usage["output_tokens"] = u.candidates + u.thoughts;
  return usage;
}

json::object toolUseBlock(const GeminiPart& call, IdMint& ids) {
  const std::string base = call.call_id.empty() ? ids.next("toolu_") : call.call_id;
  json::object block;
  block["type"] = "tool_use";
  block["id"] = toolCallIdWithSignature(base, call.thought_signature);
  block["name"] = call.name;
  block["input"] = call.args;
  return block;
}

std::string_view anthropicErrorType(unsigned status) {
  if (status == 401) return "authentication_error";
  if (status == 403) return "permission_error";
  if (status == 404) return "not_found_error";
  if (status == 413) return "request_too_large";
  if (status == 429) return "rate_limit_error";
  if (status == 503 || status == 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

json::object anthropicError(std::string_view type, std::string_view message) {
  return json::object{{"type", "error"},
                      {"error", json::object{{"type", type}, {"message", message}}}};
}

}  // namespace poise::protocols
