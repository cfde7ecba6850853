// ErrorRateWindow: requests and errors over the last five minutes, in per-second buckets, for
// the error_rate.high alert. add() is on the request path (ServerApp::consumeRecord): a short
// mutex over two counters, no allocation. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

namespace poise::alerts {

class ErrorRateWindow {
 public:
  static constexpr std::int64_t kSeconds = 300;

  struct Totals {
    std::int64_t requests = 0;
    std::int64_t errors = 0;
  };

  // Counts one finished request at `second` (Unix seconds), an error or not.
  void add(std::int64_t second, bool error);
  // The counts of the kSeconds seconds ending with `second` (inclusive).
  Totals totals(std::int64_t second) const;

 private:
  struct Bucket {
    std::int64_t second = -1;
    std::int64_t requests = 0;
    std::int64_t errors = 0;
  };
  mutable std::mutex mu_;
  std::array<Bucket, kSeconds> buckets_{};
};

}  // namespace poise::alerts
