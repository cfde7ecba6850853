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

std::string toHex(const Sha256& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(d.size() * 2, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 0xf];
  }
  return out;
}

}  // namespace poise
