// Gemini → OpenAI pieces shared by the chat and Responses translators: finish
// reasons (wire-format.md §8.5), usage, tool calls with gateway ids and thought signatures.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "protocols/gemini/generate_response.h"
#include "protocols/id_mint.h"

namespace poise::protocols {

// Gemini finishReason → OpenAI finish_reason; "tool_calls" whenever the choice made calls.
std::string_view openAiFinishReason(std::string_view gemini_reason, bool has_tool_calls);

// {prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details{cached_tokens},
//  completion_tokens_details{reasoning_tokens}}. toolUsePromptTokenCount counts as prompt
// (it is model input); completion = candidates + thoughts, so prompt + completion = total.
boost::json::object openAiUsage(const GeminiUsage& usage);

// The same counts in the Responses API's names: {input_tokens, input_tokens_details
// {cached_tokens}, output_tokens, output_tokens_details{reasoning_tokens}, total_tokens}.
boost::json::object responsesUsage(const GeminiUsage& usage);

// The tool call for a functionCall part: id is functionCall.id or a minted "call_…", with the
// part's thoughtSignature appended (thought_signature.h) and also in
// extra_content.google.thought_signature. arguments is the compact JSON of args. `stream_index`
// ≥ 0 adds the "index" a streamed tool-call delta needs.
boost::json::object openAiToolCall(const GeminiPart& call, IdMint& ids, int stream_index = -1);

// OpenAI's envelope for an error that happens mid-stream: {"error":{message,type,param,code}}.
// `status` picks type (400 invalid_request_error, 429 rate_limit_error, ≥500 server_error …).
// The `type` of an OpenAI error for an HTTP status (wire-format.md §7.4: 5xx is "server_error").
std::string_view openAiErrorType(unsigned status);
boost::json::object openAiError(unsigned status, std::string_view message, std::string_view code);

}  // namespace poise::protocols
