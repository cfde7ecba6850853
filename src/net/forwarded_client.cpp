#include "net/forwarded_client.h"

#include <boost/beast/core/string.hpp>
#include <optional>
#include <vector>

namespace poise::net {

namespace ip = boost::asio::ip;

namespace {

constexpr std::size_t kMaxEntries = 64;

std::string_view trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// The comma-separated entries of `list`, trimmed; nullopt when there are too many.
std::optional<std::vector<std::string_view>> entries(std::string_view list) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const auto comma = list.find(',', pos);
    const auto end = comma == std::string_view::npos ? list.size() : comma;
    out.push_back(trimmed(list.substr(pos, end - pos)));
    if (out.size() > kMaxEntries) return std::nullopt;
    pos = end + 1;
  }
  return out;
}

// One X-Forwarded-For entry as an address: "203.0.113.7", "2001:db8::1" or "[2001:db8::1]".
std::optional<ip::address> entryAddress(std::string_view entry) {
  if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') {
    entry = entry.substr(1, entry.size() - 2);
    if (entry.find(':') == std::string_view::npos) return std::nullopt;
  }
  // Only the characters of an address: no zone ids, ports or anything else.
  if (entry.empty() || entry.size() > 45 ||
      entry.find_first_not_of("0123456789abcdefABCDEF.:") != std::string_view::npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const ip::address a = ip::make_address(std::string(entry), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

// The rightmost untrusted address of a well-formed list (the leftmost when all are trusted);
// nullopt when the list is empty or any entry is malformed.
std::optional<ip::address> clientOf(std::string_view forwarded_for, const AddressRanges& trusted) {
  if (trimmed(forwarded_for).empty()) return std::nullopt;
  const auto list = entries(forwarded_for);
  if (!list) return std::nullopt;
  std::vector<ip::address> addresses;
  addresses.reserve(list->size());
  for (const std::string_view e : *list) {
    auto a = entryAddress(e);
    if (!a) return std::nullopt;
    addresses.push_back(*a);
  }
  std::optional<ip::address> rightmost_untrusted;
  for (const ip::address& a : addresses) {
    if (!trusted.contains(a)) rightmost_untrusted = a;
  }
  return rightmost_untrusted ? rightmost_untrusted : addresses.front();
}

bool httpsOf(std::string_view forwarded_proto) {
  const auto comma = forwarded_proto.rfind(',');
  const std::string_view last = trimmed(
      comma == std::string_view::npos ? forwarded_proto : forwarded_proto.substr(comma + 1));
  return boost::beast::iequals(last, "https");
}

// Every line of header `name`, joined with ",".
std::string joinedLines(const Request& request, std::string_view name) {
  std::string out;
  for (auto [it, end] = request.equal_range(name); it != end; ++it) {
    if (!out.empty()) out += ',';
    out.append(it->value().data(), it->value().size());
  }
  return out;
}

}  // namespace

ForwardedClient forwardedClient(const ip::address& peer, std::string_view forwarded_for,
                                std::string_view forwarded_proto, const AddressRanges& trusted) {
  if (trusted.empty() || !trusted.contains(peer)) return {.ip = peer.to_string(), .https = false};
  const auto client = clientOf(forwarded_for, trusted);
  return {.ip = client ? client->to_string() : peer.to_string(), .https = httpsOf(forwarded_proto)};
}

ForwardedClient forwardedClient(const ip::address& peer, const Request& request,
                                const AddressRanges& trusted) {
  if (trusted.empty() || !trusted.contains(peer)) return {.ip = peer.to_string(), .https = false};
  return forwardedClient(peer, joinedLines(request, "X-Forwarded-For"),
                         joinedLines(request, "X-Forwarded-Proto"), trusted);
}

}  // namespace poise::net
