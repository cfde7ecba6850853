// The request that continues a truncated stream (config stream_continue_on_truncation): the
// original generateContent body, its contents followed by the text the client has already had
// as a model turn and a user turn asking to go on from exactly there. Thoughts are not asked for
// again (thinkingConfig.includeThoughts is turned off), so the client sees them once. Pure.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

namespace poise::protocols {

// The user turn's instruction.
inline constexpr std::string_view kContinuePrompt =
    "Continue exactly where you stopped. Do not repeat any of the text above, do not add any "
    "preamble or commentary: output only the rest of the answer, starting with the very next "
    "character.";

// The body of the continuation request for `request` (a generateContent body) after the model
// said `text_so_far`.
boost::json::object continuationRequest(const boost::json::object& request,
                                        std::string_view text_so_far);

}  // namespace poise::protocols
