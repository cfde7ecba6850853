// The error envelopes Google's Gemini API returns (google.rpc.Status with details), built as
// JSON values so they can be sent as a pretty-printed body or as an in-band stream event.
// Texts follow wire-format.md §5 verbatim. Pure functions, thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace poise::fakes {

struct GeminiError {
  unsigned http_status = 500;
  boost::json::object envelope;  // {"error": {...}}
};

// Canonical status name for an HTTP code (400 → INVALID_ARGUMENT, 429 → RESOURCE_EXHAUSTED…).
std::string_view canonicalStatus(unsigned http_status);

// A plain envelope {"error":{"code","message","status"}} with the canonical status name.
GeminiError plainError(unsigned http_status, std::string message);

GeminiError apiKeyInvalid();
GeminiError missingApiKey();
GeminiError bearerNotAccepted();
GeminiError permissionDenied(std::string message);
GeminiError quotaExceeded(std::string_view model, std::string_view quota_id,
                          std::string_view retry_delay, std::string message);
GeminiError modelNotFound(std::string_view model, std::string_view api_version,
                          std::string_view method);
// 400 "Invalid JSON payload received. …" with a BadRequest field violation.
GeminiError invalidJsonPayload(std::string detail);
// 400 "Invalid value at 'field' (TYPE_INT32), <value>" for a wrongly typed field or parameter.
GeminiError invalidValue(std::string_view field, std::string_view type, std::string_view value);

// The canonical error for a scripted status (the usual message when `message` is empty).
GeminiError errorForStatus(unsigned http_status, std::string message);

}  // namespace poise::fakes
