// Anthropic Messages request → Gemini generateContent request: system (string or blocks) →
// systemInstruction, multi-turn with same-role merging, base64 images and PDFs, tools /
// tool_use / tool_result (name looked up from the tool_use id), stop_sequences, max_tokens,
// temperature / top_p / top_k, thinking → thinkingConfig. claude-* names map to Gemini models
// through the alias map first, then ClaudeModelMap by family. A malformed request is an
// "invalid_request" Error for a 400 in Anthropic's envelope. Pure function; thread-safe.
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

Result<MessagesTranslation> translateMessagesRequest(const boost::json::value& body,
                                                     const MessagesRequestOptions& options);

}  // namespace poise::protocols
