#include "alerts/alert_dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alerts/alert_payload.h"
#include "core/log.h"
#include "net/request_head.h"
#include "net/upstream_client.h"

namespace poise::alerts {

namespace asio = boost::asio;

namespace {

// Reads at most this much of a receiver's answer (so its connection can be reused).
constexpr std::size_t kMaxAnswerBytes = std::size_t{64} * 1024;

// One attempt: the request, the answer's status. Suspends.
asio::awaitable<DeliveryResult> attemptOnce(net::UpstreamPool& pool, const Clock& clock,
                                            const AlertDispatcherOptions& options,
                                            const DeliveryJob& job) {
  DeliveryResult out;
  // Checked again at each send: the switch may have changed since the webhook was saved.
  auto target = parseWebhookUrl(job.url, options.allow_private);
  if (!target) {
    out.last_error = target.error().message;
    co_return out;
  }
  if (auto st = checkWebhookHeaders(job.headers); !st) {
    out.last_error = st.error().message;
    co_return out;
  }
  auto head = net::RequestHead::start("POST", target->target);
  if (!head) {
    out.last_error = head.error().message;
    co_return out;
  }
  Status st = head->addHostAndLength(target->origin, job.body.size());
  if (st) st = head->add("Content-Type", "application/json");
  if (st) st = head->add("User-Agent", options.user_agent);
  for (const auto& [name, value] : job.headers) {
    if (st) st = head->add(name, value);
  }
  if (!st) {
    out.last_error = st.error().message;
    co_return out;
  }
  net::UpstreamClient client(pool, clock);
  const net::UpstreamSend send{.origin = target->origin,
                               .head = *head,
                               .body = job.body,
                               .timeouts = options.timeouts,
                               .deadline_ms = clock.monotonicMs() + options.timeouts.total.count()};
  auto answer = co_await client.send(send);
  if (!answer) {
    out.last_error = answer.error().message;
    co_return out;
  }
  out.last_status = (*answer)->status();
  auto body = co_await (*answer)->readAll(kMaxAnswerBytes);
  (void)body;  // the answer's body is not looked at; reading it lets the connection be reused
  out.delivered = *out.last_status >= 200 && *out.last_status < 300;
  if (!out.delivered) {
    out.last_error = "the receiver answered " + std::to_string(*out.last_status);
    if (*out.last_status >= 300 && *out.last_status < 400) out.last_error += " (not followed)";
  }
  co_return out;
}

}  // namespace

AlertDispatcher::AlertDispatcher(const Clock& clock, asio::ssl::context& tls,
                                 AlertDispatcherOptions options, Recorder recorder)
    : clock_(clock),
      options_(std::move(options)),
      recorder_(std::move(recorder)),
      pool_(std::make_unique<net::UpstreamPool>(
          ioc_, tls,
          net::UpstreamPoolOptions{.max_idle_per_origin = 4,
                                   .public_only = !options_.allow_private})) {}

AlertDispatcher::~AlertDispatcher() {
  stop();
}

void AlertDispatcher::start() {
  {
    const std::lock_guard lock(mu_);
    if (running_) return;
    running_ = true;
  }
  thread_ = std::thread([this] {
    auto work = asio::make_work_guard(ioc_);
    ioc_.run();
  });
}

void AlertDispatcher::stop() {
  std::deque<Pending> abandoned;
  {
    const std::lock_guard lock(mu_);
    running_ = false;
    abandoned.swap(queue_);
  }
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
  // Pooled sockets belong to ioc_: closed while it lives. Suspended deliveries go with ioc_.
  pool_.reset();
  for (auto& p : abandoned) {
    if (p.done) p.done->set_value(DeliveryResult{.last_error = "the gateway is shutting down"});
  }
  if (!abandoned.empty()) {
    spdlog::warn("msg=\"alert deliveries abandoned at shutdown\" count={}", abandoned.size());
  }
}

bool AlertDispatcher::enqueue(DeliveryJob job) {
  {
    const std::lock_guard lock(mu_);
    if (!running_ || queue_.size() >= options_.queue_capacity) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("msg=\"alert dropped: the delivery queue is full\" webhook_id={} event={}",
                   job.webhook_id, job.event);
      return false;
    }
    queue_.push_back(Pending{std::move(job), nullptr});
  }
  asio::post(ioc_, [this] { pump(); });
  return true;
}

std::future<DeliveryResult> AlertDispatcher::sendNow(DeliveryJob job) {
  auto done = std::make_shared<std::promise<DeliveryResult>>();
  auto future = done->get_future();
  {
    const std::lock_guard lock(mu_);
    if (!running_) {
      done->set_value(DeliveryResult{.last_error = "alert delivery is not running"});
      return future;
    }
  }
  asio::post(ioc_, [this, p = Pending{std::move(job), done}]() mutable { launch(std::move(p)); });
  return future;
}

void AlertDispatcher::pump() {
  while (in_flight_ < options_.max_in_flight) {
    Pending next;
    {
      const std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    launch(std::move(next));
  }
}

void AlertDispatcher::launch(Pending pending) {
  ++in_flight_;
  auto deliver = [this, p = std::move(pending)]() -> asio::awaitable<void> {
    DeliveryResult result;
    const int attempts = std::max(1, p.job.max_attempts);
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      if (attempt > 1) {
        asio::steady_timer timer(ioc_, backoffBefore(attempt));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      result = co_await attemptOnce(*pool_, clock_, options_, p.job);
      result.attempts = attempt;
      if (result.delivered) break;
      spdlog::info(
          "msg=\"alert delivery attempt failed\" webhook_id={} event={} attempt={} error={}",
          p.job.webhook_id, p.job.event, attempt, logValue(result.last_error));
    }
    if (!result.delivered) {
      spdlog::warn("msg=\"alert not delivered\" webhook_id={} event={} attempts={} error={}",
                   p.job.webhook_id, p.job.event, result.attempts, logValue(result.last_error));
    }
    if (recorder_) recorder_(p.job, result);
    if (p.done) p.done->set_value(result);
  };
  asio::co_spawn(ioc_, deliver, [this](const std::exception_ptr& e) {
    if (e) spdlog::error("msg=\"alert delivery failed unexpectedly\"");
    --in_flight_;
    pump();
  });
}

}  // namespace poise::alerts
