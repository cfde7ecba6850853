// ValidationScheduler: the three periodic validation jobs (active, exhausted and error keys),
// each on its own interval from config (SchedulePlan), run by the KeyChecker on its own thread,
// never on a proxy worker. It polls the runtime config every 500 ms and restarts a schedule as
// soon as its interval changes. A run checks every key then in that status, sharing the
// checker's concurrency limit. Start after KeyChecker::start(); stop() asks the loop to end and
// KeyChecker::stop() waits for it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>

#include "config/runtime_config.h"
#include "core/clock.h"
#include "jobs/key_checker.h"
#include "jobs/schedule_plan.h"
#include "keys/key_pool.h"

namespace poise::jobs {

// How one scheduled run ended. `failures` counts the keys the run found worse than their
// schedule's status: active keys found exhausted or in error, exhausted keys found in error.
struct ValidationRunSummary {
  Schedule schedule = Schedule::Active;
  std::size_t keys = 0;
  std::size_t valid = 0;
  std::size_t exhausted = 0;
  std::size_t error = 0;
  std::size_t unanswered = 0;  // timeouts and network failures
  std::size_t failures = 0;
};

struct ValidationSchedulerDeps {
  KeyChecker& checker;
  config::RuntimeConfigStore& config;
  keys::KeyPool& pool;
  const Clock& clock;
  // Called on the checker's thread when a run ends (alerts); must not block.
  std::function<void(const ValidationRunSummary&)> on_run_end;
};

class ValidationScheduler {
 public:
  explicit ValidationScheduler(ValidationSchedulerDeps deps);
  // The loop runs on the checker's thread: stops the checker (idempotent) so that the loop has
  // ended before the scheduler goes, whatever the order of destruction.
  ~ValidationScheduler();
  ValidationScheduler(const ValidationScheduler&) = delete;
  ValidationScheduler& operator=(const ValidationScheduler&) = delete;
  // Spawns the loop on the checker's io_context.
  void start();
  // Asks the loop to end (runs in progress are cut by KeyChecker::stop()). Any thread.
  void stop();

  // How often the config is polled for changes.
  static constexpr std::chrono::milliseconds kConfigPoll{500};

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> run(Schedule s);

  ValidationSchedulerDeps d_;
  SchedulePlan plan_;  // checker thread only
  boost::asio::steady_timer timer_;
  bool stop_requested_ = false;  // checker thread only
};

}  // namespace poise::jobs
