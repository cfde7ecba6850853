#include "proxy/relay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <optional>

#include "protocols/sse_parser.h"
#include "proxy/header_filter.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

unsigned IdentityTranslator::head(unsigned upstream_status, const bhttp::fields& upstream,
                                  bhttp::fields& out) {
  for (const auto& h : upstream) {
    if (!dropResponseHeader(upstream, h)) out.insert(h.name_string(), h.value());
  }
  // Without a length the body reaches the client chunked, so an error event can still end it.
  sse_stream_ = upstream.find(bhttp::field::content_length) == upstream.end() &&
                beast::iequals(std::string_view(upstream[bhttp::field::content_type]).substr(0, 17),
                               "text/event-stream");
  return upstream_status;
}

std::string_view breakMessage(BreakReason reason) {
  switch (reason) {
    case BreakReason::Shutdown:
      return "The gateway is shutting down; the stream was cut. Retry the request.";
    case BreakReason::Truncated:
      return "The upstream stream ended without a finish reason; the answer is incomplete.";
    case BreakReason::UpstreamBroke:
      break;
  }
  return "The upstream stream was interrupted.";
}

void IdentityTranslator::observe(std::string_view piece) {
  if (detect_truncation_) ends_.feed(piece);
}

bool IdentityTranslator::truncated() const {
  return detect_truncation_ && !ends_.ended();
}

std::string IdentityTranslator::finish() {
  return truncated() ? broken(BreakReason::Truncated) : std::string{};
}

std::string IdentityTranslator::keepAlive() const {
  return sse_stream_ ? std::string(protocols::kSseKeepAlive) : std::string{};
}

std::string IdentityTranslator::broken(BreakReason reason) {
  if (!sse_stream_) return {};
  // End the stream cleanly with an error event the SDKs understand.
  const unsigned code = reason == BreakReason::Shutdown ? 503 : 502;
  std::string out = "data: {\"error\":{\"code\":";
  out.append(std::to_string(code)).append(",\"message\":\"").append(breakMessage(reason));
  out.append("\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n");
  return out;
}

namespace {

// One write to the client at a time: the pump and the keep-alive share the client's stream.
// Everything runs on the request's one thread, so a flag and a timer to wake a waiter suffice.
// The timer is touched only when someone waits: a stream's pieces cost no timer operation.
class WriteTurn {
 public:
  explicit WriteTurn(const asio::any_io_executor& ex)
      : released_(ex, asio::steady_timer::time_point::max()) {}
  bool busy() const { return busy_; }
  // Writes `bytes` once no other write is in flight. False when the client is gone. Suspends.
  asio::awaitable<bool> write(net::ResponseStream& client, std::string_view bytes) {
    co_await settle();
    busy_ = true;
    const bool ok = co_await client.writePiece(bytes);
    busy_ = false;
    if (waiting_ > 0) released_.cancel();
    co_return ok;
  }
  // Waits until no write is in flight (a keep-alive must not be cut by the race's end). Suspends.
  asio::awaitable<void> settle() {
    while (busy_) {
      ++waiting_;
      auto [ec] = co_await released_.async_wait(asio::as_tuple(asio::use_awaitable));
      --waiting_;
      (void)ec;  // released (the timer's wait cancelled); a cancelled caller throws next await
    }
  }

 private:
  asio::steady_timer released_;
  bool busy_ = false;
  int waiting_ = 0;
};

}  // namespace

