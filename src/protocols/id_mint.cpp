#include "protocols/id_mint.h"

namespace poise::protocols {

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
}

std::uint64_t IdMint::nextWord() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string IdMint::token(std::size_t length) {
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    std::uint64_t word = nextWord();
    // 10 characters per 64-bit word (62^10 < 2^60); the modulo bias is negligible for ids.
    for (int i = 0; i < 10 && out.size() < length; ++i) {
      out += kAlphabet[word % kAlphabet.size()];
      word /= kAlphabet.size();
    }
  }
  return out;
}

std::string IdMint::next(std::string_view prefix, std::size_t length) {
  std::string out(prefix);
  out += token(length);
  return out;
}

}  // namespace poise::protocols
