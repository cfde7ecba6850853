#include "fakes/fake_gemini.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>

#include "fakes/fake_live.h"
#include "fakes/gemini_responder.h"
#include "fakes/google_json.h"

namespace poise::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t kMaxRecordedBody = 64 * 1024;
constexpr std::size_t kMaxLogEntries = 20'000;
constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr std::uint64_t kBodyLimit = 64ull * 1024 * 1024;
constexpr auto kWriteTimeout = std::chrono::seconds(60);
constexpr auto kResetGrace = std::chrono::milliseconds(20);
constexpr std::string_view kControlPrefix = "/_fake/";

auto tuple() {
  return asio::as_tuple(asio::use_awaitable);
}

// One accepted TCP connection. Touched only on its own strand, except `executor`, which is set
// at construction and never changes.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  asio::cancellation_signal cancel;
  bool served = false;   // has carried at least one request
  bool control = false;  // its first request was a /_fake/ control request
};

std::string httpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  const auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

template <class Message>
void setGoogleHeaders(Message& m, std::string_view content_type) {
  m.set(http::field::content_type, content_type);
  m.set(http::field::vary, "Origin, X-Origin, Referer");
  m.set(http::field::date, httpDate());
  m.set(http::field::server, "scaffolding on HTTPServer2");
  m.set("X-XSS-Protection", "0");
  m.set("X-Frame-Options", "SAMEORIGIN");
  m.set("X-Content-Type-Options", "nosniff");
}

json::object recordToJson(const RecordedRequest& r) {
  json::object headers;
  for (const auto& [name, value] : r.headers) {
    if (auto* existing = headers.if_contains(name)) {
      existing->as_string().append(", ");
      existing->as_string().append(value);
    } else {
      headers[name] = value;
    }
  }
  return json::object{{"id", r.id},
                      {"method", r.method},
                      {"path", r.path},
                      {"query", r.query},
                      {"headers", std::move(headers)},
                      {"key", r.key},
                      {"key_source", r.key_source},
                      {"model", r.model},
                      {"body_size", r.body_size},
                      {"body", r.body},
                      {"status", r.status},
                      {"client_aborted", r.client_aborted}};
}

