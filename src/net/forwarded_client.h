// The client behind a trusted reverse proxy (POISE_TRUSTED_PROXIES): when the TCP peer is one of
// the trusted proxies, the client's address comes from X-Forwarded-For (the rightmost address
// that is not itself a trusted proxy) and its scheme from X-Forwarded-Proto; from any other peer
// both headers are ignored, so a client cannot pick the address its logins are throttled under.
// Pure functions; thread-safe.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>

#include "net/address_ranges.h"
#include "net/http_exchange.h"

namespace poise::net {

struct ForwardedClient {
  std::string ip;      // the client's address in its usual text form
  bool https = false;  // the client spoke HTTPS to the proxy
};

// `forwarded_for` and `forwarded_proto` are the headers' values, several lines of one joined
// with ",". A malformed X-Forwarded-For (an entry that is not a plain IPv4 or IPv6 address,
// "[v6]" included; an empty entry; more than 64 entries) is ignored as a whole: the client is
// the peer. When every listed address is trusted, the leftmost is the client. The scheme is the
// rightmost X-Forwarded-Proto entry ("https", any case), else plain HTTP.
ForwardedClient forwardedClient(const boost::asio::ip::address& peer,
                                std::string_view forwarded_for, std::string_view forwarded_proto,
                                const AddressRanges& trusted);

// The same over a request's X-Forwarded-For and X-Forwarded-Proto lines.
ForwardedClient forwardedClient(const boost::asio::ip::address& peer, const Request& request,
                                const AddressRanges& trusted);

}  // namespace poise::net
