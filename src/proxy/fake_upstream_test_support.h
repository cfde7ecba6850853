// In-memory stand-ins for the two sides of the proxy, for the attempt-loop and relay tests:
// FakeUpstream (a net::UpstreamTransport that plays scripted answers and remembers every head
// it was sent), FakeAnswer (a scripted net::UpstreamAnswer) and MemoryClient (a
// net::ResponseStream that records what the client would have received, and can leave). Single
// thread; test code only.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/response_stream.h"
#include "net/upstream_client.h"

namespace poise::proxy::testing {

// One scripted upstream answer: a status, headers and body pieces, then the end, a break
// (an upstream that fails mid-way), or a hang (a stream that goes quiet).
struct Script {
  std::optional<net::UpstreamError> fails;  // the send itself fails with this
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> pieces;
  bool with_length = true;  // Content-Length: the pieces' total
  bool breaks = false;      // after the pieces, the read fails
  bool hangs = false;       // after the pieces, the read waits until cancelled
  // The read of this piece waits (a silent upstream) until FakeAnswer::release().
  std::optional<std::size_t> hold_before;
  bool retried_stale = false;   // the transport replaced a stale pooled connection
  std::int64_t advance_ms = 0;  // the manual clock moves this much during the send
};

// The answer of a script; `closed` tells whether the proxy closed it early.
class FakeAnswer final : public net::UpstreamAnswer {
 public:
  FakeAnswer(const boost::asio::any_io_executor& ex, Script script, bool* closed)
      : script_(std::move(script)), closed_(closed), hang_(ex) {
    for (const auto& [name, value] : script_.headers) headers_.insert(name, value);
    if (script_.with_length) {
      std::size_t total = 0;
      for (const auto& p : script_.pieces) total += p.size();
      headers_.set(boost::beast::http::field::content_length, std::to_string(total));
      length_ = total;
    }
  }

  unsigned status() const override { return script_.status; }
  const boost::beast::http::fields& headers() const override { return headers_; }
  std::optional<std::uint64_t> contentLength() const override { return length_; }
  bool done() const override { return done_; }
  bool retriedStale() const override { return script_.retried_stale; }

  boost::asio::awaitable<net::UpstreamOr<std::string>> readAll(std::size_t limit) override {
    std::string all;
    while (next_ < script_.pieces.size()) all += script_.pieces[next_++];
    if (script_.breaks) co_return net::UpstreamError{.kind = net::UpstreamErrorKind::EarlyClose};
    if (all.size() > limit) co_return net::UpstreamError{.kind = net::UpstreamErrorKind::TooLarge};
    done_ = true;
    co_return all;
  }

  boost::asio::awaitable<net::UpstreamOr<std::string_view>> readPiece() override {
    if (script_.hold_before && *script_.hold_before == next_ && !released_) {
      hang_.expires_at(boost::asio::steady_timer::time_point::max());
      auto [ec] = co_await hang_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (!released_) {
        co_return net::UpstreamError{.kind = net::UpstreamErrorKind::Io, .message = ec.message()};
      }
    }
    if (next_ < script_.pieces.size()) co_return std::string_view(script_.pieces[next_++]);
    if (script_.breaks) co_return net::UpstreamError{.kind = net::UpstreamErrorKind::EarlyClose};
    if (script_.hangs) {
      hang_.expires_at(boost::asio::steady_timer::time_point::max());
      auto [ec] = co_await hang_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      co_return net::UpstreamError{.kind = net::UpstreamErrorKind::Io, .message = ec.message()};
    }
    done_ = true;
    co_return std::string_view{};
  }

  void close() override {
    if (closed_ != nullptr) *closed_ = true;
  }

  // Ends the hold (Script::hold_before): the upstream speaks again.
  void release() {
    released_ = true;
    hang_.cancel();
  }

 private:
  Script script_;
  bool released_ = false;
  bool* closed_;
  boost::asio::steady_timer hang_;
  boost::beast::http::fields headers_;
  std::optional<std::uint64_t> length_;
  std::size_t next_ = 0;
  bool done_ = false;
};

// Plays its scripts in order, one per send; remembers each head it was sent.
class FakeUpstream final : public net::UpstreamTransport {
 public:
  FakeUpstream(const boost::asio::any_io_executor& ex, ManualClock& clock)
      : ex_(ex), clock_(clock) {}

