#include "storage/key_cipher.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/encoding.h"
#include "core/secret_mask.h"

namespace poise::storage {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;

// OpenSSL failing on fixed, valid inputs means a broken environment, not an expected error.
void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fatal: OpenSSL failure in KeyCipher: %s\n", what);
    std::abort();
  }
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

constexpr std::string_view kFingerprintLabel = "poise api-key fingerprint v1";
constexpr std::string_view kCheckLabel = "poise master-key check v1";

// HKDF-Expand(PRK = master key, info = label, 32 bytes) with SHA-256 (RFC 5869): a single
// block, HMAC-SHA256(master key, label || 0x01). Labels give independent keys.
std::array<std::uint8_t, 32> deriveKey(const MasterKey& master_key, std::string_view label) {
  EVP_KDF* hkdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  KdfCtx ctx(hkdf != nullptr ? EVP_KDF_CTX_new(hkdf) : nullptr);
  EVP_KDF_free(hkdf);  // the context keeps its own reference
  MasterKey prk = master_key;
  std::string info(label);
  std::string digest = "SHA256";
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, prk.data(), prk.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end(),
  };
  std::array<std::uint8_t, 32> out{};
  require(ctx && EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1, "HKDF-Expand");
  OPENSSL_cleanse(prk.data(), prk.size());
  return out;
}

}  // namespace

KeyCipher::KeyCipher(const MasterKey& master_key) : key_(master_key) {
  cipher_ = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  require(cipher_ != nullptr && hmac != nullptr, "fetch AES-256-GCM / HMAC");
  fingerprint_mac_ = EVP_MAC_CTX_new(hmac);
  EVP_MAC_free(hmac);  // the context keeps its own reference
  std::array<std::uint8_t, 32> fingerprint_key = deriveKey(key_, kFingerprintLabel);
  std::string digest = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_end(),
  };
  require(fingerprint_mac_ != nullptr && EVP_MAC_init(fingerprint_mac_, fingerprint_key.data(),
                                                      fingerprint_key.size(), params) == 1,
          "HMAC-SHA256 init");
  OPENSSL_cleanse(fingerprint_key.data(), fingerprint_key.size());
}

KeyCipher::~KeyCipher() {
  OPENSSL_cleanse(key_.data(), key_.size());
  EVP_MAC_CTX_free(fingerprint_mac_);
  EVP_CIPHER_free(cipher_);
}

std::string KeyCipher::fingerprint(std::string_view plaintext) const {
  // A copy of the keyed context per call: the shared one is only read, so threads never race.
  MacCtx ctx(EVP_MAC_CTX_dup(fingerprint_mac_));
  std::array<std::uint8_t, 32> mac{};
  std::size_t len = 0;
  require(ctx && EVP_MAC_update(ctx.get(), bytes(plaintext), plaintext.size()) == 1 &&
              EVP_MAC_final(ctx.get(), mac.data(), &len, mac.size()) == 1 && len == mac.size(),
          "HMAC-SHA256");
  return toHex(mac);
}

std::string KeyCipher::checkValue() const {
  auto derived = deriveKey(key_, kCheckLabel);
  std::string out = toHex(derived);
  OPENSSL_cleanse(derived.data(), derived.size());
  return out;
}

std::string KeyCipher::masked(std::string_view plaintext) {
  return maskSecret(plaintext);
}

Result<SealedKey> KeyCipher::encrypt(std::string_view plaintext,
                                     std::string_view associated_data) const {
  if (plaintext.size() > INT_MAX / 2 || associated_data.size() > INT_MAX / 2) {
    return makeError(ErrorCode::CryptoError, "value too large to encrypt");
  }
  SealedKey out;
  out.nonce.resize(kNonceSize);
  if (RAND_bytes(out.nonce.data(), static_cast<int>(kNonceSize)) != 1) {
    return makeError(ErrorCode::CryptoError, "random generator failed");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  out.ciphertext.resize(plaintext.size() + kTagSize);
  int len = 0;
  int final_len = 0;
  const bool ok =
      ctx && EVP_EncryptInit_ex2(ctx.get(), cipher_, key_.data(), out.nonce.data(), nullptr) == 1 &&
      (associated_data.empty() ||
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                         static_cast<int>(associated_data.size())) == 1) &&
      EVP_EncryptUpdate(ctx.get(), out.ciphertext.data(), &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), out.ciphertext.data() + len, &final_len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          out.ciphertext.data() + plaintext.size()) == 1;
  if (!ok) return makeError(ErrorCode::CryptoError, "AES-256-GCM encryption failed");
  return out;
}

