// UpstreamError: why an exchange with the upstream failed (connecting, TLS, sending, or reading
// the answer), as a kind the caller can branch on. The message is for people and logs; it names
// hosts and socket errors, never a key or a header value. Plain value type.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace poise::net {

enum class UpstreamErrorKind {
  Dns,         // the upstream host name did not resolve
  Forbidden,   // the host resolves only to addresses the gateway never connects to
  Connect,     // no TCP connection (refused, unreachable, out of descriptors)
  Tls,         // the TLS handshake failed
  Timeout,     // a phase deadline (connect, TLS, first byte, idle) or the total deadline passed
  Io,          // a send or read failed on an open connection
  EarlyClose,  // the upstream closed the connection before the answer was complete
  TooLarge,    // the answer's body is longer than the caller's limit
  Malformed,   // the answer is not valid HTTP/1.1
};

// A short stable name for logs and attempt reasons ("connect", "timeout", ...).
std::string_view toString(UpstreamErrorKind kind);

struct UpstreamError {
  UpstreamErrorKind kind = UpstreamErrorKind::Io;
  std::string message;
  // The first connection was a pooled one the upstream had closed while it was idle, and it was
  // replaced once. That failure is never the key's fault.
  bool retried_stale = false;

  bool timedOut() const { return kind == UpstreamErrorKind::Timeout; }
};

// A value of T, or why the upstream exchange failed.
template <class T>
using UpstreamOr = boost::system::result<T, UpstreamError>;

[[noreturn]] void throw_exception_from_error(const UpstreamError& e,
                                             const boost::source_location& loc);

}  // namespace poise::net
