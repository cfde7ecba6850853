// BulkCheckTasks: the on-demand bulk checks (POST /api/v1/api_keys/bulk-check) as the status
// route shows them: pending → running → completed | failed, with progress and results. Tasks
// live in memory only; a finished task is kept for `finished_ttl`, and at most `max_tasks` are
// held (the oldest finished ones go first). Thread-safe: one mutex; the checker thread writes,
// admin handlers read.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "jobs/check_outcome.h"

namespace poise::jobs {

struct BulkTask {
  enum class Status { Pending, Running, Completed, Failed };
  std::string task_id;
  std::vector<std::int64_t> key_ids;
  Status status = Status::Pending;
  std::int64_t completed_keys = 0;
  std::vector<CheckResult> results;  // in completion order
  TimePoint created_at{};
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::optional<std::string> error;

  std::int64_t totalKeys() const { return static_cast<std::int64_t>(key_ids.size()); }
  // completed / total × 100, rounded to 2 decimals (100 for an empty task).
  double progress() const;
};
std::string_view toString(BulkTask::Status s);

struct BulkCheckTasksOptions {
  std::size_t max_tasks = 64;
  std::chrono::milliseconds finished_ttl{std::chrono::minutes(10)};
};

class BulkCheckTasks {
 public:
  explicit BulkCheckTasks(const Clock& clock, BulkCheckTasksOptions options = {});

  // Registers a pending task for `key_ids` and returns its id (a random UUID v4). Error "busy"
  // when max_tasks tasks are held and none of them has finished.
  Result<std::string> create(std::vector<std::int64_t> key_ids);
  void start(const std::string& task_id);
  void addResult(const std::string& task_id, CheckResult result);
  void complete(const std::string& task_id);
  void fail(const std::string& task_id, std::string error);

  // A copy of the task; nullopt when unknown or expired.
  std::optional<BulkTask> get(const std::string& task_id);
  std::size_t size();

 private:
  void purgeLocked(TimePoint now);
  std::string newIdLocked();

  const Clock& clock_;
  BulkCheckTasksOptions options_;
  std::mutex mu_;
  std::map<std::string, BulkTask> tasks_;
  std::mt19937_64 rng_;
};

}  // namespace poise::jobs
