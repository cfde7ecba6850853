// FaultScript: what the fake Gemini upstream should do for a given API key. Tests queue
// ScriptedResponse entries per key (FIFO, one consumed per request); when a key has no entry
// that applies, the key-prefix conventions (quota-, overloaded-, reset-, ...) decide.
// Thread-safe: every member takes the internal mutex.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace poise::fakes {

// Value or human-readable error; the fake reports script mistakes back to the test verbatim.
template <class T>
using ScriptResult = boost::system::result<T, std::string>;

struct ScriptedResponse {
  int status = 200;
  // "" (answer with `status`), reset (RST before answering), close (FIN before answering),
  // hang (read the request, never answer), midstream_reset / midstream_close (stream
  // `after_chunks` chunks, then RST / FIN with no terminator), midstream_error (stream
  // `after_chunks` chunks, then an in-band error event and a clean end), midstream_truncate
  // (stream `after_chunks` chunks, none with a finishReason, then a clean end: a truncation).
  std::string action;
  std::string model;  // when set, the entry only applies to requests for this bare model id
  std::string retry_delay = "17s";  // 429: RetryInfo.retryDelay
  std::string quota_id;             // 429: QuotaFailure quotaId; empty = per-minute free tier
  std::string reason;               // 400: "API_KEY_INVALID" gives the invalid-key body
  std::string message;              // overrides the canonical error message
  int delay_ms = 0;                 // wait before the status line
  int after_chunks = 2;             // midstream_* actions
  int chunks = 0;                   // stream chunk count; 0 = default
  int chunk_delay_ms = -1;          // pause between stream chunks; -1 = default
  int times = 1;                    // requests this entry answers; -1 = every request
};

// Parses the `responses` array of POST /_fake/script. Unknown fields, statuses and actions are
// errors so a typo in a test fails loudly instead of silently answering 200.
ScriptResult<std::vector<ScriptedResponse>> parseScriptedResponses(
    const boost::json::value& responses);

// The behaviour implied by a key's prefix (quota-, quotaday-, overloaded-, internal-,
// forbidden-, reset-, midstream-, midstreamerr-, truncate-, slow-), or nullopt for an ordinary key.
std::optional<ScriptedResponse> conventionForKey(std::string_view key);

class FaultScript {
 public:
  // Appends entries to the key's queue; replace=true drops the queue first.
  void push(const std::string& key, std::vector<ScriptedResponse> entries, bool replace);

  // Consumes the first queued entry for `key` that applies to `model` (entries scoped to
  // another model are skipped and stay queued). Falls back to conventionForKey().
  std::optional<ScriptedResponse> take(const std::string& key, std::string_view model);

  // nullopt: every key not starting with "invalid" is valid. A set: only its members are.
  void setValidKeys(std::optional<std::set<std::string>> keys);
  bool isValidKey(const std::string& key) const;

  // Drops all queues and the valid-key set.
  void clear();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<ScriptedResponse>> queues_;
  std::optional<std::set<std::string>> valid_keys_;
};

}  // namespace poise::fakes
