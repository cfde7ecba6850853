// Addresses the gateway never sends upstream traffic (or pool keys) to: link-local ranges, where
// cloud metadata services answer with instance credentials, and the metadata addresses outside
// them. Used on target_api_url as written and on every address it resolves to. Pure.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace poise {

// Why the IPv4 address `b` is refused as an upstream, or nullopt when it is allowed.
std::optional<std::string_view> forbiddenUpstreamV4(const std::array<unsigned char, 4>& b);

// The same for IPv6 (an IPv4-mapped address is judged by its IPv4 form).
std::optional<std::string_view> forbiddenUpstreamV6(const std::array<unsigned char, 16>& b);

}  // namespace poise
