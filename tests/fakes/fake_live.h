// The fake upstream's Live API (BidiGenerateContent over WebSocket), as Google's behaves for the
// gateway's tests: the handshake's key checks and fault scripts are the responder's. Like Google,
// it takes the upgrade of an invalid or exhausted key and closes the socket in answer to the
// setup (1007, 1011); a missing key or another scripted status is an HTTP error instead of the
// upgrade. After the upgrade LiveResponder plays the session. LiveResponder is pure (one per
// session, not thread-safe); serveLiveSession runs it on the connection's strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poise::fakes {

// What the fake sends after one client message.
struct LiveReply {
  std::vector<std::string> messages;   // server messages (JSON), each sent as a binary frame
  std::optional<unsigned> close_code;  // then closes the session with this code and reason
  std::string close_reason;
};

// The session's rules:
// - the first message must be {"setup":{"model":"models/…"}} → {"setupComplete":{}}; anything
//   else first closes 1007; an unknown model closes 1008 (Google's "not found … for
//   bidiGenerateContent"); models in the catalogue and any id with "live" or "native-audio" are
//   known;
// - clientContent with turnComplete (the default), or realtimeInput.text → one serverContent
//   modelTurn with "echo: <text of the last user turn>", then serverContent turnComplete with
//   usageMetadata (prompt: words of that text, response: words of the answer);
// - the knob `fake_close=CODE` in that text closes the session with CODE and the reason "closed
//   by the fake (fake_close)" instead of answering;
// - a message that is not JSON closes 1007; unknown message kinds are ignored.
class LiveResponder {
 public:
  LiveReply onMessage(std::string_view message);

 private:
  bool setup_done_ = false;
};

// Accepts the upgrade `request` on `stream` and plays a Live session until either side closes.
// With `setup_close`, the first message (the setup) is answered with that close instead, as Google
// answers the setup of a bad key (1007 "API key not valid. …") or an exhausted one (1011 "You
// exceeded your current quota, …"). Suspends.
boost::asio::awaitable<void> serveLiveSession(
    boost::beast::tcp_stream& stream,
    const boost::beast::http::request<boost::beast::http::string_body>& request,
    std::optional<LiveReply> setup_close = std::nullopt);

}  // namespace poise::fakes
