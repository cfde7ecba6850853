// The attempt loop every proxy route shares (SPEC §2). For each attempt it picks a key the
// request has not tried, sends the request with that key (x-goog-api-key, or Bearer for Google's
// OpenAI-compatible paths), classifies the answer (attempt_outcome.h), records the outcome on the
// key (success, per-model cooldown, rejection, transient) and in the request's record, and retries
// on another key when the failure class says so, within proxy_retry_max_count and the total
// deadline, backing off after transient failures. A successful answer is returned whole, or handed
// to the relay (relay.h) as it arrives, after which nothing is retried: the client has bytes.
// When every attempt failed it chooses the answer: the last upstream error, or none (no key, with
// Retry-After when every key is cooling for the model; unreachable; timed out).
//
// It sees the upstream and the client only through net::UpstreamTransport and
// net::ResponseStream, and time only through core::Clock, so it runs in memory in tests. Runs on
// the request's worker thread; the key pool and the call counters are thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "config/runtime_config.h"
#include "core/clock.h"
#include "http/request_record.h"
#include "keys/key_pool.h"
#include "net/response_stream.h"
#include "net/upstream_client.h"
#include "proxy/attempt_outcome.h"
#include "proxy/relay.h"
#include "stats/call_counters.h"

namespace poise::proxy {

// How a truncated stream may be continued (config stream_continue_on_truncation): at most `max`
// new requests, each on a key the request has not tried, with the body `body` gives for the text
// the client has had. The relay splices each answer into the client's stream.
struct ContinuationPlan {
  int max = 0;
  std::function<std::string(std::string_view text_so_far)> body;
};

// One request as it goes upstream, whatever the client's protocol.
struct UpstreamRequest {
  std::string method = "POST";
  std::string target;       // upstream base path + path + query (never carries a key)
  std::string fields;       // extra "Name: value\r\n" lines (no Host, credentials or framing)
  std::string_view body;    // must outlive the call
  std::string model;        // cooldown scope; empty for model-independent calls
  bool bearer_key = false;  // the key goes in Authorization: Bearer (Google's /openai/ paths)
  bool streaming = false;   // an SSE call: relayed as it arrives when a translator is given
  const ContinuationPlan* continuation = nullptr;  // must outlive the call; null: never
  // Key affinity (affinity.h): the request names a resource that only this key can see. Every
  // attempt uses it (retried on it only after a transient failure); when it cannot be used the
  // loop ends Denied with resource_key_unavailable, never trying another key.
  struct Pin {
    std::int64_t key_id = 0;
    std::string resource;  // "files/abc", for the refusal's message
  };
  std::optional<Pin> pin;
};

// How the loop ended, when it did not end in a relay.
struct UpstreamResult {
  enum class Kind {
    Relayed,      // the answer went to the client through the relay; nothing left to do
    Answer,       // the upstream answered (2xx, a client error, or the last retryable error)
    NoKey,        // no key could be picked (none stored, all disabled, or all cooling)
    Unreachable,  // the last attempt failed on the network or timed out
    Refused,      // the request head was refused by the writer (network_error says why)
    ClientGone,   // the client left before the answer; nothing is to be written
    Denied,       // the client token may not make this call (status 403 or 429, `denial` why)
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
  std::string denial;       // Denied: the message for the client (Retry-After from the above)
  std::string denial_code;  // Denied: the machine code when not derived from the status
  std::int64_t key_id = 0;  // Answer or Relayed: the key whose attempt answered

  bool success() const { return kind == Kind::Answer && status >= 200 && status < 300; }
};

// What one run of the loop uses. All references must outlive the run.
struct AttemptDeps {
  const config::RuntimeConfig& config;  // one snapshot for the whole request
  keys::KeyPool& keys;
  const Clock& clock;
  net::UpstreamTransport& upstream;
  std::mt19937_64& rng;                  // backoff jitter
  stats::CallCounters* calls = nullptr;  // every attempt is counted here when set
  std::string_view request_id;           // for log lines
};

// The record's word for an attempt's outcome: "success", "cooldown", "rejected", "transient",
// "client_error" (a static string).
std::string_view outcomeWord(OutcomeKind kind);

// Records one attempt's outcome on its key (KeyPool) and in the call counters. A client error is
// not the key's failure; a cooldown without a model rests nothing (transient).
void recordOnKey(const AttemptDeps& deps, std::int64_t key_id, const std::string& model,
                 const AttemptOutcome& outcome);

// Runs the loop for `request`. With a translator, a 2xx answer that is streamed, of unknown
// length or longer than `buffered_limit` is relayed to `client`; otherwise answers up to
// `buffered_limit` (errors up to 4 MiB) are read whole and returned. Each attempt, the usage of a
// successful answer and the failure class go into `record`. Suspends.
boost::asio::awaitable<UpstreamResult> runAttempts(
    const AttemptDeps& deps, net::ResponseStream& client, http::RequestRecord& record,
    const UpstreamRequest& request, PieceTranslator* translator, std::size_t buffered_limit);

}  // namespace poise::proxy
