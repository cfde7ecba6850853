// RequestRecord: what one client request did. The front's handler opens it when the request
// arrives; the route and the proxy fill it in as they go (protocol, model, the keys tried and
// each attempt's outcome, timings, token usage, the error class); the front finishes it in one
// place when the response has ended, however it ended (answered, aborted, client gone, an
// exception, the coroutine destroyed), and hands it to the record sink. Today the sink writes the
// access log line; request logs, metrics and token quotas consume the same record. Plain data,
// owned by one request's coroutine.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "http/error_envelope.h"
#include "protocols/gemini/usage.h"

namespace poise::http {

// Why a request did not end in a clean answer, as one stable word (logs, metrics).
enum class ErrorClass {
  None,
  BadRequest,           // the client's request was refused before any key was used (4xx)
  Unauthorized,         // a missing or wrong credential
  Forbidden,            // the credential may not do this (403)
  RateLimited,          // a client token's rate limit or quota refused it (429)
  NotFound,             // no such route, or the route refused the method
  NoKey,                // no key could take the request (503, or 429 while all cool)
  UpstreamError,        // the upstream answered with an error, passed on
  UpstreamUnreachable,  // the upstream could not be reached
  UpstreamTimeout,      // the upstream did not answer in time
  StreamBroken,         // a relayed stream broke off after its first byte
  ClientGone,           // the client left before the answer ended
  Shutdown,             // the gateway's shutdown grace cut the answer
  Internal,             // a failure of the gateway itself
  Truncated,            // a relayed stream ended cleanly without a finish reason
};

// "none", "bad_request", "unauthorized", …
std::string_view toString(ErrorClass error);

// "gemini", "openai", "anthropic", "admin" (logs, metrics).
std::string_view protocolName(Protocol protocol);

// One upstream attempt: the key's id (never its value), how it ended and how long it took.
struct KeyAttempt {
  std::int64_t key_id = 0;
  std::string_view outcome;  // a static word: "success", "cooldown", "rejected", …
  unsigned status = 0;       // the upstream's status; 0 when it did not answer
  std::int64_t duration_ms = 0;
};

struct RequestRecord {
  // Set when the request arrives.
  std::string request_id;
  std::string method;
  std::string path;  // the target without its query (a query may carry a credential)
  std::string remote_ip;
  std::string user_agent;
  std::int64_t started_ms = 0;  // monotonic ms (core::Clock) when the head was read

  // Filled in by the route.
  std::string route;  // the matched entry's pattern; empty when none matched
  Protocol protocol = Protocol::Gemini;
  std::string token;           // which gateway token admitted it ("default": the config api_token)
  std::int64_t token_id = 0;   // the client token's id; 0 for the api_token (or none)
  bool token_charged = false;  // counted against the client token's limits (once per request)
  std::string model;
  bool stream = false;
  std::vector<KeyAttempt> attempts;
  protocols::GeminiUsage usage;  // from the upstream answer's usageMetadata
  ErrorClass error = ErrorClass::None;
  std::string error_message;       // already free of secrets
  std::int64_t first_byte_ms = 0;  // monotonic ms when the answer's head was ready; 0: never

  // Body capture (config request_log_body_capture_kb), started by the proxy with
  // startBodyCapture; empty and free when off. The bodies are raw here: the request log row
  // scrubs and cuts them (usage::toRequestLogRow).
  std::size_t body_capture_limit = 0;  // bytes of each body the row keeps; 0: no capture
  std::size_t body_capture_raw = 0;    // bytes kept raw: the limit plus kBodyCaptureMargin
  std::string request_body;
  std::string response_body;              // the HttpExchange appends the answer's first bytes here
  std::vector<std::string> body_secrets;  // the request's credential values, never stored

  // Set when it is finished.
  unsigned status = 0;  // the status sent; 0 when nothing was (the client left first)
  std::int64_t ended_ms = 0;
  bool finished = false;

  // Records the first failure class and its message (later ones do not overwrite it), cut to
  // kMaxErrorMessageBytes.
  void fail(ErrorClass cls, std::string_view message = {});
  static constexpr std::size_t kMaxErrorMessageBytes = 1024;
};

// Extra raw bytes captured past the limit, so that a key or token cut at the limit is still
// whole when the bodies are scrubbed.
inline constexpr std::size_t kBodyCaptureMargin = 1024;

// Credential values shorter than this are not scrubbed from captured bodies (see below).
inline constexpr std::size_t kMinScrubbedSecretBytes = 8;

// Starts capturing `record`'s bodies: the first limit_bytes (+ margin) of `request_body` now,
// the answer's as it is written; `secrets` (the credential values the client sent) are kept to be
// scrubbed from both, except those shorter than kMinScrubbedSecretBytes.
void startBodyCapture(RequestRecord& record, std::size_t limit_bytes, std::string_view request_body,
                      std::initializer_list<std::string_view> secrets);

// Consumes finished records. Called on the request's thread; must not block.
using RecordSink = std::function<void(const RequestRecord&)>;

// Closes `record`: the status sent (0 when none), the end time, and an error class derived from
// the status when the route set none (4xx → bad_request / unauthorized / forbidden / not_found, 5xx
// → internal; no status and the client gone → client_gone).
void finishRecord(RequestRecord& record, unsigned status, bool client_gone, std::int64_t now_ms);

// "gemini", "openai", "anthropic", "admin".
std::string_view protocolName(Protocol protocol);

// The keys tried as compact text, ids with outcomes and never values: "12:cooldown,15:success".
std::string keysTried(const RequestRecord& record);

// The status as logs report it: the one sent, or 499 when the client left before any was sent.
unsigned reportedStatus(const RequestRecord& record);

// The access log line's fields (logfmt, without ts/level/msg): request_id, method, path, route,
// protocol, token and token_id, model, stream, status, ms, ttfb_ms (absent when no byte was
// sent), attempts, keys (ids with outcomes), tokens, error and error_message, ip, user_agent: the
// request log row's fields minus the bodies. Every client-controlled value is quoted by logValue.
std::string accessLogFields(const RequestRecord& record);

}  // namespace poise::http
