#include "core/digest.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace poise {

Sha256 sha256(std::string_view data) {
  Sha256 out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

bool digestEquals(const Sha256& a, const Sha256& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace poise
