#include "storage/key_cipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

MasterKey sequentialKey() {
  MasterKey k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
  return k;
}

constexpr std::string_view kSample = "AIzaSyExampleExampleExampleExample12345";

TEST(KeyCipher, RoundTripsWithAFreshNoncePerValue) {
  KeyCipher cipher(sequentialKey());
  auto a = cipher.encrypt(kSample);
  auto b = cipher.encrypt(kSample);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->nonce.size(), KeyCipher::kNonceSize);
  EXPECT_EQ(a->ciphertext.size(), kSample.size() + KeyCipher::kTagSize);
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_NE(a->ciphertext, b->ciphertext);
  auto plain = cipher.decrypt(a->ciphertext, a->nonce);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(*plain, kSample);
}

TEST(KeyCipher, EmptyAndUnicodeValuesRoundTrip) {
  KeyCipher cipher(sequentialKey());
  for (std::string_view v : {std::string_view{}, std::string_view{"ключ-密钥-🔑"}}) {
    auto sealed = cipher.encrypt(v, "aad");
    ASSERT_TRUE(sealed);
    auto plain = cipher.decrypt(sealed->ciphertext, sealed->nonce, "aad");
    ASSERT_TRUE(plain);
    EXPECT_EQ(*plain, v);
  }
}

TEST(KeyCipher, DetectsTamperingAnywhere) {
  KeyCipher cipher(sequentialKey());
  auto sealed = cipher.encrypt(kSample, "fp");
  ASSERT_TRUE(sealed);
  for (std::size_t i = 0; i < sealed->ciphertext.size(); ++i) {
    auto bad = sealed->ciphertext;
    bad[i] ^= 0x01;
    auto r = cipher.decrypt(bad, sealed->nonce, "fp");
    ASSERT_FALSE(r) << "flipped byte " << i << " went unnoticed";
    EXPECT_EQ(r.error().code, ErrorCode::DecryptFailed);
  }
  auto bad_nonce = sealed->nonce;
  bad_nonce[0] ^= 0x80;
  EXPECT_FALSE(cipher.decrypt(sealed->ciphertext, bad_nonce, "fp"));
  EXPECT_FALSE(cipher.decrypt(sealed->ciphertext, sealed->nonce, "other"));
  auto truncated = sealed->ciphertext;
  truncated.resize(KeyCipher::kTagSize - 1);
  EXPECT_FALSE(cipher.decrypt(truncated, sealed->nonce, "fp"));
  EXPECT_TRUE(cipher.decrypt(sealed->ciphertext, sealed->nonce, "fp"));
}

TEST(KeyCipher, AnotherMasterKeyCannotDecrypt) {
  KeyCipher cipher(sequentialKey());
  MasterKey other = sequentialKey();
  other[31] ^= 1;
  KeyCipher wrong(other);
  auto sealed = cipher.encrypt(kSample);
  ASSERT_TRUE(sealed);
  auto r = wrong.decrypt(sealed->ciphertext, sealed->nonce);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::DecryptFailed);
  EXPECT_EQ(r.error().message.find(kSample), std::string::npos);
}

TEST(KeyCipher, FingerprintIsHmacUnderADerivedKey) {
  KeyCipher cipher(sequentialKey());
  // Computed independently: HMAC-SHA256(HMAC-SHA256(master, label || 0x01), value).
  EXPECT_EQ(cipher.fingerprint(kSample),
            "e004197214f3ef53801ac9de1fd2bcd5082f98d1255ad63b3f2af38c16c75d18");
  EXPECT_EQ(cipher.fingerprint(kSample), cipher.fingerprint(std::string(kSample)));
  EXPECT_NE(cipher.fingerprint(kSample),
            cipher.fingerprint("AIzaSyExampleExampleExampleExample12346"));
  MasterKey other = sequentialKey();
  other[0] = 0xff;
  EXPECT_NE(KeyCipher(other).fingerprint(kSample), cipher.fingerprint(kSample));
}

