#include "net/address_ranges.h"

#include <charconv>

namespace poise::net {

namespace ip = boost::asio::ip;

namespace {

std::string_view trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// True when the first `bits` bits of a and b agree.
bool samePrefix(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) {
  const unsigned whole = bits / 8;
  for (unsigned i = 0; i < whole; ++i) {
    if (a[i] != b[i]) return false;
  }
  const unsigned rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

Result<AddressRanges> AddressRanges::parse(std::string_view text) {
  AddressRanges out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = text.find(',', pos);
    const std::string_view entry = trimmed(
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (entry.empty()) continue;
    auto invalid = [&](std::string_view why) {
      return makeError(ErrorCode::InvalidAddressRange,
                       "'" + std::string(entry) + "' is not " + std::string(why));
    };
    const auto slash = entry.find('/');
    const std::string host(entry.substr(0, slash));
    boost::system::error_code ec;
    const ip::address address = unmapped(ip::make_address(host, ec));
    if (ec) return invalid("an IP address or CIDR block");
    const bool mapped = address.is_v4() && host.find(':') != std::string::npos;
    const unsigned max_bits = address.is_v4() ? 32 : 128;
    unsigned prefix = max_bits;
    if (slash != std::string_view::npos) {
      const std::string_view digits = entry.substr(slash + 1);
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (r.ec != std::errc{} || r.ptr != digits.data() + digits.size() || digits.empty()) {
        return invalid("an IP address or CIDR block (bad prefix length)");
      }
      // An IPv4-mapped block (::ffff:10.0.0.0/104) counts its prefix over 128 bits.
      if (mapped) {
        if (prefix < 96) return invalid("an IPv4-mapped block of /96 or longer");
        prefix -= 96;
      }
      if (prefix > max_bits) return invalid("an IP address or CIDR block (bad prefix length)");
    }
    Range range;
    range.v4 = address.is_v4();
    range.prefix = prefix;
    if (range.v4) {
      const auto b = address.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), range.bytes.begin());
    } else {
      const auto b = address.to_v6().to_bytes();
      std::copy(b.begin(), b.end(), range.bytes.begin());
    }
    out.ranges_.push_back(range);
  }
  return out;
}

bool AddressRanges::contains(const ip::address& address) const {
  const ip::address a = unmapped(address);
  std::array<std::uint8_t, 16> bytes{};
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  } else {
    const auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  }
  for (const auto& r : ranges_) {
    if (r.v4 == a.is_v4() && samePrefix(r.bytes.data(), bytes.data(), r.prefix)) return true;
  }
  return false;
}

}  // namespace poise::net
