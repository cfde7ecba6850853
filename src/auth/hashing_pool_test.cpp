#include "auth/hashing_pool.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace poise::auth {
namespace {

namespace asio = boost::asio;

// A gate the test opens: jobs block on it, so the pool stays full while the test probes it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int running = 0;
  int peak = 0;
  void pass() {
    std::unique_lock lock(mu);
    peak = std::max(peak, ++running);
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
    --running;
  }
  // Waits until `n` jobs are inside; fails the test after a few seconds.
  bool waitRunning(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return running == n; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

// Runs handlers until `done()`; waits for work posted back from the pool's threads.
template <class Pred>
void runUntil(asio::io_context& io, Pred done) {
  while (!done()) {
    if (io.run_one() == 0) {
      io.restart();
      std::this_thread::yield();
    }
  }
}

TEST(HashingPool, RunsAtMostThreadsJobsAndRefusesPastTheQueueAtOnce) {
  HashingPool pool(HashingPoolOptions{.threads = 2, .queue = 3});
  Gate gate;
  asio::io_context io;
  int done = 0;
  int refused = 0;
  auto job = [&gate] {
    gate.pass();
    return 7;
  };
  for (int i = 0; i < 8; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto r = co_await pool.tryRun(job);
          if (!r) {
            ++refused;
          } else {
            EXPECT_EQ(*r, 7);
            ++done;
          }
        },
        asio::detached);
  }
  // Run until the refusals are in: they come at once, without any job finishing.
  runUntil(io, [&] { return refused == 3; });
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(pool.admitted(), 5u);
  ASSERT_TRUE(gate.waitRunning(2));
  gate.release();
  runUntil(io, [&] { return done == 5; });
  EXPECT_EQ(gate.peak, 2) << "two threads, so two jobs at once";
  EXPECT_EQ(pool.admitted(), 0u);
  // Room again once the jobs are done.
  bool ran = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto quick = [] { return 1; };
        ran = (co_await pool.tryRun(quick)).has_value();
      },
      asio::detached);
  runUntil(io, [&] { return ran; });
  pool.stop();
}

}  // namespace
}  // namespace poise::auth