bool isHttpParseError(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

class FakeGemini::Impl : public std::enable_shared_from_this<FakeGemini::Impl> {
 public:
  Impl(asio::io_context& ioc, FakeGeminiOptions options)
      : ioc_(ioc),
        options_(std::move(options)),
        acceptor_(asio::make_strand(ioc)),
        responder_(script_, ResponderOptions{.sse_crlf = options_.sse_crlf}) {
    const tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
  }

  void start() {
    asio::co_spawn(acceptor_.get_executor(), acceptLoop(shared_from_this()), asio::detached);
  }

  std::uint16_t port() const { return port_; }
  const FakeGeminiOptions& options() const { return options_; }
  FaultScript& script() { return script_; }

  void stop() {
    std::vector<std::shared_ptr<Connection>> connections;
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
      for (const auto& [id, c] : connections_) connections.push_back(c);
    }
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
    });
    for (auto& c : connections) {
      asio::post(c->stream.get_executor(), [c] {
        c->cancel.emit(asio::cancellation_type::all);
        c->stream.close();
      });
    }
  }

  void reset() {
    script_.clear();
    responder_.resetResources();
    std::lock_guard lock(mutex_);
    log_.clear();
    next_request_id_ = 0;
    requests_ = 0;
    client_aborts_ = 0;
    max_active_requests_ = active_requests_;
  }

  std::vector<RecordedRequest> requests(std::uint64_t since) const {
    std::lock_guard lock(mutex_);
    std::vector<RecordedRequest> out;
    for (const auto& r : log_) {
      if (r.id > since) out.push_back(r);
    }
    return out;
  }

  FakeGeminiStats stats() const {
    std::lock_guard lock(mutex_);
    return FakeGeminiStats{.requests = requests_,
                           .open_connections = static_cast<std::uint64_t>(open_api_connections_),
                           .active_requests = static_cast<std::uint64_t>(active_requests_),
                           .max_active_requests = static_cast<std::uint64_t>(max_active_requests_),
                           .accepted_connections = accepted_,
                           .client_aborts = client_aborts_};
  }

 private:
  static asio::awaitable<void> acceptLoop(std::shared_ptr<Impl> self) {
    for (;;) {
      auto [ec, socket] =
          co_await self->acceptor_.async_accept(asio::make_strand(self->ioc_), tuple());
      if (ec) {
        if (!self->acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
        // Transient (e.g. out of descriptors): back off briefly instead of spinning.
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(std::chrono::milliseconds(50));
        co_await timer.async_wait(tuple());
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto conn = std::make_shared<Connection>(std::move(socket));
      std::uint64_t id = 0;
      {
        std::lock_guard lock(self->mutex_);
        if (self->stopped_) co_return;
        id = ++self->next_connection_id_;
        self->connections_.emplace(id, conn);
        ++self->accepted_;
        ++self->open_api_connections_;
      }
      asio::co_spawn(conn->stream.get_executor(), runConnection(self, conn, id),
                     asio::bind_cancellation_slot(conn->cancel.slot(), asio::detached));
    }
  }

  static asio::awaitable<void> runConnection(std::shared_ptr<Impl> self,
                                             std::shared_ptr<Connection> conn, std::uint64_t id) {
    try {
      co_await self->serveConnection(*conn);
    } catch (const std::exception& e) {
      // Cancellation at stop() lands here too; anything else is a bug worth seeing.
      if (self->options_.log_requests_to_stderr) {
        std::fprintf(stderr, "fake-gemini: connection %llu ended: %s\n",
                     static_cast<unsigned long long>(id), e.what());
      }
    }
    boost::system::error_code ignored;
    conn->stream.socket().close(ignored);
    std::lock_guard lock(self->mutex_);
    self->connections_.erase(id);
    if (!conn->control) --self->open_api_connections_;
  }

  asio::awaitable<void> serveConnection(Connection& conn) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(kBodyLimit);
      conn.stream.expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
      auto [ec, n] = co_await http::async_read(conn.stream, buffer, parser, tuple());
      conn.stream.expires_never();
      if (ec) {
        if (isHttpParseError(ec)) {
          const bool too_large = ec == http::error::body_limit || ec == http::error::header_limit;
          co_await writeReply(conn, too_large ? 413 : 400, "text/html; charset=UTF-8",
                              too_large ? "<title>Error 413 (Request Entity Too Large)!!1</title>\n"
                                        : "<title>Error 400 (Bad Request)!!1</title>\n",
                              false);
        }
        co_return;
      }
      http::request<http::string_body> req = parser.release();
      const bool keep_alive = req.keep_alive();
      bool keep = false;
      if (req.target().starts_with(kControlPrefix)) {
        if (!conn.served) {
          conn.control = true;
          std::lock_guard lock(mutex_);
          --open_api_connections_;
        }
        conn.served = true;
        auto [status, body] = control(req);
        keep = co_await writeReply(conn, status, "application/json", std::move(body), keep_alive) &&
               keep_alive;
      } else {
        conn.served = true;
        keep = co_await serveApiRequest(conn, std::move(req));
      }
      if (!keep) co_return;
    }
  }

  asio::awaitable<bool> serveApiRequest(Connection& conn, http::request<http::string_body> req) {
    FakeRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& f : req) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    request.body = std::move(req.body());
    const ResponsePlan plan = responder_.respond(request);
    const std::uint64_t id = record(request, plan);
    if (options_.log_requests_to_stderr) {
      const std::string_view target = request.target;
      std::fprintf(stderr, "fake-gemini: %s %.*s -> %u\n", request.method.c_str(),
                   static_cast<int>(target.substr(0, target.find('?')).size()), target.data(),
                   plan.status);
    }
    struct ActiveGuard {
      Impl& impl;
      explicit ActiveGuard(Impl& i) : impl(i) {
        std::lock_guard lock(impl.mutex_);
        ++impl.active_requests_;
        impl.max_active_requests_ = std::max(impl.max_active_requests_, impl.active_requests_);
      }
      ~ActiveGuard() {
        std::lock_guard lock(impl.mutex_);
        --impl.active_requests_;
      }
    } guard(*this);
    if (plan.kind == ResponsePlan::Kind::kLive) {
      if (plan.delay_before_headers_ms > 0 && !co_await pause(conn, plan.delay_before_headers_ms)) {
        markAborted(id);
        co_return false;
      }
      conn.stream.expires_never();
      std::optional<LiveReply> setup_close;
      if (plan.live_close_code) {
        setup_close =
            LiveReply{.close_code = plan.live_close_code, .close_reason = plan.live_close_reason};
      }
      co_await serveLiveSession(conn.stream, req, std::move(setup_close));
      co_return false;  // the connection was the session's
    }
    const bool complete = co_await execute(conn, plan, req.keep_alive());
    if (!complete) markAborted(id);
    const bool ended_cleanly = plan.kind == ResponsePlan::Kind::kReply ||
                               (plan.kind == ResponsePlan::Kind::kStream &&
                                plan.stream_end == ResponsePlan::StreamEnd::kComplete);
    co_return complete&& ended_cleanly&& req.keep_alive();
  }

  // Runs a plan. Returns false when the client went away before the response was complete;
  // deliberate resets and closes count as complete.
  asio::awaitable<bool> execute(Connection& conn, const ResponsePlan& plan, bool keep_alive) {
    if (plan.delay_before_headers_ms > 0 && !co_await pause(conn, plan.delay_before_headers_ms)) {
      co_return false;
    }
    switch (plan.kind) {
      case ResponsePlan::Kind::kReset:
        resetConnection(conn);
        co_return true;
      case ResponsePlan::Kind::kClose: {
        boost::system::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return true;
      }
      case ResponsePlan::Kind::kHang:
        co_await pause(conn, -1);
        co_return false;
      case ResponsePlan::Kind::kReply:
        co_return co_await writeReply(conn, plan.status, plan.content_type, plan.body, keep_alive,
                                      plan.headers);
      case ResponsePlan::Kind::kStream:
        co_return co_await writeStream(conn, plan, keep_alive);
      case ResponsePlan::Kind::kLive:  // served by serveApiRequest
        co_return true;
    }
    co_return true;
  }

  asio::awaitable<bool> writeStream(Connection& conn, const ResponsePlan& plan, bool keep_alive) {
    http::response<http::empty_body> res{static_cast<http::status>(plan.status), 11};
    setGoogleHeaders(res, plan.content_type);
    res.chunked(true);
    res.keep_alive(keep_alive && plan.stream_end == ResponsePlan::StreamEnd::kComplete);
    http::response_serializer<http::empty_body> serializer{res};
    conn.stream.expires_after(kWriteTimeout);
    if (auto [ec, n] = co_await http::async_write_header(conn.stream, serializer, tuple()); ec) {
      co_return false;
    }
    if (!plan.stream_prefix.empty() && !co_await writeChunk(conn, plan.stream_prefix)) {
      co_return false;
    }
    for (std::size_t i = 0; i < plan.frames.size(); ++i) {
      const int wait = i == 0 ? plan.delay_before_first_frame_ms : plan.frame_interval_ms;
      if (wait > 0 && !co_await pause(conn, wait)) co_return false;
      if (!co_await writeChunk(conn, plan.frames[i])) co_return false;
    }
    switch (plan.stream_end) {
      case ResponsePlan::StreamEnd::kComplete: {
        if (!plan.stream_suffix.empty() && !co_await writeChunk(conn, plan.stream_suffix)) {
          co_return false;
        }
        conn.stream.expires_after(kWriteTimeout);
        auto [ec, n] = co_await asio::async_write(conn.stream, http::make_chunk_last(), tuple());
        conn.stream.expires_never();
        co_return !ec;
      }
      case ResponsePlan::StreamEnd::kClose: {
        conn.stream.expires_never();
        boost::system::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return true;
      }
      case ResponsePlan::StreamEnd::kReset: {
        conn.stream.expires_never();
        // Give the frames already written a moment to reach the client before the RST.
        co_await pause(conn, static_cast<int>(kResetGrace.count()));
        resetConnection(conn);
        co_return true;
      }
    }
    co_return true;
  }

  asio::awaitable<bool> writeChunk(Connection& conn, std::string_view data) {
    conn.stream.expires_after(kWriteTimeout);
    auto [ec, n] =
        co_await asio::async_write(conn.stream, http::make_chunk(asio::buffer(data)), tuple());
    conn.stream.expires_never();
    co_return !ec;
  }

  asio::awaitable<bool> writeReply(
      Connection& conn, unsigned status, std::string_view content_type, std::string body,
      bool keep_alive, const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    setGoogleHeaders(res, content_type);
    for (const auto& [name, value] : extra) res.set(name, value);
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    conn.stream.expires_after(kWriteTimeout);
    auto [ec, n] = co_await http::async_write(conn.stream, res, tuple());
    conn.stream.expires_never();
    co_return !ec;
  }

  static void resetConnection(Connection& conn) {
    boost::system::error_code ignored;
    conn.stream.socket().set_option(asio::socket_base::linger(true, 0), ignored);
    conn.stream.socket().close(ignored);
  }

  // Waits `ms` milliseconds (forever when negative) while watching the socket. Returns false as
  // soon as the client closes or resets the connection, so a departed client is noticed at once.
  // May suspend.
  static asio::awaitable<bool> pause(Connection& conn, int ms) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    if (ms < 0) {
      timer.expires_at(asio::steady_timer::time_point::max());
    } else {
      timer.expires_after(std::chrono::milliseconds(ms));
    }
    auto& socket = conn.stream.socket();
    if (!socket.is_open()) co_return false;
    auto result =
        co_await (timer.async_wait(tuple()) || socket.async_wait(tcp::socket::wait_read, tuple()));
    if (result.index() == 0) co_return true;
    if (auto [ec] = std::get<1>(result); ec) co_return false;
    boost::system::error_code ec;
    if (socket.available(ec) == 0 || ec) co_return false;
    // The client sent more bytes (a pipelined request): it is still there; just wait.
    co_await timer.async_wait(tuple());
    co_return true;
  }

  std::uint64_t record(const FakeRequest& request, const ResponsePlan& plan) {
    RecordedRequest r;
    const std::string_view target = request.target;
    const auto q = target.find('?');
    r.method = request.method;
    r.path = std::string(target.substr(0, q));
    r.query = q == std::string_view::npos ? std::string{} : std::string(target.substr(q + 1));
    r.headers = request.headers;
    r.key = plan.key;
    r.key_source = plan.key_source;
    r.model = plan.model;
    r.body_size = request.body.size();
    r.body = sanitizeUtf8(request.body, kMaxRecordedBody);
    r.status = plan.kind == ResponsePlan::Kind::kReply ||
                       plan.kind == ResponsePlan::Kind::kStream ||
                       plan.kind == ResponsePlan::Kind::kLive
                   ? plan.status
                   : 0;
    std::lock_guard lock(mutex_);
    r.id = ++next_request_id_;
    ++requests_;
    log_.push_back(std::move(r));
    if (log_.size() > kMaxLogEntries) log_.pop_front();
    return log_.back().id;
  }

  void markAborted(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    ++client_aborts_;
    for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
      if (it->id == id) {
        it->client_aborted = true;
        break;
      }
    }
  }

  // The /_fake/ control API. Returns status and a compact JSON body.
  std::pair<unsigned, std::string> control(const http::request<http::string_body>& req) {
    const std::string_view target = req.target();
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
    const bool get = req.method() == http::verb::get;
    const bool post = req.method() == http::verb::post;
    auto ok = [](json::object o) {
      return std::pair<unsigned, std::string>{200, json::serialize(o)};
    };
    auto fail = [](unsigned status, std::string message) {
      return std::pair<unsigned, std::string>{
          status, json::serialize(json::object{{"error", std::move(message)}})};
    };
    auto parseJson = [&](json::value& out) {
      boost::system::error_code ec;
      out = json::parse(req.body(), ec);
      return !ec && out.is_object();
    };

    if (path == "/_fake/script" && post) {
      json::value v;
      if (!parseJson(v)) return fail(400, "body must be a JSON object");
      const auto& o = v.get_object();
      const auto* key = o.if_contains("key");
      const auto* responses = o.if_contains("responses");
      if (key == nullptr || !key->is_string() || key->get_string().empty()) {
        return fail(400, "key must be a non-empty string");
      }
      if (responses == nullptr) return fail(400, "responses is required");
      auto parsed = parseScriptedResponses(*responses);
      if (!parsed) return fail(400, parsed.error());
      const auto* replace = o.if_contains("replace");
      const std::size_t n = parsed->size();
      script_.push(std::string(key->get_string()), std::move(*parsed),
                   replace != nullptr && replace->is_bool() && replace->get_bool());
      return ok({{"ok", true}, {"queued", n}});
    }
    if (path == "/_fake/keys" && post) {
      json::value v;
      if (!parseJson(v)) return fail(400, "body must be a JSON object");
      const auto* valid = v.get_object().if_contains("valid");
      if (valid == nullptr || valid->is_null()) {
        script_.setValidKeys(std::nullopt);
        return ok({{"ok", true}});
      }
      if (!valid->is_array()) return fail(400, "valid must be an array of strings or null");
      std::set<std::string> keys;
      for (const auto& k : valid->get_array()) {
        if (!k.is_string()) return fail(400, "valid must be an array of strings or null");
        keys.emplace(k.get_string());
      }
      script_.setValidKeys(std::move(keys));
      return ok({{"ok", true}});
    }
    if (path == "/_fake/reset" && post) {
      reset();
      return ok({{"ok", true}});
    }
    if (path == "/_fake/requests" && get) {
      std::uint64_t since = 0;
      if (query.starts_with("since=")) since = std::strtoull(query.data() + 6, nullptr, 10);
      json::array out;
      for (const auto& r : requests(since)) out.push_back(recordToJson(r));
      return {200, json::serialize(out)};
    }
    if (path == "/_fake/stats" && get) {
      const FakeGeminiStats s = stats();
      return ok({{"requests", s.requests},
                 {"open_connections", s.open_connections},
                 {"active_requests", s.active_requests},
                 {"max_active_requests", s.max_active_requests},
                 {"accepted_connections", s.accepted_connections},
                 {"client_aborts", s.client_aborts}});
    }
    return fail(
        404, "unknown control route " + std::string(req.method_string()) + " " + std::string(path));
  }

  asio::io_context& ioc_;
  const FakeGeminiOptions options_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  FaultScript script_;
  GeminiResponder responder_;

  mutable std::mutex mutex_;  // guards everything below
  bool stopped_ = false;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
  std::uint64_t next_connection_id_ = 0;
  std::deque<RecordedRequest> log_;
  std::uint64_t next_request_id_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t accepted_ = 0;
  std::uint64_t client_aborts_ = 0;
  std::int64_t open_api_connections_ = 0;
  std::int64_t active_requests_ = 0;
  std::int64_t max_active_requests_ = 0;
};

