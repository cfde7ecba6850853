#include "net/upstream_client.h"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <stdexcept>
#include <vector>

namespace poise::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using ErrorCode = boost::system::error_code;

namespace {

// Reads the body of an answer within this many bytes at a time when its length is unknown.
constexpr std::size_t kReadAllStep = std::size_t{64} * 1024;

UpstreamError ioError(const ErrorCode& ec) {
  UpstreamErrorKind kind = UpstreamErrorKind::Io;
  if (ec == beast::error::timeout) {
    kind = UpstreamErrorKind::Timeout;
  } else if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
             ec == asio::error::eof) {
    kind = UpstreamErrorKind::EarlyClose;
  } else if (ec == bhttp::error::body_limit) {
    kind = UpstreamErrorKind::TooLarge;
  } else if (&ec.category() == &bhttp::make_error_code(bhttp::error::bad_version).category()) {
    kind = UpstreamErrorKind::Malformed;
  }
  return UpstreamError{.kind = kind, .message = ec.message()};
}

UpstreamError totalDeadlinePassed() {
  return UpstreamError{.kind = UpstreamErrorKind::Timeout,
                       .message = "the upstream did not answer within the total deadline"};
}

enum class ReadKind { Header, Some };

template <class Stream, class Parser>
asio::awaitable<ErrorCode> readOnce(Stream& s, beast::flat_buffer& b, Parser& p, ReadKind kind) {
  constexpr auto token = asio::as_tuple(asio::use_awaitable);
  if (kind == ReadKind::Header) {
    auto [ec, n] = co_await bhttp::async_read_header(s, b, p, token);
    (void)n;
    co_return ec;
  }
  auto [ec, n] = co_await bhttp::async_read_some(s, b, p, token);
  (void)n;
  co_return ec == bhttp::error::need_buffer ? ErrorCode{} : ec;
}

template <class Stream>
asio::awaitable<ErrorCode> writeAll(Stream& s, std::string_view head, std::string_view body) {
  const std::array<asio::const_buffer, 3> buffers{asio::buffer(head), asio::buffer("\r\n", 2),
                                                  asio::buffer(body)};
  auto [ec, n] = co_await asio::async_write(s, buffers, asio::as_tuple(asio::use_awaitable));
  (void)n;
  co_return ec;
}

}  // namespace

std::string_view toString(UpstreamErrorKind kind) {
  switch (kind) {
    case UpstreamErrorKind::Dns:
      return "dns";
    case UpstreamErrorKind::Forbidden:
      return "forbidden";
    case UpstreamErrorKind::Connect:
      return "connect";
    case UpstreamErrorKind::Tls:
      return "tls";
    case UpstreamErrorKind::Timeout:
      return "timeout";
    case UpstreamErrorKind::Io:
      return "io";
    case UpstreamErrorKind::EarlyClose:
      return "early_close";
    case UpstreamErrorKind::TooLarge:
      return "too_large";
    case UpstreamErrorKind::Malformed:
      return "malformed";
  }
  return "io";
}

void throw_exception_from_error(const UpstreamError& e, const boost::source_location& /*loc*/) {
  throw std::runtime_error(e.message);
}

