#include "protocols/anthropic/messages_response.h"

#include <boost/json/array.hpp>

#include "protocols/anthropic/messages_mapping.h"
#include "protocols/gemini/generate_response.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace json = boost::json;

Result<json::object> translateMessagesResponse(const json::value& gemini,
                                               const MessagesResponseContext& context,
                                               std::string_view message_id, IdMint& ids) {
  auto read = readGenerateResponse(gemini);
  if (!read) return read.error();
  const GenerateResponse& r = *read;
  if (r.candidates.empty() && r.block_reason.empty()) {
    return upstreamInvalid("the upstream response has no candidates");
  }
  const GeminiCandidate* first = nullptr;
  for (const GeminiCandidate& c : r.candidates) {
    if (first == nullptr || c.index < first->index) first = &c;
  }
  json::array content;
  bool has_tool_use = false;
  if (first != nullptr) {
    for (const GeminiPart& p : first->parts) {
      json::object* last = content.empty() ? nullptr : &content.back().get_object();
      if (p.kind == GeminiPart::Kind::kText && !p.text.empty()) {
        if (last != nullptr && (*last)["type"] == "text") {
          (*last)["text"].get_string().append(p.text);
        } else {
          content.push_back(json::object{{"type", "text"}, {"text", p.text}});
        }
      } else if (p.kind == GeminiPart::Kind::kThought && context.include_thinking) {
        if (last != nullptr && (*last)["type"] == "thinking") {
          (*last)["thinking"].get_string().append(p.text);
          if (!p.thought_signature.empty()) (*last)["signature"] = p.thought_signature;
        } else {
          content.push_back(json::object{
              {"type", "thinking"}, {"thinking", p.text}, {"signature", p.thought_signature}});
        }
      } else if (p.kind == GeminiPart::Kind::kFunctionCall) {
        content.push_back(toolUseBlock(p, ids));
        has_tool_use = true;
      }
    }
  }
  json::object out;
  out["id"] = message_id;
  out["type"] = "message";
  out["role"] = "assistant";
  out["model"] = context.client_model;
  out["content"] = std::move(content);
  out["stop_reason"] = anthropicStopReason(first != nullptr ? first->finish_reason : "",
                                           has_tool_use, first == nullptr);
  out["stop_sequence"] = nullptr;
  out["usage"] = anthropicUsage(r.usage);
  return out;
}

}  // namespace poise::protocols
