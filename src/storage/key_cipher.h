// KeyCipher: protects upstream API keys at rest. encrypt() is AES-256-GCM under the 32-byte
// master key with a fresh random 12-byte nonce per value; fingerprint() is HMAC-SHA256 under a
// key derived from the master key by HKDF-Expand, so equal keys dedupe without storing plaintext.
// Immutable after construction: every method is const and thread-safe. Key material is wiped on
// destruction.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace poise::storage {

using MasterKey = std::array<std::uint8_t, 32>;

struct SealedKey {
  std::vector<std::uint8_t> ciphertext;  // encrypted bytes followed by the 16-byte GCM tag
  std::vector<std::uint8_t> nonce;       // 12 random bytes, unique per encryption
};

class KeyCipher {
 public:
  static constexpr std::size_t kNonceSize = 12;
  static constexpr std::size_t kTagSize = 16;

  explicit KeyCipher(const MasterKey& master_key);
  ~KeyCipher();
  KeyCipher(const KeyCipher&) = delete;
  KeyCipher& operator=(const KeyCipher&) = delete;

  // `associated_data` is authenticated but not stored: decrypt() must be given the same bytes.
  // Fails (code "crypto_error") only if the random generator or OpenSSL fails.
  Result<SealedKey> encrypt(std::string_view plaintext,
                            std::string_view associated_data = {}) const;
  // Fails with code "decrypt_failed" when the tag does not verify: wrong master key, tampered
  // ciphertext or nonce, or different associated data.
  Result<std::string> decrypt(std::span<const std::uint8_t> ciphertext,
                              std::span<const std::uint8_t> nonce,
                              std::string_view associated_data = {}) const;
  // 64 lowercase hex characters; equal plaintexts give equal fingerprints under one master key.
  std::string fingerprint(std::string_view plaintext) const;
  // 64 lowercase hex characters derived from the master key under a label of its own (HKDF), so
  // a stored copy tells whether a configured key is the right one without revealing it.
  std::string checkValue() const;
  // The display form stored beside each key (poise::maskSecret).
  static std::string masked(std::string_view plaintext);

 private:
  MasterKey key_;
  EVP_CIPHER* cipher_ = nullptr;
  // HMAC-SHA256 initialised with the fingerprint key; duplicated per call, never modified after
  // construction.
  EVP_MAC_CTX* fingerprint_mac_ = nullptr;
};

// Accepts 64 hex digits or base64 (standard or URL-safe, padding optional) of exactly 32 bytes,
// with surrounding whitespace ignored. Errors (code "invalid_master_key") never echo the input.
Result<MasterKey> parseMasterKey(std::string_view hex_or_base64);

struct LoadedMasterKey {
  MasterKey key;
  bool generated = false;             // true when this call created the file
  bool insecure_permissions = false;  // the existing file is readable by group or others
};

// 32 fresh random bytes. Error "crypto_error" when the generator fails.
Result<MasterKey> randomMasterKey();
// Reads a key file (64 hex digits or base64). Errors never echo its content. Blocking file I/O.
Result<MasterKey> readMasterKeyFile(const std::filesystem::path& path);

// Creates `path` holding `key` as hex, mode 0600, written whole and synced before it appears;
// fails when the file exists. Blocking file I/O.
Status writeMasterKeyFile(const std::filesystem::path& path, const MasterKey& key);

// Reads DATA_DIR/secret.key, or creates it (and DATA_DIR, mode 0700) holding 32 random bytes as
// hex with mode 0600. Creation is atomic, so two processes starting together agree on one key.
// Blocking file I/O.
Result<LoadedMasterKey> loadOrCreateMasterKey(const std::filesystem::path& data_dir);

}  // namespace poise::storage
