// UpstreamClient: sends one HTTP/1.1 request upstream over the worker's UpstreamPool and reads
// its answer under the phase deadlines. The head comes finished from RequestHead (the one head
// writer); the client adds nothing to it. A pooled connection that fails before the first byte of
// the answer is replaced once by a fresh one. The answer comes back as an UpstreamResponse that
// owns the connection until its body is read. Used on the pool's thread only; it holds references
// to the pool and the clock, which must outlive it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/origin.h"
#include "net/request_head.h"
#include "net/upstream_error.h"
#include "net/upstream_pool.h"

namespace poise::net {

// The most one UpstreamResponse::readPiece() returns.
inline constexpr std::size_t kUpstreamPieceSize = std::size_t{16} * 1024;

// What one exchange sends, and within which limits.
struct UpstreamSend {
  const Origin& origin;
  const RequestHead& head;  // everything but the blank line that ends it
  std::string_view body;
  const UpstreamTimeouts& timeouts;
  std::int64_t deadline_ms = 0;  // absolute, in Clock::monotonicMs(): the total deadline
};

// An upstream answer whose head has been read, as the proxy sees it. On the pool's thread only.
class UpstreamAnswer {
 public:
  UpstreamAnswer() = default;
  UpstreamAnswer(const UpstreamAnswer&) = delete;
  UpstreamAnswer& operator=(const UpstreamAnswer&) = delete;
  UpstreamAnswer(UpstreamAnswer&&) = delete;
  UpstreamAnswer& operator=(UpstreamAnswer&&) = delete;
  virtual ~UpstreamAnswer() = default;

  virtual unsigned status() const = 0;
  virtual const boost::beast::http::fields& headers() const = 0;
  // The body's declared length, when the upstream gave one.
  virtual std::optional<std::uint64_t> contentLength() const = 0;
  // The body has been read to the end (at once for HEAD, 204, 304 or an empty body).
  virtual bool done() const = 0;
  // The first connection was a stale pooled one, replaced once (never the key's fault).
  virtual bool retriedStale() const = 0;

  // Reads the rest of the body, at most `limit` bytes (TooLarge past it), each read within the
  // idle deadline and all before the total one. Suspends.
  virtual boost::asio::awaitable<UpstreamOr<std::string>> readAll(std::size_t limit) = 0;

  // Reads the next piece of the body (1 to kUpstreamPieceSize bytes) within the idle deadline
  // and before the total one; an empty piece means the body has ended. The view is valid until
  // the next call or the answer's destruction. Suspends.
  virtual boost::asio::awaitable<UpstreamOr<std::string_view>> readPiece() = 0;

  // Closes the connection now (a client that left, an answer not worth reading).
  virtual void close() = 0;
};

// Sends one request upstream and returns its answer once the head is in. The proxy's attempt
// loop sees only this interface (tests give it a fake upstream).
class UpstreamTransport {
 public:
  UpstreamTransport() = default;
  UpstreamTransport(const UpstreamTransport&) = delete;
  UpstreamTransport& operator=(const UpstreamTransport&) = delete;
  UpstreamTransport(UpstreamTransport&&) = delete;
  UpstreamTransport& operator=(UpstreamTransport&&) = delete;
  virtual ~UpstreamTransport() = default;

  // Writes the head and body, and reads the answer's head within the first-byte deadline
  // (capped, like every phase, by `request.deadline_ms`). Suspends; cancellable at every wait.
  virtual boost::asio::awaitable<UpstreamOr<std::unique_ptr<UpstreamAnswer>>> send(
      const UpstreamSend& request) = 0;
};

// An answer on a pooled connection. It owns the connection: the connection goes back to the
// pool when the body has been read to the end, the upstream allows keep-alive and no byte beyond
// the answer is buffered; in every other case (an error, close(), destruction before the end, a
// coroutine cancelled mid-read) it is closed.
class UpstreamResponse final : public UpstreamAnswer {
 public:
  struct State;
  explicit UpstreamResponse(std::unique_ptr<State> state);
  ~UpstreamResponse() override;

  unsigned status() const override;
  const boost::beast::http::fields& headers() const override;
  std::optional<std::uint64_t> contentLength() const override;
  bool done() const override;
  bool retriedStale() const override;
  boost::asio::awaitable<UpstreamOr<std::string>> readAll(std::size_t limit) override;
  boost::asio::awaitable<UpstreamOr<std::string_view>> readPiece() override;
  void close() override;

 private:
  std::unique_ptr<State> state_;
};

class UpstreamClient final : public UpstreamTransport {
 public:
  UpstreamClient(UpstreamPool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // Acquires a connection, writes the head and body, and reads the answer's head within the
  // first-byte deadline (capped, like every phase, by `request.deadline_ms`). When a reused
  // connection fails before any byte of the answer arrives, sends once more on a fresh one and
  // says so in the result (retried_stale). Suspends; cancellable at every wait (the connection
  // is then closed).
  boost::asio::awaitable<UpstreamOr<std::unique_ptr<UpstreamAnswer>>> send(
      const UpstreamSend& request) override;

 private:
  UpstreamPool& pool_;
  const Clock& clock_;
};

}  // namespace poise::net
