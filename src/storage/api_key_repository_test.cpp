#include "storage/api_key_repository.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>

#include "storage/limits.h"
#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

MasterKey testKey(std::uint8_t seed) {
  MasterKey k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed + i);
  return k;
}

// A plausible Gemini key: "AIza" + 35 characters, unique per n.
std::string keyValue(std::int64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "AIzaSyTest%029lld", static_cast<long long>(n));
  return buf;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class ApiKeyRepositoryTest : public ::testing::Test {
 protected:
  TestDatabase t_;
  ManualClock clock_;
  KeyCipher cipher_{testKey(1)};
  ApiKeyRepository keys_{t_.db(), cipher_, clock_};
};

TEST_F(ApiKeyRepositoryTest, CreateStoresOnlyCiphertextAndRejectsDuplicates) {
  const std::string value = keyValue(1);
  auto k = keys_.create("  " + value + "\n", "active", "primary — основной 🔑", "high");
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->value, value);
  EXPECT_EQ(k->masked, "AIzaSy...0001");
  EXPECT_EQ(k->priority, "high");
  EXPECT_EQ(k->fingerprint, cipher_.fingerprint(value));

  auto dup = keys_.create(value);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  EXPECT_EQ(dup.error().message.find(value), std::string::npos);

  auto got = keys_.get(k->id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->value, value);
  EXPECT_EQ(got->description, "primary — основной 🔑");
  EXPECT_EQ(got->created_at, clock_.now());
  EXPECT_FALSE(got->last_used_at.has_value());

  // The plaintext is in no column of the table.
  auto stored = t_.db().query("SELECT * FROM api_keys");
  ASSERT_TRUE(stored);
  for (const Row& row : *stored) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      EXPECT_EQ(row.text(i).find(value), std::string::npos) << "column " << i;
    }
  }
  // On SQLite, nowhere in the database file either, the WAL included.
  if (t_.db().dialect() != Dialect::Sqlite) return;
  ASSERT_TRUE(t_.db().query("PRAGMA wal_checkpoint(TRUNCATE)"));
  for (const std::string& file : {t_.path(), t_.path() + "-wal"}) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(value), std::string::npos) << file;
  }
}

TEST(StorageLimits, TruncationKeepsWholeUtf8Characters) {
  EXPECT_EQ(truncateUtf8("abc", 5), "abc");
  EXPECT_EQ(truncateUtf8("abcdef", 3), "abc");
  EXPECT_EQ(truncateUtf8("a🔑b", 3), "a");  // the key is 4 bytes: not cut in half
  EXPECT_EQ(truncateUtf8("a🔑b", 5), "a🔑");
  EXPECT_EQ(truncateUtf8("ééé", 3), "é");
}