// One exchange's connection, parser and deadlines. The parser reads the head and then the body
// into caller-chosen buffers (buffer_body), so whole reads and pieces share it.
struct UpstreamResponse::State {
  State(UpstreamPool& p, const Clock& c, std::unique_ptr<UpstreamConnection> connection,
        const UpstreamTimeouts& t, std::int64_t deadline)
      : pool(p), clock(c), conn(std::move(connection)), timeouts(t), deadline_ms(deadline) {
    parser.body_limit(boost::none);  // readAll() applies the caller's limit
    // Beast reads what the buffer's free capacity holds (512 bytes at least): room for a whole
    // piece makes one read per piece instead of one per 512 bytes.
    conn->buffer().reserve(kUpstreamPieceSize);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() { close(); }

  // At most `limit`, and no later than the total deadline; zero once that has passed.
  std::chrono::milliseconds phase(std::chrono::milliseconds limit) const {
    const std::int64_t left = deadline_ms - clock.monotonicMs();
    if (left <= 0) return std::chrono::milliseconds{0};
    return std::chrono::milliseconds(std::min<std::int64_t>(limit.count(), left));
  }

  asio::awaitable<ErrorCode> read(ReadKind kind, std::chrono::milliseconds limit) {
    const auto within = phase(limit);
    if (within.count() == 0) co_return beast::error::timeout;
    conn->tcp().expires_after(within);
    co_return co_await conn->visit(
        [&](auto& s) { return readOnce(s, conn->buffer(), parser, kind); });
  }

  asio::awaitable<ErrorCode> sendAndReadHead(std::string_view head, std::string_view body) {
    const auto within = phase(timeouts.idle);
    if (within.count() == 0) co_return beast::error::timeout;
    conn->tcp().expires_after(within);
    const ErrorCode wec = co_await conn->visit([&](auto& s) { return writeAll(s, head, body); });
    if (wec) co_return wec;
    co_return co_await read(ReadKind::Header, timeouts.first_byte);
  }

  // Once the answer is complete: back to the pool when the upstream allows it, else closed.
  void settle() {
    if (!conn || !parser.is_done()) return;
    if (parser.keep_alive()) {
      pool.release(std::move(conn), clock.monotonicMs());
    } else {
      close();
    }
  }

  void close() {
    if (!conn) return;
    conn->close();
    conn.reset();
  }

  UpstreamPool& pool;
  const Clock& clock;
  std::unique_ptr<UpstreamConnection> conn;
  UpstreamTimeouts timeouts;
  std::int64_t deadline_ms;
  bool retried_stale = false;
  bhttp::response_parser<bhttp::buffer_body> parser;
  std::vector<char> piece;  // readPiece()'s buffer, allocated on first use
};

UpstreamResponse::UpstreamResponse(std::unique_ptr<State> state) : state_(std::move(state)) {}
UpstreamResponse::~UpstreamResponse() = default;

unsigned UpstreamResponse::status() const {
  return state_->parser.get().result_int();
}

const bhttp::fields& UpstreamResponse::headers() const {
  return state_->parser.get().base();
}

std::optional<std::uint64_t> UpstreamResponse::contentLength() const {
  const auto length = state_->parser.content_length();
  if (!length) return std::nullopt;
  return *length;
}

bool UpstreamResponse::done() const {
  return state_->parser.is_done();
}

bool UpstreamResponse::retriedStale() const {
  return state_->retried_stale;
}

void UpstreamResponse::close() {
  if (state_) state_->close();
}

asio::awaitable<UpstreamOr<std::string>> UpstreamResponse::readAll(std::size_t limit) {
  State& s = *state_;
  const auto declared = contentLength();
  if (declared && *declared > limit) {
    s.close();
    co_return UpstreamError{
        .kind = UpstreamErrorKind::TooLarge,
        .message = "the upstream answer is longer than " + std::to_string(limit) + " bytes"};
  }
  std::string out;
  if (declared) out.reserve(*declared);
  s.parser.eager(true);  // as much of the body as each read brings, in one pass
  while (!s.parser.is_done()) {
    if (!s.conn) co_return UpstreamError{.message = "the upstream connection was closed"};
    const std::size_t used = out.size();
    const std::size_t remaining =
        declared ? *declared - std::min<std::uint64_t>(*declared, used) : kReadAllStep;
    // One byte past the limit, when the limit is reached, to tell "exactly" from "longer".
    const std::size_t step = std::max<std::size_t>(1, std::min(remaining, limit - used));
    out.resize(used + step);
    s.parser.get().body().data = out.data() + used;
    s.parser.get().body().size = step;
    const ErrorCode ec = co_await s.read(ReadKind::Some, s.timeouts.idle);
    out.resize(used + step - s.parser.get().body().size);
    if (ec) {
      s.close();
      co_return ioError(ec);
    }
    if (out.size() > limit) {
      s.close();
      co_return UpstreamError{
          .kind = UpstreamErrorKind::TooLarge,
          .message = "the upstream answer is longer than " + std::to_string(limit) + " bytes"};
    }
  }
  s.settle();
  co_return out;
}

asio::awaitable<UpstreamOr<std::string_view>> UpstreamResponse::readPiece() {
  State& s = *state_;
  if (s.piece.empty()) s.piece.resize(kUpstreamPieceSize);
  while (!s.parser.is_done()) {
    if (!s.conn) co_return UpstreamError{.message = "the upstream connection was closed"};
    s.parser.get().body().data = s.piece.data();
    s.parser.get().body().size = s.piece.size();
    const ErrorCode ec = co_await s.read(ReadKind::Some, s.timeouts.idle);
    if (ec) {
      s.close();
      co_return ioError(ec);
    }
    const std::size_t got = s.piece.size() - s.parser.get().body().size;
    s.settle();
    if (got > 0) co_return std::string_view(s.piece.data(), got);
  }
  s.settle();
  co_return std::string_view{};
}

asio::awaitable<UpstreamOr<std::unique_ptr<UpstreamAnswer>>> UpstreamClient::send(
    const UpstreamSend& request) {
  bool retried_stale = false;
  for (;;) {
    const std::int64_t now = clock_.monotonicMs();
    if (now >= request.deadline_ms) {
      UpstreamError late = totalDeadlinePassed();
      late.retried_stale = retried_stale;
      co_return late;
    }
    // Connecting counts against the total deadline too.
    UpstreamTimeouts capped = request.timeouts;
    const std::chrono::milliseconds left(request.deadline_ms - now);
    capped.connect = std::min(capped.connect, left);
    capped.tls = std::min(capped.tls, left);
    auto acquired = co_await pool_.acquire(request.origin, capped, now, !retried_stale);
    if (!acquired) {
      UpstreamError e = acquired.error();
      e.retried_stale = retried_stale;
      co_return e;
    }
    auto state = std::make_unique<UpstreamResponse::State>(pool_, clock_, std::move(acquired->conn),
                                                           request.timeouts, request.deadline_ms);
    if (request.head.headOnly()) state->parser.skip(true);
    const ErrorCode ec = co_await state->sendAndReadHead(request.head.text(), request.body);
    if (!ec) {
      state->retried_stale = retried_stale;
      state->settle();  // an answer without a body is complete already
      co_return std::make_unique<UpstreamResponse>(std::move(state));
    }
    // A pooled connection the upstream closed while it sat idle fails before any byte of the
    // answer: once more on a fresh connection. A timeout or a cancellation is not that.
    const bool nothing_received = !state->parser.got_some() && state->conn->buffer().size() == 0;
    const bool stale = acquired->reused && !retried_stale && nothing_received &&
                       ec != beast::error::timeout && ec != asio::error::operation_aborted;
    state->close();
    if (!stale) {
      UpstreamError e = ioError(ec);
      e.retried_stale = retried_stale;
      co_return e;
    }
    retried_stale = true;
  }
}

}  // namespace poise::net
