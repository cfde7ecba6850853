#include "protocols/openai/chat_mapping.h"

#include <boost/json/serialize.hpp>

#include "protocols/gemini/thought_signature.h"

namespace poise::protocols {

namespace json = boost::json;

std::string_view openAiFinishReason(std::string_view gemini_reason, bool has_tool_calls) {
  if (has_tool_calls) return "tool_calls";
  switch (classifyFinishReason(gemini_reason)) {
    case FinishKind::kLength:
      return "length";
    case FinishKind::kFiltered:
      return "content_filter";
    case FinishKind::kStop:
      break;
  }
  return "stop";
}

namespace {

struct TokenTotals {
  std::int64_t input = 0;
  std::int64_t output = 0;
  std::int64_t total = 0;
};

TokenTotals totalsOf(const GeminiUsage& u) {
  TokenTotals t;
  t.input = u.prompt + u.tool_use_prompt;
  t.output = u.candidates + u.thoughts;
  t.total = u.present && u.total > 0 ? u.total : t.input + t.output;
  return t;
}

}  // namespace

json::object openAiUsage(const GeminiUsage& u) {
  const TokenTotals t = totalsOf(u);
  json::object usage;
  usage["prompt_tokens"] = t.input;
  usage["completion_tokens"] = t.output;
  usage["total_tokens"] = t.total;
  usage["prompt_tokens_details"] = json::object{{"cached_tokens", u.cached}};
  usage["completion_tokens_details"] = json::object{{"reasoning_tokens", u.thoughts}};
  return usage;
}

json::object responsesUsage(const GeminiUsage& u) {
  const TokenTotals t = totalsOf(u);
  json::object usage;
  usage["input_tokens"] = t.input;
  usage["input_tokens_details"] = json::object{{"cached_tokens", u.cached}};
  usage["output_tokens"] = t.output;
  usage["output_tokens_details"] = json::object{{"reasoning_tokens", u.thoughts}};
  usage["total_tokens"] = t.total;
  return usage;
}

json::object openAiToolCall(const GeminiPart& call, IdMint& ids, int stream_index) {
  const std::string base = call.call_id.empty() ? ids.next("call_") : call.call_id;
  json::object out;
  if (stream_index >= 0) out["index"] = stream_index;
  out["id"] = toolCallIdWithSignature(base, call.thought_signature);
  out["type"] = "function";
  out["function"] = json::object{{"name", call.name}, {"arguments", json::serialize(call.args)}};
  if (!call.thought_signature.empty()) {
    out["extra_content"] =
        json::object{{"google", json::object{{"thought_signature", call.thought_signature}}}};
  }
  return out;
}

std::string_view openAiErrorType(unsigned status) {
  if (status == 401) return "authentication_error";
  if (status == 403) return "permission_error";
  if (status == 404) return "not_found_error";
  if (status == 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

json::object openAiError(unsigned status, std::string_view message, std::string_view code) {
  json::object err;
  err["message"] = message;
  err["type"] = openAiErrorType(status);
  err["param"] = nullptr;
  if (code.empty()) {
    err["code"] = nullptr;
  } else {
    err["code"] = code;
  }
  return json::object{{"error", std::move(err)}};
}

}  // namespace poise::protocols
