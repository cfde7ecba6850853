// Error answers in each protocol's own envelope (SPEC §1.2, §1.3): Gemini, OpenAI, Anthropic and
// the admin API's {"detail","code"}. Pure builders; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "net/http_exchange.h"

namespace poise::http {

enum class Protocol { Gemini, OpenAI, Anthropic, Admin };

// Which protocol a request target belongs to, by path (and, for /v1/models, by credential).
Protocol protocolForTarget(std::string_view target);

// Google's canonical status name for an HTTP status ("INVALID_ARGUMENT", "UNAUTHENTICATED", ...).
std::string_view geminiStatusName(unsigned status);

// A JSON error response for `protocol`. `code` is the machine code used by the admin envelope
// and OpenAI's `code`; when empty one is derived from the status.
net::Response errorResponse(Protocol protocol, unsigned status, std::string_view message,
                            std::string_view code = {});

// A JSON response with the given serialized body.
net::Response jsonResponse(unsigned status, std::string body);

}  // namespace poise::http
