// Secrets stored in text columns (sealed config values, alert webhook headers):
// "sealed:v1:" + hex(nonce) + ":" + hex(ciphertext and tag), AES-256-GCM under the master key
// (KeyCipher), bound to a context string as associated data so that a sealed value copied to
// another place does not open there. `poise keys rekey` re-seals every such value.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/key_cipher.h"

namespace poise::storage {

inline constexpr std::string_view kSealedTextPrefix = "sealed:v1:";

// Fails (crypto_error) only if the random generator or OpenSSL fails.
Result<std::string> sealText(const KeyCipher& cipher, std::string_view context,
                             std::string_view plain);

// Whether `stored` has the sealed form's prefix (it may still fail to open).
bool isSealedText(std::string_view stored);

// decrypt_failed (with an empty message: the caller names what failed) when `stored` is not in
// the sealed form, was sealed under another master key or context, or was altered.
Result<std::string> openSealedText(const KeyCipher& cipher, std::string_view context,
                                   std::string_view stored);

}  // namespace poise::storage