TEST_F(ApiKeyRepositoryTest, ValidatesStatusPriorityAndValue) {
  auto bad_status = keys_.create(keyValue(1), "inactive");
  ASSERT_FALSE(bad_status);
  EXPECT_EQ(bad_status.error().code, ErrorCode::InvalidStatus);
  auto bad_priority = keys_.create(keyValue(1), "active", "", "urgent");
  ASSERT_FALSE(bad_priority);
  EXPECT_EQ(bad_priority.error().code, ErrorCode::InvalidPriority);
  auto empty = keys_.create("   ");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::InvalidArgument);
  // The shared column limits hold on every dialect: too long is refused, never cut or a 500.
  const std::string long_key(kMaxKeyValueBytes + 1, 'k');
  auto too_long = keys_.create(long_key);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(too_long.error().message.find(long_key), std::string::npos);
  auto bulk_too_long = keys_.addMany({keyValue(90), long_key}, clock_.now());
  ASSERT_FALSE(bulk_too_long);
  EXPECT_EQ(bulk_too_long.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(bulk_too_long.error().message.find("key #2"), std::string::npos);
  std::string widest;  // 1 024 bytes of four-byte characters: the most any dialect must hold
  for (std::size_t i = 0; i < kMaxDescriptionBytes / 4; ++i) widest += "🔑";
  auto wide = keys_.create(keyValue(91), "active", widest);
  ASSERT_TRUE(wide) << wide.error().message;
  EXPECT_EQ(keys_.get(wide->id)->description, widest);
  auto too_wide = keys_.create(keyValue(92), "active", widest + "x");
  ASSERT_FALSE(too_wide);
  EXPECT_EQ(too_wide.error().code, ErrorCode::InvalidArgument);
  auto long_max = keys_.create(std::string(kMaxKeyValueBytes, 'm'));
  ASSERT_TRUE(long_max) << long_max.error().message;
  EXPECT_EQ(keys_.get(long_max->id)->value, std::string(kMaxKeyValueBytes, 'm'));
  auto k = keys_.create(keyValue(1));
  ASSERT_TRUE(k);
  auto upd = keys_.update(k->id, KeyPatch{.status = "timeout"});
  ASSERT_FALSE(upd);
  EXPECT_EQ(upd.error().code, ErrorCode::InvalidStatus);
  auto list = keys_.list(KeyListQuery{.status = "bogus"});
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, ErrorCode::InvalidStatus);
  const std::array<UsageDelta, 1> bad_delta = {UsageDelta{.id = k->id, .status = "gone"}};
  auto usage = keys_.applyUsage(bad_delta);
  ASSERT_FALSE(usage);
  EXPECT_EQ(usage.error().code, ErrorCode::InvalidStatus);
  EXPECT_FALSE(keys_.appendHistory(k->id, "active", "nope", "", clock_.now()));
}

TEST_F(ApiKeyRepositoryTest, AddManyTrimsAndSkipsDuplicates) {
  ASSERT_TRUE(keys_.create(keyValue(2)));
  auto r = keys_.addMany(
      {keyValue(1), " " + keyValue(2), "", "  ", keyValue(3), keyValue(1) + "\t", keyValue(4)},
      clock_.now());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->total_processed, 5);
  EXPECT_EQ(r->total_added, 3);
  ASSERT_EQ(r->added.size(), 3u);
  EXPECT_EQ(r->added[0].value, keyValue(1));
  EXPECT_EQ(r->added[1].value, keyValue(3));
  EXPECT_EQ(r->added[2].value, keyValue(4));
  for (const ApiKey& k : r->added) {
    auto got = keys_.get(k.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->value, k.value);
    EXPECT_EQ(got->status, "active");
  }
  auto none = keys_.addMany({"", " \n "}, clock_.now());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->total_processed, 0);
  EXPECT_EQ(none->total_added, 0);
}

