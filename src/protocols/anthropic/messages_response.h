// Gemini generateContent response → Anthropic message (non-streaming): content blocks
// (thinking when it was enabled, text, tool_use), stop_reason and usage. The first candidate
// is used. Pure function: the message id and the tool-use id source are passed in. Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "core/result.h"
#include "protocols/anthropic/messages_request.h"
#include "protocols/id_mint.h"

namespace poise::protocols {

// `message_id` is e.g. IdMint::next("msg_"). {"error":…} gives an "upstream_error" Error; a
// body that is not a response gives "upstream_invalid_response".
Result<boost::json::object> translateMessagesResponse(const boost::json::value& gemini,
                                                      const MessagesResponseContext& context,
                                                      std::string_view message_id, IdMint& ids);

}  // namespace poise::protocols
