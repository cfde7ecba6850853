#include "net/public_address.h"

#include <gtest/gtest.h>

namespace poise::net {
namespace {

bool refused(const char* text) {
  return nonPublicAddress(boost::asio::ip::make_address(text)).has_value();
}

TEST(PublicAddress, RefusesEveryNonPublicIpv4Block) {
  for (const char* a : {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                        "192.168.0.10", "169.254.169.254", "169.254.0.1", "100.64.0.1",
                        "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250",
                        "255.255.255.255", "240.0.0.1", "192.0.0.8", "198.18.0.1"}) {
    EXPECT_TRUE(refused(a)) << a;
  }
}

TEST(PublicAddress, AllowsPublicIpv4NextToTheBlocks) {
  for (const char* a :
       {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0",
        "169.253.255.255", "192.169.0.1", "11.0.0.1", "223.255.255.255", "198.20.0.1"}) {
    EXPECT_FALSE(refused(a)) << a;
  }
}

TEST(PublicAddress, RefusesNonPublicIpv6AndJudgesEmbeddedIpv4) {
  for (const char* a : {"::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1",
                        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                        "::127.0.0.1", "64:ff9b::a00:1", "2002:0a00:0001::1", "2001:db8::1"}) {
    EXPECT_TRUE(refused(a)) << a;
  }
  for (const char* a : {"2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8",
                        "64:ff9b::808:808", "2002:0808:0808::1"}) {
    EXPECT_FALSE(refused(a)) << a;
  }
}

TEST(PublicAddress, ReasonNamesTheKind) {
  auto why = nonPublicAddress(boost::asio::ip::make_address("169.254.169.254"));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("link-local"), std::string_view::npos);
  why = nonPublicAddress(boost::asio::ip::make_address("100.64.1.1"));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("CGNAT"), std::string_view::npos);
}

}  // namespace
}  // namespace poise::net
