// Process-wide structured logging on stderr (logfmt: ts=… level=… msg="…" k=v …).
// Every line passes through scrubSecrets() in the sink, so an upstream key or gateway token that
// slips into a message is masked. Thread-safe (spdlog's mutex sink).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace poise {

// Installs the scrubbing stderr logger as spdlog's default. level: trace|debug|info|warn|error.
void initLogging(std::string_view level);

// Quotes a value for logfmt when it contains spaces, quotes or '='.
std::string logValue(std::string_view v);

}  // namespace poise
