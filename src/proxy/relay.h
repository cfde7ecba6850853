// The relay: copies a successful upstream answer to the client as it arrives, through a piece
// translator (identity for the native pass-through; OpenAI and Anthropic stream translators in
// compat_proxy). For a stream it races three things: the next upstream piece, the client going
// away (the upstream connection is then closed at once), and the shutdown notice (the stream then
// ends with the translator's terminal error event). An upstream that breaks off mid-way also ends
// with that event, or with a cut when the translator has none; so does a stream that ends cleanly
// without a finish reason (a truncation). While the upstream is silent for the keep-alive
// interval, a fourth racer writes the translator's keep-alive bytes (an SSE comment, or an
// Anthropic ping); one write to the client is in flight at a time. Runs on the request's worker
// thread; sees the client and the upstream only through their interfaces (ResponseStream,
// UpstreamAnswer), so it runs in memory in tests.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "net/response_stream.h"
#include "net/upstream_client.h"
#include "protocols/gemini/stream_end.h"
#include "protocols/gemini/usage.h"

namespace poise::proxy {

// Why a relayed stream ended before the upstream finished it.
enum class BreakReason {
  UpstreamBroke,  // the upstream connection failed or ended early
  Shutdown,       // the gateway is stopping and the grace period ran out
  Truncated,      // the upstream ended cleanly, but without a finish reason
};

// The terminal error message a client sees for `reason`.
std::string_view breakMessage(BreakReason reason);

// Turns upstream pieces into client bytes.
class PieceTranslator {
 public:
  PieceTranslator() = default;
  PieceTranslator(const PieceTranslator&) = delete;
  PieceTranslator& operator=(const PieceTranslator&) = delete;
  PieceTranslator(PieceTranslator&&) = delete;
  PieceTranslator& operator=(PieceTranslator&&) = delete;
  virtual ~PieceTranslator() = default;

  // The client response's status, and its headers in `out`, from the upstream's. Framing is the
  // stream's: an identity translator keeps the upstream's length, a transformed body is chunked.
  virtual unsigned head(unsigned upstream_status, const boost::beast::http::fields& upstream,
                        boost::beast::http::fields& out) = 0;
  // True when pieces pass through unchanged (transform() is then never called; observe() is).
  virtual bool identity() const = 0;
  // An identity translator's look at each piece as it passes.
  virtual void observe(std::string_view /*piece*/) {}
  // The client bytes for one upstream piece (possibly none yet).
  virtual std::string transform(std::string_view piece) = 0;
  // The client bytes after the upstream ended cleanly. When the answer proves truncated (a
  // stream without a finish reason; see truncated()), they end with the terminal error event
  // for BreakReason::Truncated instead of the protocol's normal end.
  virtual std::string finish() = 0;
  // After finish(): the stream ended without any finish reason (the relay then reports
  // RelayEnd::Truncated). Only asked for streams.
  virtual bool truncated() const { return false; }
  // The bytes that keep a silent stream alive (clients ignore them); empty: none is sent.
  virtual std::string keepAlive() const { return {}; }
  // The client bytes that end the stream cleanly when it cannot go on. Empty means the
  // connection is cut instead.
  virtual std::string broken(BreakReason reason) = 0;
};

// The native pass-through: upstream headers and framing kept, bytes unchanged, and a final Gemini
// SSE error event when an SSE stream breaks off. With `detect_truncation` (a streamGenerateContent
// call), the bytes are scanned for a finish reason (protocols::StreamEndScanner); an SSE stream
// that ends without one gets the same error event appended, a JSON-array stream (which has
// already ended with its `]`) is only reported. SSE streams are kept alive with a comment line.
class IdentityTranslator final : public PieceTranslator {
 public:
  explicit IdentityTranslator(bool detect_truncation = false)
      : detect_truncation_(detect_truncation) {}
  unsigned head(unsigned upstream_status, const boost::beast::http::fields& upstream,
                boost::beast::http::fields& out) override;
  bool identity() const override { return true; }
  std::string transform(std::string_view piece) override { return std::string(piece); }
  std::string finish() override;
  bool truncated() const override;
  std::string keepAlive() const override;
  std::string broken(BreakReason reason) override;
  void observe(std::string_view piece) override;

 private:
  bool detect_truncation_;
  bool sse_stream_ = false;  // an SSE answer of unknown length: an error event can end it
  protocols::StreamEndScanner ends_;
};

// How a relay ended.
enum class RelayEnd {
  Finished,       // the whole answer reached the client, cleanly ended
  ClientGone,     // the client left (or a write to it failed); the upstream was closed
  UpstreamBroke,  // the upstream broke off; the client got the terminal event, or a cut
  Shutdown,       // the shutdown grace ran out; the client got the terminal event, or a cut
  Truncated,      // the upstream ended without a finish reason; the client got the error event
};

// Relays `answer` (its head read, its body not) to `client` through `translator`. `streaming`:
// the answer is a stream, raced against the client going away and the shutdown notice; a plain
// large answer is copied piece by piece. Every upstream piece also goes through `usage`. The
// upstream connection goes back to its pool only when the answer was read to the end. A stream
// silent for `keepalive` (0: never) gets the translator's keep-alive bytes, again after each
// further `keepalive` of silence. Suspends.
boost::asio::awaitable<RelayEnd> relayAnswer(
    net::ResponseStream& client, net::UpstreamAnswer& answer, PieceTranslator& translator,
    bool streaming, protocols::UsageScanner& usage,
    std::chrono::milliseconds keepalive = std::chrono::milliseconds{0});

}  // namespace poise::proxy
