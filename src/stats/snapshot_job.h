// SnapshotJob: the statistics background work. Every key_survival_snapshot_interval_seconds
// (re-read each tick) it appends a survival snapshot from KeyPool::statusCounts(); every few
// seconds it persists CallCounters::drainHourly(); about hourly it runs retention compaction
// (and prunes the usage aggregates).
// Its loop runs on a strand of the BlockingPool (so database calls never touch an I/O thread);
// start() and stop() are for the owning thread; tick() is for tests.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <memory>
#include <optional>

#include "config/runtime_config.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "keys/key_pool.h"
#include "stats/call_counters.h"
#include "storage/statistics_repository.h"
#include "storage/usage_aggregate_repository.h"

namespace poise::stats {

struct SnapshotJobDeps {
  BlockingPool& blocking;
  storage::StatisticsRepository& repo;
  keys::KeyPool& pool;
  config::RuntimeConfigStore& config;
  CallCounters& counters;
  const Clock& clock;
  storage::UsageAggregateRepository* usage = nullptr;  // pruned with each compaction when set
};

class SnapshotJob {
 public:
  static constexpr std::int64_t kCallFlushIntervalMs = 5'000;
  static constexpr std::int64_t kCompactionIntervalMs = 3'600'000;

  explicit SnapshotJob(SnapshotJobDeps deps) : d_(deps) {}
  ~SnapshotJob() { stop(); }
  SnapshotJob(const SnapshotJob&) = delete;
  SnapshotJob& operator=(const SnapshotJob&) = delete;

  // Loads the persisted call counts of the last 32 days into the CallCounters. Blocks (start-up).
  Status seedCounters();
  // Starts the loop on the BlockingPool; it ticks once a second.
  void start();
  // Asks the loop to end after the round in progress. Does not block; any thread.
  void requestStop();
  // Ends the loop, waits for it, then persists the call counts not yet written. Blocks; call it
  // before BlockingPool::stop(). Safe to call twice, or without start().
  void stop();

  // One round of work due at the clock's monotonic time; blocks (database). The first call takes
  // a snapshot, flushes and compacts at once.
  void tick();
  // Persists the drained hourly call counts; a failed write puts them back.
  Status flushCalls();

 private:
  SnapshotJobDeps d_;
  std::optional<std::int64_t> last_snapshot_ms_;
  std::optional<std::int64_t> last_flush_ms_;
  std::optional<std::int64_t> last_compaction_ms_;

  struct Loop;
  std::shared_ptr<Loop> loop_;
};

}  // namespace poise::stats