// Fingerprints are stored: a new implementation must reproduce the old ones byte for byte. These
// were computed by the hand-written ipad/opad HMAC this class used before EVP_MAC and EVP_KDF.
TEST(KeyCipher, FingerprintsOfExistingKeysStayTheSame) {
  MasterKey a5{};
  a5.fill(0xa5);
  const KeyCipher cipher(a5);
  EXPECT_EQ(cipher.fingerprint(""),
            "a23dc0c6b4963b467ddf89e45a0d8fb74616f778ac3ec2a5d49c85586a27987c");
  EXPECT_EQ(cipher.fingerprint(kSample),
            "65035120ba58e43c925b652b9e68731fcf88539ef9a63dd1e138684b8be130e2");
  EXPECT_EQ(KeyCipher(sequentialKey()).fingerprint(kSample),
            "e004197214f3ef53801ac9de1fd2bcd5082f98d1255ad63b3f2af38c16c75d18");
}

TEST(KeyCipher, OneInstanceServesManyThreads) {
  KeyCipher cipher(sequentialKey());
  const std::string expected = cipher.fingerprint(kSample);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string value = std::string(kSample) + std::to_string(t * 10000 + i);
        auto sealed = cipher.encrypt(value, "aad");
        auto plain = sealed ? cipher.decrypt(sealed->ciphertext, sealed->nonce, "aad")
                            : Result<std::string>(Error{ErrorCode::DbError, "x"});
        if (!plain || *plain != value || cipher.fingerprint(kSample) != expected) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(KeyCipher, MasksForDisplay) {
  EXPECT_EQ(KeyCipher::masked(kSample), "AIzaSy...2345");
  EXPECT_EQ(KeyCipher::masked("short"), "****");
}

TEST(KeyCipherMasterKey, ParsesHexAndBothBase64Alphabets) {
  const std::string hex = "fbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffefd";
  auto from_hex = parseMasterKey("  " + hex + "\n");
  ASSERT_TRUE(from_hex);
  EXPECT_EQ((*from_hex)[0], 0xfb);
  EXPECT_EQ((*from_hex)[31], 0xfd);
  auto from_upper_hex =
      parseMasterKey("FBEFFFFBEFFFFBEFFFFBEFFFFBEFFFFBEFFFFBEFFFFBEFFFFBEFFFFBEFFFFEFD");
  ASSERT_TRUE(from_upper_hex);
  EXPECT_EQ(*from_upper_hex, *from_hex);
  auto std64 = parseMasterKey("++//++//++//++//++//++//++//++//++//++///v0=");
  auto url64 = parseMasterKey("--__--__--__--__--__--__--__--__--__--___v0");
  ASSERT_TRUE(std64);
  ASSERT_TRUE(url64);
  EXPECT_EQ(*std64, *from_hex);
  EXPECT_EQ(*url64, *from_hex);
}

TEST(KeyCipherMasterKey, RejectsWrongLengthsAndAlphabetsWithoutEchoing) {
  for (std::string_view bad :
       {"", "abcd", "fbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffe",
        "zzeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffbeffffefd",
        "++//++//++//++//++//++//++//++//++//++///v1=",
        "++//++//++//++//++//++//++//++//++//++//=="}) {
    auto r = parseMasterKey(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidMasterKey);
    if (!bad.empty()) {
      EXPECT_EQ(r.error().message.find(bad), std::string::npos);
    }
  }
}

TEST(KeyCipherMasterKey, GeneratesOnceWithOwnerOnlyModeThenReloads) {
  TempDir tmp;
  const auto data_dir = tmp.path() / "data";
  auto first = loadOrCreateMasterKey(data_dir);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->generated);
  struct stat st {};
  ASSERT_EQ(::stat((data_dir / "secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(data_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::ifstream in(data_dir / "secret.key");
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text.size(), 64u);

  auto second = loadOrCreateMasterKey(data_dir);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->generated);
  EXPECT_FALSE(second->insecure_permissions);
  EXPECT_EQ(second->key, first->key);
  // Nothing but the key file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data_dir),
                          std::filesystem::directory_iterator{}),
            1);
}

TEST(KeyCipherMasterKey, ReportsLooseModeAndRejectsCorruptFile) {
  TempDir tmp;
  const auto path = tmp.path() / "secret.key";
  {
    std::ofstream out(path);
    out << "0001020304050607080910111213141516171819202122232425262728293031\n";
  }
  ::chmod(path.c_str(), 0644);
  auto loaded = loadOrCreateMasterKey(tmp.path());
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->insecure_permissions);
  {
    std::ofstream out(path);
    out << "not a key\n";
  }
  auto bad = loadOrCreateMasterKey(tmp.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidMasterKey);
}

}  // namespace
}  // namespace poise::storage
