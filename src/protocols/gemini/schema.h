// Turns a client's JSON Schema into what Gemini accepts. Gemini answers 400 "Unknown name" for
// keywords outside its subset (additionalProperties, $schema, strict, exclusiveMaximum, …), so
// both functions keep only known keywords, recursively. Pure functions; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <optional>

namespace poise::protocols {

// For functionDeclarations[].parameters (Gemini's OpenAPI-3.0 Schema subset): $ref is inlined
// from $defs/definitions, allOf merged, oneOf becomes anyOf, type arrays and null members become
// `nullable`, const becomes a one-value enum, non-string enums and unsupported formats are
// dropped, `required` keeps only declared properties, and empty `properties` are removed.
// nullopt when nothing remains to declare (no properties): the declaration then omits
// `parameters`, which Gemini requires for a parameterless function.
std::optional<boost::json::value> toGeminiParameters(const boost::json::value& schema);

// For generationConfig.responseJsonSchema (real JSON Schema): keeps the documented keywords
// ($id $defs $ref $anchor type format title description enum items prefixItems minItems
// maxItems minimum maximum anyOf oneOf properties required, and additionalProperties when it is
// a schema rather than a boolean); const becomes a one-value enum.
boost::json::value toGeminiResponseSchema(const boost::json::value& schema);

}  // namespace poise::protocols
