// GenerateResponse: a protocol-neutral reading of one Gemini GenerateContentResponse (a whole
// non-streamed answer, or one `alt=sse` chunk), so the OpenAI and Anthropic translators share
// one parser. Also reads Gemini's error envelope. Pure functions; the structs are plain values.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "protocols/gemini/usage.h"

namespace poise::protocols {

struct GeminiPart {
  enum class Kind { kText, kThought, kFunctionCall, kInlineData, kOther };
  Kind kind = Kind::kOther;
  std::string text;               // kText, kThought
  std::string name;               // kFunctionCall
  boost::json::object args;       // kFunctionCall
  std::string call_id;            // kFunctionCall: functionCall.id when Gemini sent one (Vertex)
  std::string mime_type;          // kInlineData
  std::string data;               // kInlineData: base64
  std::string thought_signature;  // any kind
};

struct GeminiCandidate {
  int index = 0;  // absent in the JSON means 0
  std::vector<GeminiPart> parts;
  std::string finish_reason;  // empty until the candidate is finished
};

struct GenerateResponse {
  std::vector<GeminiCandidate> candidates;
  std::string block_reason;  // promptFeedback.blockReason: the prompt itself was blocked
  GeminiUsage usage;
  std::string model_version;
  std::string response_id;
};

// An error body from Gemini ({"error":{"code","message","status"}}, or Google's array form).
struct GeminiError {
  int code = 0;
  std::string message;
  std::string status;
};

// Reads a response or chunk. {"error":…} gives an ErrorCode::UpstreamError Error whose message is
// the upstream message; a body that is not a response object gives
// ErrorCode::UpstreamInvalidResponse.
Result<GenerateResponse> readGenerateResponse(const boost::json::value& body);

// One `alt=sse` event's data: parsed and read like readGenerateResponse, with unparsable data
// an "upstream_invalid_response" Error. For an in-band error, `upstream_status` is set to the
// HTTP status it stands for.
Result<GenerateResponse> readStreamChunk(std::string_view event_data, unsigned& upstream_status);

// The error envelope in `body`, if it is one (object or one-element array form).
std::optional<GeminiError> readGeminiError(const boost::json::value& body);

// How a candidate ended, in the terms both client protocols can express.
enum class FinishKind {
  kStop,     // STOP, unspecified, MALFORMED_FUNCTION_CALL, … (nothing better to say)
  kLength,   // MAX_TOKENS
  kFiltered  // SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, LANGUAGE, OTHER, IMAGE_*
};
FinishKind classifyFinishReason(std::string_view gemini_reason);

// The HTTP status an upstream in-band error stands for: its `code`, or 500 when absent/odd.
unsigned httpStatusOf(const GeminiError& error);

}  // namespace poise::protocols
