#include "jobs/validation_scheduler.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>

#include "core/log.h"

namespace poise::jobs {

namespace asio = boost::asio;

ValidationScheduler::ValidationScheduler(ValidationSchedulerDeps deps)
    : d_(deps), plan_(deps.clock), timer_(deps.checker.context()) {}

ValidationScheduler::~ValidationScheduler() {
  d_.checker.stop();
}

void ValidationScheduler::start() {
  asio::co_spawn(d_.checker.context(), loop(), [](std::exception_ptr e) {
    if (e) spdlog::error("msg=\"validation scheduler stopped unexpectedly\"");
  });
}

void ValidationScheduler::stop() {
  asio::post(d_.checker.context(), [this] {
    stop_requested_ = true;
    timer_.cancel();
  });
}

asio::awaitable<void> ValidationScheduler::loop() {
  using namespace asio::experimental::awaitable_operators;
  std::shared_ptr<const config::RuntimeConfig> seen;
  std::size_t live_runs = 0;
  asio::steady_timer runs_done(d_.checker.context(), asio::steady_timer::time_point::max());
  auto on_run_done = [&](Schedule s) {
    plan_.finished(s);
    if (--live_runs == 0) runs_done.cancel();
  };
  while (!stop_requested_ && !d_.checker.stopping()) {
    auto snapshot = d_.config.snapshot();
    if (snapshot != seen) {
      seen = snapshot;
      const auto restarted = plan_.configure(resolveIntervals(*snapshot));
      if (!restarted.empty()) {
        const auto& every = plan_.intervals();
        spdlog::info(
            "msg=\"validation schedules\" active_every_s={} exhausted_every_s={} "
            "error_every_s={} method={}",
            every.of(Schedule::Active).count(), every.of(Schedule::Exhausted).count(),
            every.of(Schedule::Error).count(), snapshot->key_validation_method);
      }
    }
    const auto tick = plan_.tick();
    for (Schedule s : tick.skipped) {
      spdlog::info("msg=\"validation run skipped: the previous one is still going\" schedule={}",
                   toString(s));
    }
    for (Schedule s : tick.start) {
      ++live_runs;
      asio::co_spawn(d_.checker.context(), run(s), [s, &on_run_done](std::exception_ptr e) {
        if (e) spdlog::error("msg=\"validation run failed\" schedule={}", toString(s));
        on_run_done(s);
      });
    }
    auto wait = kConfigPoll;
    if (auto due = plan_.msUntilNextDue(); due && *due < wait.count()) {
      wait = std::chrono::milliseconds(std::max<std::int64_t>(*due, 1));
    }
    timer_.expires_after(wait);
    co_await (timer_.async_wait(asio::as_tuple(asio::use_awaitable)) || d_.checker.waitStopped());
  }
  if (live_runs > 0) co_await runs_done.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> ValidationScheduler::run(Schedule s) {
  const std::vector<std::int64_t> ids = d_.pool.idsWithStatus(statusOf(s));
  if (ids.empty()) co_return;
  const auto started = d_.clock.monotonicMs();
  std::size_t valid = 0;
  std::size_t exhausted = 0;
  std::size_t error = 0;
  std::size_t unanswered = 0;
  const std::function<void(std::size_t, CheckResult)> count = [&](std::size_t, CheckResult r) {
    if (r.status == "valid") {
      ++valid;
    } else if (r.status == "exhausted") {
      ++exhausted;
    } else if (r.status == "error") {
      ++error;
    } else {
      ++unanswered;
    }
  };
  co_await d_.checker.checkEach(ids, count);
  spdlog::info(
      "msg=\"validation run\" schedule={} keys={} valid={} exhausted={} error={} "
      "timeout_or_network={} ms={}",
      toString(s), ids.size(), valid, exhausted, error, unanswered,
      d_.clock.monotonicMs() - started);
  if (d_.on_run_end) {
    std::size_t failures = 0;
    if (s == Schedule::Active) failures = exhausted + error;
    if (s == Schedule::Exhausted) failures = error;
    d_.on_run_end(ValidationRunSummary{.schedule = s,
                                       .keys = ids.size(),
                                       .valid = valid,
                                       .exhausted = exhausted,
                                       .error = error,
                                       .unanswered = unanswered,
                                       .failures = failures});
  }
}

}  // namespace poise::jobs
