#include "protocols/openai/chat_response.h"

#include <algorithm>
#include <boost/json/array.hpp>

#include "protocols/gemini/generate_response.h"
#include "protocols/json_fields.h"
#include "protocols/openai/chat_mapping.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

json::object choiceFor(const GeminiCandidate& c, const ChatResponseContext& context, IdMint& ids) {
  std::string text;
  std::string reasoning;
  bool has_text = false;
  json::array calls;
  for (const GeminiPart& p : c.parts) {
    switch (p.kind) {
      case GeminiPart::Kind::kText:
        text += p.text;
        has_text = true;
        break;
      case GeminiPart::Kind::kThought:
        reasoning += p.text;
        break;
      case GeminiPart::Kind::kFunctionCall:
        calls.push_back(openAiToolCall(p, ids));
        break;
      case GeminiPart::Kind::kInlineData:
      case GeminiPart::Kind::kOther:
        break;
    }
  }
  json::object message;
  message["role"] = "assistant";
  if (has_text) {
    message["content"] = text;
  } else {
    message["content"] = nullptr;
  }
  message["refusal"] = nullptr;
  if (context.include_reasoning && !reasoning.empty()) message["reasoning_content"] = reasoning;
  const bool has_calls = !calls.empty();
  if (has_calls) message["tool_calls"] = std::move(calls);
  json::object choice;
  choice["index"] = c.index;
  choice["message"] = std::move(message);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = openAiFinishReason(c.finish_reason, has_calls);
  return choice;
}

}  // namespace

Result<json::object> translateChatResponse(const json::value& gemini,
                                           const ChatResponseContext& context,
                                           const ResponseStamp& stamp, IdMint& ids) {
  auto read = readGenerateResponse(gemini);
  if (!read) return read.error();
  GenerateResponse& r = *read;
  std::stable_sort(
      r.candidates.begin(), r.candidates.end(),
      [](const GeminiCandidate& a, const GeminiCandidate& b) { return a.index < b.index; });
  json::array choices;
  for (const GeminiCandidate& c : r.candidates) choices.push_back(choiceFor(c, context, ids));
  if (choices.empty()) {
    if (r.block_reason.empty()) return upstreamInvalid("the upstream response has no candidates");
    GeminiCandidate blocked;
    blocked.finish_reason = "SAFETY";
    choices.push_back(choiceFor(blocked, context, ids));
  }
  json::object out;
  out["id"] = stamp.id;
  out["object"] = "chat.completion";
  out["created"] = stamp.created;
  out["model"] = r.model_version.empty() ? context.client_model : r.model_version;
  out["choices"] = std::move(choices);
  out["usage"] = openAiUsage(r.usage);
  return out;
}

}  // namespace poise::protocols
