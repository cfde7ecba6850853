// LoginThrottle: counts failed logins per key (a username, an IP) and locks a key after too many.
// A password check is admitted *before* it runs and holds a slot until it ends, so concurrent
// guesses cannot check more passwords than the lock allows. Pure logic with the time passed in;
// thread-safe (one mutex, held for a map lookup or two).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace poise::auth {

struct ThrottleOptions {
  // A key may fail `free_failures` times; the next failure locks it for `base_lock`, and every
  // further failure doubles the lock, up to `max_lock`. A success clears the key.
  int free_failures = 5;
  std::chrono::seconds base_lock{2};
  std::chrono::seconds max_lock{900};
  // Keys remembered at most; past it, keys with no check in flight are forgotten.
  std::size_t max_keys = 100'000;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleOptions options) : options_(options) {}

  struct Decision {
    bool admitted = false;
    bool locked = false;    // refused because a key is locked (else: all its slots are taken)
    Millis retry_after{0};  // when refused: until the lock ends, or a short wait for a slot
  };
  // Admits one password check for every key, or for none. A key admits as many checks at once
  // as failures it may take before its lock starts (one once it has been locked).
  Decision begin(std::span<const std::string> keys, TimePoint now);

  enum class Outcome { Failed, Succeeded, Abandoned };
  // Ends a check admitted by begin() with the same keys. Failed counts a failure (and may start
  // a lock), Succeeded clears the keys, Abandoned (the check never ran) only frees the slot.
  // Returns true when this failure started or extended a lock on some key.
  bool finish(std::span<const std::string> keys, Outcome outcome, TimePoint now);

  // The wait a refused client is told when no key is locked but every slot is busy.
  static constexpr Millis kSlotWait{1000};

 private:
  struct Entry {
    int failures = 0;
    int in_flight = 0;
    TimePoint locked_until;
  };
  int allowedInFlight(const Entry& e) const;
  void makeRoom(TimePoint now);

  ThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace poise::auth
