// Anthropic Messages request → Gemini generateContent request (system, multi-turn, base64 media,
// tools and tool results, stop_sequences, sampling, thinking; claude-* names mapped to Gemini).
// A malformed request is an "invalid_request" Error for a 400 in Anthropic's envelope.
// Pure function; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "core/result.h"
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
};

// What translateMessagesResponse / MessagesStreamTranslator need from the request.
struct MessagesResponseContext {
  std::string client_model;       // echoed as "model", as Anthropic does
  bool include_thinking = false;  // thinking was enabled: thought parts become thinking blocks
};

struct MessagesTranslation {
  std::string model;  // bare Gemini model id
  bool stream = false;
  boost::json::object request;  // the generateContent body
  MessagesResponseContext response;
};

// system (string or text blocks) → systemInstruction; consecutive same-role turns merge; base64
// images and documents → inlineData; tool_use / tool_result → functionCall / functionResponse
// (the name looked up from the tool_use id); stop_sequences (≤ 5), max_tokens (required),
// temperature / top_p / top_k; thinking enabled / disabled / adaptive → thinkingConfig. The model
// comes from the alias map first, then ClaudeModelMap by family for claude-* names.
Result<MessagesTranslation> translateMessagesRequest(const boost::json::value& body,
                                                     const MessagesRequestOptions& options);

}  // namespace poise::protocols
