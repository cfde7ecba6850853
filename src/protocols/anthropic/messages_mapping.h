// Gemini → Anthropic pieces shared by translateMessagesResponse and MessagesStreamTranslator:
// stop reasons, usage, tool_use blocks, and Anthropic's error envelope. Pure functions;
// thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "protocols/gemini/generate_response.h"
#include "protocols/id_mint.h"

namespace poise::protocols {

// "tool_use" whenever calls were made; MAX_TOKENS → "max_tokens"; safety-type reasons and a
// blocked prompt → "refusal"; anything else → "end_turn". Gemini does not say which stop
// sequence ended a turn, so "stop_sequence" is never produced.
std::string_view anthropicStopReason(std::string_view gemini_reason, bool has_tool_use,
                                     bool prompt_blocked);

// {input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens}.
// Anthropic's input_tokens excludes cache reads, Gemini's promptTokenCount includes them;
// output counts thoughts too.
boost::json::object anthropicUsage(const GeminiUsage& usage);

// {type:"tool_use", id, name, input}; the id is functionCall.id or a minted "toolu_…", with
// the thought signature appended (thought_signature.h).
boost::json::object toolUseBlock(const GeminiPart& call, IdMint& ids);

// Anthropic's error type for an HTTP status (400 invalid_request_error, 401
// authentication_error, 429 rate_limit_error, 503/529 overloaded_error, ≥500 api_error, …).
std::string_view anthropicErrorType(unsigned status);

// {"type":"error","error":{"type","message"}}.
boost::json::object anthropicError(std::string_view type, std::string_view message);

}  // namespace poise::protocols
