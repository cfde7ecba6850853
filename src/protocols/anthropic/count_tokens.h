// Anthropic's POST /v1/messages/count_tokens over Gemini's countTokens: the Messages body,
// translated by translateMessagesRequest (with count_tokens set), becomes
// {"generateContentRequest": {model, contents, systemInstruction, tools, …}}, and Gemini's
// {"totalTokens": N} becomes {"input_tokens": N}. Pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"
#include "protocols/anthropic/messages_request.h"

namespace poise::protocols {

// The countTokens body for a translated Messages request (its generateContent body, named by
// "models/{model}").
boost::json::object countTokensRequest(const MessagesTranslation& translation);

// Anthropic's answer from Gemini's countTokens answer; an answer without a whole totalTokens is
// an "upstream_invalid_response" Error.
Result<boost::json::object> countTokensResponse(const boost::json::value& answer);

}  // namespace poise::protocols
