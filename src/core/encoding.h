// Hex and base64 codecs: thin wrappers over libsodium's constant-time ones, so secrets (master
// keys, digests) never index a lookup table. Pure functions; thread-safe; they need no
// sodium_init().
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace poise {

// RFC 4648 alphabets: kStandard is '+' and '/', kUrlSafe is '-' and '_' (section 5).
enum class Base64Alphabet { kStandard, kUrlSafe };

// Lowercase hex, two characters per byte.
std::string toHex(std::span<const unsigned char> bytes);
// Exactly an even number of hex digits (either case); nullopt on anything else.
std::optional<std::vector<unsigned char>> fromHex(std::string_view hex);

// Base64 of `bytes`; `padded` appends '=' to a multiple of 4 characters.
std::string toBase64(std::span<const unsigned char> bytes,
                     Base64Alphabet alphabet = Base64Alphabet::kStandard, bool padded = true);
// Strict decoding in one alphabet: padding as written by toBase64 (required when `padded`,
// forbidden otherwise), no whitespace, unused trailing bits zero. nullopt on anything else.
std::optional<std::vector<unsigned char>> fromBase64(
    std::string_view text, Base64Alphabet alphabet = Base64Alphabet::kStandard, bool padded = true);
// Either alphabet (not mixed), with or without padding: for values typed or pasted by people.
std::optional<std::vector<unsigned char>> fromAnyBase64(std::string_view text);

}  // namespace poise
