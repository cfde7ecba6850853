// Which addresses an outbound webhook may reach: only public ones. Loopback, private (RFC 1918,
// IPv6 ULA), link-local (with the cloud metadata address 169.254.169.254), shared CGNAT space,
// unspecified, multicast, broadcast and the other special-purpose blocks are refused, so that an
// admin-configured URL cannot be pointed at the gateway's own host or network (SSRF). Checked on
// every address a host name resolves to, when connecting. Pure functions; thread-safe.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string_view>

namespace poise::net {

// Why `address` is not a public unicast address (a short phrase: "a loopback address"), or
// nullopt when it is. An IPv4-mapped or IPv4-compatible IPv6 address is judged by its IPv4 form.
std::optional<std::string_view> nonPublicAddress(const boost::asio::ip::address& address);

}  // namespace poise::net
