#include "net/ip_connection_limiter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace poise::net {
namespace {

boost::asio::ip::address addr(const char* s) {
  return boost::asio::ip::make_address(s);
}

AddressRanges ranges(const char* text) {
  auto r = AddressRanges::parse(text);
  EXPECT_TRUE(r);
  return r ? *r : AddressRanges{};
}

TEST(IpConnectionLimiter, RefusesBeyondTheCapPerAddressAndGivesBackOnRelease) {
  IpConnectionLimiter limiter(2, {});
  auto a1 = limiter.tryAcquire(addr("10.0.0.1"));
  auto a2 = limiter.tryAcquire(addr("10.0.0.1"));
  auto b1 = limiter.tryAcquire(addr("10.0.0.2"));
  EXPECT_TRUE(a1);
  EXPECT_TRUE(a2);
  EXPECT_TRUE(b1) << "another address has its own count";
  auto a3 = limiter.tryAcquire(addr("10.0.0.1"));
  EXPECT_FALSE(a3);
  EXPECT_EQ(limiter.count(addr("10.0.0.1")), 2u) << "a refusal counts nothing";
  a1 = IpConnectionLimiter::Lease{};  // released by assignment
  EXPECT_EQ(limiter.count(addr("10.0.0.1")), 1u);
  EXPECT_TRUE(limiter.tryAcquire(addr("10.0.0.1")));  // taken and given back at once
  EXPECT_EQ(limiter.count(addr("10.0.0.1")), 1u);
}

TEST(IpConnectionLimiter, MappedAndPlainIpv4AreOneAddress) {
  IpConnectionLimiter limiter(1, {});
  auto plain = limiter.tryAcquire(addr("192.0.2.7"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(limiter.tryAcquire(addr("::ffff:192.0.2.7")));
}

TEST(IpConnectionLimiter, ExemptAddressesAndACapOfZeroCountNothing) {
  IpConnectionLimiter limiter(1, ranges("127.0.0.1,10.0.0.0/8"));
  std::vector<IpConnectionLimiter::Lease> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(limiter.tryAcquire(addr("127.0.0.1")));
    held.push_back(limiter.tryAcquire(addr("10.1.2.3")));
    EXPECT_TRUE(held.back());
  }
  EXPECT_EQ(limiter.trackedAddresses(), 0u);
  EXPECT_TRUE(limiter.tryAcquire(addr("127.0.0.2")));

  IpConnectionLimiter off(0, {});
  std::vector<IpConnectionLimiter::Lease> many(100);
  for (auto& lease : many) lease = off.tryAcquire(addr("203.0.113.9"));
  EXPECT_TRUE(many.back());
  EXPECT_EQ(off.trackedAddresses(), 0u);
}

TEST(IpConnectionLimiter, MovedLeasesReleaseOnceAndTheMapEmpties) {
  IpConnectionLimiter limiter(3, {});
  {
    auto a = limiter.tryAcquire(addr("2001:db8::1"));
    IpConnectionLimiter::Lease b(std::move(a));
    IpConnectionLimiter::Lease c;
    c = std::move(b);
    EXPECT_EQ(limiter.count(addr("2001:db8::1")), 1u);
  }
  EXPECT_EQ(limiter.count(addr("2001:db8::1")), 0u);
  EXPECT_EQ(limiter.trackedAddresses(), 0u);
}

TEST(IpConnectionLimiter, ExactAcrossThreads) {
  constexpr std::size_t kCap = 50;
  IpConnectionLimiter limiter(kCap, {});
  std::atomic<std::size_t> granted{0};
  std::vector<std::vector<IpConnectionLimiter::Lease>> held(4);
  std::vector<std::thread> threads;
  threads.reserve(held.size());
  for (auto& mine : held) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto lease = limiter.tryAcquire(addr("198.51.100.1"));
        if (i % 2 == 0 && lease) {
          ++granted;
          mine.push_back(std::move(lease));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(granted.load(), kCap) << "the cap is exact under contention";
  EXPECT_EQ(limiter.count(addr("198.51.100.1")), kCap);
  held.clear();
  EXPECT_EQ(limiter.trackedAddresses(), 0u);
}

}  // namespace
}  // namespace poise::net
