#include "net/public_address.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace poise::net {

namespace {

std::optional<std::string_view> nonPublicV4(const std::array<unsigned char, 4>& b) {
  const std::uint32_t a = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                          (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
  const auto in = [a](std::uint32_t net, unsigned prefix) {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (a & mask) == net;
  };
  if (in(0x00000000, 8)) return "an unspecified address (0.0.0.0/8)";
  if (in(0x7f000000, 8)) return "a loopback address (127.0.0.0/8)";
  if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16)) {
    return "a private address (RFC 1918)";
  }
  if (in(0xa9fe0000, 16)) return "a link-local address (169.254.0.0/16, cloud metadata)";
  if (in(0x64400000, 10)) return "a shared CGNAT address (100.64.0.0/10)";
  if (in(0xc0000000, 24)) return "an IETF protocol address (192.0.0.0/24)";
  if (in(0xc6120000, 15)) return "a benchmarking address (198.18.0.0/15)";
  if (in(0xe0000000, 4)) return "a multicast address (224.0.0.0/4)";
  if (in(0xf0000000, 4)) return "a reserved or broadcast address (240.0.0.0/4)";
  return std::nullopt;
}

std::optional<std::string_view> nonPublicV6(const std::array<unsigned char, 16>& b) {
  const bool first10_zero =
      std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; });
  if (first10_zero && b[10] == 0xff && b[11] == 0xff) {
    return nonPublicV4({b[12], b[13], b[14], b[15]});  // ::ffff:a.b.c.d
  }
  const bool first12_zero = first10_zero && b[10] == 0 && b[11] == 0;
  if (first12_zero) {
    if (b[12] == 0 && b[13] == 0 && b[14] == 0) {
      if (b[15] == 0) return "an unspecified address (::)";
      if (b[15] == 1) return "a loopback address (::1)";
    }
    return nonPublicV4({b[12], b[13], b[14], b[15]});  // ::a.b.c.d (deprecated compatible form)
  }
  if ((b[0] & 0xfe) == 0xfc) return "a unique local address (fc00::/7)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "a link-local address (fe80::/10)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "a site-local address (fec0::/10)";
  if (b[0] == 0xff) return "a multicast address (ff00::/8)";
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address that decides.
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    return nonPublicV4({b[12], b[13], b[14], b[15]});
  }
  if (b[0] == 0x20 && b[1] == 0x02) return nonPublicV4({b[2], b[3], b[4], b[5]});
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return "a documentation address (2001:db8::/32)";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> nonPublicAddress(const boost::asio::ip::address& address) {
  if (address.is_v4()) return nonPublicV4(address.to_v4().to_bytes());
  return nonPublicV6(address.to_v6().to_bytes());
}

}  // namespace poise::net
