#include "jobs/key_checker.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

namespace poise::jobs {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A checker whose upstream is a loopback listener that accepts and never answers, so a check
// stays in flight until the checker is stopped (the validation timeout is ten minutes).
class KeyCheckerStopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_.open(tcp::v4());
    upstream_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    upstream_.listen();
    config_.publish({{"target_api_url",
                      "http://127.0.0.1:" + std::to_string(upstream_.local_endpoint().port())},
                     {"key_validation_method", "models"},
                     {"key_validation_timeout_seconds", "600"}});
    pool_.load({keys::PoolKey{.id = 1, .value = "key-one"}});
  }

  void TearDown() override {
    checker_.stop();
    caller_guard_.reset();
    if (caller_thread_.joinable()) caller_thread_.join();
  }

  // Starts check(1) from another thread, as an admin request would; the future has its result.
  std::future<std::optional<CheckResult>> checkInBackground() {
    auto done = std::make_shared<std::promise<std::optional<CheckResult>>>();
    auto result = done->get_future();
    asio::co_spawn(caller_, checker_.check(1),
                   [done](const std::exception_ptr& e, std::optional<CheckResult> r) {
                     if (e) {
                       done->set_exception(e);
                     } else {
                       done->set_value(std::move(r));
                     }
                   });
    if (!caller_thread_.joinable()) caller_thread_ = std::thread([this] { caller_.run(); });
    return result;
  }

  ManualClock clock_;
  config::RuntimeConfigStore config_;
  keys::KeyPool pool_{clock_, 1};
  asio::ssl::context tls_{asio::ssl::context::tls_client};
  asio::io_context upstream_ioc_;
  tcp::acceptor upstream_{upstream_ioc_};
  KeyChecker checker_{KeyCheckerDeps{config_, pool_, clock_, tls_}};
  asio::io_context caller_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> caller_guard_{
      caller_.get_executor()};
  std::thread caller_thread_;
};

TEST_F(KeyCheckerStopTest, RequestStopCutsAnInFlightCheckWithoutBlocking) {
  checker_.start();
  auto result = checkInBackground();
  // The checker's request has reached the upstream: the check is in flight.
  tcp::socket held = upstream_.accept();
  EXPECT_EQ(result.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);

  checker_.requestStop();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto got = result.get();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, "error");
  EXPECT_TRUE(got->message.starts_with("Inconclusive")) << got->message;
  EXPECT_EQ(pool_.get(1)->status, keys::KeyStatus::Active);  // a cut check changes nothing

  checker_.stop();  // joins the checker's thread
}

TEST_F(KeyCheckerStopTest, AfterTheStopNewChecksAreRefusedAtOnce) {
  checker_.start();
  checker_.requestStop();
  checker_.requestStop();  // idempotent
  auto result = checkInBackground();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto got = result.get();
  ASSERT_TRUE(got.has_value());
  EXPECT_NE(got->message.find("shutting down"), std::string::npos) << got->message;
  EXPECT_FALSE(checker_.startBulk({1}));
  checker_.stop();
  checker_.stop();  // idempotent
}

TEST_F(KeyCheckerStopTest, StopWithoutStartReturns) {
  checker_.requestStop();
  checker_.stop();
  SUCCEED();
}

}  // namespace
}  // namespace poise::jobs
