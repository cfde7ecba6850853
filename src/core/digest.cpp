#include "core/digest.h"

#include <sodium/crypto_hash_sha256.h>
#include <sodium/utils.h>

namespace poise {

// libsodium's SHA-256 is a plain function over the bytes (no sodium_init() needed). OpenSSL's
// SHA256() goes through an EVP fetch and context allocation on every call, about four times the
// instructions for a token-sized input, on every client request.
Sha256 sha256(std::string_view data) {
  Sha256 out;
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

bool digestEquals(const Sha256& a, const Sha256& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace poise
