#include "auth/password_hasher.h"

#include <sodium.h>

#include "core/digest.h"
#include "core/encoding.h"

namespace poise::auth {

bool initCrypto() {
  return sodium_init() >= 0;
}

Result<std::string> hashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return makeError(ErrorCode::HashFailed, "password hashing ran out of memory");
  }
  return std::string(out);
}

bool verifyPassword(std::string_view hash, std::string_view password) {
  std::string h(hash);  // crypto_pwhash_str_verify needs a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

void burnVerificationTime(std::string_view password) {
  static const std::string dummy = [] {
    auto h = hashPassword("not-a-real-password");
    return h ? *h : std::string();
  }();
  (void)verifyPassword(dummy, password);  // only the time it takes matters
}

std::string generatePassword() {
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  std::string out(24, 'x');
  for (auto& c : out) c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return out;
}

std::string generateToken() {
  Sha256 bytes;  // 32 random bytes; the type just has the right size
  randombytes_buf(bytes.data(), bytes.size());
  return toHex(bytes);
}

std::string hashToken(std::string_view token) {
  return toHex(sha256(token));
}

}  // namespace poise::auth
