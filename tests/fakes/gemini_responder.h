// GeminiResponder: the pure half of the fake Gemini upstream. It turns one parsed HTTP request
// into a ResponsePlan (status, body or stream frames, delays, how the connection ends), following
// wire-format.md §1–§5 and the FaultScript. It does no I/O and never sleeps; the server runs the
// plan. Thread-safe: its only mutable state is an atomic counter and the FaultScript.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fakes/fake_resources.h"
#include "fakes/fault_script.h"

namespace poise::fakes {

struct FakeRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // raw request-target, path plus optional "?query"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
};

struct ResponsePlan {
  enum class Kind {
    kReply,   // status line, headers and `body` with a Content-Length
    kStream,  // chunked: prefix, frames (paced), then suffix or an abrupt end
    kReset,   // RST the connection without answering
    kClose,   // FIN the connection without answering
    kHang,    // never answer; wait for the client to leave
    kLive,    // accept the WebSocket upgrade and run a Live session (fake_live.h)
  };
  enum class StreamEnd { kComplete, kClose, kReset };

  Kind kind = Kind::kReply;
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::string stream_prefix;        // written together with the headers ("[" for JSON arrays)
  std::vector<std::string> frames;  // one chunked write each, framing included
  std::string stream_suffix;        // written after the last frame when the stream completes
  StreamEnd stream_end = StreamEnd::kComplete;
  int delay_before_headers_ms = 0;
  int delay_before_first_frame_ms = 0;
  int frame_interval_ms = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (kReply only)
  // kLive: the session's answer to its setup is this close instead of setupComplete (a bad or
  // exhausted key: Google takes the upgrade, then closes).
  std::optional<unsigned> live_close_code;
  std::string live_close_reason;

  // Facts for the request log.
  std::string key;         // the API key as received, empty when none
  std::string key_source;  // "header", "query" or ""
  std::string model;       // bare model id from the path, empty for list calls
};

struct ResponderOptions {
  bool sse_crlf = true;               // "\r\n\r\n" after each SSE event; false gives "\n\n"
  int default_stream_chunks = 3;      // text answers are split into this many deltas
  int slow_stream_interval_ms = 200;  // pause between chunks for "slow_stream" requests
  int long_stream_chunks = 50;        // chunk count for "long_stream" requests
};

class GeminiResponder {
 public:
  GeminiResponder(FaultScript& script, ResponderOptions options)
      : script_(script), options_(options) {}

  // Decides the whole response. Consumes at most one FaultScript entry for the request's key.
  ResponsePlan respond(const FakeRequest& request);
  // Forgets every file, upload and cache.
  void resetResources() { resources_.reset(); }

 private:
  std::string nextResponseId();

  FaultScript& script_;
  ResponderOptions options_;
  FakeResources resources_;  // files and caches, per key
  std::atomic<std::uint64_t> responses_{0};
};

}  // namespace poise::fakes
