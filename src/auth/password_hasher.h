// Password hashing with argon2id (libsodium's crypto_pwhash_str, "interactive" limits: 2 passes,
// 64 MiB, above OWASP's minimum of 19 MiB / 2 passes). Hashing is deliberately slow (~100 ms):
// call it on the BlockingPool, never on an I/O thread. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace poise::auth {

// Initialises libsodium; call once at start-up. Returns false if it cannot start.
bool initCrypto();

Result<std::string> hashPassword(std::string_view password);
bool verifyPassword(std::string_view hash, std::string_view password);
// Spends the same time as a verification, for unknown users (no user enumeration by timing).
void burnVerificationTime(std::string_view password);

// A random password for the first admin: 24 characters from an unambiguous alphabet.
std::string generatePassword();
// 32 random bytes as 64 lowercase hex characters (session tokens).
std::string generateToken();
// Lowercase hex SHA-256 of a token, the form stored in the database.
std::string hashToken(std::string_view token);

}  // namespace poise::auth
