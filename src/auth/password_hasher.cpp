#include "auth/password_hasher.h"

#include <openssl/sha.h>
#include <sodium.h>

namespace poise::auth {

namespace {
std::string toHex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 0xf];
  }
  return out;
}
}  // namespace

bool initCrypto() {
  return sodium_init() >= 0;
}

Result<std::string> hashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return makeError("hash_failed", "password hashing ran out of memory");
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
  (void)verifyPassword(dummy, password);
}

std::string generatePassword() {
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  std::string out(24, 'x');
  for (auto& c : out) c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return out;
}

std::string generateToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return toHex(bytes, sizeof bytes);
}

std::string hashToken(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return toHex(digest, sizeof digest);
}

}  // namespace poise::auth
