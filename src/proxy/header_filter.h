// Which headers cross the gateway (RFC 9110 §7.6.1): hop-by-hop and framing headers never do,
// in either direction, nor do those a Connection header nominates. Pure; thread-safe.
#pragma once

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

namespace poise::proxy {

// Hop-by-hop headers and the framing headers a relay sets itself.
bool isHopByHopOrFraming(boost::beast::http::field f);

// True when `name` is listed among a Connection header's tokens.
bool nominatedByConnection(std::string_view connection, std::string_view name);

// True for an upstream response header the client never sees: hop-by-hop, framing, Alt-Svc,
// the upstream's X-Request-Id (the gateway sends its own), and those its Connection nominates.
bool dropResponseHeader(const boost::beast::http::fields& upstream,
                        const boost::beast::http::fields::value_type& header);

// The upstream's response headers the client may see, as "Name: value\r\n" lines.
std::string responseFieldLines(const boost::beast::http::fields& upstream);

}  // namespace poise::proxy
