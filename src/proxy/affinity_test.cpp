#include "proxy/affinity.h"

#include <gtest/gtest.h>

#include "proxy/gemini_proxy.h"

namespace poise::proxy {
namespace {

using namespace std::chrono_literals;

TEST(Affinity, ResourceNamesAreAKnownCollectionAndASafeId) {
  EXPECT_TRUE(isResourceName("files/abc-123"));
  EXPECT_TRUE(isResourceName("cachedContents/x_y.z"));
  EXPECT_TRUE(isResourceName("batches/b1"));
  EXPECT_TRUE(isResourceName("interactions/v1_ChdM"));
  EXPECT_FALSE(isResourceName("files/"));
  EXPECT_FALSE(isResourceName("files/.."));
  EXPECT_FALSE(isResourceName("files/a/b"));
  EXPECT_FALSE(isResourceName("files/a%2Fb"));
  EXPECT_FALSE(isResourceName("files/a b"));
  EXPECT_FALSE(isResourceName("models/gemini-2.5-flash"));
  EXPECT_FALSE(isResourceName("files/" + std::string(201, 'a')));
  EXPECT_TRUE(isResourceName("files/" + std::string(200, 'a')));
}

TEST(Affinity, ResourceInPath) {
  EXPECT_EQ(resourceInPath("/v1beta/files/abc"), "files/abc");
  EXPECT_EQ(resourceInPath("/v1alpha/cachedContents/c1"), "cachedContents/c1");
  EXPECT_EQ(resourceInPath("/v1beta/batches/b1:cancel"), "batches/b1");
  EXPECT_EQ(resourceInPath("/v1beta/interactions/i1"), "interactions/i1");
  EXPECT_EQ(resourceInPath("/v1beta/files"), std::nullopt);
  EXPECT_EQ(resourceInPath("/v1beta/models/gemini-2.5-flash:generateContent"), std::nullopt);
  EXPECT_EQ(resourceInPath("/v1beta/files/a$b"), std::nullopt);
}

TEST(Affinity, ListingsAndCreations) {
  EXPECT_EQ(listedCollection("GET", "/v1beta/files"), "files");
  EXPECT_EQ(listedCollection("GET", "/v1beta/cachedContents"), "cachedContents");
  EXPECT_EQ(listedCollection("GET", "/v1/batches"), "batches");
  EXPECT_EQ(listedCollection("POST", "/v1beta/files"), "");
  EXPECT_EQ(listedCollection("GET", "/v1beta/models"), "");
  EXPECT_EQ(creationKind("POST", "/v1beta/cachedContents"), Creation::CachedContent);
  EXPECT_EQ(creationKind("POST", "/v1beta/interactions"), Creation::Interaction);
  EXPECT_EQ(creationKind("POST", "/v1beta/models/gemini-2.5-flash:batchGenerateContent"),
            Creation::Batch);
  EXPECT_EQ(creationKind("GET", "/v1beta/cachedContents"), Creation::None);
  EXPECT_EQ(creationKind("POST", "/v1beta/models/gemini-2.5-flash:generateContent"),
            Creation::None);
}

TEST(Affinity, CreatedResourceTakesTheNameAndTheResourcesOwnExpiry) {
  const TimePoint now{Millis{1'700'000'000'000}};
  auto file = createdResource(
      Creation::File,
      R"({"file":{"name":"files/abc","expirationTime":"2023-11-16T22:13:20.123456Z"}})", now);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->name, "files/abc");
  EXPECT_EQ(file->expires_at, TimePoint{Millis{1'700'172'800'123}});
  // No expiry given: 48 hours.
  auto bare = createdResource(Creation::File, R"({"name":"files/x"})", now);
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->expires_at, now + 48h);
  auto cache =
      createdResource(Creation::CachedContent,
                      R"({"name":"cachedContents/c","expireTime":"2023-11-14T23:13:20Z"})", now);
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->expires_at, now + 1h);
  auto batch = createdResource(Creation::Batch, R"({"name":"batches/b","metadata":{}})", now);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->name, "batches/b");
  auto interaction = createdResource(Creation::Interaction, R"({"id":"v1_abc"})", now);
  ASSERT_TRUE(interaction);
  EXPECT_EQ(interaction->name, "interactions/v1_abc");
  // Names of another collection, malformed ids and non-JSON answers record nothing.
  EXPECT_FALSE(createdResource(Creation::File, R"({"file":{"name":"cachedContents/x"}})", now));
  EXPECT_FALSE(createdResource(Creation::Batch, R"({"name":"batches/../x"})", now));
  EXPECT_FALSE(createdResource(Creation::Interaction, R"({"id":"a/b"})", now));
  EXPECT_FALSE(createdResource(Creation::CachedContent, "not json", now));
}

