// sendNow: one send on a TCP socket that does not wait, for the writes that usually fit the
// socket's send buffer (a client answer, an upstream request). The caller writes what is left,
// if anything, asynchronously under its deadline, so the deadline's timer is armed only when the
// socket is actually full. Puts the socket in non-blocking mode (once; asio's asynchronous
// operations work the same). Call on the socket's own thread, with no other write pending.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>

namespace poise::net {

// Returns the bytes the socket took (possibly 0, or all of `buffers`); `ec` is set only on a
// real failure (the peer is gone), never because the socket was full.
template <class Socket, class Buffers>
std::size_t sendNow(Socket& socket, const Buffers& buffers, boost::system::error_code& ec) {
  ec = {};
  if (!socket.non_blocking()) {
    socket.non_blocking(true, ec);
    if (ec) {
      ec = {};
      return 0;  // no send that does not wait: the caller writes all of it asynchronously
    }
  }
  const std::size_t sent = socket.send(buffers, 0, ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : sent;
}

}  // namespace poise::net