TEST_F(ApiKeyRepositoryTest, BulkAddsAHundredThousandKeys) {
  constexpr std::int64_t kKeys = 100'000;
  // 1 000 keys already stored; the input repeats 10 000 of its own values.
  std::vector<std::string> existing;
  for (std::int64_t i = 0; i < 1000; ++i) existing.push_back(keyValue(i));
  ASSERT_TRUE(keys_.addMany(existing, clock_.now()));

  std::vector<std::string> input;
  input.reserve(kKeys + 10'000);
  for (std::int64_t i = 0; i < kKeys; ++i) input.push_back(keyValue(i));
  for (std::int64_t i = 0; i < 10'000; ++i) input.push_back(keyValue(i * 7 % kKeys));

  auto start = std::chrono::steady_clock::now();
  auto r = keys_.addMany(input, clock_.now());
  const double add_s = secondsSince(start);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->total_processed, kKeys + 10'000);
  EXPECT_EQ(r->total_added, kKeys - 1000);
  std::set<std::int64_t> ids;
  for (const ApiKey& k : r->added) ids.insert(k.id);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kKeys - 1000));
  EXPECT_EQ(ids.count(0), 0u);

  start = std::chrono::steady_clock::now();
  auto all = keys_.loadAll();
  const double load_s = secondsSince(start);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->keys.size(), static_cast<std::size_t>(kKeys));
  EXPECT_TRUE(all->undecryptable.empty());
  EXPECT_EQ(all->keys[12345].value, keyValue(12345));

  start = std::chrono::steady_clock::now();
  auto page = keys_.list(KeyListQuery{.page = 1000, .page_size = 50});
  const double list_s = secondsSince(start);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, kKeys);
  ASSERT_EQ(page->items.size(), 50u);

  start = std::chrono::steady_clock::now();
  auto exact = keys_.list(KeyListQuery{.search = keyValue(77'777)});
  const double search_s = secondsSince(start);
  ASSERT_TRUE(exact);
  ASSERT_EQ(exact->total, 1);
  EXPECT_EQ(exact->items[0].fingerprint, cipher_.fingerprint(keyValue(77'777)));

  std::vector<std::int64_t> doomed(ids.begin(), ids.end());
  start = std::chrono::steady_clock::now();
  auto removed = keys_.removeMany(doomed);
  const double remove_s = secondsSince(start);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, kKeys - 1000);

  std::printf(
      "[ timing ] addMany %lld keys (+10000 repeats, 1000 stored): %.3f s; loadAll: %.3f s; "
      "list page 1000: %.1f ms; exact-key search: %.1f ms; removeMany: %.3f s\n",
      static_cast<long long>(kKeys), add_s, load_s, list_s * 1000, search_s * 1000, remove_s);
  // No timing assertion: the figure is printed for the reader; bench/ measures P4 properly.
}

TEST_F(ApiKeyRepositoryTest, ListsByStatusRankWithFiltersAndSearch) {
  // ids 1..8; statuses chosen so that id order and rank order differ.
  const std::array<std::string_view, 8> statuses = {"disabled", "error", "active",   "exhausted",
                                                    "active",   "error", "disabled", "active"};
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    auto k = keys_.create(keyValue(static_cast<std::int64_t>(i + 1)), statuses[i],
                          i == 5 ? "Team Ünicode 50%_off" : "team " + std::to_string(i));
    ASSERT_TRUE(k) << k.error().message;
    ids.push_back(k->id);
  }
  const std::array<UsageDelta, 2> failures = {UsageDelta{.id = ids[1], .failed_count = 4},
                                              UsageDelta{.id = ids[4], .failed_count = 2}};
  ASSERT_TRUE(keys_.applyUsage(failures));

  auto all = keys_.list(KeyListQuery{.page = 1, .page_size = 100});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 8);
  std::vector<std::int64_t> order;
  for (const ApiKey& k : all->items) {
    order.push_back(k.id);
    EXPECT_TRUE(k.value.empty());
  }
  EXPECT_EQ(order, (std::vector<std::int64_t>{ids[2], ids[4], ids[7], ids[3], ids[1], ids[5],
                                              ids[0], ids[6]}));

  auto page2 = keys_.list(KeyListQuery{.page = 2, .page_size = 3});
  ASSERT_TRUE(page2);
  EXPECT_EQ(page2->total, 8);
  ASSERT_EQ(page2->items.size(), 3u);
  EXPECT_EQ(page2->items[0].id, ids[3]);
  auto past_end = keys_.list(KeyListQuery{.page = 9, .page_size = 3});
  ASSERT_TRUE(past_end);
  EXPECT_EQ(past_end->total, 8);
  EXPECT_TRUE(past_end->items.empty());

  auto errors = keys_.list(KeyListQuery{.status = "error"});
  ASSERT_TRUE(errors);
  EXPECT_EQ(errors->total, 2);
  auto failing = keys_.list(KeyListQuery{.min_failed_count = 3});
  ASSERT_TRUE(failing);
  ASSERT_EQ(failing->total, 1);
  EXPECT_EQ(failing->items[0].id, ids[1]);
  auto combined = keys_.list(KeyListQuery{.status = "active", .min_failed_count = 1});
  ASSERT_TRUE(combined);
  ASSERT_EQ(combined->total, 1);
  EXPECT_EQ(combined->items[0].id, ids[4]);

  // Masked form (case-insensitive), description (LIKE wildcards are literal), exact key.
  auto by_mask = keys_.list(KeyListQuery{.search = "...0003"});
  ASSERT_TRUE(by_mask);
  ASSERT_EQ(by_mask->total, 1);
  EXPECT_EQ(by_mask->items[0].id, ids[2]);
  auto by_prefix = keys_.list(KeyListQuery{.search = "aizasy"});
  ASSERT_TRUE(by_prefix);
  EXPECT_EQ(by_prefix->total, 8);
  auto by_desc = keys_.list(KeyListQuery{.search = "50%_"});
  ASSERT_TRUE(by_desc);
  ASSERT_EQ(by_desc->total, 1);
  EXPECT_EQ(by_desc->items[0].id, ids[5]);
  auto by_unicode = keys_.list(KeyListQuery{.search = "Ünicode"});
  ASSERT_TRUE(by_unicode);
  EXPECT_EQ(by_unicode->total, 1);
  auto wildcard = keys_.list(KeyListQuery{.search = "%"});
  ASSERT_TRUE(wildcard);
  EXPECT_EQ(wildcard->total, 1);  // only the description containing a literal '%'
  auto exact = keys_.list(KeyListQuery{.search = " " + keyValue(8) + " "});
  ASSERT_TRUE(exact);
  ASSERT_EQ(exact->total, 1);
  EXPECT_EQ(exact->items[0].id, ids[7]);
  auto middle = keys_.list(KeyListQuery{.search = "Test0000"});  // inside the secret part
  ASSERT_TRUE(middle);
  EXPECT_EQ(middle->total, 0);

  EXPECT_FALSE(keys_.list(KeyListQuery{.page = 0}));
  EXPECT_FALSE(keys_.list(KeyListQuery{.page_size = 1001}));

  auto counts = keys_.countByStatus();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->at("active"), 3);
  EXPECT_EQ(counts->at("exhausted"), 1);
  EXPECT_EQ(counts->at("error"), 2);
  EXPECT_EQ(counts->at("disabled"), 2);
}

TEST_F(ApiKeyRepositoryTest, UpdateChangesFieldsAndRecordsStatusHistory) {
  auto a = keys_.create(keyValue(1));
  auto b = keys_.create(keyValue(2));
  ASSERT_TRUE(a && b);
  clock_.advance(1min);
  auto upd = keys_.update(a->id, KeyPatch{.status = "disabled",
                                          .description = "paused",
                                          .priority = "low",
                                          .status_reason = "operator"});
  ASSERT_TRUE(upd) << upd.error().message;
  EXPECT_EQ(upd->status, "disabled");
  EXPECT_EQ(upd->description, "paused");
  EXPECT_EQ(upd->priority, "low");
  EXPECT_EQ(upd->value, keyValue(1));
  EXPECT_EQ(upd->updated_at, clock_.now());
  EXPECT_EQ(upd->created_at, clock_.now() - 1min);

  // Same status again: no new history row.
  ASSERT_TRUE(keys_.update(a->id, KeyPatch{.status = "disabled"}));
  auto hist = keys_.history(a->id, 10);
  ASSERT_TRUE(hist);
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_EQ((*hist)[0].from_status, "active");
  EXPECT_EQ((*hist)[0].to_status, "disabled");
  EXPECT_EQ((*hist)[0].reason, "operator");

  auto clash = keys_.update(a->id, KeyPatch{.value = keyValue(2)});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::Conflict);
  auto renamed = keys_.update(a->id, KeyPatch{.value = keyValue(3)});
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->value, keyValue(3));
  EXPECT_EQ(renamed->fingerprint, cipher_.fingerprint(keyValue(3)));
  EXPECT_EQ(keys_.get(a->id)->value, keyValue(3));
  // The old value is free again.
  EXPECT_TRUE(keys_.create(keyValue(1)));

  auto missing = keys_.update(999, KeyPatch{.description = "x"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_F(ApiKeyRepositoryTest, UpdateManyChangesKnownIdsAndListsTheRest) {
  auto a = keys_.create(keyValue(1));
  auto b = keys_.create(keyValue(2));
  ASSERT_TRUE(a && b);
  const std::vector<std::int64_t> ids = {a->id, 9999, b->id};
  auto r = keys_.updateMany(ids, KeyPatch{.status = "disabled", .priority = "high"});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->updated.size(), 2u);
  EXPECT_EQ(r->updated[0].id, a->id);
  EXPECT_EQ(r->updated[0].value, keyValue(1));
  EXPECT_EQ(r->missing, std::vector<std::int64_t>{9999});
  EXPECT_EQ(keys_.get(b->id)->status, "disabled");
  EXPECT_EQ(keys_.get(b->id)->priority, "high");
  EXPECT_EQ(keys_.history(a->id, 10)->size(), 1u);

  EXPECT_FALSE(keys_.updateMany(ids, KeyPatch{.status = "paused"}));
  EXPECT_FALSE(keys_.updateMany(ids, KeyPatch{.value = keyValue(3)}));
  EXPECT_EQ(keys_.get(a->id)->status, "disabled");
}

TEST_F(ApiKeyRepositoryTest, RemoveAndRemoveManyTakeHistoryAlong) {
  auto a = keys_.create(keyValue(1));
  auto b = keys_.create(keyValue(2));
  auto c = keys_.create(keyValue(3));
  ASSERT_TRUE(a && b && c);
  ASSERT_TRUE(keys_.appendHistory(a->id, "active", "error", "401", clock_.now()));
  ASSERT_TRUE(keys_.remove(a->id));
  auto again = keys_.remove(a->id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
  auto rows = t_.db().query("SELECT COUNT(*) FROM key_status_history");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].int64(0), 0);

  const std::array<std::int64_t, 4> ids = {b->id, c->id, b->id, 999};
  auto n = keys_.removeMany(ids);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_TRUE(keys_.loadAll()->keys.empty());
  auto gone = keys_.appendHistory(b->id, "active", "error", "", clock_.now());
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
}

