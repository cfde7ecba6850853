#include "storage/sealed_text.h"

#include "core/encoding.h"

namespace poise::storage {

Result<std::string> sealText(const KeyCipher& cipher, std::string_view context,
                             std::string_view plain) {
  auto s = cipher.encrypt(plain, context);
  if (!s) return s.error();
  return std::string(kSealedTextPrefix) + toHex(s->nonce) + ":" + toHex(s->ciphertext);
}

bool isSealedText(std::string_view stored) {
  return stored.starts_with(kSealedTextPrefix);
}

Result<std::string> openSealedText(const KeyCipher& cipher, std::string_view context,
                                   std::string_view stored) {
  if (!isSealedText(stored)) return makeError(ErrorCode::DecryptFailed, "");
  const std::string_view body = stored.substr(kSealedTextPrefix.size());
  const auto colon = body.find(':');
  if (colon == std::string_view::npos) return makeError(ErrorCode::DecryptFailed, "");
  auto nonce = fromHex(body.substr(0, colon));
  auto ciphertext = fromHex(body.substr(colon + 1));
  if (!nonce || !ciphertext) return makeError(ErrorCode::DecryptFailed, "");
  auto plain = cipher.decrypt(*ciphertext, *nonce, context);
  if (!plain) return makeError(ErrorCode::DecryptFailed, "");
  return plain;
}

}  // namespace poise::storage