FakeGemini::FakeGemini(asio::io_context& ioc, FakeGeminiOptions options)
    : impl_(std::make_shared<Impl>(ioc, std::move(options))) {
  impl_->start();
}

FakeGemini::~FakeGemini() {
  impl_->stop();
}

std::uint16_t FakeGemini::port() const {
  return impl_->port();
}

std::string FakeGemini::baseUrl() const {
  return "http://" + impl_->options().host + ":" + std::to_string(impl_->port());
}

void FakeGemini::stop() {
  impl_->stop();
}

void FakeGemini::script(const std::string& key, std::vector<ScriptedResponse> responses,
                        bool replace) {
  impl_->script().push(key, std::move(responses), replace);
}

void FakeGemini::setValidKeys(std::optional<std::set<std::string>> keys) {
  impl_->script().setValidKeys(std::move(keys));
}

void FakeGemini::reset() {
  impl_->reset();
}

std::vector<RecordedRequest> FakeGemini::requests() const {
  return impl_->requests(0);
}

FakeGeminiStats FakeGemini::stats() const {
  return impl_->stats();
}

FakeGeminiThread::FakeGeminiThread(FakeGeminiOptions options)
    : fake_(std::make_unique<FakeGemini>(ioc_, std::move(options))),
      thread_([this] { ioc_.run(); }) {}

FakeGeminiThread::~FakeGeminiThread() {
  fake_->stop();
  thread_.join();
  fake_.reset();
}

}  // namespace poise::fakes
