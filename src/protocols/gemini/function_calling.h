// Function-calling pieces shared by the OpenAI and Anthropic request translators: declarations
// with Gemini's name rules, the functionCall parts a client echoes back (with their thought
// signatures recovered), and functionResponse parts. Pure functions; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "protocols/gemini/model_traits.h"

namespace poise::protocols {

// A functionDeclarations[] entry. `schema` (may be null) is cleaned by toGeminiParameters.
// Error (invalid_request, naming `path`) when the name breaks Gemini's rules: a letter or '_'
// first, then [A-Za-z0-9_.:-], at most 128 characters.
Result<boost::json::object> functionDeclaration(std::string_view name, std::string_view description,
                                                const boost::json::value* schema,
                                                std::string_view path);

// True for ids the gateway minted ("call_…", "toolu_…"): those are not sent upstream, while an
// id Gemini produced (Vertex sets them) is echoed as functionCall.id / functionResponse.id.
bool isGatewayToolCallId(std::string_view id);

// The functionCall part for a call the client echoes back. `client_id` is the client's tool-call
// id, which may carry an encoded signature; `signature`, when not empty, is one the client kept
// elsewhere (extra_content) and wins.
boost::json::object functionCallPart(std::string_view name, boost::json::object args,
                                     std::string_view client_id, std::string_view signature);

// Gemini 3 rejects a model turn whose first functionCall part has no thoughtSignature; when it
// has none (the client lost it), the documented dummy value is set. No-op for other models.
void signFirstFunctionCall(boost::json::array& parts, const ModelTraits& traits);

// The functionResponse part answering `name`. `output` is the tool's result; it goes under
// "error" when `is_error`, else under "output" (the keys Gemini documents), unless it is
// already a JSON object, which is sent as it is.
boost::json::object functionResponsePart(std::string_view name, std::string_view client_id,
                                         boost::json::value output, bool is_error);

// A tool's text output as JSON: the parsed value when the text is JSON, else the string.
boost::json::value toolOutputValue(std::string_view text);

// An inlineData part.
boost::json::object inlineDataPart(std::string_view mime_type, std::string_view base64_data);

// The pieces of a "data:<mime>[;param]*;base64,<data>" URL (views into `url`); nullopt for any
// other URL, or when the MIME type or the data is missing.
struct DataUrl {
  std::string_view mime_type;
  std::string_view data;
};
std::optional<DataUrl> parseDataUrl(std::string_view url);

}  // namespace poise::protocols
