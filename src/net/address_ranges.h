// AddressRanges: a set of IPv4 and IPv6 addresses and CIDR blocks (POISE_TRUSTED_PROXIES), and
// whether a peer address falls in it. An IPv4-mapped IPv6 peer (::ffff:a.b.c.d, as a dual-stack
// listener reports IPv4 clients) matches the IPv4 entries. Immutable after parsing; pure value
// type, safe to share between threads.
#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace poise::net {

class AddressRanges {
 public:
  AddressRanges() = default;

  // Parses comma-separated entries: "10.0.0.0/8, 127.0.0.1, ::1, fd00::/8". Blank entries are
  // skipped; host bits below the prefix are ignored. A malformed entry is an error naming it.
  [[nodiscard]] static Result<AddressRanges> parse(std::string_view text);

  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return ranges_.empty(); }
  std::size_t size() const { return ranges_.size(); }

 private:
  struct Range {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes
    unsigned prefix = 0;                   // bits
    bool v4 = false;
  };
  std::vector<Range> ranges_;
};

// The address with an IPv4-mapped IPv6 address turned into its IPv4 form; others unchanged.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

}  // namespace poise::net
