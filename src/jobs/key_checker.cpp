#include "jobs/key_checker.h"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <variant>

#include "core/log.h"
#include "core/model_id.h"
#include "core/secret_mask.h"
#include "net/request_head.h"
#include "net/upstream_pool.h"

namespace poise::jobs {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t kAnswerLimit = std::size_t{1} * 1024 * 1024;
constexpr std::string_view kGenerateBody =
    R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":1}})";

std::int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds left(std::int64_t deadline_ms) {
  return std::chrono::milliseconds(std::max<std::int64_t>(1, deadline_ms - steadyMs()));
}

template <class Stream>
asio::awaitable<boost::system::error_code> sendAndRead(
    Stream& s, beast::flat_buffer& buffer, std::string_view head, std::string_view body,
    bhttp::response_parser<bhttp::string_body>& parser) {
  const std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(body)};
  auto [wec, n] = co_await asio::async_write(s, out, asio::as_tuple(asio::use_awaitable));
  (void)n;
  if (wec) co_return wec;
  auto [rec, m] =
      co_await bhttp::async_read(s, buffer, parser, asio::as_tuple(asio::use_awaitable));
  (void)m;
  co_return rec;
}

}  // namespace

KeyChecker::KeyChecker(KeyCheckerDeps deps)
    : d_(deps),
      tasks_(deps.clock),
      upstream_(std::make_unique<net::UpstreamPool>(ioc_, deps.tls)),
      stop_timer_(ioc_, asio::steady_timer::time_point::max()) {}

KeyChecker::~KeyChecker() {
  stop();
}

void KeyChecker::start() {
  if (thread_.joinable()) return;
  work_.emplace(ioc_.get_executor());
  accepting_ = true;
  thread_ = std::thread([this] {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("msg=\"key checker: unexpected exception\" error={}", logValue(e.what()));
      }
    }
  });
}

void KeyChecker::stop() {
  if (!thread_.joinable()) return;
  accepting_ = false;
  asio::post(ioc_, [this] {
    stopping_ = true;
    stop_timer_.cancel();
    while (!waiters_.empty()) {
      waiters_.front()->cancel();
      waiters_.pop_front();
    }
  });
  work_.reset();
  thread_.join();
  // Idle pooled connections belong to ioc_: close them while it lives.
  upstream_.reset();
}