  void add(Script script) { scripts_.push_back(std::move(script)); }

  boost::asio::awaitable<net::UpstreamOr<std::unique_ptr<net::UpstreamAnswer>>> send(
      const net::UpstreamSend& request) override {
    heads.emplace_back(request.head.text());
    if (scripts_.empty()) {
      co_return net::UpstreamError{.kind = net::UpstreamErrorKind::Connect,
                                   .message = "no script left"};
    }
    Script script = std::move(scripts_.front());
    scripts_.pop_front();
    clock_.advance(Millis{script.advance_ms});
    if (script.fails) co_return *script.fails;
    closed.push_back(std::make_unique<bool>(false));
    co_return std::make_unique<FakeAnswer>(ex_, std::move(script), closed.back().get());
  }

  // The upstream key of the n-th head sent (the x-goog-api-key line's value).
  std::string keyOf(std::size_t n) const {
    const std::string& head = heads.at(n);
    const auto at = head.find("x-goog-api-key: ");
    if (at == std::string::npos) return {};
    const auto end = head.find("\r\n", at);
    return head.substr(at + 16, end - at - 16);
  }

  std::vector<std::string> heads;
  std::vector<std::unique_ptr<bool>> closed;  // per answer: closed early by the proxy

 private:
  boost::asio::any_io_executor ex_;
  ManualClock& clock_;
  std::deque<Script> scripts_;
};

// What a client would have received.
class MemoryClient final : public net::ResponseStream {
 public:
  explicit MemoryClient(const boost::asio::any_io_executor& ex)
      : gone_timer_(ex, boost::asio::steady_timer::time_point::max()), notice_(ex) {}

  boost::asio::awaitable<bool> startResponse(unsigned status,
                                             const boost::beast::http::fields& fields,
                                             std::optional<std::uint64_t> length) override {
    this->status = status;
    for (const auto& f : fields) headers.emplace_back(f.name_string(), f.value());
    content_length = length;
    started = true;
    co_return !gone_;
  }
  boost::asio::awaitable<bool> writePiece(std::string_view bytes) override {
    if (gone_) co_return false;
    pieces.emplace_back(bytes);
    if (on_piece) on_piece(bytes);
    if (leave_after_pieces && pieces.size() >= *leave_after_pieces) leave();
    if (stop_after_pieces && pieces.size() >= *stop_after_pieces) raiseStop();
    co_return true;
  }
  boost::asio::awaitable<bool> finishResponse(std::string_view tail) override {
    if (gone_) co_return false;
    if (!tail.empty()) pieces.emplace_back(tail);
    finished = true;
    co_return true;
  }
  void abortResponse() override { aborted = true; }
  boost::asio::awaitable<void> waitClientGone() override {
    if (gone_) co_return;
    auto [ec] = co_await gone_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    (void)ec;  // left (cancelled by leave) or this wait was cancelled
  }
  bool clientGone() const override { return gone_; }
  net::StopNotice* stopNotice() const override { return &notice_; }

  // The client closes its connection.
  void leave() {
    gone_ = true;
    gone_timer_.cancel();
  }
  void raiseStop() { notice_.raise(); }

  std::string body() const {
    std::string all;
    for (const auto& p : pieces) all += p;
    return all;
  }

  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::uint64_t> content_length;
  std::vector<std::string> pieces;
  std::optional<std::size_t> leave_after_pieces;   // leaves once this many pieces were written
  std::optional<std::size_t> stop_after_pieces;    // raises the shutdown notice likewise
  std::function<void(std::string_view)> on_piece;  // sees each piece as it is written
  bool started = false;
  bool finished = false;
  bool aborted = false;

 private:
  boost::asio::steady_timer gone_timer_;
  mutable net::StopNotice notice_;
  bool gone_ = false;
};

}  // namespace poise::proxy::testing
