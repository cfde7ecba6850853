// IpConnectionLimiter: the per-address connection cap (POISE_MAX_CONNECTIONS_PER_IP), like nginx's
// limit_conn. Counts open client connections per peer address across all worker threads, under
// one mutex held for a map lookup; addresses in the exempt ranges (POISE_TRUSTED_PROXIES) are
// never counted. A Lease gives its count back when destroyed, so no exit path can leak one.
// Thread-safe; the limiter must outlive every Lease it hands out.
#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "net/address_ranges.h"

namespace poise::net {

class IpConnectionLimiter {
 public:
  using Key = std::array<std::uint8_t, 16>;  // the address as IPv6 (IPv4 mapped)

  // One counted (or exempt) connection. Movable; releases its count on destruction.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    // False when the address was at its cap (the connection must be refused).
    explicit operator bool() const { return granted_; }

   private:
    friend class IpConnectionLimiter;
    Lease(IpConnectionLimiter* owner, const Key& key) : owner_(owner), key_(key), granted_(true) {}
    void release();
    IpConnectionLimiter* owner_ = nullptr;  // null: nothing counted (exempt, off, or refused)
    Key key_{};
    bool granted_ = false;
  };

  // `per_ip` 0 turns the cap off: every acquire is granted and nothing is counted.
  IpConnectionLimiter(std::size_t per_ip, AddressRanges exempt);

  // Counts one more connection from `address`, or refuses (an empty Lease) when it already has
  // `per_ip` open. Exempt addresses are granted without counting.
  Lease tryAcquire(const boost::asio::ip::address& address);

  // Open connections counted for `address` (0 for exempt or unknown ones).
  std::size_t count(const boost::asio::ip::address& address) const;
  // Addresses with at least one counted connection.
  std::size_t trackedAddresses() const;

 private:
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  static Key keyOf(const boost::asio::ip::address& address);
  void release(const Key& key);

  const std::size_t per_ip_;
  const AddressRanges exempt_;
  mutable std::mutex mu_;
  std::unordered_map<Key, std::size_t, KeyHash> counts_;
};

}  // namespace poise::net