asio::awaitable<void> KeyChecker::waitStopped() {
  if (stopping_) co_return;
  co_await stop_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<bool> KeyChecker::acquireSlot() {
  for (;;) {
    if (stopping_) co_return false;
    const int limit = std::max(1, d_.config.snapshot()->key_validation_concurrent_count);
    if (in_flight_ < limit) {
      ++in_flight_;
      co_return true;
    }
    asio::steady_timer wake(ioc_, asio::steady_timer::time_point::max());
    waiters_.push_back(&wake);
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    std::erase(waiters_, &wake);  // still queued when woken by something else than a release
  }
}

void KeyChecker::releaseSlot() {
  --in_flight_;
  if (!waiters_.empty()) {
    waiters_.front()->cancel();
    waiters_.pop_front();
  }
}

asio::awaitable<UpstreamAnswer> KeyChecker::exchange(const config::RuntimeConfig& cfg,
                                                     const std::string& key) {
  UpstreamAnswer answer;
  if (cfg.upstream_host.empty()) {
    answer.kind = UpstreamAnswer::Kind::NotSent;
    answer.error = "target_api_url is not configured";
    co_return answer;
  }
  const bool models = cfg.key_validation_method == "models";
  const std::string_view model = keys::normalizeModel(cfg.key_validation_model_name);
  if (!models && !isGeminiModelId(model)) {
    answer.kind = UpstreamAnswer::Kind::NotSent;
    answer.error = "key_validation_model_name is not a plain model id";
    co_return answer;
  }
  const Origin origin{cfg.upstream_tls, cfg.upstream_host, cfg.upstream_port};
  const std::string_view body = models ? std::string_view{} : kGenerateBody;
  // The request head, through the writer that refuses anything that could split it; the key
  // only in x-goog-api-key.
  auto written = [&]() -> Result<std::string> {
    auto h = models ? net::RequestHead::start("GET",
                                              cfg.upstream_base_path + "/v1beta/models?pageSize=1")
                    : net::RequestHead::start("POST", cfg.upstream_base_path + "/v1beta/models/" +
                                                          net::encodePathSegment(model) +
                                                          ":generateContent");
    if (!h) return h.error();
    Status st = h->add("Host", origin.hostHeader());
    if (st) st = h->add("x-goog-api-key", key);
    if (st) st = h->add("Accept", "application/json");
    if (st && !models) st = h->add("Content-Type", "application/json");
    if (st && !models) st = h->add("Content-Length", std::to_string(body.size()));
    if (!st) return st.error();
    return h->finish();
  }();
  if (!written) {
    answer.kind = UpstreamAnswer::Kind::NotSent;
    answer.error = written.error().message;
    co_return answer;
  }
  const std::string head = std::move(*written);

  const auto total = std::chrono::milliseconds(
      std::chrono::seconds(std::max(1, cfg.key_validation_timeout_seconds)));
  const std::int64_t deadline = steadyMs() + total.count();
  net::UpstreamTimeouts timeouts;
  timeouts.connect = std::min<std::chrono::milliseconds>(
      std::chrono::seconds(cfg.upstream_connect_timeout_seconds), total);
  timeouts.tls = timeouts.connect;
  timeouts.first_byte = total;
  timeouts.idle = total;
  timeouts.total = total;

  for (int round = 0; round < 2; ++round) {
    bool reused = false;
    auto conn_r = co_await upstream_->acquire(origin, timeouts, reused);
    if (!conn_r) {
      answer.kind = conn_r.error().code == "upstream_timeout" ? UpstreamAnswer::Kind::TimedOut
                                                              : UpstreamAnswer::Kind::NetworkError;
      answer.error = conn_r.error().message;
      co_return answer;
    }
    std::unique_ptr<net::UpstreamConnection> conn = std::move(*conn_r);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kAnswerLimit);
    conn->tcp().expires_after(left(deadline));
    const auto ec = co_await conn->visit(
        [&](auto& s) { return sendAndRead(s, conn->buffer(), head, body, parser); });
    if (ec) {
      conn->close();
      // A pooled connection the upstream had closed: once more on a fresh one.
      if (reused && round == 0 && ec != beast::error::timeout && steadyMs() < deadline) continue;
      answer.kind = ec == beast::error::timeout ? UpstreamAnswer::Kind::TimedOut
                                                : UpstreamAnswer::Kind::NetworkError;
      answer.error = ec.message();
      co_return answer;
    }
    conn->tcp().expires_never();
    answer.kind = UpstreamAnswer::Kind::Answered;
    answer.status = parser.get().result_int();
    answer.body = std::move(parser.get().body());
    if (parser.keep_alive() && conn->buffer().size() == 0) {
      upstream_->release(std::move(conn));
    } else {
      conn->close();
    }
    co_return answer;
  }
  co_return answer;
}

asio::awaitable<CheckResult> KeyChecker::checkOne(std::int64_t id) {
  using namespace asio::experimental::awaitable_operators;
  CheckResult result;
  result.key_id = id;
  auto key = d_.pool.get(id);
  if (!key) {
    result.status = "error";
    result.message = "Key not found.";
    co_return result;
  }
  result.key_value = maskSecret(key->value);
  const auto cfg = d_.config.snapshot();
  UpstreamAnswer answer;
  answer.kind = UpstreamAnswer::Kind::NotSent;
  answer.error = "the gateway is shutting down";
  if (co_await acquireSlot()) {
    auto raced = co_await (exchange(*cfg, key->value) || waitStopped());
    releaseSlot();
    if (raced.index() == 0) answer = std::move(std::get<0>(raced));
  }
  const std::string model(keys::normalizeModel(cfg->key_validation_model_name));
  const CheckOutcome outcome = decideCheck(answer, cfg->error_policy, model);
  if (answer.kind != UpstreamAnswer::Kind::NotSent) {
    applyCheck(d_.pool, id, outcome, model, d_.clock.now(),
               std::chrono::seconds(cfg->key_cooldown_default_seconds));
  }
  result.status = outcome.status;
  result.message = outcome.message;
  if (auto after = d_.pool.get(id)) result.key_status = std::string(keys::toString(after->status));
  spdlog::debug("msg=\"key checked\" key_id={} method={} result={} reason={}", id,
                cfg->key_validation_method, result.status, logValue(outcome.reason));
  co_return result;
}

