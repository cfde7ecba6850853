#include "net/ip_connection_limiter.h"

#include <cassert>
#include <cstring>
#include <utility>

namespace poise::net {

namespace ip = boost::asio::ip;

IpConnectionLimiter::Lease::Lease(Lease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      key_(other.key_),
      granted_(std::exchange(other.granted_, false)) {}

IpConnectionLimiter::Lease& IpConnectionLimiter::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    key_ = other.key_;
    granted_ = std::exchange(other.granted_, false);
  }
  return *this;
}

IpConnectionLimiter::Lease::~Lease() {
  release();
}

void IpConnectionLimiter::Lease::release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->release(key_);
  granted_ = false;
}

IpConnectionLimiter::IpConnectionLimiter(std::size_t per_ip, AddressRanges exempt)
    : per_ip_(per_ip), exempt_(std::move(exempt)) {}

std::size_t IpConnectionLimiter::KeyHash::operator()(const Key& k) const noexcept {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  std::memcpy(&hi, k.data(), 8);
  std::memcpy(&lo, k.data() + 8, 8);
  return std::hash<std::uint64_t>{}(hi ^ (lo * 0x9E3779B97F4A7C15ULL));
}

IpConnectionLimiter::Key IpConnectionLimiter::keyOf(const ip::address& address) {
  const ip::address a = unmapped(address);
  return a.is_v4() ? ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes()
                   : a.to_v6().to_bytes();
}

IpConnectionLimiter::Lease IpConnectionLimiter::tryAcquire(const ip::address& address) {
  Lease granted_uncounted;
  granted_uncounted.granted_ = true;
  if (per_ip_ == 0 || exempt_.contains(address)) return granted_uncounted;
  const Key key = keyOf(address);
  std::lock_guard lock(mu_);
  auto& n = counts_[key];  // per_ip_ > 0, so a new entry (0) is never refused and left behind
  if (n >= per_ip_) return Lease{};
  ++n;
  return Lease{this, key};
}

void IpConnectionLimiter::release(const Key& key) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(key);
  assert(it != counts_.end() && it->second > 0);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

std::size_t IpConnectionLimiter::count(const ip::address& address) const {
  const Key key = keyOf(address);
  std::lock_guard lock(mu_);
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

std::size_t IpConnectionLimiter::trackedAddresses() const {
  std::lock_guard lock(mu_);
  return counts_.size();
}

}  // namespace poise::net
