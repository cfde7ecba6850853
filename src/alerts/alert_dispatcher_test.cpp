#include "alerts/alert_dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <thread>
#include <vector>

namespace poise::alerts {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A loopback HTTP receiver on port 0 answering the statuses of `plan` in turn (then 200); it
// keeps each request it read. One connection per request (it answers Connection: close).
class Receiver {
 public:
  explicit Receiver(std::vector<unsigned> plan)
      : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        plan_(std::move(plan)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> requests() {
    const std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    for (std::size_t n = 0;; ++n) {
      tcp::socket s(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stopping_) return;
      asio::streambuf buf;
      asio::read_until(s, buf, "\r\n\r\n", ec);
      if (ec) continue;
      std::string text(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
      const auto cl = text.find("Content-Length: ");
      const std::size_t head_end = text.find("\r\n\r\n") + 4;
      const std::size_t want = cl == std::string::npos ? 0 : std::stoul(text.substr(cl + 16));
      while (text.size() < head_end + want) {
        char chunk[4096];
        const std::size_t got = s.read_some(asio::buffer(chunk), ec);
        if (ec) break;
        text.append(chunk, got);
      }
      {
        const std::lock_guard lock(mu_);
        requests_.push_back(text);
      }
      const unsigned status = n < plan_.size() ? plan_[n] : 200;
      const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                                 " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      asio::write(s, asio::buffer(answer), ec);
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<unsigned> plan_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

struct Recorded {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<DeliveryResult> results;
  DeliveryResult waitOne() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !results.empty(); });
    return results.front();
  }
};

class AlertDispatcherTest : public ::testing::Test {
 protected:
  std::unique_ptr<AlertDispatcher> make(bool allow_private) {
    auto d = std::make_unique<AlertDispatcher>(
        clock_, *tls_, AlertDispatcherOptions{.allow_private = allow_private},
        [this](const DeliveryJob&, const DeliveryResult& r) {
          const std::lock_guard lock(recorded_.mu);
          recorded_.results.push_back(r);
          recorded_.cv.notify_all();
        });
    d->start();
    return d;
  }
  DeliveryJob job(std::string url) {
    return DeliveryJob{.webhook_id = 1,
                       .url = std::move(url),
                       .headers = {{"X-Team", "ops"}, {"Authorization", "Bearer hook-secret"}},
                       .event = "test",
                       .body = R"({"event":"test"})",
                       .summary = "test"};
  }

  SystemClock clock_;
  std::unique_ptr<asio::ssl::context> tls_ = net::makeClientTlsContext().value();
  Recorded recorded_;
};

TEST_F(AlertDispatcherTest, RetriesUntilTheReceiverTakesIt) {
  Receiver receiver({500});
  auto d = make(true);
  ASSERT_TRUE(d->enqueue(job("http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook?a=1")));
  const DeliveryResult r = recorded_.waitOne();
  EXPECT_TRUE(r.delivered) << r.last_error;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.last_status, 200u);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(requests[0].starts_with("POST /hook?a=1 HTTP/1.1\r\n")) << requests[0];
  EXPECT_NE(requests[0].find("X-Team: ops\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("Authorization: Bearer hook-secret\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_TRUE(requests[0].ends_with(R"({"event":"test"})"));
}

TEST_F(AlertDispatcherTest, ARedirectIsNotFollowed) {
  Receiver receiver({302, 302, 302});
  auto d = make(true);
  auto j = job("http://127.0.0.1:" + std::to_string(receiver.port()) + "/");
  j.max_attempts = 1;
  const DeliveryResult r = d->sendNow(std::move(j)).get();
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.last_status, 302u);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(AlertDispatcherTest, LoopbackIsRefusedAtConnectWithoutTheSwitch) {
  Receiver receiver({});
  auto d = make(false);
  // A name, so the save-time check lets it through: refused on what it resolves to.
  auto j = job("http://localhost:" + std::to_string(receiver.port()) + "/hook");
  j.max_attempts = 1;
  const DeliveryResult r = d->sendNow(std::move(j)).get();
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.last_status);
  EXPECT_NE(r.last_error.find("loopback"), std::string::npos) << r.last_error;
  EXPECT_TRUE(receiver.requests().empty());
  // A literal address is refused before anything is resolved.
  auto literal = job("http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook");
  literal.max_attempts = 1;
  const DeliveryResult l = d->sendNow(std::move(literal)).get();
  EXPECT_NE(l.last_error.find("POISE_ALERTS_ALLOW_PRIVATE"), std::string::npos) << l.last_error;
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(AlertDispatcherTest, AFullQueueDropsAndCounts) {
  AlertDispatcher d(clock_, *tls_, AlertDispatcherOptions{.queue_capacity = 1}, nullptr);
  // Not started: nothing drains, and a stopped dispatcher refuses everything.
  EXPECT_FALSE(d.enqueue(job("http://example.com/")));
  EXPECT_EQ(d.dropped(), 1u);
}

}  // namespace
}  // namespace poise::alerts
