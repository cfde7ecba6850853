#include "proxy/relay.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core/string.hpp>
#include <optional>

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
  return reason == BreakReason::Shutdown
             ? "The gateway is shutting down; the stream was cut. Retry the request."
             : "The upstream stream was interrupted.";
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

asio::awaitable<RelayEnd> relayAnswer(net::ResponseStream& client, net::UpstreamAnswer& answer,
                                      PieceTranslator& translator, bool streaming,
                                      protocols::UsageScanner& usage) {
  const bool identity = translator.identity();
  bhttp::fields fields;
  const unsigned status = translator.head(answer.status(), answer.headers(), fields);
  // The identity translator keeps the upstream's length; a translated body's is unknown.
  std::optional<std::uint64_t> length;
  if (identity) length = answer.contentLength();
  bool alive = co_await client.startResponse(status, fields, length);
  bool upstream_broken = false;
  auto pump = [&]() -> asio::awaitable<void> {
    while (alive) {
      auto piece = co_await answer.readPiece();
      if (!piece) {
        upstream_broken = true;
        co_return;
      }
      if (piece->empty()) co_return;  // the end of the answer
      usage.feed(*piece);
      if (identity) {
        alive = co_await client.writePiece(*piece);
      } else {
        const std::string translated = translator.transform(*piece);
        alive = co_await client.writePiece(translated);
      }
    }
  };
  net::StopNotice* stop = client.stopNotice();
  if (alive && streaming) {
    using namespace asio::experimental::awaitable_operators;
    if (stop != nullptr) {
      co_await (pump() || client.waitClientGone() || stop->wait());
    } else {
      co_await (pump() || client.waitClientGone());
    }
  } else if (alive) {
    co_await pump();
  }
  if (!alive || client.clientGone()) {
    answer.close();
    client.abortResponse();
    co_return RelayEnd::ClientGone;
  }
  const bool shutdown = stop != nullptr && stop->raised() && !answer.done();
  if (!upstream_broken && !shutdown) {
    const std::string tail = translator.finish();
    if (!co_await client.finishResponse(tail)) {
      client.abortResponse();
      co_return RelayEnd::ClientGone;
    }
    co_return RelayEnd::Finished;
  }
  answer.close();
  const RelayEnd end = shutdown ? RelayEnd::Shutdown : RelayEnd::UpstreamBroke;
  // The client's SDK gets an error event it understands and a clean end; or, when the translator
  // has none, a cut.
  const std::string tail =
      translator.broken(shutdown ? BreakReason::Shutdown : BreakReason::UpstreamBroke);
  if (tail.empty() || !co_await client.finishResponse(tail)) client.abortResponse();
  co_return end;
}

}  // namespace poise::proxy
