// KeyChecker: validates upstream keys with one small request each (SPEC §2 "Validation jobs"):
// `generate` (a 1-token generateContent on key_validation_model_name) or `models` (GET
// models?pageSize=1), the key in x-goog-api-key, within key_validation_timeout_seconds. The
// answer goes through the same classification and KeyPool state machine as live traffic
// (Source::Validation). It also runs the on-demand bulk checks (BulkCheckTasks).
//
// Threading: the checker owns an io_context, its thread and its own UpstreamPool, so checks never
// run on a proxy worker. check()/checkMany() may be awaited from any executor (they hop to the
// checker's thread and back). At most key_validation_concurrent_count requests are in flight
// across every caller (scheduled runs, bulk checks, single checks). requestStop() (any thread,
// never blocks; the app's stop signal calls it) cuts in-flight checks and refuses new ones; stop()
// then lets every coroutine on the thread finish and joins it; call it before the KeyPool goes.
// Every coroutine spawned on the thread handles its own exceptions; one that still escapes a
// handler is a bug: it is logged and the checker stops, it is never restarted.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/runtime_config.h"
#include "core/clock.h"
#include "core/result.h"
#include "jobs/bulk_check_tasks.h"
#include "jobs/check_outcome.h"
#include "keys/key_pool.h"

namespace poise::net {
class UpstreamPool;
}

namespace poise::jobs {

struct KeyCheckerDeps {
  config::RuntimeConfigStore& config;
  keys::KeyPool& pool;
  const Clock& clock;
  boost::asio::ssl::context& tls;  // client context for https upstreams
};

class KeyChecker {
 public:
  explicit KeyChecker(KeyCheckerDeps deps);
  ~KeyChecker();  // stop()
  KeyChecker(const KeyChecker&) = delete;
  KeyChecker& operator=(const KeyChecker&) = delete;

  // Starts the checker's thread. Call once.
  void start();
  // Stops accepting checks and cancels the in-flight ones (they end "inconclusive"); the
  // scheduler's loop ends too. Does not block; idempotent; any thread.
  void requestStop();
  // requestStop(), then waits for every coroutine on the checker's thread (scheduler included) to
  // finish and joins the thread. Blocks; idempotent; call from outside the checker's thread.
  void stop();

  // Checks one key. nullopt when the pool has no such key. Suspends; any executor.
  boost::asio::awaitable<std::optional<CheckResult>> check(std::int64_t id);
  // Checks each key (bounded concurrency); results in the order of `ids`. Suspends; any
  // executor. Unknown ids give an "error" result saying so.
  boost::asio::awaitable<std::vector<CheckResult>> checkMany(std::vector<std::int64_t> ids);
  // Registers a bulk check task and runs it in the background. Error "busy" when too many are
  // held (BulkCheckTasks). Any thread.
  Result<std::string> startBulk(std::vector<std::int64_t> ids);
  BulkCheckTasks& tasks() { return tasks_; }

  // For the scheduler, on the checker's thread only.
  boost::asio::io_context& context() { return ioc_; }
  bool stopping() const { return stopping_; }
  // Completes when stop() is called (at once if it was). Checker thread only.
  boost::asio::awaitable<void> waitStopped();
  // Checks every key of `ids` with at most key_validation_concurrent_count in flight (shared
  // with every other caller); `sink(index, result)` is called as each finishes. Checker thread
  // only; suspends until all are done (or cut by stop()).
  boost::asio::awaitable<void> checkEach(const std::vector<std::int64_t>& ids,
                                         const std::function<void(std::size_t, CheckResult)>& sink);

 private:
  boost::asio::awaitable<CheckResult> checkOne(std::int64_t id);
  boost::asio::awaitable<UpstreamAnswer> exchange(const config::RuntimeConfig& cfg,
                                                  const std::string& key);
  boost::asio::awaitable<bool> acquireSlot();
  void releaseSlot();
  boost::asio::awaitable<void> runBulk(std::string task_id);

  KeyCheckerDeps d_;
  BulkCheckTasks tasks_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<net::UpstreamPool> upstream_;     // checker thread only
  boost::asio::steady_timer stop_timer_;            // never expires; cancelled by stop()
  bool stopping_ = false;                           // checker thread only
  std::atomic<bool> accepting_{false};              // started and not stopped; any thread
  int in_flight_ = 0;                               // checker thread only
  std::deque<boost::asio::steady_timer*> waiters_;  // checker thread only
  std::thread thread_;
};

}  // namespace poise::jobs