TEST(Affinity, ReferencedResourcesInABody) {
  const auto names = referencedResources(R"({
    "contents": [{"role": "user", "parts": [
      {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc"}},
      {"file_data": {"file_uri": "files/def"}},
      {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc"}},
      {"fileData": {"fileUri": "gs://bucket/object"}},
      {"fileData": {"fileUri": "https://www.youtube.com/watch?v=x"}},
      {"text": "files/ghi"}]}],
    "cachedContent": "cachedContents/c1",
    "previous_interaction_id": "v1_prev"})");
  EXPECT_EQ(names, (std::vector<std::string>{"files/abc", "files/def", "cachedContents/c1",
                                             "interactions/v1_prev"}));
  EXPECT_TRUE(referencedResources(R"({"contents":[{"parts":[{"text":"hi"}]}]})").empty());
  EXPECT_TRUE(referencedResources("fileUri not json").empty());
  // A traversal in a URI or a cache name is no resource.
  EXPECT_TRUE(referencedResources(R"({"fileUri":"http://h/v1beta/files/..","cachedContent":"x/y"})")
                  .empty());
}

TEST(Affinity, PinnedKeyUsableOrWhyNot) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  pool.load({keys::PoolKey{.id = 1, .value = "k1"},
             keys::PoolKey{.id = 2, .value = "k2", .status = keys::KeyStatus::Disabled},
             keys::PoolKey{.id = 3, .value = "k3", .status = keys::KeyStatus::Exhausted}});
  auto ok = checkPinnedKey(pool, clock, 1, "gemini-2.5-flash");
  ASSERT_TRUE(ok.key);
  EXPECT_EQ(ok.key->value, "k1");
  auto disabled = checkPinnedKey(pool, clock, 2, "");
  EXPECT_FALSE(disabled.key);
  EXPECT_EQ(disabled.status, 409u);
  EXPECT_EQ(disabled.reason, "is disabled");
  EXPECT_EQ(checkPinnedKey(pool, clock, 3, "").status, 503u);
  auto deleted = checkPinnedKey(pool, clock, 9, "");
  EXPECT_EQ(deleted.status, 409u);
  EXPECT_EQ(deleted.reason, "was deleted from the gateway");

  pool.recordCooldown(1, "gemini-2.5-flash", clock.now() + 30s, "429");
  auto cooling = checkPinnedKey(pool, clock, 1, "models/gemini-2.5-flash");
  EXPECT_FALSE(cooling.key);
  EXPECT_EQ(cooling.status, 503u);
  EXPECT_EQ(cooling.retry_after_seconds, 30);
  EXPECT_TRUE(checkPinnedKey(pool, clock, 1, "gemini-2.5-pro").key) << "another model is fine";
  const std::string message = pinnedRefusal("files/abc", cooling.reason);
  EXPECT_TRUE(message.starts_with("resource_key_unavailable: files/abc "));
  EXPECT_EQ(message.find("k1"), std::string::npos);
}

TEST(Affinity, HandlesAreOpaqueAndExpire) {
  ManualClock clock;
  OpaqueHandles<int> handles(clock, 3, 10s);
  const std::string a = handles.put(1);
  EXPECT_TRUE(isHandle(a));
  EXPECT_NE(a, handles.put(2));
  EXPECT_EQ(handles.get(a), 1);
  EXPECT_EQ(handles.get("x"), std::nullopt);
  EXPECT_EQ(handles.get(std::string(43, 'A')), std::nullopt);
  handles.put(3);
  handles.put(4);  // over capacity: the oldest goes
  EXPECT_EQ(handles.get(a), std::nullopt);
  EXPECT_EQ(handles.size(), 3u);
  clock.advance(11s);
  const std::string b = handles.put(5);  // the expired ones go
  EXPECT_EQ(handles.size(), 1u);
  EXPECT_EQ(handles.get(b), 5);
  clock.advance(11s);
  EXPECT_EQ(handles.get(b), std::nullopt);
}

TEST(Affinity, UploadUrls) {
  EXPECT_EQ(gatewayUploadUrl(false, "127.0.0.1:8080", "/upload/v1beta/files", "ID"),
            "http://127.0.0.1:8080/upload/v1beta/files?upload_id=ID&upload_protocol=resumable");
  EXPECT_EQ(gatewayUploadUrl(true, "gw.example", "/upload/v1beta/files", "ID"),
            "https://gw.example/upload/v1beta/files?upload_id=ID&upload_protocol=resumable");
  EXPECT_EQ(gatewayUploadUrl(false, "evil.example/x?", "/upload/v1beta/files", "ID"), std::nullopt);
  EXPECT_EQ(gatewayUploadUrl(false, "a@b", "/upload/v1beta/files", "ID"), std::nullopt);
  EXPECT_EQ(gatewayUploadUrl(false, "", "/upload/v1beta/files", "ID"), std::nullopt);

  EXPECT_EQ(upstreamUploadTarget("https://generativelanguage.googleapis.com/upload/v1beta/"
                                 "files?upload_id=U1&upload_protocol=resumable",
                                 "generativelanguage.googleapis.com"),
            "/upload/v1beta/files?upload_id=U1&upload_protocol=resumable");
  EXPECT_EQ(upstreamUploadTarget("https://elsewhere.example/upload/v1beta/files?upload_id=U1",
                                 "generativelanguage.googleapis.com"),
            std::nullopt);
  EXPECT_EQ(upstreamUploadTarget("not a url", "generativelanguage.googleapis.com"), std::nullopt);
}

}  // namespace
}  // namespace poise::proxy
