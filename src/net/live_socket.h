// LiveSocket: one WebSocket connection of a Live API session (BidiGenerateContent), whole
// messages in and out, text or binary. Either the client's, accepted on the connection of an
// upgrade request the router sent to the Live route (HttpExchange::takeOverStream), or the
// upstream's, opened on a fresh UpstreamPool connection (plain or TLS) with the key in
// x-goog-api-key. relayLive() then copies messages both ways, one outstanding write per
// direction. Beast's rule holds: one read, one write and one close may be pending at once. Used
// on the connection's worker thread only; Beast types stay in the .cpp.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/origin.h"
#include "net/http_exchange.h"
#include "net/upstream_error.h"
#include "net/upstream_pool.h"

namespace poise::net {

// Close codes the gateway sends itself (RFC 6455 §7.4.1 and the IANA registry).
inline constexpr unsigned kCloseNormal = 1000;
inline constexpr unsigned kCloseGoingAway = 1001;   // the gateway is shutting down
inline constexpr unsigned kCloseInvalid = 1007;     // the first message is not a valid setup
inline constexpr unsigned kClosePolicy = 1008;      // the gateway token may not do this
inline constexpr unsigned kCloseTooBig = 1009;      // a message over the size limit
inline constexpr unsigned kCloseInternal = 1011;    // the session failed on the gateway's side
inline constexpr unsigned kCloseTryLater = 1013;    // no key can take the session now
inline constexpr unsigned kCloseBadGateway = 1014;  // the upstream could not be reached

// The code to send when relaying a received close: 1005 (none given) and 1006 (no close frame)
// may not be sent, an empty close frame (0) stands for them. Pure.
constexpr unsigned sendableCloseCode(unsigned received) {
  return received == 1005 || received == 1006 ? 0 : received;
}

struct LiveLimits {
  std::size_t message_limit = std::size_t{16} << 20;  // bytes of one incoming message
  std::chrono::milliseconds handshake{10'000};        // the opening and the closing handshakes
  // No byte from the peer this long fails the socket; a ping goes out at half of it, so a quiet
  // but live peer (its pong) keeps the session.
  std::chrono::milliseconds idle{120'000};
};

// One read's outcome.
struct LiveRead {
  enum class Kind {
    Message,  // `data` holds a whole message
    Closed,   // the peer sent a close frame: `close_code` (1005 when it gave none), `close_reason`
    Failed,   // the connection broke, timed out, or a message was too big (`too_big`)
  };
  Kind kind = Kind::Failed;
  std::string data;
  bool binary = false;
  unsigned close_code = 0;
  std::string close_reason;
  bool too_big = false;
  std::string error;  // Failed: why, for logs (socket errors only, never message content)
};

class LiveSocket {
 public:
  struct Impl;
  explicit LiveSocket(std::unique_ptr<Impl> impl);
  ~LiveSocket();
  LiveSocket(const LiveSocket&) = delete;
  LiveSocket& operator=(const LiveSocket&) = delete;

  // Reads the next whole message (control frames are answered inside). Suspends.
  boost::asio::awaitable<LiveRead> read();
  // Writes one whole message; false when the connection is gone. Suspends.
  boost::asio::awaitable<bool> write(std::string_view data, bool binary);
  // Sends a close frame (the reason cut to the 123 bytes a frame holds) and, once the peer's
  // close arrives through a pending read (or within the handshake limit), tears the connection
  // down. Nothing when the socket is already closed. Suspends.
  boost::asio::awaitable<void> close(unsigned code, std::string_view reason);
  // Closes the TCP connection now, without a close frame.
  void abort();
  // The socket can still send (no close sent or received, no failure).
  bool isOpen() const;

 private:
  std::unique_ptr<Impl> impl_;
};

// A WebSocket upgrade request (GET, Connection: upgrade, Upgrade: websocket, version 13).
bool isWebSocketUpgrade(const Request& request);

// Answers the exchange's upgrade request with 101 and returns the client's socket; nullptr when
// the handshake failed (the client is gone, or its request was not a valid upgrade, which is then
// answered 400). The exchange's connection is the socket's from then on: it is not reused for
// HTTP. Suspends.
boost::asio::awaitable<std::unique_ptr<LiveSocket>> acceptLiveSocket(HttpExchange& exchange,
                                                                     const LiveLimits& limits);

// What opening the upstream socket gave.
struct LiveDial {
  std::unique_ptr<LiveSocket> socket;  // set when the upstream took the upgrade (101)
  unsigned status = 0;                 // otherwise the upstream's HTTP answer
  std::string body;
};

// Where and how to open the upstream socket.
struct LiveConnect {
  const Origin& origin;
  std::string_view target;   // base path + the BidiGenerateContent path (never a key)
  std::string_view api_key;  // sent as x-goog-api-key; must be a valid header value
  std::string_view user_agent;
  const UpstreamTimeouts& timeouts;  // connect and tls; first_byte bounds the upgrade answer
  LiveLimits limits;
};

// Opens a fresh connection to the origin (never a pooled one) and sends the upgrade with the
// key. A refusal (any answer but 101) comes back as its status and body; a network failure or a
// timeout as an UpstreamError. Suspends.
boost::asio::awaitable<UpstreamOr<LiveDial>> dialLiveSocket(UpstreamPool& pool, const Clock& clock,
                                                            const LiveConnect& connect);

// How a relay ended.
struct LiveRelayEnd {
  enum class Kind {
    ClientClosed,    // the client sent a close frame (relayed upstream)
    UpstreamClosed,  // the upstream sent a close frame (relayed to the client)
    ClientFailed,    // the client's connection broke or timed out (upstream closed 1001)
    UpstreamFailed,  // the upstream's connection broke or timed out (client closed 1011)
    TooBig,          // a message over the limit (the other side closed 1009)
    Shutdown,        // the gateway's shutdown notice or the session limit (both closed 1001)
  };
  Kind kind = Kind::ClientClosed;
  unsigned close_code = 0;  // the close code that ended the session (as relayed or sent)
  std::string close_reason;
  std::uint64_t to_upstream = 0;  // messages relayed client → upstream
  std::uint64_t to_client = 0;    // messages relayed upstream → client
};

// Called with each message relayed upstream → client (e.g. to read usageMetadata off it).
using LiveObserver = std::function<void(std::string_view message)>;

// Copies messages both ways until one side closes or fails, then closes the other side with the
// relayed code and reason (or 1001/1011 when a side broke). Each direction reads its next
// message only once the previous write completed. Ends early, closing both sides with 1001, when
// `notice` is raised or `limit` has passed. Suspends until both directions have ended.
boost::asio::awaitable<LiveRelayEnd> relayLive(LiveSocket& client, LiveSocket& upstream,
                                               StopNotice* notice, std::chrono::milliseconds limit,
                                               const LiveObserver& observe_upstream);

}  // namespace poise::net
