// Carrying Gemini's thoughtSignature through clients that only know tool-call ids. A signature
// is appended to the tool-call id after kThoughtSignatureSeparator in base64url (ids stay within
// [A-Za-z0-9_-], as Anthropic requires), the form LiteLLM uses; the request side splits it off
// again and restores standard base64. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace poise::protocols {

inline constexpr std::string_view kThoughtSignatureSeparator = "__thought__";

// The value Google documents for a functionCall whose real signature is unknown; it makes a
// Gemini 3 model skip the validation that otherwise answers "missing a thought_signature" (400).
inline constexpr std::string_view kDummyThoughtSignature = "skip_thought_signature_validator";

// `id` followed by the separator and the signature in base64url; `id` alone when the signature
// is empty.
std::string toolCallIdWithSignature(std::string_view id, std::string_view signature);

struct ToolCallIdParts {
  std::string_view id;    // the id without any signature suffix
  std::string signature;  // standard base64 (with padding), or empty
};

// Splits an id made by toolCallIdWithSignature. Accepts base64url and standard base64 after
// the separator; a suffix that is not base64 is treated as part of the id.
ToolCallIdParts splitToolCallId(std::string_view id);

}  // namespace poise::protocols
