#include "net/address_ranges.h"

#include <gtest/gtest.h>

namespace poise::net {
namespace {

boost::asio::ip::address addr(const char* s) {
  return boost::asio::ip::make_address(s);
}

TEST(AddressRanges, MatchesSingleAddressesAndBlocks) {
  auto r = AddressRanges::parse(" 10.0.0.0/8, 192.168.1.5 ,fd00::/8, ::1 ");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 4u);
  EXPECT_TRUE(r->contains(addr("10.255.3.4")));
  EXPECT_FALSE(r->contains(addr("11.0.0.1")));
  EXPECT_TRUE(r->contains(addr("192.168.1.5")));
  EXPECT_FALSE(r->contains(addr("192.168.1.6")));
  EXPECT_TRUE(r->contains(addr("fd12:3456::1")));
  EXPECT_FALSE(r->contains(addr("fe80::1")));
  EXPECT_TRUE(r->contains(addr("::1")));
  EXPECT_FALSE(r->contains(addr("::2")));
}

TEST(AddressRanges, PrefixesThatEndInsideAByte) {
  auto r = AddressRanges::parse("172.16.0.0/12,2001:db8:8000::/33");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(addr("172.31.255.255")));
  EXPECT_FALSE(r->contains(addr("172.32.0.0")));
  EXPECT_FALSE(r->contains(addr("172.15.255.255")));
  EXPECT_TRUE(r->contains(addr("2001:db8:ffff::1")));
  EXPECT_FALSE(r->contains(addr("2001:db8:7fff::1")));
}

TEST(AddressRanges, HostBitsAreIgnoredAndZeroPrefixMatchesTheFamily) {
  auto r = AddressRanges::parse("127.0.0.1/8,0.0.0.0/0");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(addr("127.9.9.9")));
  EXPECT_TRUE(r->contains(addr("8.8.8.8")));
  EXPECT_FALSE(r->contains(addr("2001:db8::1"))) << "an IPv4 block never matches IPv6";
}

TEST(AddressRanges, MappedPeersMatchIpv4Entries) {
  auto r = AddressRanges::parse("127.0.0.1,::ffff:10.0.0.0/104");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(addr("::ffff:127.0.0.1")));
  EXPECT_TRUE(r->contains(addr("10.1.2.3")));
  EXPECT_TRUE(r->contains(addr("::ffff:10.1.2.3")));
  EXPECT_FALSE(r->contains(addr("::ffff:11.1.2.3")));
  EXPECT_EQ(unmapped(addr("::ffff:1.2.3.4")), addr("1.2.3.4"));
  EXPECT_EQ(unmapped(addr("::1")), addr("::1"));
}

TEST(AddressRanges, BlankIsEmptyAndMalformedEntriesAreNamed) {
  auto blank = AddressRanges::parse(" , ");
  ASSERT_TRUE(blank);
  EXPECT_TRUE(blank->empty());
  EXPECT_FALSE(blank->contains(addr("127.0.0.1")));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "host.example",
                          "10.0.0.0/8/8", "::ffff:10.0.0.0/64", "1.2.3.4/-1"}) {
    auto r = AddressRanges::parse(std::string("127.0.0.1,") + bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace poise::net
