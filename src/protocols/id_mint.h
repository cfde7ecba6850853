// IdMint: mints the random-looking ids that translated responses carry (chatcmpl-…, call_…,
// msg_…, toolu_…). It is a seeded generator (SplitMix64), so golden tests are exact; the proxy
// seeds one per request from a real random source. Not thread-safe: one per request or stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace poise::protocols {

class IdMint {
 public:
  explicit IdMint(std::uint64_t seed) : state_(seed) {}

  // `length` characters from [A-Za-z0-9].
  std::string token(std::size_t length);
  // prefix + token(length), e.g. next("call_") → "call_3kTq…".
  std::string next(std::string_view prefix, std::size_t length = 24);

 private:
  std::uint64_t nextWord();
  std::uint64_t state_;
};

}  // namespace poise::protocols