TEST_F(ApiKeyRepositoryTest, AppliesUsageDeltasInOneBatch) {
  auto a = keys_.create(keyValue(1));
  auto b = keys_.create(keyValue(2));
  ASSERT_TRUE(a && b);
  const TimePoint used = clock_.now() + 5s;
  const std::array<UsageDelta, 3> first = {
      UsageDelta{.id = a->id, .usage_increment = 3, .failed_count = 0, .last_used_at = used},
      UsageDelta{.id = b->id,
                 .usage_increment = 2,
                 .failed_count = 2,
                 .status = "error",
                 .last_used_at = used,
                 .status_reason = "API_KEY_INVALID"},
      UsageDelta{.id = 424242, .usage_increment = 1, .failed_count = 1}};  // deleted meanwhile
  ASSERT_TRUE(keys_.applyUsage(first));
  const std::array<UsageDelta, 2> second = {
      UsageDelta{.id = a->id, .usage_increment = 4, .failed_count = 1},
      UsageDelta{.id = b->id, .usage_increment = 0, .failed_count = 3, .status = "error"}};
  ASSERT_TRUE(keys_.applyUsage(second));

  auto ka = keys_.get(a->id);
  auto kb = keys_.get(b->id);
  ASSERT_TRUE(ka && kb);
  EXPECT_EQ(ka->usage_count, 7);
  EXPECT_EQ(ka->failed_count, 1);
  EXPECT_EQ(ka->status, "active");
  EXPECT_EQ(ka->last_used_at, used);  // kept when a delta carries none
  EXPECT_EQ(kb->usage_count, 2);
  EXPECT_EQ(kb->failed_count, 3);
  EXPECT_EQ(kb->status, "error");
  auto hist = keys_.history(b->id, 10);
  ASSERT_TRUE(hist);
  ASSERT_EQ(hist->size(), 1u);  // the repeated "error" was not a change
  EXPECT_EQ((*hist)[0].from_status, "active");
  EXPECT_EQ((*hist)[0].reason, "API_KEY_INVALID");
  EXPECT_TRUE(keys_.history(a->id, 10)->empty());
}

