// Gateway-token extraction and comparison for the client-facing routes (SPEC §1.2). A client may
// send its token as `Authorization: Bearer`, `x-goog-api-key`, `x-api-key` or `?key=`.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "core/digest.h"

namespace poise::proxy {

struct TokenSources {
  std::string_view authorization;  // the raw Authorization header
  std::string_view goog_api_key;   // x-goog-api-key
  std::string_view x_api_key;      // x-api-key
  std::string_view query_key;      // decoded ?key=
};

// The presented token, in the order x-goog-api-key, ?key=, x-api-key, Bearer.
std::optional<std::string_view> presentedToken(const TokenSources& s);

// Constant-time equality: compares SHA-256 digests, so neither content nor length leaks timing.
bool tokenEquals(std::string_view presented, std::string_view expected);
// The same against a precomputed digest of the expected token (one hash per request).
bool tokenMatches(std::string_view presented, const Sha256& expected);

}  // namespace poise::proxy
