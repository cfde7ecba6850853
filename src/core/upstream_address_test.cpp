#include "core/upstream_address.h"

#include <gtest/gtest.h>

namespace poise {
namespace {

TEST(UpstreamAddress, RefusesLinkLocalAndMetadata) {
  EXPECT_TRUE(forbiddenUpstreamV4({169, 254, 169, 254}));
  EXPECT_TRUE(forbiddenUpstreamV4({169, 254, 0, 1}));
  EXPECT_TRUE(forbiddenUpstreamV4({100, 100, 100, 200}));
  EXPECT_TRUE(forbiddenUpstreamV6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_TRUE(forbiddenUpstreamV6({0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x54}));
  EXPECT_TRUE(forbiddenUpstreamV6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254}));
}

TEST(UpstreamAddress, AllowsLoopbackPrivateAndPublic) {
  EXPECT_FALSE(forbiddenUpstreamV4({127, 0, 0, 1}));
  EXPECT_FALSE(forbiddenUpstreamV4({10, 1, 2, 3}));
  EXPECT_FALSE(forbiddenUpstreamV4({192, 168, 1, 1}));
  EXPECT_FALSE(forbiddenUpstreamV4({142, 250, 1, 1}));
  EXPECT_FALSE(forbiddenUpstreamV6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_FALSE(forbiddenUpstreamV6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}));
}

}  // namespace
}  // namespace poise