asio::awaitable<void> KeyChecker::checkEach(
    const std::vector<std::int64_t>& ids,
    const std::function<void(std::size_t, CheckResult)>& sink) {
  if (ids.empty()) co_return;
  const int limit = std::max(1, d_.config.snapshot()->key_validation_concurrent_count);
  const std::size_t workers = std::min(ids.size(), static_cast<std::size_t>(limit));
  std::size_t next = 0;
  std::size_t live = 0;
  asio::steady_timer all_done(ioc_, asio::steady_timer::time_point::max());
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < ids.size()) {
      const std::size_t i = next++;
      CheckResult r = co_await checkOne(ids[i]);
      sink(i, std::move(r));
    }
  };
  auto on_done = [&](std::exception_ptr e) {
    if (e) spdlog::error("msg=\"key check worker failed\"");
    if (--live == 0) all_done.cancel();
  };
  for (std::size_t w = 0; w < workers; ++w) {
    ++live;
    asio::co_spawn(ioc_, worker(), on_done);
  }
  co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<std::optional<CheckResult>> KeyChecker::check(std::int64_t id) {
  if (!d_.pool.get(id)) co_return std::nullopt;
  if (!accepting_) {
    CheckResult r;
    r.key_id = id;
    r.status = "error";
    r.message = "Inconclusive: the gateway is shutting down; the key's status is unchanged.";
    co_return r;
  }
  co_return co_await asio::co_spawn(ioc_, checkOne(id), asio::use_awaitable);
}

asio::awaitable<std::vector<CheckResult>> KeyChecker::checkMany(std::vector<std::int64_t> ids) {
  std::vector<CheckResult> results(ids.size());
  if (!accepting_) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      results[i].key_id = ids[i];
      results[i].status = "error";
      results[i].message = "Inconclusive: the gateway is shutting down.";
    }
    co_return results;
  }
  const std::function<void(std::size_t, CheckResult)> sink = [&](std::size_t i, CheckResult r) {
    results[i] = std::move(r);
  };
  auto run = [&]() -> asio::awaitable<void> { co_await checkEach(ids, sink); };
  co_await asio::co_spawn(ioc_, run(), asio::use_awaitable);
  co_return results;
}

Result<std::string> KeyChecker::startBulk(std::vector<std::int64_t> ids) {
  if (!accepting_) return makeError("busy", "the gateway is shutting down");
  auto id = tasks_.create(std::move(ids));
  if (!id) return id.error();
  asio::co_spawn(ioc_, runBulk(*id), [task = *id](std::exception_ptr e) {
    if (e) spdlog::error("msg=\"bulk check failed\" task_id={}", task);
  });
  return id;
}

asio::awaitable<void> KeyChecker::runBulk(std::string task_id) {
  auto task = tasks_.get(task_id);
  if (!task) co_return;
  tasks_.start(task_id);
  const auto started = steadyMs();
  const std::vector<std::int64_t> ids = std::move(task->key_ids);
  const std::function<void(std::size_t, CheckResult)> sink = [&](std::size_t, CheckResult r) {
    tasks_.addResult(task_id, std::move(r));
  };
  co_await checkEach(ids, sink);
  if (stopping_) {
    tasks_.fail(task_id, "the gateway shut down before the check finished");
  } else {
    tasks_.complete(task_id);
  }
  spdlog::info("msg=\"bulk check finished\" task_id={} keys={} ms={}", task_id, ids.size(),
               steadyMs() - started);
}

}  // namespace poise::jobs
