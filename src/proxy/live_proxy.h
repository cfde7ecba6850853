// LiveProxy: the Live API pass-through (BidiGenerateContent over WebSocket, v1beta and v1alpha).
// The gateway token is checked on the upgrade request (an HTTP refusal in Gemini's envelope);
// then the client's socket is accepted and its first message, the `setup`, read: it names the
// model, which a client token's model patterns and the key pick (per-model cooldowns) need. Per
// attempt a key is picked, the upstream socket opened with it in x-goog-api-key, the setup sent,
// and the upstream's first message awaited. Google takes the upgrade of a bad or exhausted key and
// then closes the socket in answer to the setup (1007 "API key not valid", 1011 "exceeded your
// current quota"): such a close, like a refused upgrade (429, 400 API_KEY_INVALID, 403, 5xx), is
// classified like an HTTP answer and the next key tried, before any message reaches the client
// (the client's later messages wait in its socket meanwhile). Once the upstream's first message
// came, it goes to the client and net::relayLive copies messages both ways until one side closes.
// Failures after the client's upgrade are close frames (1007 bad setup, 1008 refused, 1013 no key
// now, 1014 upstream unreachable, 1011 otherwise). Runs on the connection's worker thread; shared
// state as for GeminiProxy.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/request_record.h"
#include "net/http_exchange.h"
#include "proxy/proxy_deps.h"

namespace poise::proxy {

class LiveProxy {
 public:
  explicit LiveProxy(ProxyDeps deps) : deps_(std::move(deps)) {}

  // Serves one Live session end to end and notes it in `record` (one record per session).
  // Suspends until the session has ended.
  boost::asio::awaitable<void> handle(net::HttpExchange& exchange, http::RequestRecord& record);

 private:
  ProxyDeps deps_;
};

// The bare model id of a Live `setup` message ({"setup":{"model":"models/gemini-…"}}): an error
// (ErrorCode::InvalidModel) when the message is not JSON, has no setup, or names no valid Gemini
// model id. Pure.
Result<std::string> liveSetupModel(std::string_view message);

// The close code standing for an upstream HTTP refusal of the upgrade that is passed on to the
// client: 1007 for 400, 1008 for 401/403/404, 1013 for 429, 1011 otherwise. Pure.
unsigned liveCloseCodeFor(unsigned http_status);

// The HTTP answer a close of the upstream socket before its first message stands for, so that
// it is classified like one (and by the operator's `key_error_actions`): a rejected key (Google's
// "API key not valid", "API key expired") 400 with API_KEY_INVALID, bad credentials 401, a quota
// 429 RESOURCE_EXHAUSTED, an internal error or "try again later" (1011, 1013, 1014) 503, any other
// close (a bad setup, an unknown model) 400. Pure.
struct LiveCloseAnswer {
  unsigned status = 400;
  std::string body;  // a Gemini error body carrying the close reason
};
LiveCloseAnswer liveCloseAsHttp(unsigned close_code, std::string_view reason);

}  // namespace poise::proxy
