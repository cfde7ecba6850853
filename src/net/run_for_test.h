// runForTest: runs one coroutine on an io_context until it finishes, for the net/ unit tests,
// which drive real loopback sockets from a single thread. Test code only.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>

namespace poise::net {

// Runs `body` on `ioc` until it finishes, 5 s at most (a test that takes longer fails); an
// exception it throws is rethrown here. Leaves `ioc` ready to run again.
inline void runForTest(boost::asio::io_context& ioc, boost::asio::awaitable<void> body) {
  bool finished = false;
  boost::asio::co_spawn(ioc, std::move(body), [&](const std::exception_ptr& e) {
    finished = true;
    ioc.stop();
    if (e) std::rethrow_exception(e);
  });
  ioc.run_for(std::chrono::seconds(5));
  ioc.restart();
  ASSERT_TRUE(finished);
}

}  // namespace poise::net
