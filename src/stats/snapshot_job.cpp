#include "stats/snapshot_job.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "core/log.h"

namespace poise::stats {

namespace asio = boost::asio;

struct SnapshotJob::Loop {
  explicit Loop(BlockingPool& blocking)
      : strand(asio::make_strand(blocking.executor())), timer(strand), done(promise.get_future()) {}
  asio::strand<asio::thread_pool::executor_type> strand;
  asio::steady_timer timer;  // used on the strand only
  bool stopping = false;     // strand only
  std::promise<void> promise;
  std::future<void> done;
};

namespace {

asio::awaitable<void> runLoop(SnapshotJob* job, asio::steady_timer* timer, const bool* stopping) {
  while (!*stopping) {
    job->tick();
    timer->expires_after(std::chrono::seconds(1));
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace

Status SnapshotJob::seedCounters() {
  const TimePoint now = d_.clock.now();
  auto rows = d_.repo.loadCallCounts(now - std::chrono::days(32));
  if (!rows) return rows.error();
  std::vector<HourlyCallCount> seed;
  seed.reserve(rows->size());
  for (const auto& r : *rows) {
    seed.push_back(HourlyCallCount{.hour = r.hour, .count = {r.calls, r.failures}});
  }
  d_.counters.seed(seed, now);
  return {};
}

void SnapshotJob::start() {
  if (loop_) return;
  loop_ = std::make_shared<Loop>(d_.blocking);
  Loop* loop = loop_.get();
  asio::co_spawn(loop->strand, runLoop(this, &loop->timer, &loop->stopping),
                 [loop](std::exception_ptr e) {
                   if (e) spdlog::error("msg=\"statistics job stopped unexpectedly\"");
                   loop->promise.set_value();
                 });
}

void SnapshotJob::requestStop() {
  if (!loop_) return;
  // The handler holds the loop: a second request may still be queued when stop() has waited.
  asio::post(loop_->strand, [loop = loop_] {
    loop->stopping = true;
    loop->timer.cancel();
  });
}

void SnapshotJob::stop() {
  if (!loop_) return;
  requestStop();
  loop_->done.wait();
  loop_.reset();
  if (auto st = flushCalls(); !st) {
    spdlog::error("msg=\"could not persist call counts\" error={}", logValue(st.error().message));
  }
}

Status SnapshotJob::flushCalls() {
  auto drained = d_.counters.drainHourly();
  if (drained.empty()) return {};
  std::vector<storage::HourlyCalls> rows;
  rows.reserve(drained.size());
  for (const auto& h : drained) {
    rows.push_back(
        storage::HourlyCalls{.hour = h.hour, .calls = h.count.calls, .failures = h.count.failures});
  }
  auto st = d_.repo.addCallCounts(rows);
  if (!st) d_.counters.requeue(drained);
  return st;
}

void SnapshotJob::tick() {
  const std::int64_t mono = d_.clock.monotonicMs();
  const auto cfg = d_.config.snapshot();
  const std::int64_t interval_ms = std::int64_t{cfg->key_survival_snapshot_interval_seconds} * 1000;
  if (!last_snapshot_ms_ || mono - *last_snapshot_ms_ >= interval_ms) {
    last_snapshot_ms_ = mono;
    const auto c = d_.pool.statusCounts();
    auto id = d_.repo.appendSnapshot(storage::SurvivalSnapshot{.timestamp = d_.clock.now(),
                                                               .active_keys = c.active,
                                                               .exhausted_keys = c.exhausted,
                                                               .error_keys = c.error,
                                                               .disabled_keys = c.disabled,
                                                               .total_keys = c.total()});
    if (!id) {
      spdlog::error("msg=\"could not append survival snapshot\" error={}",
                    logValue(id.error().message));
    }
  }
  if (!last_flush_ms_ || mono - *last_flush_ms_ >= kCallFlushIntervalMs) {
    last_flush_ms_ = mono;
    if (auto st = flushCalls(); !st) {
      spdlog::error("msg=\"could not persist call counts\" error={}", logValue(st.error().message));
    }
  }
  if (!last_compaction_ms_ || mono - *last_compaction_ms_ >= kCompactionIntervalMs) {
    last_compaction_ms_ = mono;
    auto r =
        d_.repo.compact(d_.clock.now(), std::chrono::hours(cfg->key_survival_raw_retention_hours),
                        std::chrono::days(cfg->key_survival_hourly_retention_days));
    if (!r) {
      spdlog::error("msg=\"survival compaction failed\" error={}", logValue(r.error().message));
    } else if (r->raw_rows_deleted + r->hour_rows_deleted + r->call_hours_deleted > 0) {
      spdlog::info(
          "msg=\"survival statistics compacted\" hour_rows={} raw_deleted={} day_rows={} "
          "hour_deleted={} call_hours_deleted={}",
          r->hour_rows_written, r->raw_rows_deleted, r->day_rows_written, r->hour_rows_deleted,
          r->call_hours_deleted);
    }
    if (d_.usage != nullptr) {
      if (auto n = d_.usage->prune(d_.clock.now()); !n) {
        spdlog::error("msg=\"usage aggregate pruning failed\" error={}",
                      logValue(n.error().message));
      } else if (*n > 0) {
        spdlog::info("msg=\"usage aggregates pruned\" rows={}", *n);
      }
    }
  }
}

}  // namespace poise::stats
