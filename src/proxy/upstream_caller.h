// UpstreamCaller: the one attempt loop every proxy route shares (SPEC §2). For each attempt it
// picks a key the request has not tried, sends the request with that key (x-goog-api-key, or
// Bearer for Google's OpenAI-compatible paths), classifies the answer (attempt_outcome.h),
// records it on the key (success, per-model cooldown, rejection, transient) and retries on
// another key when the failure class says so, within proxy_retry_max_count and the total
// deadline. A successful answer is either returned whole or relayed to the client as it arrives
// through a StreamRelay (after which there is no retry: the client has bytes).
//
// Routes differ only in the request they build, the StreamRelay they pass (identity for the
// native pass-through, a translator for OpenAI/Anthropic streams) and how they render the
// UpstreamResult. Runs on the connection's worker thread; shared state is thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/runtime_config.h"
#include "http/error_envelope.h"
#include "net/http_exchange.h"
#include "proxy/attempt_outcome.h"
#include "proxy/gemini_proxy.h"

namespace poise::proxy {

// One request as it goes upstream, whatever the client's protocol.
struct UpstreamRequest {
  std::string method = "POST";
  std::string target;       // upstream base path + path + query (never carries a key)
  std::string fields;       // extra "Name: value\r\n" lines (no Host, credentials or framing)
  std::string_view body;    // must outlive the call
  std::string model;        // cooldown scope; empty for model-independent calls
  bool bearer_key = false;  // the key goes in Authorization: Bearer (Google's /openai/ paths)
  bool streaming = false;   // an SSE call: relayed as it arrives when a relay is given
  bool head_only = false;   // a HEAD request (no response body)
};

// Why a relayed stream ended before the upstream finished it.
enum class BreakReason {
  UpstreamBroke,  // the upstream connection failed or ended early
  Shutdown,       // the gateway is stopping and the grace period ran out
};

// The terminal error message a client sees for `reason`.
std::string_view breakMessage(BreakReason reason);

// How a successful streamed (or large) answer reaches the client.
class StreamRelay {
 public:
  virtual ~StreamRelay() = default;
  // The client response's status, and its headers in `out`, from the upstream's. Framing is the
  // exchange's: an identity relay keeps the upstream's length, a transformed body is streamed.
  virtual unsigned head(unsigned upstream_status, const boost::beast::http::fields& upstream,
                        boost::beast::http::fields& out) = 0;
  // True when pieces pass through unchanged (transform() is then never called).
  virtual bool identity() const = 0;
  // The client bytes for one upstream piece (possibly none yet).
  virtual std::string transform(std::string_view piece) = 0;
  // The client bytes after the upstream ended cleanly.
  virtual std::string finish() = 0;
  // The client bytes that end the stream cleanly when it cannot go on: the upstream broke off
  // mid-way, or the gateway's shutdown grace ran out. Empty means the connection is closed
  // instead.
  virtual std::string broken(BreakReason reason) = 0;
};

// How the call ended, when it did not end in a relay.
struct UpstreamResult {
  enum class Kind {
    Relayed,      // the answer went to the client through the relay; nothing left to do
    Answer,       // the upstream answered (2xx, a client error, or the last retryable error)
    NoKey,        // no key could be picked (none stored, all disabled, or all cooling)
    Unreachable,  // the last attempt failed on the network or timed out
    Refused,      // the request head was refused by the writer (network_error says why)
    ClientGone,   // the client left before the answer; nothing is to be written
  };
  Kind kind = Kind::NoKey;
  unsigned status = 0;
  std::string fields;        // the upstream's response headers, filtered, as "Name: value\r\n"
  std::string content_type;  // the upstream's Content-Type
  std::string body;
  bool timed_out = false;
  std::string network_error;
  // Whole seconds until a key can take the model (KeyPool::nextEligibleAt, rounded up): on NoKey,
  // and on the last attempt's 429 (Answer) when no key can take the model yet; that answer's
  // `fields` then carry the same Retry-After.
  std::optional<std::int64_t> retry_after_seconds;

  bool success() const { return kind == Kind::Answer && status >= 200 && status < 300; }
};

class UpstreamCaller {
 public:
  explicit UpstreamCaller(const GeminiProxyDeps& deps) : deps_(deps) {}

  // Runs the attempt loop. With a relay, a 2xx answer that is streamed, of unknown length or
  // longer than `buffered_limit` is relayed; otherwise answers up to `buffered_limit` (errors
  // up to 4 MiB) are read whole and returned.
  boost::asio::awaitable<UpstreamResult> call(net::HttpExchange& ex, const UpstreamRequest& request,
                                              StreamRelay* relay, std::size_t buffered_limit);

 private:
  // Records one attempt's outcome on its key and in the call counters.
  void recordAttempt(const config::RuntimeConfig& cfg, std::int64_t key_id,
                     const std::string& model, const AttemptOutcome& outcome);

  const GeminiProxyDeps& deps_;
};

// Checks the gateway token of a client request (any of the four carriers, constant time).
// Returns the response to send instead, in `protocol`'s envelope, when the token is missing or
// wrong, or when the gateway has no api_token or no target_api_url configured.
std::optional<net::Response> rejectRequest(const net::Request& req, std::string_view raw_query,
                                           const config::RuntimeConfig& cfg,
                                           http::Protocol protocol);

// Answers a call that got no upstream answer (kind NoKey or Unreachable) in `protocol`'s
// envelope: 429 with Retry-After when every key is cooling for the model, 503 when no key is
// usable, 504 on a timeout, 502 when the upstream could not be reached, 400 when the request
// was refused by the head writer; nothing when the client is gone.
boost::asio::awaitable<void> respondUnanswered(net::HttpExchange& ex, http::Protocol protocol,
                                               const UpstreamResult& result);

// The pass-through relay of the native routes: upstream headers and framing kept, bytes
// unchanged, and a final Gemini SSE error event when an SSE stream breaks off.
class IdentityRelay final : public StreamRelay {
 public:
  unsigned head(unsigned upstream_status, const boost::beast::http::fields& upstream,
                boost::beast::http::fields& out) override;
  bool identity() const override { return true; }
  std::string transform(std::string_view piece) override { return std::string(piece); }
  std::string finish() override { return {}; }
  std::string broken(BreakReason reason) override;

 private:
  bool sse_stream_ = false;  // an SSE answer of unknown length: an error event can end it
};

}  // namespace poise::proxy
