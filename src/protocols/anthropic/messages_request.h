// Anthropic Messages request → Gemini generateContent request (system, multi-turn, base64 media,
// tools and tool results, stop_sequences, sampling, thinking; claude-* names mapped to Gemini).
// A malformed request is an "invalid_request" Error for a 400 in Anthropic's envelope.
// Pure function; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "core/result.h"
#include "protocols/gemini/model_traits.h"
#include "protocols/model_name.h"

namespace poise::protocols {

// Gemini models for claude-* names that have no alias, by family (the name contains
// "opus", "sonnet" or "haiku"); `other` for any other claude-* name.
struct ClaudeModelMap {
  std::string opus = "gemini-2.5-pro";
  std::string sonnet = "gemini-2.5-pro";
  std::string haiku = "gemini-2.5-flash";
  std::string other = "gemini-2.5-flash";
};

struct MessagesRequestOptions {
  const ModelAliases* model_aliases = nullptr;  // may be null; must outlive the call
  ClaudeModelMap claude_models;
  // outputTokenLimit per model from the models list; may be null (the static model traits are
  // used then). max_tokens is clamped below the limit. Must outlive the call.
  const OutputTokenLimits* output_token_limits = nullptr;
  // A count_tokens body: max_tokens is optional (Anthropic's count_tokens takes none).
  bool count_tokens = false;
};

// What translateMessagesResponse / MessagesStreamTranslator need from the request.
struct MessagesResponseContext {
  std::string client_model;       // echoed as "model", as Anthropic does
  bool include_thinking = false;  // thinking was enabled: thought parts become thinking blocks
};

struct MessagesTranslation {
  std::string model;  // bare Gemini model id
  bool stream = false;
  std::int64_t requested_max_tokens = 0;  // max_tokens as the client sent it
  boost::json::object request;            // the generateContent body
  MessagesResponseContext response;
};

// system (string or text blocks), then system-role entries of messages in order →
// systemInstruction; consecutive same-role turns merge; base64 images and documents →
// inlineData; tool_use / tool_result → functionCall / functionResponse (the name looked up from
// the tool_use id); stop_sequences (≤ 5), max_tokens (required; clamped below the model's
// outputTokenLimit), temperature / top_p / top_k; thinking enabled / disabled / adaptive and
// output_config.effort → thinkingConfig; output_config.format json_schema → responseJsonSchema.
// Fields with no Gemini equivalent (metadata, context_management, cache_control, …) are ignored.
// The model comes from the alias map first, then ClaudeModelMap by family for claude-* names.
Result<MessagesTranslation> translateMessagesRequest(const boost::json::value& body,
                                                     const MessagesRequestOptions& options);

}  // namespace poise::protocols