TEST_F(ApiKeyRepositoryTest, HistoryIsNewestFirstAndLimited) {
  auto a = keys_.create(keyValue(1));
  ASSERT_TRUE(a);
  const std::array<std::string_view, 4> path = {"active", "exhausted", "active", "error"};
  for (std::size_t i = 1; i < path.size(); ++i) {
    clock_.advance(1s);
    ASSERT_TRUE(keys_.appendHistory(a->id, path[i - 1], path[i], "step", clock_.now()));
  }
  auto two = keys_.history(a->id, 2);
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].to_status, "error");
  EXPECT_EQ((*two)[0].created_at, clock_.now());
  EXPECT_EQ((*two)[1].to_status, "active");
}

TEST_F(ApiKeyRepositoryTest, TamperedOrSwappedCiphertextFailsToDecrypt) {
  auto a = keys_.create(keyValue(1));
  auto b = keys_.create(keyValue(2));
  ASSERT_TRUE(a && b);
  // Flip one byte of a's ciphertext.
  auto row = t_.db().query("SELECT key_ciphertext FROM api_keys WHERE id = ?", {a->id});
  ASSERT_TRUE(row);
  std::vector<std::uint8_t> bytes = (*row)[0].blob(0);
  bytes[3] ^= 0x40;
  ASSERT_TRUE(
      t_.db().execute("UPDATE api_keys SET key_ciphertext = ? WHERE id = ?", {Blob{bytes}, a->id}));
  auto got = keys_.get(a->id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::DecryptFailed);
  // Loading does not fail: the key is marked error, with the reason in its history.
  auto all = keys_.loadAll();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->keys.size(), 2u);
  EXPECT_EQ(all->undecryptable, std::vector<std::int64_t>{a->id});
  EXPECT_EQ(all->keys[0].id, a->id);
  EXPECT_EQ(all->keys[0].status, "error");
  EXPECT_TRUE(all->keys[0].value.empty());
  EXPECT_EQ(all->keys[1].value, keyValue(2));
  EXPECT_EQ(all->keys[1].status, "active");
  auto stored = keys_.list(KeyListQuery{.status = "error"});
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->total, 1);
  auto changes = keys_.history(a->id, 10);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].from_status, "active");
  EXPECT_EQ((*changes)[0].to_status, "error");
  EXPECT_EQ((*changes)[0].reason, kUndecryptableReason);
  // A second load does not repeat the history entry.
  auto again = keys_.loadAll();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->undecryptable, std::vector<std::int64_t>{a->id});
  EXPECT_EQ(keys_.history(a->id, 10)->size(), 1u);

  // Moving b's ciphertext and nonce onto a row with another fingerprint fails too.
  auto b_row =
      t_.db().query("SELECT key_ciphertext, key_nonce FROM api_keys WHERE id = ?", {b->id});
  ASSERT_TRUE(b_row);
  ASSERT_TRUE(t_.db().execute("UPDATE api_keys SET key_ciphertext = ?, key_nonce = ? WHERE id = ?",
                              {(*b_row)[0][0], (*b_row)[0][1], a->id}));
  auto swapped = keys_.get(a->id);
  ASSERT_FALSE(swapped);
  EXPECT_EQ(swapped.error().code, ErrorCode::DecryptFailed);
  EXPECT_TRUE(keys_.get(b->id));
}

TEST_F(ApiKeyRepositoryTest, AnotherMasterKeyCannotLoadTheKeys) {
  ASSERT_TRUE(keys_.create(keyValue(1)));
  KeyCipher other(testKey(2));
  ApiKeyRepository wrong(t_.db(), other, clock_);
  auto all = wrong.loadAll();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->undecryptable.size(), 1u);
  EXPECT_EQ(all->keys[0].status, "error");
  // And it cannot see duplicates: fingerprints differ under another master key.
  auto dup = wrong.list(KeyListQuery{.search = keyValue(1)});
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->total, 0);
}

}  // namespace
}  // namespace poise::storage
