// The rules a new admin password must meet (SPEC §4): long enough, and not one of the trivial
// passwords an attacker tries first. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "core/result.h"

namespace poise::auth {

inline constexpr std::size_t kMinPasswordLength = 12;   // characters (UTF-8 code points)
inline constexpr std::size_t kMaxPasswordLength = 256;  // bytes

// Refuses (code "weak_password", a message saying why) a password shorter than 12 characters or
// longer than 256 bytes, one character repeated, a short pattern repeated ("abcabcabcabc"), a
// run along the alphabet, the digits or a keyboard row ("123456789012", "abcdefghijkl",
// "qwertyuiop[]"), the username itself, or a common password with digits and symbols around it
// ("Password2024!").
Status checkNewPassword(std::string_view password, std::string_view username);

}  // namespace poise::auth
