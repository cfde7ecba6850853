// FakeGemini: an in-process HTTP/1.1 server that behaves like Google's Gemini API (wire-format.md
// §1–§5) for the gateway's tests, with per-key fault scripting and a record of every request.
// Runs on the caller's io_context (any number of threads; each connection is on its own strand).
// All public members are thread-safe. The io_context must outlive the FakeGemini.
// Conventions and the /_fake/ control API are documented in tests/fakes/README.md.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fakes/fault_script.h"

namespace poise::fakes {

struct FakeGeminiOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;               // 0 picks a free port; see FakeGemini::port()
  bool sse_crlf = true;                 // SSE events end "\r\n\r\n"; false gives "\n\n"
  int idle_timeout_ms = 120'000;        // keep-alive connections idle this long are closed
  bool log_requests_to_stderr = false;  // one line per request: method, path, status (no query)
};

struct RecordedRequest {
  std::uint64_t id = 0;  // 1, 2, 3… since the last reset
  std::string method;
  std::string path;                                          // raw path, without the query
  std::string query;                                         // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // lower-cased names, in order
  std::string key;                                           // API key as received ("" when none)
  std::string key_source;                                    // "header", "query" or ""
  std::string model;  // bare model id from the path, "" for list calls
  std::size_t body_size = 0;
  std::string body;             // first 64 KiB, invalid UTF-8 replaced
  unsigned status = 0;          // status sent (0 for reset/close/hang)
  bool client_aborted = false;  // the client went away before the response was complete
};

struct FakeGeminiStats {
  std::uint64_t requests = 0;              // API requests since the last reset (not /_fake/)
  std::uint64_t open_connections = 0;      // open TCP connections, except control-only ones
  std::uint64_t active_requests = 0;       // API requests still being answered
  std::uint64_t max_active_requests = 0;   // most answered at once since the last reset
  std::uint64_t accepted_connections = 0;  // since start
  std::uint64_t client_aborts = 0;         // since the last reset
};

class FakeGemini {
 public:
  // Binds host:port and starts accepting. Throws boost::system::system_error when it cannot bind.
  FakeGemini(boost::asio::io_context& ioc, FakeGeminiOptions options = {});
  ~FakeGemini();  // stop()
  FakeGemini(const FakeGemini&) = delete;
  FakeGemini& operator=(const FakeGemini&) = delete;

  std::uint16_t port() const;
  std::string baseUrl() const;  // "http://127.0.0.1:PORT"

  // Closes the listener and every connection (in-flight responses are cut). Idempotent; does not
  // block. Once all coroutines have unwound, the io_context runs out of work.
  void stop();

  // In-process equivalents of the control API.
  void script(const std::string& key, std::vector<ScriptedResponse> responses,
              bool replace = false);
  void setValidKeys(std::optional<std::set<std::string>> keys);
  void reset();  // scripts, valid-key set, request log and request counters
  std::vector<RecordedRequest> requests() const;
  FakeGeminiStats stats() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// A FakeGemini with its own io_context and thread, for tests that only need a running upstream.
class FakeGeminiThread {
 public:
  explicit FakeGeminiThread(FakeGeminiOptions options = {});
  ~FakeGeminiThread();  // stops the fake and joins the thread
  FakeGeminiThread(const FakeGeminiThread&) = delete;
  FakeGeminiThread& operator=(const FakeGeminiThread&) = delete;

  FakeGemini& fake() { return *fake_; }
  std::uint16_t port() const { return fake_->port(); }

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<FakeGemini> fake_;
  std::thread thread_;
};

}  // namespace poise::fakes
