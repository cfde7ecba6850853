#include "storage/master_key.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

MasterKey testKey(std::uint8_t seed) {
  MasterKey k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed + i);
  return k;
}

std::string keyValue(int n) {
  return "AIzaSyMasterKeyTest" + std::string(20 - std::to_string(n).size(), '0') +
         std::to_string(n);
}

constexpr std::string_view kToken = "gateway-token-0123456789";

// Repositories over one database under one master key.
struct Sealed {
  Sealed(Database& db, const Clock& clock, std::uint8_t seed)
      : cipher(testKey(seed)),
        keys(db, cipher, clock),
        config(db, clock, ConfigSecrets{.cipher = &cipher, .keys = {"api_token"}}),
        alerts(db, cipher) {}
  KeyCipher cipher;
  ApiKeyRepository keys;
  ConfigRepository config;
  AlertRepository alerts;
};

class MasterKeyCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(a_.keys.create(keyValue(i)));
    const std::vector<ConfigEntry> token = {{"api_token", std::string(kToken)}};
    ASSERT_TRUE(a_.config.upsertMany(token, std::nullopt, clock_.now()));
    AlertWebhook hook{.name = "ops",
                      .url = "https://hooks.example.com/x",
                      .headers = {{"Authorization", "Bearer receiver-secret"}},
                      .events = {"key.error"},
                      .created_at = clock_.now(),
                      .updated_at = clock_.now()};
    ASSERT_TRUE(a_.alerts.create(hook));
    hook.name = "no headers";
    hook.headers.clear();
    ASSERT_TRUE(a_.alerts.create(hook));
  }

  TestDatabase t_;
  ManualClock clock_;
  Sealed a_{t_.db(), clock_, 1};
  Sealed b_{t_.db(), clock_, 101};
};

TEST_F(MasterKeyCheck, VerifiesByDecryptingWithoutACheckValueThenStoresIt) {
  EXPECT_FALSE(*storedCheckValue(t_.db()));
  auto wrong = verifyMasterKey(t_.db(), b_.keys, b_.config, b_.cipher, clock_.now());
  ASSERT_TRUE(wrong) << wrong.error().message;
  EXPECT_FALSE(*wrong);
  EXPECT_FALSE(*storedCheckValue(t_.db())) << "a wrong key stores nothing";
  auto right = verifyMasterKey(t_.db(), a_.keys, a_.config, a_.cipher, clock_.now());
  ASSERT_TRUE(right) << right.error().message;
  EXPECT_TRUE(*right);
  EXPECT_EQ(**storedCheckValue(t_.db()), a_.cipher.checkValue());
  // From now on the check value decides.
  EXPECT_FALSE(*verifyMasterKey(t_.db(), b_.keys, b_.config, b_.cipher, clock_.now()));
  EXPECT_TRUE(*verifyMasterKey(t_.db(), a_.keys, a_.config, a_.cipher, clock_.now()));
  EXPECT_NE(a_.cipher.checkValue(), b_.cipher.checkValue());
}

TEST(MasterKeyCheckFresh, AFreshDatabaseTakesTheFirstKey) {
  TestDatabase t;
  ManualClock clock;
  Sealed a(t.db(), clock, 7);
  Sealed b(t.db(), clock, 8);
  EXPECT_TRUE(*verifyMasterKey(t.db(), a.keys, a.config, a.cipher, clock.now()));
  EXPECT_FALSE(*verifyMasterKey(t.db(), b.keys, b.config, b.cipher, clock.now()));
}

TEST_F(MasterKeyCheck, RekeyMovesKeysFingerprintsTokenAndCheckToTheNewKey) {
  auto counts = rekey(t_.db(), a_.keys, a_.config, a_.alerts, b_.cipher, clock_.now());
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->keys, 3);
  EXPECT_EQ(counts->config_values, 1);
  EXPECT_EQ(counts->alert_webhooks, 1);
  auto hooks = b_.alerts.loadAll();
  ASSERT_TRUE(hooks) << hooks.error().message;
  ASSERT_EQ(hooks->size(), 2u);
  EXPECT_EQ(hooks->front().headers.front().second, "Bearer receiver-secret");
  EXPECT_FALSE(a_.alerts.loadAll());
  auto all = b_.keys.loadAll();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->undecryptable.empty());
  ASSERT_EQ(all->keys.size(), 3u);
  EXPECT_EQ(all->keys[1].value, keyValue(2));
  EXPECT_EQ(all->keys[1].fingerprint, b_.cipher.fingerprint(keyValue(2)));
  // Dedupe still works under the new key.
  EXPECT_EQ(b_.keys.create(keyValue(2)).error().code, ErrorCode::Conflict);
  EXPECT_EQ((*b_.config.get("api_token"))->value, kToken);
  EXPECT_FALSE(a_.config.get("api_token"));
  EXPECT_TRUE(*verifyMasterKey(t_.db(), b_.keys, b_.config, b_.cipher, clock_.now()));
  EXPECT_FALSE(*verifyMasterKey(t_.db(), a_.keys, a_.config, a_.cipher, clock_.now()));
}

TEST_F(MasterKeyCheck, ARekeyThatFailsHalfWayChangesNothing) {
  ASSERT_TRUE(*verifyMasterKey(t_.db(), a_.keys, a_.config, a_.cipher, clock_.now()));
  auto before = t_.db().query(
      "SELECT id, key_ciphertext, key_nonce, fingerprint FROM api_keys "
      "ORDER BY id");
  ASSERT_TRUE(before);
  // The second key's ciphertext is damaged: the first is re-encrypted, then the second fails.
  std::vector<std::uint8_t> bytes = (*before)[1].blob(1);
  bytes[0] ^= 0x01;
  ASSERT_TRUE(t_.db().execute("UPDATE api_keys SET key_ciphertext = ? WHERE id = ?",
                              {Blob{bytes}, (*before)[1].int64(0)}));
  auto failed = rekey(t_.db(), a_.keys, a_.config, a_.alerts, b_.cipher, clock_.now());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::DecryptFailed);
  EXPECT_NE(failed.error().message.find(std::to_string((*before)[1].int64(0))), std::string::npos);
  auto after = t_.db().query(
      "SELECT id, key_ciphertext, key_nonce, fingerprint FROM api_keys "
      "ORDER BY id");
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)[0].blob(1), (*before)[0].blob(1));
  EXPECT_EQ((*after)[0].blob(2), (*before)[0].blob(2));
  EXPECT_EQ((*after)[0].text(3), (*before)[0].text(3));
  EXPECT_EQ((*after)[2].blob(1), (*before)[2].blob(1));
  EXPECT_EQ(a_.keys.get((*after)[0].int64(0))->value, keyValue(1));
  EXPECT_EQ((*a_.config.get("api_token"))->value, kToken);
  EXPECT_EQ(**storedCheckValue(t_.db()), a_.cipher.checkValue());
}

}  // namespace
}  // namespace poise::storage
