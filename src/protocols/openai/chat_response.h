// Gemini generateContent response → OpenAI chat.completion (wire-format.md §7.2, §8.5). Pure
// function: the id, the creation time and the tool-call id source are passed in. Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "protocols/id_mint.h"
#include "protocols/openai/chat_request.h"

namespace poise::protocols {

// Identity of one translated answer: the same on every chunk of a stream.
struct ResponseStamp {
  std::string id;            // e.g. IdMint::next("chatcmpl-", 29) or "msg_…"
  std::int64_t created = 0;  // Unix seconds (the proxy reads its Clock)
};

// Choices follow candidates (by index). A blocked prompt becomes one choice with content null
// and finish_reason "content_filter". `gemini` carrying {"error":…} gives an "upstream_error"
// Error; a body that is not a response gives "upstream_invalid_response".
Result<boost::json::object> translateChatResponse(const boost::json::value& gemini,
                                                  const ChatResponseContext& context,
                                                  const ResponseStamp& stamp, IdMint& ids);

}  // namespace poise::protocols
