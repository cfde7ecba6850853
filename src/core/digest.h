// SHA-256 digests for secrets that are compared or stored but never kept in clear (gateway
// tokens, session tokens). Pure functions; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace poise {

using Sha256 = std::array<unsigned char, 32>;

Sha256 sha256(std::string_view data);
// Constant-time comparison.
bool digestEquals(const Sha256& a, const Sha256& b);

}  // namespace poise