Result<std::string> KeyCipher::decrypt(std::span<const std::uint8_t> ciphertext,
                                       std::span<const std::uint8_t> nonce,
                                       std::string_view associated_data) const {
  if (nonce.size() != kNonceSize || ciphertext.size() < kTagSize ||
      ciphertext.size() > INT_MAX / 2 || associated_data.size() > INT_MAX / 2) {
    return makeError(ErrorCode::DecryptFailed, "stored key has a malformed ciphertext or nonce");
  }
  const std::size_t body = ciphertext.size() - kTagSize;
  std::string plaintext(body, '\0');
  std::array<std::uint8_t, kTagSize> tag{};
  std::memcpy(tag.data(), ciphertext.data() + body, kTagSize);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  const bool ok =
      ctx && EVP_DecryptInit_ex2(ctx.get(), cipher_, key_.data(), nonce.data(), nullptr) == 1 &&
      (associated_data.empty() ||
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                         static_cast<int>(associated_data.size())) == 1) &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &len,
                        ciphertext.data(), static_cast<int>(body)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + len,
                          &final_len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return makeError(ErrorCode::DecryptFailed,
                     "stored key failed authentication (wrong master key or tampered data)");
  }
  // Spelled out: Error is also constructible from a std::string.
  return Result<std::string>(boost::system::in_place_value, std::move(plaintext));
}

namespace {

Error invalidMasterKey() {
  return makeError(ErrorCode::InvalidMasterKey,
                   "the master key must be 32 bytes written as 64 hex digits or as base64");
}

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<MasterKey> parseMasterKey(std::string_view text) {
  text = trim(text);
  // 64 characters are hex (64 base64 characters would be 48 bytes anyway).
  auto decoded = text.size() == 64 ? fromHex(text) : fromAnyBase64(text);
  MasterKey key{};
  const bool ok = decoded && decoded->size() == key.size();
  if (ok) std::copy(decoded->begin(), decoded->end(), key.begin());
  if (decoded) OPENSSL_cleanse(decoded->data(), decoded->size());
  if (!ok) return invalidMasterKey();
  return key;
}

namespace {

Error fileError(const std::filesystem::path& path, std::string_view what, int err) {
  return makeError(ErrorCode::SecretKeyFile,
                   std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

Result<LoadedMasterKey> readKeyFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fileError(path, "cannot stat", errno);
  std::ifstream in(path);
  if (!in) return fileError(path, "cannot read", errno);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  auto key = parseMasterKey(text);
  OPENSSL_cleanse(text.data(), text.size());
  if (!key) {
    return makeError(ErrorCode::InvalidMasterKey,
                     path.string() + " does not hold a 32-byte key (64 hex digits or base64)");
  }
  return LoadedMasterKey{
      .key = *key, .generated = false, .insecure_permissions = (st.st_mode & 077) != 0};
}

}  // namespace

Result<MasterKey> randomMasterKey() {
  MasterKey key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return makeError(ErrorCode::CryptoError, "random generator failed");
  }
  return key;
}

Result<MasterKey> readMasterKeyFile(const std::filesystem::path& path) {
  auto loaded = readKeyFile(path);
  if (!loaded) return loaded.error();
  return loaded->key;
}

Status writeMasterKeyFile(const std::filesystem::path& path, const MasterKey& key) {
  // Write a complete temporary file, then link() it into place: the final name either does not
  // exist or holds a whole key, and link() fails with EEXIST if another process won the race.
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(static_cast<long>(::getpid()));
  std::string hex = toHex(key) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fileError(tmp, "cannot create", errno);
  const bool written =
      ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  OPENSSL_cleanse(hex.data(), hex.size());
  if (!written) {
    ::unlink(tmp.c_str());
    return fileError(tmp, "cannot write", write_errno);
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) return fileError(path, "cannot create", link_errno);
  return {};
}

Result<LoadedMasterKey> loadOrCreateMasterKey(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / "secret.key";
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return readKeyFile(path);
  if (!std::filesystem::exists(data_dir, ec)) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return fileError(data_dir, "cannot create", ec.value());
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, ec);
  }
  auto random = randomMasterKey();
  if (!random) return random.error();
  MasterKey key = *random;
  if (auto st = writeMasterKeyFile(path, key); !st) {
    OPENSSL_cleanse(key.data(), key.size());
    // Another process won the race: its key is the one.
    if (std::filesystem::exists(path, ec)) return readKeyFile(path);
    return st.error();
  }
  return LoadedMasterKey{.key = key, .generated = true, .insecure_permissions = false};
}

}  // namespace poise::storage
