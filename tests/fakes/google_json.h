// JSON text in the three layouts Google's frontends emit: pretty (2-space indent, used for
// unary responses and error bodies), stream-chunk (`": "` after keys, bare `,` between items,
// as seen in live SSE events) and compact (control API). Pure functions, thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace poise::fakes {

enum class JsonLayout { kCompact, kStreamChunk, kPretty };

std::string formatJson(const boost::json::value& v, JsonLayout layout);

// Replaces invalid UTF-8 sequences with U+FFFD and truncates to at most max_bytes without
// splitting a code point, so recorded bodies always serialise to valid JSON text.
std::string sanitizeUtf8(std::string_view in, std::size_t max_bytes);

}  // namespace poise::fakes
