#include "proxy/live_proxy.h"

#include <gtest/gtest.h>

namespace poise::proxy {
namespace {

TEST(LiveSetupModelTest, ReadsTheModelOfASetupMessage) {
  auto model =
      liveSetupModel(R"({"setup":{"model":"models/gemini-2.5-flash","generationConfig":{}}})");
  ASSERT_TRUE(model);
  EXPECT_EQ(*model, "gemini-2.5-flash");
  auto bare = liveSetupModel(R"({"setup":{"model":"gemini-live-2.5-flash-preview"}})");
  ASSERT_TRUE(bare);
  EXPECT_EQ(*bare, "gemini-live-2.5-flash-preview");
}

TEST(LiveSetupModelTest, RefusesWhatIsNotASetupWithAModelId) {
  for (const char* bad : {"", "not json", "[]", R"({"clientContent":{}})", R"({"setup":{}})",
                          R"({"setup":{"model":42}})", R"({"setup":{"model":"models/a b"}})",
                          R"({"setup":{"model":"models/../x"}})", R"({"setup":"models/x"})"}) {
    EXPECT_FALSE(liveSetupModel(bad)) << bad;
  }
}

TEST(LiveCloseCodeForTest, MapsUpstreamRefusalsToCloseCodes) {
  EXPECT_EQ(liveCloseCodeFor(400), 1007u);
  EXPECT_EQ(liveCloseCodeFor(403), 1008u);
  EXPECT_EQ(liveCloseCodeFor(404), 1008u);
  EXPECT_EQ(liveCloseCodeFor(429), 1013u);
  EXPECT_EQ(liveCloseCodeFor(500), 1011u);
  EXPECT_EQ(liveCloseCodeFor(503), 1011u);
}

}  // namespace
}  // namespace poise::proxy
