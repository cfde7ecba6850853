// Process-wide structured logging on stderr: logfmt (ts=… level=… msg="…" k=v …), or with
// LOG_FORMAT=json one JSON object per line, the same fields as members. Call sites always write
// logfmt; the json sink turns each line into an object. Every line passes through scrubSecrets()
// in the sink, so an upstream key or gateway token that slips into a message is masked.
// Thread-safe (spdlog's mutex sink).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace poise {

enum class LogFormat { Text, Json };

// Installs the scrubbing stderr logger as spdlog's default. level: trace|debug|info|warn|error.
void initLogging(std::string_view level, LogFormat format = LogFormat::Text);

// One log line as a JSON object (no newline): {"ts":…,"level":…} then the logfmt `payload`'s
// pairs in order, each value unquoted and unescaped as logValue wrote it. A bare whole number
// or true/false becomes a JSON number or boolean, except in the fields that carry client text
// (request_id, path, model, …), which stay strings. A payload that is not logfmt becomes the
// one member "msg". Invalid UTF-8 becomes U+FFFD, so the line is always valid JSON.
std::string logLineAsJson(std::string_view ts, std::string_view level, std::string_view payload);

// Quotes a value for logfmt when it contains spaces, quotes or '='.
std::string logValue(std::string_view v);

}  // namespace poise
