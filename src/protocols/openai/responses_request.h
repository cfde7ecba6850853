// OpenAI Responses request (POST /v1/responses) → Gemini generateContent request. `input` is a
// string or a list of items (messages, function_call, function_call_output, reasoning), read
// after the items of a previous response when the request chains one. A malformed or
// unsupported request is an "invalid_request" Error, answered as a 400 in OpenAI's envelope.
// Pure function; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "protocols/gemini/model_traits.h"
#include "protocols/model_name.h"

namespace poise::protocols {

struct ResponsesRequestOptions {
  // Client-facing model names → Gemini models; may be null. Must outlive the call.
  const ModelAliases* model_aliases = nullptr;
  // outputTokenLimit per model (see ChatRequestOptions); may be null. Must outlive the call.
  const OutputTokenLimits* output_token_limits = nullptr;
  // The conversation so far (a stored response's input and output items), read before `input`;
  // may be null. Must outlive the call.
  const boost::json::array* history = nullptr;
};

// What the response side (ResponsesStreamTranslator, translateResponsesResponse) needs.
struct ResponsesContext {
  std::string client_model;        // the model as the client named it
  bool include_reasoning = false;  // reasoning.summary was asked for: thoughts become reasoning
  // The request's parameters a Response object repeats (instructions, metadata, tools,
  // tool_choice, parallel_tool_calls, temperature, top_p, max_output_tokens, text, reasoning,
  // store, previous_response_id, truncation, user), with OpenAI's defaults.
  boost::json::object echo;
};

struct ResponsesTranslation {
  std::string model;  // bare Gemini model id for the upstream path
  bool stream = false;
  bool store = true;                      // store defaults to true, as on OpenAI
  std::int64_t requested_max_tokens = 0;  // max_output_tokens as sent; 0 when unset
  // The history followed by this request's input as items (a string input becomes one user
  // message): what a follow-up that chains this response starts from.
  boost::json::array input_items;
  boost::json::object request;  // the generateContent body
  ResponsesContext response;
};

Result<ResponsesTranslation> translateResponsesRequest(const boost::json::value& body,
                                                       const ResponsesRequestOptions& options);

// previous_response_id of a request body, read before the translation (the proxy loads that
// response's items first): nullopt when absent or null, an invalid_request Error when it is not
// a non-empty string of at most 128 characters.
Result<std::optional<std::string>> previousResponseId(const boost::json::value& body);

}  // namespace poise::protocols
