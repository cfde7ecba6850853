#include "jobs/key_checker.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "core/log.h"
#include "core/model_id.h"
#include "core/secret_mask.h"
#include "net/request_head.h"
#include "net/upstream_client.h"
#include "net/upstream_pool.h"

namespace poise::jobs {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kAnswerLimit = std::size_t{1} * 1024 * 1024;
constexpr std::string_view kGenerateBody =
    R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":1}})";

// The validation request's head, through the one head writer; the key only in x-goog-api-key.
Result<net::RequestHead> validationHead(const config::RuntimeConfig& cfg, const Origin& origin,
                                        bool models, std::string_view model,
                                        const std::string& key) {
  auto head =
      models
          ? net::RequestHead::start("GET", cfg.upstream_base_path + "/v1beta/models?pageSize=1")
          : net::RequestHead::start("POST", cfg.upstream_base_path + "/v1beta/models/" +
                                                net::encodePathSegment(model) + ":generateContent");
  if (!head) return head.error();
  const std::size_t body_size = models ? 0 : kGenerateBody.size();
  Status st = head->addHostAndLength(origin, body_size);
  if (st) st = head->add("x-goog-api-key", key);
  if (st) st = head->add("Accept", "application/json");
  if (st && !models) st = head->add("Content-Type", "application/json");
  if (!st) return st.error();
  return head;
}

// What an exception that ended a coroutine on the checker's thread says, for the log.
std::string exceptionMessage(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return logValue(ex.what());
  } catch (...) {
    return "\"unknown exception\"";
  }
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
    try {
      ioc_.run();
    } catch (const std::exception& e) {
      // Every coroutine here catches its own exceptions at its completion handler, so this is a
      // bug. The checker's state may be half-updated: stop rather than run on.
      spdlog::error("msg=\"key checker stopped by an unexpected exception\" error={}",
                    logValue(e.what()));
      accepting_ = false;
    }
  });
}

void KeyChecker::requestStop() {
  if (!accepting_.exchange(false)) return;
  asio::post(ioc_, [this] {
    stopping_ = true;
    stop_timer_.cancel();
    while (!waiters_.empty()) {
      waiters_.front()->cancel();
      waiters_.pop_front();
    }
  });
}

void KeyChecker::stop() {
  requestStop();
  if (!thread_.joinable()) return;
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
  answer.kind = UpstreamAnswer::Kind::NotSent;
  if (cfg.upstream_host.empty()) {
    answer.error = "target_api_url is not configured";
    co_return answer;
  }
  const bool models = cfg.key_validation_method == "models";
  const std::string_view model = keys::normalizeModel(cfg.key_validation_model_name);
  if (!models && !isGeminiModelId(model)) {
    answer.error = "key_validation_model_name is not a plain model id";
    co_return answer;
  }
  const Origin origin{cfg.upstream_tls, cfg.upstream_host, cfg.upstream_port};
  const std::string_view body = models ? std::string_view{} : kGenerateBody;
  auto head = validationHead(cfg, origin, models, model, key);
  if (!head) {
    answer.error = head.error().message;
    co_return answer;
  }

  const auto total = std::chrono::milliseconds(
      std::chrono::seconds(std::max(1, cfg.key_validation_timeout_seconds)));
  net::UpstreamTimeouts timeouts;
  timeouts.connect = std::min<std::chrono::milliseconds>(
      std::chrono::seconds(cfg.upstream_connect_timeout_seconds), total);
  timeouts.tls = timeouts.connect;
  timeouts.first_byte = total;
  timeouts.idle = total;
  timeouts.total = total;
  net::UpstreamClient client(*upstream_, d_.clock);
  const net::UpstreamSend send{.origin = origin,
                               .head = *head,
                               .body = body,
                               .timeouts = timeouts,
                               .deadline_ms = d_.clock.monotonicMs() + total.count()};
  auto failed = [&answer](const net::UpstreamError& e) {
    answer.kind =
        e.timedOut() ? UpstreamAnswer::Kind::TimedOut : UpstreamAnswer::Kind::NetworkError;
    answer.error = e.message;
  };
  auto sent = co_await client.send(send);
  if (!sent) {
    failed(sent.error());
    co_return answer;
  }
  auto read = co_await (*sent)->readAll(kAnswerLimit);
  if (!read) {
    failed(read.error());
    co_return answer;
  }
  answer.kind = UpstreamAnswer::Kind::Answered;
  answer.status = (*sent)->status();
  answer.body = std::move(*read);
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
    if (e) spdlog::error("msg=\"key check worker failed\" error={}", exceptionMessage(e));
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
  if (!accepting_) return makeError(ErrorCode::Busy, "the gateway is shutting down");
  auto id = tasks_.create(std::move(ids));
  if (!id) return id.error();
  asio::co_spawn(ioc_, runBulk(*id), [task = *id](std::exception_ptr e) {
    if (e) {
      spdlog::error("msg=\"bulk check failed\" task_id={} error={}", task, exceptionMessage(e));
    }
  });
  return id;
}

asio::awaitable<void> KeyChecker::runBulk(std::string task_id) {
  auto task = tasks_.get(task_id);
  if (!task) co_return;
  tasks_.start(task_id);
  const auto started = d_.clock.monotonicMs();
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
               d_.clock.monotonicMs() - started);
}

}  // namespace poise::jobs
