#include "alerts/error_rate_window.h"

namespace poise::alerts {

void ErrorRateWindow::add(std::int64_t second, bool error) {
  const auto slot = static_cast<std::size_t>(((second % kSeconds) + kSeconds) % kSeconds);
  const std::lock_guard lock(mu_);
  Bucket& b = buckets_[slot];
  if (b.second != second) b = Bucket{.second = second};
  ++b.requests;
  if (error) ++b.errors;
}

ErrorRateWindow::Totals ErrorRateWindow::totals(std::int64_t second) const {
  Totals out;
  const std::lock_guard lock(mu_);
  for (const Bucket& b : buckets_) {
    if (b.second > second - kSeconds && b.second <= second) {
      out.requests += b.requests;
      out.errors += b.errors;
    }
  }
  return out;
}

}  // namespace poise::alerts