asio::awaitable<RelayEnd> relayAnswer(net::ResponseStream& client, net::UpstreamAnswer& answer,
                                      PieceTranslator& translator, bool streaming,
                                      protocols::UsageScanner& usage,
                                      std::chrono::milliseconds keepalive,
                                      StreamContinuation* continuation) {
  const bool identity = translator.identity();
  bhttp::fields fields;
  const unsigned status = translator.head(answer.status(), answer.headers(), fields);
  // The identity translator keeps the upstream's length; a translated body's is unknown.
  std::optional<std::uint64_t> length;
  if (identity) length = answer.contentLength();
  bool alive = co_await client.startResponse(status, fields, length);
  bool upstream_broken = false;
  const auto executor = co_await asio::this_coro::executor;
  WriteTurn turn(executor);
  // Wakes the keep-alive when `keepalive` may have passed since the last piece. Pieces only note
  // their time (no timer operation each); the keep-alive reschedules itself from it.
  asio::steady_timer quiet(executor);
  auto last_piece = std::chrono::steady_clock::now();
  const std::string beat = keepalive.count() > 0 ? translator.keepAlive() : std::string{};
  // The answer being read: the first, then each continuation's.
  net::UpstreamAnswer* current = &answer;
  std::unique_ptr<net::UpstreamAnswer> spliced;
  // One answer, to its end (or a break, or the client gone).
  auto pumpOne = [&]() -> asio::awaitable<void> {
    while (alive) {
      auto piece = co_await current->readPiece();
      if (!piece || piece->empty()) {
        upstream_broken = !piece;  // else the end of the answer
        co_return;
      }
      if (!beat.empty()) last_piece = std::chrono::steady_clock::now();
      usage.feed(*piece);
      if (identity) {
        translator.observe(*piece);
        alive = co_await turn.write(client, *piece);
      } else {
        const std::string translated = translator.transform(*piece);
        alive = co_await turn.write(client, translated);
      }
    }
  };
  auto pump = [&]() -> asio::awaitable<void> {
    co_await pumpOne();
    // A truncated stream the translator can continue: splice in the next answer.
    while (alive && !upstream_broken && streaming && continuation != nullptr) {
      const std::string held = translator.drain();
      if (!held.empty()) alive = co_await turn.write(client, held);
      if (!alive || !translator.truncated()) break;
      const auto text = translator.continuation();
      if (!text) break;
      auto next = co_await continuation->next(*text);
      if (!next) break;
      spliced = std::move(next);
      current = spliced.get();
      translator.restart();
      co_await pumpOne();
    }
    co_await turn.settle();
  };
  // Never ends while the stream goes on (the race ends it), unless a keep-alive write fails.
  // When the race cancels its wait it returns at once: awaiting again would throw, and an
  // exception for every stream is costly.
  auto keepAlive = [&]() -> asio::awaitable<void> {
    if (beat.empty()) {
      quiet.expires_at(asio::steady_timer::time_point::max());
    } else {
      quiet.expires_after(keepalive);
    }
    while (alive) {
      auto [ec] = co_await quiet.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;  // the race ended
      const auto due = last_piece + keepalive;
      if (std::chrono::steady_clock::now() < due) {
        quiet.expires_at(due);  // a piece came meanwhile: silence counts from it
        continue;
      }
      if (!turn.busy()) alive = co_await turn.write(client, beat);
      quiet.expires_after(keepalive);
    }
  };
  net::StopNotice* stop = client.stopNotice();
  if (alive && streaming) {
    using namespace asio::experimental::awaitable_operators;
    if (stop != nullptr) {
      co_await (pump() || client.waitClientGone() || stop->wait() || keepAlive());
    } else {
      co_await (pump() || client.waitClientGone() || keepAlive());
    }
  } else if (alive) {
    co_await pump();
  }
  if (!alive || client.clientGone()) {
    current->close();
    client.abortResponse();
    co_return RelayEnd::ClientGone;
  }
  const bool shutdown = stop != nullptr && stop->raised() && !current->done();
  if (!upstream_broken && !shutdown) {
    // A truncated stream's tail ends with the translator's error event instead of its end.
    const std::string tail = translator.finish();
    const bool truncated = streaming && translator.truncated();
    if (!co_await client.finishResponse(tail)) {
      client.abortResponse();
      co_return RelayEnd::ClientGone;
    }
    co_return truncated ? RelayEnd::Truncated : RelayEnd::Finished;
  }
  current->close();
  const RelayEnd end = shutdown ? RelayEnd::Shutdown : RelayEnd::UpstreamBroke;
  // The client's SDK gets an error event it understands and a clean end; or, when the translator
  // has none, a cut.
  const std::string tail =
      translator.broken(shutdown ? BreakReason::Shutdown : BreakReason::UpstreamBroke);
  if (tail.empty() || !co_await client.finishResponse(tail)) client.abortResponse();
  co_return end;
}

}  // namespace poise::proxy
