// OpenAI Chat Completions request → Gemini generateContent request (wire-format.md §8.1–§8.4,
// §6 for extra_body.google). A malformed request is an "invalid_request" Error whose message
// the proxy returns as a 400 in OpenAI's envelope. Pure function; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "core/result.h"
#include "protocols/gemini/model_traits.h"
#include "protocols/model_name.h"

namespace poise::protocols {

struct ChatRequestOptions {
  // Client-facing model names → Gemini models; may be null. Must outlive the call.
  const ModelAliases* model_aliases = nullptr;
  // Ask the model for thought summaries and return them as message.reasoning_content.
  bool include_reasoning = false;
  // outputTokenLimit per model from the models list; may be null (the static model traits are
  // used then). max_tokens is clamped below the limit. Must outlive the call.
  const OutputTokenLimits* output_token_limits = nullptr;
};

// What the response side (translateChatResponse, ChatStreamTranslator) needs from the request.
struct ChatResponseContext {
  std::string client_model;        // the model as the client named it
  bool include_reasoning = false;  // expose thought parts as reasoning_content
  bool include_usage = false;      // stream_options.include_usage (streams only)
};

struct ChatTranslation {
  std::string model;                      // bare Gemini model id for the upstream path
  bool stream = false;                    // call :streamGenerateContent?alt=sse
  bool include_usage = false;             // same as response.include_usage
  int candidate_count = 1;                // n
  std::int64_t requested_max_tokens = 0;  // max_tokens as the client sent it; 0 when unset
  boost::json::object request;            // the generateContent body
  ChatResponseContext response;
};

Result<ChatTranslation> translateChatRequest(const boost::json::value& body,
                                             const ChatRequestOptions& options);

}  // namespace poise::protocols
